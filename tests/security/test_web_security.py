"""The web app under attack: a double click that would approve a call nobody saw, a staff cookie reaching for
the console's files, a cookie replayed after logout, password guessing, a login that would stall the server.

The HTTP probes run against the real login routes, gate and Gradio mounts (`ui.app.mount_pages`) served by
uvicorn on loopback, with two small pages standing in for the chat and the console (the real pages need the
model; what is probed here is the mounting and the gate around them).
"""

from __future__ import annotations

import random
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import gradio as gr
import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from assistant.approvals import CannotApprove
from assistant.config import parse_config
from assistant.events import TextDelta, ToolCall, ToolOutcome
from assistant.passwords import _hash
from assistant.store import ConversationStore
from ui.app import mount_pages
from ui.auth import LoginThrottle, Sessions, Users
from ui.login import COOKIE, login_router
from ui.turns import ApprovalNeeded, ChatService

# -- approvals ------------------------------------------------------------------------------------------------

FIRST = ToolCall("api.bookMeetingRoom", {"room": "Bora"}, True, {"method": "POST", "url": "http://127.0.0.1/b"})
SECOND = ToolCall("api.cancelBooking", {"id": 7}, True, {"method": "DELETE", "url": "http://127.0.0.1/b/7"})


def two_calls(approve):
    """A turn that makes two side-effecting calls in a row, as a fast model would."""
    for call in (FIRST, SECOND):
        yield call
        try:
            sent = approve(call)
        except CannotApprove:  # nobody answered in time, as the engine reads it: not sent
            sent = False
        yield ToolOutcome(call.tool, call.arguments, "ran" if sent else "declined")
    yield TextDelta("Done.")


@pytest.fixture
def chat(tmp_path: Path) -> ChatService:
    service = ChatService(lambda question, **kw: two_calls(kw["approve"]), ConversationStore(tmp_path / "c.db"),
                          approval_timeout_s=0.3)
    return service


def test_a_second_click_on_send_never_approves_the_next_call(chat: ChatService):
    """Send clicked twice on the first call's box: the second click names the first call and is void, even
    when it arrives after the second call is already waiting."""
    events = chat.start_turn("tab", "sam", "book and cancel", None).events()
    seen: list = []
    first = next_approval(events, seen)
    assert chat.decide("tab", first.approval_id, True)
    second = next_approval(events, seen)
    assert second.call == SECOND and second.approval_id != first.approval_id
    assert not chat.decide("tab", first.approval_id, True)  # the late second click
    seen += events
    assert [e.status for e in seen if isinstance(e, ToolOutcome)] == ["ran", "declined"]  # nobody answered


def next_approval(events: Iterator, seen: list) -> ApprovalNeeded:
    """Read events up to the next approval, keeping them in `seen`."""
    for event in events:
        seen.append(event)
        if isinstance(event, ApprovalNeeded):
            return event
    raise AssertionError("the turn ended without asking")


@pytest.mark.parametrize("trial", range(30))
def test_a_double_click_within_50_ms_sends_only_the_call_that_was_seen(chat: ChatService, trial: int):
    events = chat.start_turn("tab", "sam", "book and cancel", None).events()
    first = next_approval(events, [])

    def click_twice():
        chat.decide("tab", first.approval_id, True)
        time.sleep(random.Random(trial).uniform(0, 0.05))
        chat.decide("tab", first.approval_id, True)

    clicker = threading.Thread(target=click_twice)
    clicker.start()
    statuses = [e.status for e in events if isinstance(e, ToolOutcome)]
    clicker.join()
    assert statuses == ["ran", "declined"]


def test_a_decision_from_another_browser_session_is_void(chat: ChatService):
    events = chat.start_turn("tab-sam", "sam", "book", None).events()
    first = next_approval(events, [])
    assert not chat.decide("tab-kim", first.approval_id, True)  # the id alone does not reach another tab
    assert chat.decide("tab-sam", first.approval_id, False)


# -- the app on loopback --------------------------------------------------------------------------------------

PASSWORDS = {"ada": "ada-secret", "sam": "sam-secret"}


def quick_hash(password: str) -> str:
    """A hash at the earlier n=2**14 (still accepted), so that the many logins below stay fast."""
    return _hash(password, password.encode().ljust(16, b"."), 2**14, 8, 1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def console_page() -> gr.Blocks:
    """Stands in for the console: makes a zip as the Adapters tab does, and takes uploads."""
    with gr.Blocks() as page:
        name = gr.Textbox()
        upload = gr.File(type="filepath")
        made = gr.File()
        size = gr.Number()

        def make_zip(text: str) -> str:
            import tempfile

            path = Path(tempfile.mkdtemp(prefix="adapter-")) / f"{text}.zip"
            with zipfile.ZipFile(path, "w") as archive:
                archive.writestr("adapter_config.json", "{}")
            return str(path)

        gr.Button().click(make_zip, name, made, api_name="make_zip")
        gr.Button().click(lambda path: Path(path).stat().st_size, upload, size, api_name="size")
    return page


def chat_page() -> gr.Blocks:
    with gr.Blocks() as page:
        text = gr.Textbox()
        gr.Button().click(lambda value: value.upper(), text, text, api_name="shout")
    return page


class Server:
    """The app served by uvicorn in a thread on loopback."""

    def __init__(self, app: FastAPI):
        self.url = f"http://127.0.0.1:{free_port()}"
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=int(self.url.rsplit(":", 1)[1]),
                                                     log_level="warning", lifespan="on"))
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 60
        while not self._server.started:
            assert time.monotonic() < deadline and self._thread.is_alive(), "the app did not start"
            time.sleep(0.05)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, trust_env=False, follow_redirects=False, timeout=30)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)


def make_app(sessions: Sessions, throttle: LoginThrottle | None = None, secure: bool = False) -> tuple[FastAPI, Path]:
    app = FastAPI()
    app.include_router(login_router(sessions, "Test", secure, throttle))
    console_files = mount_pages(app, chat_page(), console_page(), sessions, max_upload_mb=1)
    return app, console_files


@pytest.fixture(scope="module")
def site() -> Iterator[dict]:
    users = Users([("ada", "admin", quick_hash(PASSWORDS["ada"])), ("sam", "staff", quick_hash(PASSWORDS["sam"]))])
    sessions = Sessions(b"k" * 32, users)
    # A throttle no test here trips: the throttle has its own app below.
    app, console_files = make_app(sessions, LoginThrottle(max_failures=1000))
    server = Server(app)
    yield {"server": server, "sessions": sessions, "console_files": console_files}
    server.stop()


def logged_in(site: dict, name: str) -> httpx.Client:
    client = site["server"].client()
    answer = client.post("/login", data={"username": name, "password": PASSWORDS[name], "next": "/"})
    assert answer.status_code == 303, answer.text
    return client


def call(client: httpx.Client, prefix: str, api_name: str, data: list) -> list:
    """Run one Gradio endpoint through its REST API and return its output."""
    started = client.post(f"{prefix}/gradio_api/call/{api_name}", json={"data": data})
    assert started.status_code == 200, started.text
    stream = client.get(f"{prefix}/gradio_api/call/{api_name}/{started.json()['event_id']}")
    lines = stream.text.splitlines()
    assert "event: complete" in lines, stream.text
    import json

    return json.loads(lines[lines.index("event: complete") + 1].removeprefix("data: "))


def test_a_file_the_console_made_is_served_under_console_only(site: dict):
    ada, sam = logged_in(site, "ada"), logged_in(site, "sam")
    (made,) = call(ada, "/console", "make_zip", ["web-smoke"])
    path = made["path"]
    assert Path(path).is_relative_to(site["console_files"])  # kept in the console's own folder
    assert ada.get(f"/console/gradio_api/file={path}").status_code == 200
    assert zipfile.ZipFile(Path(path)).namelist() == ["adapter_config.json"]
    # The staff page's file route, with a staff cookie or even an admin's, does not serve it.
    for client in (sam, ada):
        spelled_otherwise = path.replace("/console-", "//./console-")
        for route in (f"/gradio_api/file={path}", f"/file={path}", f"/gradio_api/file={spelled_otherwise}"):
            answer = client.get(route)
            assert answer.status_code in (403, 404), (route, answer.status_code)
            assert b"adapter_config" not in answer.content
    assert sam.get(f"/console/gradio_api/file={path}").status_code == 403


def test_a_file_uploaded_to_the_console_is_not_served_to_staff(site: dict):
    ada, sam = logged_in(site, "ada"), logged_in(site, "sam")
    uploaded = ada.post("/console/gradio_api/upload", files={"files": ("catalog.yaml", b"openapi: 3.0.0\n")})
    assert uploaded.status_code == 200, uploaded.text
    (path,) = uploaded.json()
    assert Path(path).is_relative_to(site["console_files"])
    assert call(ada, "/console", "size", [{"path": path, "meta": {"_type": "gradio.FileData"}}]) == [15]
    assert ada.get(f"/console/gradio_api/file={path}").content == b"openapi: 3.0.0\n"
    assert sam.get(f"/gradio_api/file={path}").status_code == 403
    # What staff upload to their own page stays usable there (the staff page's files are not all refused).
    mine = sam.post("/gradio_api/upload", files={"files": ("note.txt", b"hello")}).json()[0]
    assert sam.get(f"/gradio_api/file={mine}").content == b"hello"
    assert call(sam, "", "shout", ["hi"]) == ["HI"]


def test_a_cookie_kept_after_logout_is_refused(site: dict):
    sam = logged_in(site, "sam")
    token = sam.cookies[COOKIE]
    assert sam.get("/config").status_code == 200
    out = sam.get("/logout")
    assert out.status_code == 303 and out.headers["location"] == "/login"
    replay = site["server"].client()
    replay.cookies.set(COOKIE, token)
    assert replay.get("/config").status_code == 401
    assert replay.get("/", headers={"accept": "text/html"}).headers["location"].startswith("/login")
    assert site["sessions"].user_of(token) is None
    assert logged_in(site, "sam").get("/config").status_code == 200  # other and later sessions go on


def test_logging_in_does_not_stall_the_server(site: dict, monkeypatch: pytest.MonkeyPatch):
    """While a password is being checked, other requests are answered (the hash runs in a worker thread)."""
    release = threading.Event()
    original = site["sessions"].users.authenticate

    def slow_authenticate(name: str, password: str):
        release.wait(timeout=30)
        return original(name, password)

    monkeypatch.setattr(site["sessions"].users, "authenticate", slow_authenticate)
    results: list[int] = []
    login = threading.Thread(target=lambda: results.append(
        site["server"].client().post("/login", data={"username": "sam", "password": PASSWORDS["sam"]}).status_code))
    login.start()
    try:
        time.sleep(0.2)
        with site["server"].client() as other:
            assert other.get("/healthz", timeout=5).json() == {"ok": True}
            assert other.get("/login", timeout=5).status_code == 200
        assert login.is_alive()  # the login was still waiting on its hash the whole time
    finally:
        release.set()
        login.join(timeout=30)
    assert results == [303]


def test_password_guessing_is_refused_after_five_failures_with_a_clear_message():
    users = Users([("sam", "staff", quick_hash(PASSWORDS["sam"])), ("kim", "staff", quick_hash("kim-secret"))])
    config = parse_config({"serve": {}}).serve
    assert (config.login_max_failures, config.login_window_minutes) == (5, 5.0)
    app, _ = make_app(Sessions(b"k" * 32, users),
                      LoginThrottle(config.login_max_failures, config.login_window_minutes * 60))
    server = Server(app)
    try:
        client = server.client()
        for guess in range(5):
            assert client.post("/login", data={"username": "sam", "password": f"guess-{guess}"}).status_code == 401
        refused = client.post("/login", data={"username": "sam", "password": PASSWORDS["sam"]})
        assert refused.status_code == 429 and COOKIE not in refused.cookies
        assert "Too many failed sign-ins" in refused.text and "Try again in 5 minutes" in refused.text
        assert 290 <= int(refused.headers["retry-after"]) <= 301
        # The same address is refused for another name too (one client guessing many names).
        assert client.post("/login", data={"username": "kim", "password": "kim-secret"}).status_code == 429
    finally:
        server.stop()


def test_the_session_cookie_is_secure_when_configured():
    assert parse_config({"serve": {}}).serve.secure_cookies is False
    assert parse_config({"serve": {"secure_cookies": True}}).serve.secure_cookies is True
    users = Users([("sam", "staff", quick_hash(PASSWORDS["sam"]))])
    for secure in (False, True):
        app = FastAPI()
        app.include_router(login_router(Sessions(b"k" * 32, users), "Test", secure))
        from fastapi.testclient import TestClient

        answer = TestClient(app, follow_redirects=False).post(
            "/login", data={"username": "sam", "password": PASSWORDS["sam"]})
        cookie = answer.headers["set-cookie"].lower()
        assert answer.status_code == 303 and ("; secure" in cookie) is secure
        assert "httponly" in cookie and "samesite=strict" in cookie
