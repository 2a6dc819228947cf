"""The demo company's operations and rules, on top of its SQLite database.

Each public method of `DemoStore` is one operation of `data/demo/catalog.yaml` and returns the
JSON-able shape that catalog documents. Refusals raise `NotFoundError`, `ConflictError` or
`InvalidRequestError` with a message written for the person asking.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from assistant.demo.db import (
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    count_working_days,
    initialise,
    transaction,
    utc_now,
)

LEAVE_TYPES = ("annual", "sick", "parental", "unpaid")
#: Leave that holds days until the manager decides; sick leave is approved on the spot.
AUTO_APPROVED_LEAVE = {"sick"}

#: The statuses a ticket may move to from each status.
TICKET_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "open": ("in_progress", "resolved", "closed"),
    "in_progress": ("waiting", "resolved", "open"),
    "waiting": ("in_progress", "resolved"),
    "resolved": ("closed", "open"),
    "closed": (),
}

OFFICE_OPENS, OFFICE_CLOSES = "07:00", "20:00"
MAX_BOOKING_MINUTES = 240

#: Most a single claim may be, per category, in euros (the expenses policy).
EXPENSE_LIMITS_EUR = {
    "travel": 1500, "accommodation": 250, "meals": 60, "client_entertainment": 400,
    "equipment": 300, "training": 1500, "software": 100, "other": 150,
}
RECEIPT_REQUIRED_ABOVE_EUR = 25
AUTO_APPROVE_BELOW_EUR = 100
CLAIM_WINDOW_DAYS = 60


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _employee(row: sqlite3.Row) -> dict[str, Any]:
    return {key: row[key] for key in (
        "id", "name", "email", "title", "department", "phone_extension", "floor", "manager_id",
        "start_date")}


def _expense(row: sqlite3.Row) -> dict[str, Any]:
    return {**dict(row), "receipt_attached": bool(row["receipt_attached"])}


def _room(row: sqlite3.Row) -> dict[str, Any]:
    return {**dict(row), "equipment": row["equipment"].split(",")}


LEAVE_SELECT = """SELECT r.id, r.employee_id, e.name AS employee_name, r.leave_type, r.start_date,
    r.end_date, r.working_days, r.status, r.reason, r.created_at
    FROM leave_requests r JOIN employees e ON e.id = r.employee_id"""
TICKET_SELECT = """SELECT t.id, t.title, t.description, t.category, t.priority, t.status,
    t.requester_id, e.name AS requester_name, t.assignee_id, t.resolution, t.created_at,
    t.updated_at FROM tickets t JOIN employees e ON e.id = t.requester_id"""
BOOKING_SELECT = """SELECT b.id, b.room_id, r.name AS room_name, b.organizer_id,
    e.name AS organizer_name, b.title, b.date, b.start_time, b.end_time, b.attendees, b.created_at
    FROM bookings b JOIN rooms r ON r.id = b.room_id JOIN employees e ON e.id = b.organizer_id"""
EXPENSE_SELECT = """SELECT x.id, x.employee_id, e.name AS employee_name, x.expense_date,
    x.category, x.amount_eur, x.description, x.receipt_attached, x.status, x.submitted_at
    FROM expenses x JOIN employees e ON e.id = x.employee_id"""


def _where(filters: dict[str, Any]) -> tuple[str, list[Any]]:
    """A WHERE clause ANDing `column op ?` for every filter whose value is not None."""
    clauses = [column for column, value in filters.items() if value is not None]
    values = [value for value in filters.values() if value is not None]
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), values


class DemoStore:
    """Northwind Labs' intranet data and rules; one SQLite file, one transaction per operation."""

    def __init__(self, db_path: Path, today: Callable[[], date] = date.today) -> None:
        """Open (creating and seeding on first use) the database at `db_path`.

        `today` is the company's calendar, for the rules that look at the current date.
        """
        self.db_path = Path(db_path)
        self.today = today
        initialise(self.db_path, today())

    # Directory

    def search_directory(self, query: str | None, department: str | None,
                         limit: int) -> dict[str, Any]:
        """Employees whose name, email or title contains `query`, optionally in `department`."""
        sql = "SELECT * FROM employees WHERE (? IS NULL OR department = ?)"
        params: list[Any] = [department, department]
        if query:
            needle = query.strip().lower()
            sql += " AND (instr(lower(name), ?) OR instr(email, ?) OR instr(lower(title), ?))"
            params += [needle, needle, needle]
        with transaction(self.db_path) as conn:
            rows = conn.execute(sql + " ORDER BY name LIMIT ?", [*params, limit]).fetchall()
        employees = [_employee(row) for row in rows]
        return {"employees": employees, "count": len(employees)}

    def get_employee(self, employee_id: str) -> dict[str, Any]:
        """One employee with their manager and direct reports."""
        with transaction(self.db_path) as conn:
            row = self._require_employee(conn, employee_id)
            manager = conn.execute("SELECT id, name FROM employees WHERE id = ?",
                                   (row["manager_id"],)).fetchone()
            reports = conn.execute("SELECT id, name FROM employees WHERE manager_id = ? "
                                   "ORDER BY name", (employee_id,)).fetchall()
        return {**_employee(row), "manager": dict(manager) if manager else None,
                "direct_reports": [dict(r) for r in reports]}

    # Leave

    def leave_balance(self, employee_id: str, leave_type: str | None) -> dict[str, Any]:
        """The employee's balance for one leave type, or for every type."""
        with transaction(self.db_path) as conn:
            employee = self._require_employee(conn, employee_id)
            types = [leave_type] if leave_type else list(LEAVE_TYPES)
            balances = [self._balance(conn, employee_id, t) for t in types]
        return {"employee_id": employee_id, "employee_name": employee["name"],
                "balances": balances}

    def list_leave_requests(self, employee_id: str | None, status: str | None,
                            leave_type: str | None) -> dict[str, Any]:
        """Leave requests, newest first, filtered by whichever arguments are given."""
        where, values = _where({"r.employee_id = ?": employee_id, "r.status = ?": status,
                                "r.leave_type = ?": leave_type})
        with transaction(self.db_path) as conn:
            rows = conn.execute(f"{LEAVE_SELECT}{where} ORDER BY r.start_date DESC, r.id DESC",
                                values).fetchall()
        requests = [dict(row) for row in rows]
        return {"requests": requests, "count": len(requests)}

    def create_leave_request(self, employee_id: str, leave_type: str, start_date: date,
                             end_date: date, reason: str | None) -> dict[str, Any]:
        """Record a leave request if the dates are sound, free and covered by the balance."""
        if end_date < start_date:
            raise InvalidRequestError(
                f"end_date {end_date} is before start_date {start_date}")
        days = count_working_days(start_date, end_date)
        if days == 0:
            raise InvalidRequestError(
                f"{start_date} to {end_date} has no working days (Monday to Friday)")
        with transaction(self.db_path, write=True) as conn:
            employee = self._require_employee(conn, employee_id)
            clash = conn.execute(
                "SELECT id, start_date, end_date FROM leave_requests WHERE employee_id = ? AND "
                "status IN ('pending', 'approved') AND start_date <= ? AND end_date >= ?",
                (employee_id, end_date.isoformat(), start_date.isoformat())).fetchone()
            if clash:
                raise ConflictError(
                    f"{employee['name']} already has leave request {clash['id']} from "
                    f"{clash['start_date']} to {clash['end_date']}, which overlaps these dates")
            balance = self._balance(conn, employee_id, leave_type)
            if days > balance["remaining_days"]:
                raise ConflictError(
                    f"not enough {leave_type} leave: the request needs {days} working days but "
                    f"{employee['name']} has {balance['remaining_days']} left")
            status = "approved" if leave_type in AUTO_APPROVED_LEAVE else "pending"
            cursor = conn.execute(
                "INSERT INTO leave_requests (employee_id, leave_type, start_date, end_date, "
                "working_days, status, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (employee_id, leave_type, start_date.isoformat(), end_date.isoformat(), days,
                 status, reason, utc_now()))
            return self._leave_result(conn, cursor.lastrowid)

    def cancel_leave_request(self, request_id: int) -> dict[str, Any]:
        """Cancel a pending or approved request, giving its days back."""
        with transaction(self.db_path, write=True) as conn:
            row = conn.execute("SELECT status FROM leave_requests WHERE id = ?",
                               (request_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"there is no leave request {request_id}")
            if row["status"] not in ("pending", "approved"):
                raise ConflictError(
                    f"leave request {request_id} is {row['status']} and cannot be cancelled")
            conn.execute("UPDATE leave_requests SET status = 'cancelled' WHERE id = ?",
                         (request_id,))
            return self._leave_result(conn, request_id)

    def _leave_result(self, conn: sqlite3.Connection, request_id: int | None) -> dict[str, Any]:
        request = dict(conn.execute(f"{LEAVE_SELECT} WHERE r.id = ?", (request_id,)).fetchone())
        balance = self._balance(conn, request["employee_id"], request["leave_type"])
        return {"request": request, "balance": balance}

    @staticmethod
    def _balance(conn: sqlite3.Connection, employee_id: str, leave_type: str) -> dict[str, Any]:
        row = conn.execute(
            "SELECT n.entitlement_days, n.carried_over_days, "
            "COALESCE(SUM(CASE WHEN r.status = 'approved' THEN r.working_days END), 0) AS used, "
            "COALESCE(SUM(CASE WHEN r.status = 'pending' THEN r.working_days END), 0) AS pending "
            "FROM leave_entitlements n LEFT JOIN leave_requests r "
            "ON r.employee_id = n.employee_id AND r.leave_type = n.leave_type "
            "WHERE n.employee_id = ? AND n.leave_type = ? GROUP BY n.leave_type",
            (employee_id, leave_type)).fetchone()
        total = row["entitlement_days"] + row["carried_over_days"]
        return {"leave_type": leave_type, "entitlement_days": row["entitlement_days"],
                "carried_over_days": row["carried_over_days"], "used_days": row["used"],
                "pending_days": row["pending"],
                "remaining_days": total - row["used"] - row["pending"]}

    # IT tickets

    def list_tickets(self, status: str | None, priority: str | None, requester_id: str | None,
                     limit: int) -> dict[str, Any]:
        """Tickets, most recently updated first, filtered by whichever arguments are given."""
        where, values = _where({"t.status = ?": status, "t.priority = ?": priority,
                                "t.requester_id = ?": requester_id})
        with transaction(self.db_path) as conn:
            rows = conn.execute(f"{TICKET_SELECT}{where} ORDER BY t.updated_at DESC, t.id DESC "
                                "LIMIT ?", [*values, limit]).fetchall()
        tickets = [dict(row) for row in rows]
        return {"tickets": tickets, "count": len(tickets)}

    def get_ticket(self, ticket_id: int) -> dict[str, Any]:
        """One ticket with its status history."""
        with transaction(self.db_path) as conn:
            return self._ticket_details(conn, ticket_id)

    def create_ticket(self, requester_id: str, title: str, description: str, category: str,
                      priority: str) -> dict[str, Any]:
        """Open a ticket for `requester_id`."""
        now = utc_now()
        with transaction(self.db_path, write=True) as conn:
            self._require_employee(conn, requester_id)
            cursor = conn.execute(
                "INSERT INTO tickets (title, description, category, priority, status, "
                "requester_id, created_at, updated_at) VALUES (?, ?, ?, ?, 'open', ?, ?, ?)",
                (title, description, category, priority, requester_id, now, now))
            conn.execute("INSERT INTO ticket_events (ticket_id, status, note, changed_at) "
                         "VALUES (?, 'open', 'Ticket opened', ?)", (cursor.lastrowid, now))
            return self._ticket_details(conn, cursor.lastrowid)

    def update_ticket_status(self, ticket_id: int, status: str,
                             note: str | None) -> dict[str, Any]:
        """Move a ticket along an allowed transition; resolving records `note` as the fix."""
        with transaction(self.db_path, write=True) as conn:
            current = self._ticket_details(conn, ticket_id)["status"]
            allowed = TICKET_TRANSITIONS[current]
            if status not in allowed:
                options = ", ".join(allowed) if allowed else "nothing (closed tickets stay closed)"
                raise ConflictError(f"ticket {ticket_id} is {current} and cannot move to "
                                    f"{status}; from {current} it can move to {options}")
            if status == "resolved" and not note:
                raise InvalidRequestError("resolving a ticket needs a note describing the fix")
            resolution = note if status == "resolved" else None
            now = utc_now()
            conn.execute(
                "UPDATE tickets SET status = ?, updated_at = ?, "
                "resolution = CASE WHEN ? = 'closed' THEN resolution ELSE ? END WHERE id = ?",
                (status, now, status, resolution, ticket_id))
            conn.execute("INSERT INTO ticket_events (ticket_id, status, note, changed_at) "
                         "VALUES (?, ?, ?, ?)", (ticket_id, status, note, now))
            return self._ticket_details(conn, ticket_id)

    @staticmethod
    def _ticket_details(conn: sqlite3.Connection, ticket_id: int | None) -> dict[str, Any]:
        row = conn.execute(f"{TICKET_SELECT} WHERE t.id = ?", (ticket_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"there is no IT ticket {ticket_id}")
        events = conn.execute("SELECT status, note, changed_at FROM ticket_events "
                              "WHERE ticket_id = ? ORDER BY id", (ticket_id,)).fetchall()
        return {**dict(row), "history": [dict(event) for event in events]}

    # Meeting rooms

    def list_rooms(self, min_capacity: int | None, floor: int | None, equipment: str | None,
                   day: date | None, start_time: str | None,
                   end_time: str | None) -> dict[str, Any]:
        """Rooms matching the filters; with a slot given, only rooms free for all of it."""
        slot = (day, start_time, end_time)
        if any(part is not None for part in slot) and None in slot:
            raise InvalidRequestError(
                "to check availability give date, start_time and end_time together")
        if start_time is not None and end_time is not None and end_time <= start_time:
            raise InvalidRequestError(f"end_time {end_time} is not after start_time {start_time}")
        where, values = _where({"capacity >= ?": min_capacity, "floor = ?": floor,
                                "instr(',' || equipment || ',', ?)": None if equipment is None
                                else f",{equipment},"})
        with transaction(self.db_path) as conn:
            rows = conn.execute(f"SELECT * FROM rooms{where} ORDER BY floor, name",
                                values).fetchall()
            if day is not None:
                rows = [row for row in rows
                        if not self._clash(conn, row["id"], day, start_time, end_time)]
        rooms = [_room(row) for row in rows]
        return {"rooms": rooms, "count": len(rooms)}

    def list_room_bookings(self, room_id: str, day: date | None) -> dict[str, Any]:
        """A room's bookings on `day`, or all from today on."""
        with transaction(self.db_path) as conn:
            room = self._require_room(conn, room_id)
            if day is None:
                where, value = "b.date >= ?", self.today().isoformat()
            else:
                where, value = "b.date = ?", day.isoformat()
            rows = conn.execute(f"{BOOKING_SELECT} WHERE b.room_id = ? AND {where} "
                                "ORDER BY b.date, b.start_time", (room_id, value)).fetchall()
        return {"room_id": room_id, "room_name": room["name"],
                "bookings": [dict(row) for row in rows]}

    def book_room(self, room_id: str, organizer_id: str, title: str, day: date, start_time: str,
                  end_time: str, attendees: int) -> dict[str, Any]:
        """Book a room if the slot follows the booking rules and nobody holds any of it."""
        self._check_slot(day, start_time, end_time)
        with transaction(self.db_path, write=True) as conn:
            room = self._require_room(conn, room_id)
            self._require_employee(conn, organizer_id)
            if attendees > room["capacity"]:
                raise InvalidRequestError(
                    f"{room['name']} seats {room['capacity']}, too few for {attendees} attendees")
            clash = self._clash(conn, room_id, day, start_time, end_time)
            if clash:
                raise ConflictError(
                    f"{room['name']} is already booked on {day} from {clash['start_time']} to "
                    f"{clash['end_time']} for '{clash['title']}' by {clash['organizer_name']}")
            cursor = conn.execute(
                "INSERT INTO bookings (room_id, organizer_id, title, date, start_time, end_time, "
                "attendees, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (room_id, organizer_id, title, day.isoformat(), start_time, end_time, attendees,
                 utc_now()))
            return dict(conn.execute(f"{BOOKING_SELECT} WHERE b.id = ?",
                                     (cursor.lastrowid,)).fetchone())

    def _check_slot(self, day: date, start_time: str, end_time: str) -> None:
        if day < self.today():
            raise InvalidRequestError(f"{day} is in the past; book today or a later day")
        if day.weekday() >= 5:
            raise InvalidRequestError(f"{day} is a {day:%A}; the office is closed at weekends")
        if end_time <= start_time:
            raise InvalidRequestError(f"end_time {end_time} is not after start_time {start_time}")
        if start_time < OFFICE_OPENS or end_time > OFFICE_CLOSES:
            raise InvalidRequestError(
                f"rooms can be booked between {OFFICE_OPENS} and {OFFICE_CLOSES} only")
        if _minutes(end_time) - _minutes(start_time) > MAX_BOOKING_MINUTES:
            raise InvalidRequestError(
                f"a booking may last at most {MAX_BOOKING_MINUTES // 60} hours")

    @staticmethod
    def _clash(conn: sqlite3.Connection, room_id: str, day: date, start_time: str,
               end_time: str) -> sqlite3.Row | None:
        return conn.execute(
            f"{BOOKING_SELECT} WHERE b.room_id = ? AND b.date = ? AND b.start_time < ? "
            "AND b.end_time > ? ORDER BY b.start_time",
            (room_id, day.isoformat(), end_time, start_time)).fetchone()

    # Expenses

    def list_expenses(self, employee_id: str | None, status: str | None, category: str | None,
                      from_date: date | None, to_date: date | None) -> dict[str, Any]:
        """Claims, newest expense first, filtered by whichever arguments are given, and their total."""
        where, values = _where({
            "x.employee_id = ?": employee_id, "x.status = ?": status, "x.category = ?": category,
            "x.expense_date >= ?": from_date.isoformat() if from_date else None,
            "x.expense_date <= ?": to_date.isoformat() if to_date else None})
        with transaction(self.db_path) as conn:
            rows = conn.execute(f"{EXPENSE_SELECT}{where} ORDER BY x.expense_date DESC, x.id DESC",
                                values).fetchall()
        expenses = [_expense(row) for row in rows]
        return {"expenses": expenses, "count": len(expenses),
                "total_eur": round(sum(x["amount_eur"] for x in expenses), 2)}

    def submit_expense(self, employee_id: str, expense_date: date, category: str,
                       amount_eur: float, description: str,
                       receipt_attached: bool) -> dict[str, Any]:
        """Record a claim that follows the expenses policy; small claims are approved at once."""
        amount = round(amount_eur, 2)
        self._check_claim(expense_date, category, amount, receipt_attached)
        status = "approved" if amount < AUTO_APPROVE_BELOW_EUR else "pending_approval"
        with transaction(self.db_path, write=True) as conn:
            self._require_employee(conn, employee_id)
            cursor = conn.execute(
                "INSERT INTO expenses (employee_id, expense_date, category, amount_eur, "
                "description, receipt_attached, status, submitted_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (employee_id, expense_date.isoformat(), category, amount, description,
                 int(receipt_attached), status, utc_now()))
            return _expense(conn.execute(f"{EXPENSE_SELECT} WHERE x.id = ?",
                                         (cursor.lastrowid,)).fetchone())

    def _check_claim(self, expense_date: date, category: str, amount: float,
                     receipt_attached: bool) -> None:
        age = (self.today() - expense_date).days
        if age < 0:
            raise InvalidRequestError(f"expense_date {expense_date} is in the future")
        if age > CLAIM_WINDOW_DAYS:
            raise InvalidRequestError(
                f"expenses must be claimed within {CLAIM_WINDOW_DAYS} days; {expense_date} was "
                f"{age} days ago, so ask Finance for a late-claim exception")
        limit = EXPENSE_LIMITS_EUR[category]
        if amount > limit:
            raise InvalidRequestError(
                f"{amount:.2f} EUR is above the {limit} EUR limit per {category} claim; larger "
                "amounts need written pre-approval from Finance")
        if amount > RECEIPT_REQUIRED_ABOVE_EUR and not receipt_attached:
            raise InvalidRequestError(
                f"claims above {RECEIPT_REQUIRED_ABOVE_EUR} EUR need a receipt; attach it and "
                "set receipt_attached to true")

    # Lookups shared by several operations

    @staticmethod
    def _require_employee(conn: sqlite3.Connection, employee_id: str) -> sqlite3.Row:
        row = conn.execute("SELECT * FROM employees WHERE id = ?", (employee_id,)).fetchone()
        if row is None:
            raise NotFoundError(
                f"there is no employee {employee_id}; search the directory for the right id")
        return row

    @staticmethod
    def _require_room(conn: sqlite3.Connection, room_id: str) -> sqlite3.Row:
        row = conn.execute("SELECT * FROM rooms WHERE id = ?", (room_id,)).fetchone()
        if row is None:
            names = ", ".join(r["id"] for r in conn.execute("SELECT id FROM rooms ORDER BY id"))
            raise NotFoundError(f"there is no meeting room '{room_id}'; the rooms are {names}")
        return row
