"""The demo company's API: the catalog is valid and matches the served routes, every operation
works over real HTTP on loopback, its rules refuse what they should, and the database persists."""

from __future__ import annotations

import socket
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from assistant.demo.api import DEFAULT_PORT, DemoServer, create_app, is_serving, start_in_background
from assistant.demo.db import initialise

CATALOG_PATH = Path(__file__).resolve().parents[1] / "data" / "demo" / "catalog.yaml"
CATALOG_URI = "urn:northwind-catalog"
METHODS = ("get", "put", "post", "delete", "patch")


@pytest.fixture(scope="module")
def catalog() -> dict[str, Any]:
    return yaml.safe_load(CATALOG_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> DemoServer:
    running = start_in_background("127.0.0.1", 0, tmp_path_factory.mktemp("demo") / "demo.db")
    yield running
    running.stop()


class Api:
    """An httpx client that checks every response against the catalog's documented schema."""

    def __init__(self, client: httpx.Client, catalog: dict[str, Any]) -> None:
        self.client = client
        self.catalog = catalog
        self.registry = Registry().with_resource(
            CATALOG_URI, Resource.from_contents(catalog, default_specification=DRAFT202012))

    def call(self, method: str, template: str, expected: int, *, params: dict | None = None,
             json: Any = None, **path: Any) -> Any:
        response = self.client.request(method, template.format(**path), params=params, json=json)
        assert response.status_code == expected, response.text
        self.check_documented(method.lower(), template, response)
        return response.json()

    def check_documented(self, method: str, template: str, response: httpx.Response) -> None:
        status = str(response.status_code)
        responses = self.catalog["paths"][template][method]["responses"]
        assert status in responses, f"{method.upper()} {template} answered undocumented {status}"
        pointer = f"/paths/{template.replace('/', '~1')}/{method}/responses/{status}"
        if "$ref" in responses[status]:
            pointer = responses[status]["$ref"][1:]
        schema = {"$ref": f"{CATALOG_URI}#{pointer}/content/application~1json/schema"}
        jsonschema.Draft202012Validator(schema, registry=self.registry).validate(response.json())


@pytest.fixture(scope="module")
def api(server: DemoServer, catalog: dict[str, Any]) -> Api:
    with httpx.Client(base_url=server.url, timeout=5.0, trust_env=False) as client:
        yield Api(client, catalog)


def weekday(days_ahead: int, weekday_index: int = 0) -> date:
    """The day with `weekday_index` (0 = Monday) in the week `days_ahead` days from today."""
    day = date.today() + timedelta(days=days_ahead)
    return day + timedelta(days=weekday_index - day.weekday())


def operations(catalog: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, item in catalog["paths"].items()
            for method, op in item.items() if method in METHODS]


def resolve(catalog: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """`node`, following local `$ref`s until it is not one."""
    while "$ref" in node:
        target: Any = catalog
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


# The catalog


def test_catalog_is_valid_openapi_31(catalog: dict[str, Any]) -> None:
    validate(catalog)
    assert catalog["openapi"].startswith("3.1")
    # The assistant starts the demo service itself only when the catalog points at its port.
    assert catalog["servers"][0]["url"] == f"http://127.0.0.1:{DEFAULT_PORT}"


def test_catalog_operations_are_documented_for_the_model(catalog: dict[str, Any]) -> None:
    ops = operations(catalog)
    ids = [op["operationId"] for _, _, op in ops]
    assert len(ids) >= 12 and len(set(ids)) == len(ids)
    for method, path, op in ops:
        assert op["operationId"][0].islower() and "_" not in op["operationId"]
        assert len(op["summary"]) > 10 and len(op["description"]) > 60, op["operationId"]
        for param in op.get("parameters", []):
            assert len(resolve(catalog, param)["description"]) > 10, (op["operationId"], param)
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if body:
            for name, prop in resolve(catalog, body["schema"])["properties"].items():
                assert len(prop["description"]) > 10, (op["operationId"], name)
        assert any(code.startswith("2") for code in op["responses"]), op["operationId"]


def test_no_argument_name_is_in_two_places_of_one_operation(catalog: dict[str, Any]) -> None:
    for _, _, op in operations(catalog):
        names = [resolve(catalog, p)["name"] for p in op.get("parameters", [])]
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if body:
            names += list(resolve(catalog, body["schema"])["properties"])
        assert len(names) == len(set(names)), op["operationId"]


def test_catalog_describes_exactly_the_routes_the_app_serves(
        catalog: dict[str, Any], tmp_path: Path) -> None:
    documented = {(method.upper(), path) for method, path, _ in operations(catalog)}
    # The app's own OpenAPI view lists every served route but /health (kept out of the schema).
    app = create_app(tmp_path / "routes.db")
    served = {(method.upper(), path) for path, item in app.openapi()["paths"].items()
              for method in item}
    assert served == documented


# Directory


def test_search_directory_by_name_title_and_department(api: Api) -> None:
    found = api.call("GET", "/employees", 200, params={"query": "ROSSI"})
    assert [e["id"] for e in found["employees"]] == ["E1009"]
    assert found["employees"][0]["email"] == "sofia.rossi@northwind.example"
    engineers = api.call("GET", "/employees", 200, params={"department": "Engineering"})
    assert {e["id"] for e in engineers["employees"]} == {"E1005", "E1006", "E1007", "E1019"}
    titled = api.call("GET", "/employees", 200, params={"query": "engineer", "limit": 2})
    assert titled["count"] == 2
    api.call("GET", "/employees", 422, params={"department": "Astrology"})


def test_get_employee_has_manager_and_reports(api: Api) -> None:
    lead = api.call("GET", "/employees/{employee_id}", 200, employee_id="E1005")
    assert lead["name"] == "Mei Lin Zhou" and lead["manager"] == {"id": "E1002",
                                                                  "name": "Lars Eriksen"}
    assert [r["id"] for r in lead["direct_reports"]] == ["E1007", "E1019", "E1006"]
    ceo = api.call("GET", "/employees/{employee_id}", 200, employee_id="E1001")
    assert ceo["manager"] is None and ceo["manager_id"] is None
    missing = api.call("GET", "/employees/{employee_id}", 404, employee_id="E9999")
    assert "E9999" in missing["detail"]
    malformed = api.call("GET", "/employees/{employee_id}", 422, employee_id="1234")
    assert isinstance(malformed["detail"], str) and "pattern" in malformed["detail"]


# Leave


def balance(api: Api, employee_id: str, leave_type: str) -> dict[str, Any]:
    answer = api.call("GET", "/employees/{employee_id}/leave-balance", 200,
                      params={"leave_type": leave_type}, employee_id=employee_id)
    [only] = answer["balances"]
    return only


def test_leave_balance_adds_up_from_seeded_requests(api: Api) -> None:
    everything = api.call("GET", "/employees/{employee_id}/leave-balance", 200,
                          employee_id="E1006")
    assert [b["leave_type"] for b in everything["balances"]] == [
        "annual", "sick", "parental", "unpaid"]
    annual = everything["balances"][0]
    assert (annual["entitlement_days"], annual["carried_over_days"]) == (27, 5)  # long service
    assert (annual["used_days"], annual["pending_days"]) == (5, 1)
    assert annual["remaining_days"] == 27 + 5 - 5 - 1
    assert balance(api, "E1007", "sick")["used_days"] == 2
    api.call("GET", "/employees/{employee_id}/leave-balance", 404, employee_id="E0001")


def test_leave_request_lifecycle_moves_the_balance(api: Api) -> None:
    before = balance(api, "E1016", "annual")
    monday = weekday(70)
    body = {"employee_id": "E1016", "leave_type": "annual", "start_date": str(monday),
            "end_date": str(monday + timedelta(days=8)), "reason": "Trip to Lisbon"}
    created = api.call("POST", "/leave-requests", 201, json=body)
    request = created["request"]
    assert (request["status"], request["working_days"]) == ("pending", 7)  # Mon to next Tue
    assert created["balance"]["pending_days"] == before["pending_days"] + 7
    assert created["balance"]["remaining_days"] == before["remaining_days"] - 7

    listed = api.call("GET", "/leave-requests", 200,
                      params={"employee_id": "E1016", "status": "pending"})
    assert [r["id"] for r in listed["requests"]] == [request["id"]]

    overlap = dict(body, start_date=str(monday + timedelta(days=3)),
                   end_date=str(monday + timedelta(days=3)))
    assert "overlaps" in api.call("POST", "/leave-requests", 409, json=overlap)["detail"]

    cancelled = api.call("POST", "/leave-requests/{request_id}/cancel", 200,
                         request_id=request["id"])
    assert cancelled["request"]["status"] == "cancelled"
    assert cancelled["balance"] == before
    again = api.call("POST", "/leave-requests/{request_id}/cancel", 409, request_id=request["id"])
    assert "cancelled" in again["detail"]
    api.call("POST", "/leave-requests/{request_id}/cancel", 404, request_id=999999)


def test_sick_leave_is_approved_at_once(api: Api) -> None:
    day = weekday(-14, 2)
    created = api.call("POST", "/leave-requests", 201, json={
        "employee_id": "E1018", "leave_type": "sick", "start_date": str(day),
        "end_date": str(day)})
    assert created["request"]["status"] == "approved"
    assert created["balance"]["used_days"] == 1 and created["balance"]["remaining_days"] == 11


def test_leave_request_refusals(api: Api) -> None:
    monday = weekday(84)
    base = {"employee_id": "E1020", "leave_type": "annual", "start_date": str(monday)}
    too_long = api.call("POST", "/leave-requests", 409,
                        json=dict(base, end_date=str(monday + timedelta(days=60))))
    assert "not enough annual leave" in too_long["detail"]
    backwards = api.call("POST", "/leave-requests", 422,
                         json=dict(base, end_date=str(monday - timedelta(days=1))))
    assert "before" in backwards["detail"]
    weekend = api.call("POST", "/leave-requests", 422, json=dict(
        base, start_date=str(monday - timedelta(days=2)), end_date=str(monday - timedelta(days=1))))
    assert "no working days" in weekend["detail"]
    api.call("POST", "/leave-requests", 404, json=dict(base, employee_id="E4242",
                                                       end_date=str(monday)))
    api.call("POST", "/leave-requests", 422, json=dict(base, leave_type="sabbatical",
                                                       end_date=str(monday)))
    extra = api.call("POST", "/leave-requests", 422, json=dict(base, end_date=str(monday),
                                                               approved=True))
    assert "approved" in extra["detail"]


# IT tickets


def test_list_and_get_seeded_tickets(api: Api) -> None:
    open_high = api.call("GET", "/tickets", 200, params={"status": "open", "priority": "high"})
    assert [t["id"] for t in open_high["tickets"]] == [4102]
    mine = api.call("GET", "/tickets", 200, params={"requester_id": "E1015"})
    assert [t["title"] for t in mine["tickets"]] == ["Licence for diagramming software"]
    closed = api.call("GET", "/tickets/{ticket_id}", 200, ticket_id=4105)
    assert [event["status"] for event in closed["history"]] == [
        "open", "in_progress", "resolved", "closed"]
    assert closed["resolution"].startswith("Phishing confirmed")
    api.call("GET", "/tickets/{ticket_id}", 404, ticket_id=1)


def test_ticket_status_transitions(api: Api) -> None:
    ticket = api.call("POST", "/tickets", 201, json={
        "requester_id": "E1014", "title": "Projector in Bora shows no image",
        "description": "HDMI cable connected, projector says no signal.", "category": "hardware"})
    assert (ticket["status"], ticket["priority"], ticket["assignee_id"]) == (
        "open", "normal", None)
    assert [e["status"] for e in ticket["history"]] == ["open"]

    def move(status: str, expected: int, note: str | None = None) -> dict[str, Any]:
        body = {"status": status} | ({"note": note} if note else {})
        return api.call("PATCH", "/tickets/{ticket_id}/status", expected, json=body,
                        ticket_id=ticket["id"])

    assert move("in_progress", 200, "Sofia is on it")["status"] == "in_progress"
    refused = move("closed", 409)
    assert "in_progress" in refused["detail"] and "waiting, resolved, open" in refused["detail"]
    assert "note" in move("resolved", 422)["detail"]
    resolved = move("resolved", 200, "Replaced the HDMI adapter")
    assert resolved["resolution"] == "Replaced the HDMI adapter"
    closed = move("closed", 200)
    assert closed["resolution"] == "Replaced the HDMI adapter"
    assert "closed tickets stay closed" in move("open", 409)["detail"]
    assert [e["status"] for e in closed["history"]] == [
        "open", "in_progress", "resolved", "closed"]
    assert api.call("GET", "/tickets", 200, params={"requester_id": "E1014"})["count"] == 1
    api.call("PATCH", "/tickets/{ticket_id}/status", 404, json={"status": "closed"},
             ticket_id=999999)


def test_create_ticket_refusals(api: Api) -> None:
    body = {"requester_id": "E1014", "title": "Printer jam", "category": "hardware"}
    api.call("POST", "/tickets", 404, json=dict(body, requester_id="E9998"))
    api.call("POST", "/tickets", 422, json=dict(body, priority="critical"))
    api.call("POST", "/tickets", 422, json={"requester_id": "E1014", "category": "hardware"})


# Meeting rooms


def test_list_meeting_rooms_with_filters(api: Api) -> None:
    rooms = api.call("GET", "/rooms", 200)
    assert [r["id"] for r in rooms["rooms"]] == [
        "mistral", "sirocco", "bora", "zephyr", "chinook", "foehn", "monsoon"]
    big = api.call("GET", "/rooms", 200, params={"min_capacity": 10})
    assert {r["name"] for r in big["rooms"]} == {"Bora", "Foehn", "Monsoon"}
    projector = api.call("GET", "/rooms", 200, params={"equipment": "projector", "floor": 3})
    assert [r["id"] for r in projector["rooms"]] == ["bora"]
    api.call("GET", "/rooms", 422, params={"date": str(weekday(7)), "start_time": "10:00"})
    api.call("GET", "/rooms", 422, params={"equipment": "hot_tub"})


def test_booking_a_room_and_refusing_double_bookings(api: Api) -> None:
    day = weekday(14, 3)
    body = {"organizer_id": "E1010", "title": "Quarterly planning", "date": str(day),
            "start_time": "10:00", "end_time": "11:30", "attendees": 6}
    booking = api.call("POST", "/rooms/{room_id}/bookings", 201, json=body, room_id="foehn")
    assert (booking["room_name"], booking["organizer_name"]) == ("Foehn", "Daniel Kim")

    clash = api.call("POST", "/rooms/{room_id}/bookings", 409, room_id="foehn", json=dict(
        body, organizer_id="E1011", title="Design review", start_time="11:00", end_time="12:00"))
    assert "Quarterly planning" in clash["detail"] and "10:00 to 11:30" in clash["detail"]
    for before_or_after in (("09:00", "10:00"), ("11:30", "12:00")):  # touching is no clash
        api.call("POST", "/rooms/{room_id}/bookings", 201, room_id="foehn", json=dict(
            body, title="Back to back", start_time=before_or_after[0],
            end_time=before_or_after[1]))

    free = api.call("GET", "/rooms", 200, params={"date": str(day), "start_time": "11:00",
                                                  "end_time": "11:15", "min_capacity": 6})
    assert "foehn" not in {r["id"] for r in free["rooms"]}
    assert "bora" in {r["id"] for r in free["rooms"]}
    schedule = api.call("GET", "/rooms/{room_id}/bookings", 200, params={"date": str(day)},
                        room_id="foehn")
    assert [b["start_time"] for b in schedule["bookings"]] == ["09:00", "10:00", "11:30"]


def test_simultaneous_bookings_of_one_slot_let_exactly_one_through(
        api: Api, server: DemoServer) -> None:
    body = {"organizer_id": "E1012", "title": "Pipeline review", "date": str(weekday(28, 2)),
            "start_time": "15:00", "end_time": "16:00", "attendees": 4}

    def book(_: int) -> int:
        with httpx.Client(base_url=server.url, trust_env=False) as client:
            return client.post("/rooms/sirocco/bookings", json=body).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = sorted(pool.map(book, range(6)))
    assert statuses == [201] + [409] * 5


@pytest.mark.parametrize(("change", "expected", "words"), [
    ({"attendees": 5}, 422, "seats 4"),
    ({"date": str(weekday(21, 5))}, 422, "weekends"),
    ({"date": str(weekday(-7, 1))}, 422, "past"),
    ({"start_time": "06:45"}, 422, "between 07:00 and 20:00"),
    ({"end_time": "14:15"}, 422, "at most 4 hours"),
    ({"end_time": "08:00"}, 422, "not after"),
    ({"start_time": "09:10"}, 422, "pattern"),
    ({"organizer_id": "E7777"}, 404, "E7777"),
])
def test_booking_rules(api: Api, change: dict[str, Any], expected: int, words: str) -> None:
    body = {"organizer_id": "E1017", "title": "Interview", "date": str(weekday(21, 1)),
            "start_time": "10:00", "end_time": "11:00", "attendees": 2} | change
    refused = api.call("POST", "/rooms/{room_id}/bookings", expected, json=body,
                       room_id="mistral")
    assert words in refused["detail"]


def test_unknown_room(api: Api) -> None:
    missing = api.call("GET", "/rooms/{room_id}/bookings", 404, room_id="narnia")
    assert "mistral" in missing["detail"]


def test_room_bookings_default_to_upcoming(api: Api) -> None:
    upcoming = api.call("GET", "/rooms/{room_id}/bookings", 200, room_id="monsoon")
    assert [b["title"] for b in upcoming["bookings"]][:1] == ["Quarterly business review"]
    assert all(b["date"] >= str(date.today()) for b in upcoming["bookings"])


# Expenses


def test_submit_expenses_approval_by_amount(api: Api) -> None:
    body = {"employee_id": "E1007", "expense_date": str(date.today() - timedelta(days=3)),
            "category": "meals", "amount_eur": 42.5, "description": "Team lunch for onboarding",
            "receipt_attached": True}
    small = api.call("POST", "/expenses", 201, json=body)
    assert (small["status"], small["amount_eur"], small["employee_name"]) == (
        "approved", 42.5, "Fatima El-Amin")
    large = api.call("POST", "/expenses", 201, json=dict(
        body, category="training", amount_eur=640, description="Kubernetes certification exam"))
    assert large["status"] == "pending_approval"
    listed = api.call("GET", "/expenses", 200, params={"employee_id": "E1007"})
    assert listed["count"] == 3 and listed["total_eur"] == round(12.0 + 42.5 + 640, 2)
    recent = api.call("GET", "/expenses", 200, params={
        "employee_id": "E1007", "from_date": str(date.today() - timedelta(days=5))})
    assert {x["id"] for x in recent["expenses"]} == {small["id"], large["id"]}


@pytest.mark.parametrize(("change", "expected", "words"), [
    ({"amount_eur": 60.01}, 422, "60 EUR limit per meals"),
    ({"amount_eur": 30, "receipt_attached": False}, 422, "need a receipt"),
    ({"expense_date": str(date.today() - timedelta(days=61))}, 422, "within 60 days"),
    ({"expense_date": str(date.today() + timedelta(days=1))}, 422, "future"),
    ({"amount_eur": 0}, 422, "greater than 0"),
    ({"employee_id": "E3333"}, 404, "E3333"),
])
def test_expense_rules(api: Api, change: dict[str, Any], expected: int, words: str) -> None:
    body = {"employee_id": "E1019", "expense_date": str(date.today()), "category": "meals",
            "amount_eur": 20, "description": "Lunch", "receipt_attached": True} | change
    assert words in api.call("POST", "/expenses", expected, json=body)["detail"]


def test_list_expenses_filters(api: Api) -> None:
    pending = api.call("GET", "/expenses", 200, params={"status": "pending_approval",
                                                        "employee_id": "E1013"})
    assert [x["id"] for x in pending["expenses"]] == [7001]
    hotels = api.call("GET", "/expenses", 200, params={"category": "accommodation"})
    assert hotels["total_eur"] == 176.0 and hotels["expenses"][0]["status"] == "reimbursed"
    api.call("GET", "/expenses", 422, params={"from_date": "last week"})


# Serving and persistence


def test_database_persists_across_restarts_and_is_not_reseeded(tmp_path: Path) -> None:
    db_path = tmp_path / "persist.db"
    first = start_in_background("127.0.0.1", 0, db_path)
    try:
        with httpx.Client(base_url=first.url, trust_env=False) as client:
            created = client.post("/tickets", json={
                "requester_id": "E1002", "title": "New badge", "category": "access"}).json()
            assert client.patch("/tickets/4102/status",
                                json={"status": "in_progress"}).status_code == 200
    finally:
        first.stop()
    assert not is_serving(first.url)

    second = start_in_background("127.0.0.1", 0, db_path)
    try:
        with httpx.Client(base_url=second.url, trust_env=False) as client:
            assert client.get(f"/tickets/{created['id']}").json()["title"] == "New badge"
            assert client.get("/tickets/4102").json()["status"] == "in_progress"
            everyone = client.get("/employees", params={"limit": 50}).json()
            assert everyone["count"] == 20
    finally:
        second.stop()
    assert initialise(db_path, date.today()) is False


def test_start_reports_a_taken_port_and_health_check_fails_on_silence(
        server: DemoServer, tmp_path: Path) -> None:
    assert is_serving(server.url)
    port = int(server.url.rsplit(":", 1)[1])
    with pytest.raises(RuntimeError, match="already using that port"):
        start_in_background("127.0.0.1", port, tmp_path / "other.db")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    assert not is_serving(f"http://127.0.0.1:{free_port}")
