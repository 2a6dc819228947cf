"""Answers written from an API result: for training (no question) and for the question a call answered; and
answers after a call the API refused."""

from __future__ import annotations

from assistant.config import DEMO_CATALOG
from assistant.result_answers import describe_failure, describe_result
from tools.catalog import load_catalog

OPERATIONS = {op.operation_id: op for op in load_catalog(DEMO_CATALOG).operations}
EMPLOYEE = {"id": "E1019", "name": "Ingrid Larsen", "email": "ingrid.larsen@northwind.example",
            "title": "Data Scientist", "department": "Engineering", "phone_extension": "2119", "floor": 4,
            "manager_id": "E1005", "start_date": "2024-01-08", "manager": {"id": "E1005", "name": "Mei Lin Zhou"},
            "direct_reports": []}
BALANCE = {"employee_id": "E1003", "employee_name": "Priya Raman", "balances": [
    {"leave_type": "sick", "entitlement_days": 12, "carried_over_days": 0, "used_days": 0, "pending_days": 0,
     "remaining_days": 12}]}
BOOKINGS = {"room_id": "zephyr", "room_name": "Zephyr", "bookings": [
    {"id": 9005, "room_id": "zephyr", "room_name": "Zephyr", "organizer_id": "E1011", "title": "Design critique",
     "date": "2026-12-08", "start_time": "15:00", "end_time": "16:00", "attendees": 4}]}


def test_a_training_answer_shows_the_fields_the_operation_is_about():
    assert describe_result(OPERATIONS["getEmployee"], EMPLOYEE) == (
        "Ingrid Larsen (E1019): phone extension 2119, start date 2024-01-08, email ingrid.larsen@northwind.example, "
        "title Data Scientist.")


def test_an_answer_to_a_question_shows_the_fields_it_names_first():
    manager = describe_result(OPERATIONS["getEmployee"], EMPLOYEE, "who is the manager of E1019?")
    assert manager.startswith("Ingrid Larsen (E1019): manager id E1005, manager Mei Lin Zhou, ")
    # a question names a field by another word: what is left is what remains
    left = describe_result(OPERATIONS["getLeaveBalance"], BALANCE, "how many sick days does E1003 have left")
    assert left == "I found 1 balance for Priya Raman (E1003):\n- sick: 12 remaining days, 0 carried over days, " \
                   "12 entitlement days, 0 used days"


def test_an_answer_to_a_question_says_when_and_leaves_out_what_the_list_holds_already():
    answer = describe_result(OPERATIONS["listRoomBookings"], BOOKINGS, "is zephyr free tomorrow")
    assert answer == "I found 1 booking for Zephyr (zephyr):\n- Design critique (9005): date 2026-12-08, " \
                     "start time 15:00, end time 16:00, organizer id E1011"


def test_an_empty_text_is_no_field():
    ticket = {"id": 4107, "title": "laptop screen keeps flickering", "description": "", "priority": "normal",
              "status": "open", "category": "hardware", "requester_id": "E1006"}
    answer = describe_result(OPERATIONS["createTicket"], ticket, "my laptop screen keeps flickering, open a ticket")
    assert answer.startswith("Done. laptop screen keeps flickering (4107): ") and "description" not in answer


def test_a_refused_call_is_answered_with_the_apis_reason():
    clash = "HTTP 409 Conflict: Monsoon is already booked on 2026-12-08 from 15:00 to 16:00 for 'vendor demo' by Lars"
    assert describe_failure(OPERATIONS["bookMeetingRoom"], clash) == \
        "Not done: Monsoon is already booked on 2026-12-08 from 15:00 to 16:00 for 'vendor demo' by Lars."
    # a look-up changes nothing, so it is not "not done"; a reason's own full stop is not doubled
    missing = "HTTP 404 Not Found: there is no employee E9999; search the directory for the right id."
    assert describe_failure(OPERATIONS["getEmployee"], missing) == \
        "I could not look that up: there is no employee E9999; search the directory for the right id."


def test_a_refusal_with_no_reason_or_a_framework_s_validation_list_still_reads_as_a_sentence():
    assert describe_failure(OPERATIONS["getTicket"], "HTTP 500 Internal Server Error") == \
        "I could not look that up: the API answered HTTP 500 Internal Server Error."
    listed = 'HTTP 422 Unprocessable Entity: [{"loc": ["body", "start_time"], "msg": "field required"}, ' \
             '{"loc": ["query"], "msg": "bad query"}]'
    assert describe_failure(OPERATIONS["bookMeetingRoom"], listed) == \
        "Not done: start_time: field required; bad query."
    unreached = "could not reach http://127.0.0.1:8765: connection refused"
    assert describe_failure(OPERATIONS["submitExpense"], unreached) == f"Not done: {unreached}."


REQUESTS = {"requests": [
    {"id": 506, "employee_id": "E1017", "employee_name": "Aisha Khan", "leave_type": "parental", "status": "approved"},
    {"id": 505, "employee_id": "E1013", "employee_name": "Elena Petrova", "leave_type": "annual", "status": "pending"}],
    "count": 2}


def test_a_list_answers_a_question_about_one_of_its_records_with_that_record():
    operation = OPERATIONS["listLeaveRequests"]
    assert describe_result(operation, REQUESTS, "whats the status of leave request 505?") == \
        "Elena Petrova (505): leave type annual, status pending, employee id E1013."
    assert describe_result(operation, REQUESTS, "is request #512 approved") == \
        "I found 2 requests; none of them is 512."
    # a figure that is no request's id, though written as one is, leaves the list as it is
    for question in ("any requests in the next 500 days?", "list the requests", None):
        assert describe_result(operation, REQUESTS, question).startswith("I found 2 requests:\n- Aisha Khan (506)")
