"""The Northwind Labs intranet API: the demo company's backend behind `data/demo/catalog.yaml`.

One route per catalog operation, each a thin call into `DemoStore`, which holds the rules. Every
error is `{"detail": "<a sentence>"}` so the assistant can read it back to the user.

`assistant demo-api` serves it on its own (port 8765); `assistant chat` starts it in the background
when the catalog points at that port and nothing answers there.
"""

from __future__ import annotations

import datetime as dt
import errno
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import httpx
import uvicorn
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from assistant.demo.db import ConflictError, DemoError, InvalidRequestError, NotFoundError
from assistant.demo.store import DemoStore

DEFAULT_PORT = 8765
SERVICE_NAME = "northwind-demo"

EMPLOYEE_ID = r"^E\d{4}$"
QUARTER_HOUR = r"^([01]\d|2[0-3]):(00|15|30|45)$"

EmployeeId = Annotated[str, Field(pattern=EMPLOYEE_ID)]
QuarterHour = Annotated[str, Field(pattern=QUARTER_HOUR)]
Department = Literal["Leadership", "Engineering", "Product", "Design", "IT", "Sales", "Marketing",
                     "Finance", "People", "Operations", "Legal"]
LeaveType = Literal["annual", "sick", "parental", "unpaid"]
LeaveStatus = Literal["pending", "approved", "rejected", "cancelled"]
TicketStatus = Literal["open", "in_progress", "waiting", "resolved", "closed"]
TicketPriority = Literal["low", "normal", "high", "urgent"]
TicketCategory = Literal["hardware", "software", "access", "network", "security", "other"]
Equipment = Literal["screen", "projector", "video_conference", "whiteboard", "speakerphone",
                    "microphone"]
ExpenseCategory = Literal["travel", "accommodation", "meals", "client_entertainment", "equipment",
                          "training", "software", "other"]
ExpenseStatus = Literal["pending_approval", "approved", "rejected", "reimbursed"]

EmployeeIdPath = Annotated[str, PathParam(pattern=EMPLOYEE_ID)]
EmployeeIdQuery = Annotated[str | None, Query(pattern=EMPLOYEE_ID)]


class RequestBody(BaseModel):
    """A JSON request body; unknown fields are refused, as the catalog's schemas say."""

    model_config = ConfigDict(extra="forbid")


class LeaveRequestCreate(RequestBody):
    """createLeaveRequest's body."""

    employee_id: EmployeeId
    leave_type: LeaveType
    start_date: dt.date
    end_date: dt.date
    reason: str | None = Field(default=None, max_length=500)


class TicketCreate(RequestBody):
    """createTicket's body."""

    requester_id: EmployeeId
    title: str = Field(min_length=3, max_length=120)
    description: str = Field(default="", max_length=4000)
    category: TicketCategory
    priority: TicketPriority = "normal"


class TicketStatusUpdate(RequestBody):
    """updateTicketStatus's body."""

    status: TicketStatus
    note: str | None = Field(default=None, min_length=1, max_length=1000)


class BookingCreate(RequestBody):
    """bookMeetingRoom's body."""

    organizer_id: EmployeeId
    title: str = Field(min_length=1, max_length=120)
    date: dt.date
    start_time: QuarterHour
    end_time: QuarterHour
    attendees: int = Field(default=1, ge=1, le=100)


class ExpenseCreate(RequestBody):
    """submitExpense's body."""

    employee_id: EmployeeId
    expense_date: dt.date
    category: ExpenseCategory
    amount_eur: float = Field(gt=0, le=5000)
    description: str = Field(min_length=3, max_length=300)
    receipt_attached: bool = False


def get_store(request: Request) -> DemoStore:
    """The app's store, for route dependencies."""
    return request.app.state.store


Store = Annotated[DemoStore, Depends(get_store)]
Json = dict[str, Any]
router = APIRouter()


@router.get("/health", include_in_schema=False)
def health() -> Json:
    return {"status": "ok", "service": SERVICE_NAME}


@router.get("/employees")
def search_directory(store: Store, query: Annotated[str | None, Query(min_length=1, max_length=80)]
                     = None, department: Department | None = None,
                     limit: Annotated[int, Query(ge=1, le=50)] = 10) -> Json:
    return store.search_directory(query, department, limit)


@router.get("/employees/{employee_id}")
def get_employee(store: Store, employee_id: EmployeeIdPath) -> Json:
    return store.get_employee(employee_id)


@router.get("/employees/{employee_id}/leave-balance")
def get_leave_balance(store: Store, employee_id: EmployeeIdPath,
                      leave_type: LeaveType | None = None) -> Json:
    return store.leave_balance(employee_id, leave_type)


@router.get("/leave-requests")
def list_leave_requests(store: Store, employee_id: EmployeeIdQuery = None,
                        status: LeaveStatus | None = None,
                        leave_type: LeaveType | None = None) -> Json:
    return store.list_leave_requests(employee_id, status, leave_type)


@router.post("/leave-requests", status_code=201)
def create_leave_request(store: Store, body: LeaveRequestCreate) -> Json:
    return store.create_leave_request(body.employee_id, body.leave_type, body.start_date,
                                      body.end_date, body.reason)


@router.post("/leave-requests/{request_id}/cancel")
def cancel_leave_request(store: Store, request_id: Annotated[int, PathParam(ge=1)]) -> Json:
    return store.cancel_leave_request(request_id)


@router.get("/tickets")
def list_tickets(store: Store, status: TicketStatus | None = None,
                 priority: TicketPriority | None = None, requester_id: EmployeeIdQuery = None,
                 limit: Annotated[int, Query(ge=1, le=100)] = 20) -> Json:
    return store.list_tickets(status, priority, requester_id, limit)


@router.post("/tickets", status_code=201)
def create_ticket(store: Store, body: TicketCreate) -> Json:
    return store.create_ticket(body.requester_id, body.title, body.description, body.category,
                               body.priority)


@router.get("/tickets/{ticket_id}")
def get_ticket(store: Store, ticket_id: Annotated[int, PathParam(ge=1)]) -> Json:
    return store.get_ticket(ticket_id)


@router.patch("/tickets/{ticket_id}/status")
def update_ticket_status(store: Store, ticket_id: Annotated[int, PathParam(ge=1)],
                         body: TicketStatusUpdate) -> Json:
    return store.update_ticket_status(ticket_id, body.status, body.note)


@router.get("/rooms")
def list_meeting_rooms(store: Store, min_capacity: Annotated[int | None, Query(ge=1, le=100)]
                       = None, floor: Annotated[int | None, Query(ge=0, le=10)] = None,
                       equipment: Equipment | None = None, date: dt.date | None = None,
                       start_time: Annotated[str | None, Query(pattern=QUARTER_HOUR)] = None,
                       end_time: Annotated[str | None, Query(pattern=QUARTER_HOUR)] = None) -> Json:
    return store.list_rooms(min_capacity, floor, equipment, date, start_time, end_time)


RoomId = Annotated[str, PathParam(pattern=r"^[a-z]+$")]


@router.get("/rooms/{room_id}/bookings")
def list_room_bookings(store: Store, room_id: RoomId, date: dt.date | None = None) -> Json:
    return store.list_room_bookings(room_id, date)


@router.post("/rooms/{room_id}/bookings", status_code=201)
def book_meeting_room(store: Store, room_id: RoomId, body: BookingCreate) -> Json:
    return store.book_room(room_id, body.organizer_id, body.title, body.date, body.start_time,
                           body.end_time, body.attendees)


@router.get("/expenses")
def list_expenses(store: Store, employee_id: EmployeeIdQuery = None,
                  status: ExpenseStatus | None = None, category: ExpenseCategory | None = None,
                  from_date: dt.date | None = None, to_date: dt.date | None = None) -> Json:
    return store.list_expenses(employee_id, status, category, from_date, to_date)


@router.post("/expenses", status_code=201)
def submit_expense(store: Store, body: ExpenseCreate) -> Json:
    return store.submit_expense(body.employee_id, body.expense_date, body.category,
                                body.amount_eur, body.description, body.receipt_attached)


STATUS_FOR_ERROR: dict[type[DemoError], int] = {
    NotFoundError: 404, ConflictError: 409, InvalidRequestError: 422}


async def _demo_error(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=STATUS_FOR_ERROR.get(type(exc), 400))


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's list of validation errors, as one sentence per problem."""
    assert isinstance(exc, RequestValidationError)
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"][1:]) or str(error["loc"][0])
        problems.append(f"{where}: {error['msg']}")
    return JSONResponse({"detail": "; ".join(problems)}, status_code=422)


def create_app(db_path: Path) -> FastAPI:
    """The demo API over the database at `db_path`, created and seeded on first use."""
    app = FastAPI(title="Northwind Labs Intranet API", docs_url=None, redoc_url=None,
                  openapi_url=None)  # data/demo/catalog.yaml is the published description
    app.state.store = DemoStore(Path(db_path))
    app.include_router(router)
    app.add_exception_handler(DemoError, _demo_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    return app


class PortUnavailable(RuntimeError):
    """The demo API cannot listen on the address asked for; the message says why."""


def serve(host: str, port: int, db_path: Path, on_listening: Callable[[str], None] | None = None) -> None:
    """Serve the demo API until interrupted (blocking). `on_listening(url)` is told the URL it really listens
    on, once the socket is bound (port 0: a free port, which only the socket knows)."""
    sock = _listen(host, port)
    if on_listening is not None:
        on_listening(_url(host, sock))
    config = uvicorn.Config(create_app(db_path), log_level="info")
    uvicorn.Server(config).run(sockets=[sock])


@dataclass
class DemoServer:
    """A demo API running in a daemon thread of this process."""

    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the server to exit and wait for its thread."""
        self.server.should_exit = True
        self.thread.join(timeout)
        if self.thread.is_alive():
            raise RuntimeError(f"the demo API at {self.url} did not stop within {timeout} s")


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0 picks a free one), or a PortUnavailable saying why not."""
    if not 0 <= port <= 65535:
        raise PortUnavailable(f"cannot start the demo API on port {port}: a TCP port is 1 to 65535")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        reason = exc.strerror or str(exc)  # a host name that does not resolve has no strerror
        hint = "; is another server already using that port?" if exc.errno == errno.EADDRINUSE else ""
        raise PortUnavailable(f"cannot start the demo API on {host}:{port}: {reason}{hint}") from exc
    sock.listen(128)
    return sock


def _url(host: str, sock: socket.socket) -> str:
    """The http URL of a listening socket, by the host asked for and the port bound."""
    url_host = f"[{host}]" if ":" in host else host
    return f"http://{url_host}:{sock.getsockname()[1]}"


def start_in_background(host: str, port: int, db_path: Path,
                        timeout: float = 10.0) -> DemoServer:
    """Start the demo API in a daemon thread and return once it accepts connections."""
    app = create_app(db_path)
    sock = _listen(host, port)
    url = _url(host, sock)
    config = uvicorn.Config(app, log_level="warning", lifespan="off",
                            timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True,
                              name=f"demo-api {url}")
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive():
            sock.close()
            raise RuntimeError(f"the demo API at {url} stopped while starting; see its log")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the demo API at {url} did not start within {timeout} s")
        time.sleep(0.01)
    return DemoServer(url=url, server=server, thread=thread)


def is_serving(url: str, timeout: float = 1.0) -> bool:
    """Whether the demo API answers its health check at `url`."""
    try:
        response = httpx.get(f"{url.rstrip('/')}/health", timeout=timeout, trust_env=False)
        return response.status_code == 200 and response.json().get("service") == SERVICE_NAME
    except (httpx.HTTPError, ValueError):
        return False
