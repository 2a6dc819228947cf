"""The demo company's SQLite database: schema, connections and the Northwind Labs seed data.

The database is created and seeded the first time it is opened and never reseeded: an existing
file keeps whatever the demo has done to it. Seeded dates are relative to the seeding day so the
demo always has upcoming bookings, recent expenses and pending leave.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS employees (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE, title TEXT NOT NULL,
    department TEXT NOT NULL, phone_extension TEXT NOT NULL, floor INTEGER NOT NULL,
    manager_id TEXT REFERENCES employees(id), start_date TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS leave_entitlements (
    employee_id TEXT NOT NULL REFERENCES employees(id), leave_type TEXT NOT NULL,
    entitlement_days INTEGER NOT NULL, carried_over_days INTEGER NOT NULL,
    PRIMARY KEY (employee_id, leave_type));
CREATE TABLE IF NOT EXISTS leave_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT, employee_id TEXT NOT NULL REFERENCES employees(id),
    leave_type TEXT NOT NULL, start_date TEXT NOT NULL, end_date TEXT NOT NULL,
    working_days INTEGER NOT NULL, status TEXT NOT NULL, reason TEXT, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tickets (
    id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL, description TEXT NOT NULL,
    category TEXT NOT NULL, priority TEXT NOT NULL, status TEXT NOT NULL,
    requester_id TEXT NOT NULL REFERENCES employees(id), assignee_id TEXT REFERENCES employees(id),
    resolution TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ticket_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    status TEXT NOT NULL, note TEXT, changed_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rooms (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, floor INTEGER NOT NULL, capacity INTEGER NOT NULL,
    equipment TEXT NOT NULL, description TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bookings (
    id INTEGER PRIMARY KEY AUTOINCREMENT, room_id TEXT NOT NULL REFERENCES rooms(id),
    organizer_id TEXT NOT NULL REFERENCES employees(id), title TEXT NOT NULL, date TEXT NOT NULL,
    start_time TEXT NOT NULL, end_time TEXT NOT NULL, attendees INTEGER NOT NULL,
    created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS bookings_by_room_day ON bookings (room_id, date);
CREATE TABLE IF NOT EXISTS expenses (
    id INTEGER PRIMARY KEY AUTOINCREMENT, employee_id TEXT NOT NULL REFERENCES employees(id),
    expense_date TEXT NOT NULL, category TEXT NOT NULL, amount_eur REAL NOT NULL,
    description TEXT NOT NULL, receipt_attached INTEGER NOT NULL, status TEXT NOT NULL,
    submitted_at TEXT NOT NULL);
"""

#: Yearly leave entitlements in working days; annual leave rises to 27 after five years' service.
ENTITLEMENTS = {"annual": 25, "sick": 12, "parental": 80, "unpaid": 20}
LONG_SERVICE_YEARS = 5
LONG_SERVICE_ANNUAL_DAYS = 27

# id, name, title, department, extension, floor, manager, start date, annual days carried over
EMPLOYEES = [
    ("E1001", "Amara Okafor", "Chief Executive Officer", "Leadership", "2001", 2, None, "2015-04-01", 0),
    ("E1002", "Lars Eriksen", "Chief Technology Officer", "Leadership", "2002", 2, "E1001", "2015-09-01", 3),
    ("E1003", "Priya Raman", "Head of People", "People", "2003", 2, "E1001", "2017-01-09", 5),
    ("E1004", "Tomas Herrera", "Finance Director", "Finance", "2004", 2, "E1001", "2016-06-13", 2),
    ("E1005", "Mei Lin Zhou", "Engineering Manager", "Engineering", "2105", 3, "E1002", "2018-02-05", 4),
    ("E1006", "Jonas Becker", "Senior Software Engineer", "Engineering", "2106", 3, "E1005", "2019-03-18", 5),
    ("E1007", "Fatima El-Amin", "Software Engineer", "Engineering", "2107", 3, "E1005", "2022-09-05", 1),
    ("E1008", "Oliver Grant", "IT Support Lead", "IT", "2108", 4, "E1002", "2017-11-01", 0),
    ("E1009", "Sofia Rossi", "IT Support Specialist", "IT", "2109", 4, "E1008", "2023-01-16", 2),
    ("E1010", "Daniel Kim", "Product Manager", "Product", "2110", 3, "E1002", "2020-05-04", 3),
    ("E1011", "Hannah Novak", "Product Designer", "Design", "2111", 3, "E1010", "2021-08-23", 0),
    ("E1012", "Kwame Mensah", "Sales Director", "Sales", "2112", 1, "E1001", "2016-10-03", 5),
    ("E1013", "Elena Petrova", "Account Executive", "Sales", "2113", 1, "E1012", "2022-02-14", 2),
    ("E1014", "Ravi Shah", "Marketing Lead", "Marketing", "2114", 1, "E1001", "2019-07-01", 1),
    ("E1015", "Chloe Martin", "Content Marketer", "Marketing", "2115", 1, "E1014", "2023-04-03", 0),
    ("E1016", "Noah Fischer", "Accountant", "Finance", "2116", 2, "E1004", "2020-11-16", 4),
    ("E1017", "Aisha Khan", "People Partner", "People", "2117", 2, "E1003", "2021-03-01", 2),
    ("E1018", "Lucas Silva", "Office Manager", "Operations", "2118", 0, "E1003", "2018-08-20", 3),
    ("E1019", "Ingrid Larsen", "Data Scientist", "Engineering", "2119", 4, "E1005", "2024-01-08", 0),
    ("E1020", "Mateo Garcia", "Legal Counsel", "Legal", "2120", 2, "E1001", "2019-10-14", 1),
]

# id, name, floor, capacity, equipment, description
ROOMS = [
    ("mistral", "Mistral", 2, 4, "screen,whiteboard",
     "Quiet room beside the People team, used for one-to-ones and interviews."),
    ("sirocco", "Sirocco", 2, 8, "screen,video_conference,whiteboard",
     "Team room with a video-conference bar, next to Finance."),
    ("zephyr", "Zephyr", 3, 6, "screen,whiteboard",
     "Project room with a wall-to-wall whiteboard, near Product and Design."),
    ("bora", "Bora", 3, 12, "projector,video_conference,whiteboard,speakerphone",
     "The largest room on floor 3, used for sprint planning and workshops."),
    ("chinook", "Chinook", 4, 2, "video_conference",
     "Sound-proofed call booth for one or two people."),
    ("foehn", "Foehn", 4, 10, "screen,video_conference,whiteboard",
     "Meeting room beside the IT Bar with a 75-inch screen."),
    ("monsoon", "Monsoon", 5, 24, "projector,video_conference,speakerphone,microphone",
     "Event space on the top floor; hosts the monthly all-hands."),
]

# id, employee, type, start (days from seeding), working days, status, reason
LEAVE_REQUESTS = [
    (501, "E1006", "annual", -45, 5, "approved", "Family holiday in Portugal"),
    (502, "E1007", "sick", -20, 2, "approved", None),
    (503, "E1015", "annual", -10, 2, "cancelled", "Plans changed"),
    (504, "E1011", "annual", 21, 3, "pending", "Long weekend in Prague"),
    (505, "E1013", "annual", 35, 10, "approved", "Summer trip"),
    (506, "E1017", "parental", 60, 40, "approved", "Parental leave after the birth of my son"),
    (507, "E1009", "unpaid", 28, 5, "pending", "Volunteering at a summer camp"),
    (508, "E1006", "annual", 14, 1, "pending", "Moving house"),
    (509, "E1019", "annual", 10, 2, "rejected", "Falls in release week"),
]

# id, title, description, category, priority, status, requester, assignee, resolution, days ago
TICKETS = [
    (4101, "Laptop battery drains in two hours",
     "My ThinkPad goes from full to empty in about two hours since last week's update.",
     "hardware", "normal", "in_progress", "E1011", "E1009", None, 6),
    (4102, "Cannot log in to the CRM after password reset",
     "After resetting my password the CRM says 'account locked'. I have client calls today.",
     "access", "high", "open", "E1013", None, None, 1),
    (4103, "VPN drops every 10 minutes from home",
     "NorthGate VPN disconnects roughly every ten minutes on my home Wi-Fi.",
     "network", "normal", "waiting", "E1006", "E1008", None, 9),
    (4104, "Licence for diagramming software",
     "I need a licence for the diagramming tool to prepare the launch campaign.",
     "software", "low", "resolved", "E1015", "E1009",
     "Licence assigned to chloe.martin@northwind.example.", 14),
    (4105, "Suspicious invoice email with a link",
     "Received an 'overdue invoice' email from an unknown supplier asking me to log in.",
     "security", "urgent", "closed", "E1004", "E1008",
     "Phishing confirmed; sender blocked and the email removed from all mailboxes.", 21),
    (4106, "Second monitor for home office",
     "Could I get a second 27-inch monitor for my home desk?",
     "hardware", "low", "open", "E1020", None, None, 2),
]

# The statuses a seeded ticket passed through to reach its current one.
TICKET_PATHS = {
    "open": ["open"],
    "in_progress": ["open", "in_progress"],
    "waiting": ["open", "in_progress", "waiting"],
    "resolved": ["open", "in_progress", "resolved"],
    "closed": ["open", "in_progress", "resolved", "closed"],
}

# id, room, organizer, title, weekday index from seeding (0 = next weekday), start, end, attendees
BOOKINGS = [
    (9001, "bora", "E1005", "Engineering sprint planning", 0, "09:30", "11:00", 9),
    (9002, "sirocco", "E1003", "People team weekly", 0, "10:00", "11:00", 5),
    (9003, "mistral", "E1017", "Interview: backend engineer", 0, "14:00", "15:00", 3),
    (9004, "foehn", "E1010", "Roadmap review", 1, "13:00", "14:30", 8),
    (9005, "zephyr", "E1011", "Design critique", 1, "15:00", "16:00", 5),
    (9006, "monsoon", "E1001", "Quarterly business review", 2, "14:00", "16:00", 20),
    (9007, "chinook", "E1013", "Call with Baltic Freight", 2, "11:00", "11:30", 1),
]

# id, employee, days ago, category, amount, description, receipt, status
EXPENSES = [
    (7001, "E1013", 12, "travel", 142.60,
     "Train Rotterdam-Antwerp return for client meeting", True, "pending_approval"),
    (7002, "E1013", 12, "meals", 38.50, "Lunch during client visit in Antwerp", True, "approved"),
    (7003, "E1012", 5, "client_entertainment", 312.00,
     "Dinner with the Baltic Freight team (4 guests)", True, "pending_approval"),
    (7004, "E1006", 30, "training", 450.00, "Online course: distributed systems", True, "approved"),
    (7005, "E1019", 20, "equipment", 89.99, "Ergonomic keyboard for home office", True, "approved"),
    (7006, "E1007", 8, "software", 12.00, "Monthly subscription to an API testing tool", False,
     "approved"),
    (7007, "E1014", 50, "accommodation", 176.00, "Hotel in Berlin for marketing conference",
     True, "reimbursed"),
    (7008, "E1015", 40, "other", 19.50, "Printing of event posters", True, "rejected"),
]


class DemoError(Exception):
    """A request the demo company refuses; the message is shown to the caller as is."""


class NotFoundError(DemoError):
    """The employee, request, ticket or room does not exist."""


class ConflictError(DemoError):
    """The request clashes with the current state (double booking, too few days left)."""


class InvalidRequestError(DemoError):
    """The request breaks a rule of the company (dates in the wrong order, category limits)."""


def utc_now() -> str:
    """The current time as an ISO 8601 UTC timestamp with seconds."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def count_working_days(start: date, end: date) -> int:
    """Monday-to-Friday days from `start` to `end`, both included."""
    return sum(1 for n in range((end - start).days + 1) if (start + timedelta(n)).weekday() < 5)


def next_weekday(day: date) -> date:
    """`day` itself when it is Monday to Friday, else the Monday after it."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def add_working_days(start: date, count: int) -> date:
    """The last day of a run of `count` working days that begins on weekday `start`."""
    day, left = start, count - 1
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


@contextmanager
def transaction(db_path: Path, write: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection inside one transaction, committed on success and rolled back on error.

    Writes take the lock up front (BEGIN IMMEDIATE) so a check-then-insert, such as looking for
    an overlapping booking before adding one, cannot interleave with another writer.
    """
    conn = sqlite3.connect(db_path, isolation_level=None, timeout=10.0)
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    finally:
        conn.close()


def initialise(db_path: Path, today: date) -> bool:
    """Create the schema and seed the database unless it already is; True when it seeded now."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(db_path, isolation_level=None, timeout=10.0)
    try:
        conn.execute("PRAGMA journal_mode = WAL")  # stored in the file: readers never block writers
        conn.executescript(SCHEMA)
    finally:
        conn.close()
    with transaction(db_path, write=True) as conn:
        if conn.execute("SELECT 1 FROM meta WHERE key = 'seeded_on'").fetchone():
            return False
        seed(conn, today)
        conn.execute("INSERT INTO meta VALUES ('seeded_on', ?)", (today.isoformat(),))
        return True


def seed(conn: sqlite3.Connection, today: date) -> None:
    """Insert the Northwind Labs demo data, dated relative to `today`."""
    _seed_employees(conn, today)
    _seed_leave(conn, today)
    _seed_tickets(conn, today)
    _seed_rooms(conn, today)
    _seed_expenses(conn, today)


def _stamp(day: date, hour: int = 9) -> str:
    return f"{day.isoformat()}T{hour:02d}:00:00Z"


def _seed_employees(conn: sqlite3.Connection, today: date) -> None:
    for emp_id, name, title, dept, ext, floor, manager, start, carried in EMPLOYEES:
        email = name.lower().replace(" ", ".").replace("-", "") + "@northwind.example"
        conn.execute(
            "INSERT INTO employees VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (emp_id, name, email, title, dept, ext, floor, manager, start),
        )
        years = (today - date.fromisoformat(start)).days // 365
        for leave_type, days in ENTITLEMENTS.items():
            if leave_type == "annual" and years >= LONG_SERVICE_YEARS:
                days = LONG_SERVICE_ANNUAL_DAYS
            conn.execute(
                "INSERT INTO leave_entitlements VALUES (?, ?, ?, ?)",
                (emp_id, leave_type, days, carried if leave_type == "annual" else 0),
            )


def _seed_leave(conn: sqlite3.Connection, today: date) -> None:
    for req_id, emp_id, leave_type, offset, days, status, reason in LEAVE_REQUESTS:
        start = next_weekday(today + timedelta(days=offset))
        end = add_working_days(start, days)
        created = min(today, start) - timedelta(days=14)
        conn.execute(
            "INSERT INTO leave_requests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (req_id, emp_id, leave_type, start.isoformat(), end.isoformat(), days, status,
             reason, _stamp(created)),
        )


def _seed_tickets(conn: sqlite3.Connection, today: date) -> None:
    for ticket_id, title, text, category, priority, status, requester, assignee, resolution, ago \
            in TICKETS:
        path = TICKET_PATHS[status]
        opened = today - timedelta(days=ago)
        conn.execute(
            "INSERT INTO tickets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (ticket_id, title, text, category, priority, status, requester, assignee, resolution,
             _stamp(opened), _stamp(opened, 9 + len(path) - 1)),
        )
        for step, step_status in enumerate(path):
            note = "Ticket opened" if step == 0 else (
                resolution if step_status in ("resolved", "closed") else f"Moved to {step_status}")
            conn.execute(
                "INSERT INTO ticket_events (ticket_id, status, note, changed_at) VALUES (?, ?, ?, ?)",
                (ticket_id, step_status, note, _stamp(opened, 9 + step)),
            )


def _seed_rooms(conn: sqlite3.Connection, today: date) -> None:
    conn.executemany("INSERT INTO rooms VALUES (?, ?, ?, ?, ?, ?)", ROOMS)
    weekdays = [next_weekday(today + timedelta(days=1))]
    while len(weekdays) < 3:
        weekdays.append(next_weekday(weekdays[-1] + timedelta(days=1)))
    for booking_id, room, organizer, title, day_index, start, end, attendees in BOOKINGS:
        conn.execute(
            "INSERT INTO bookings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (booking_id, room, organizer, title, weekdays[day_index].isoformat(), start, end,
             attendees, _stamp(today)),
        )


def _seed_expenses(conn: sqlite3.Connection, today: date) -> None:
    for expense_id, emp_id, ago, category, amount, text, receipt, status in EXPENSES:
        spent = today - timedelta(days=ago)
        conn.execute(
            "INSERT INTO expenses VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (expense_id, emp_id, spent.isoformat(), category, amount, text, int(receipt), status,
             _stamp(spent + timedelta(days=1), 17)),
        )
