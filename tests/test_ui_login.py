"""The gate in front of the web app: login required, the console for admins only, safe redirects."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.passwords import hash_password
from ui.auth import Sessions, Users
from ui.login import COOKIE, Gate, login_router


@pytest.fixture(scope="module")
def client() -> TestClient:
    users = Users([("ada", "admin", hash_password("a")), ("sam", "staff", hash_password("s"))])
    sessions = Sessions(b"k" * 32, users)
    app = FastAPI()
    app.include_router(login_router(sessions, "Test"))

    @app.get("/")
    def chat():
        return {"page": "chat"}

    @app.post("/console/gradio_api/queue/join")
    def console_api():
        return {"page": "console"}

    app.add_middleware(Gate, sessions=sessions)
    return TestClient(app, follow_redirects=False)


def log_in(client: TestClient, name: str, password: str, target: str = "/"):
    client.cookies.clear()
    return client.post("/login", data={"username": name, "password": password, "next": target})


def test_without_a_session_pages_go_to_the_login_and_calls_get_401(client: TestClient):
    client.cookies.clear()
    page = client.get("/", headers={"accept": "text/html"})
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/"
    assert client.post("/console/gradio_api/queue/join").status_code == 401
    form = client.get("/login")
    assert form.status_code == 200 and "<form method=post" in form.text and "http" not in form.text.split("<body>")[1]


def test_a_wrong_password_is_refused_and_a_right_one_sets_an_http_only_cookie(client: TestClient):
    wrong = log_in(client, "sam", "nope")
    assert wrong.status_code == 401 and "Wrong name or password" in wrong.text and COOKIE not in wrong.cookies
    right = log_in(client, "sam", "s", "/?x=1")
    assert right.status_code == 303 and right.headers["location"] == "/?x=1"
    assert "httponly" in right.headers["set-cookie"].lower() and "samesite=strict" in right.headers["set-cookie"].lower()
    assert client.get("/").json() == {"page": "chat"}


def test_staff_get_403_for_the_console_and_admins_get_through(client: TestClient):
    log_in(client, "sam", "s")
    assert client.post("/console/gradio_api/queue/join").status_code == 403
    page = client.get("/console/", headers={"accept": "text/html"})
    assert page.status_code == 403 and "for admins" in page.text
    log_in(client, "ada", "a")
    assert client.post("/console/gradio_api/queue/join").json() == {"page": "console"}


def test_logout_ends_the_session_and_login_never_redirects_off_site(client: TestClient):
    assert log_in(client, "ada", "a", "//evil.example/").headers["location"] == "/"
    assert log_in(client, "ada", "a", "https://evil.example/").headers["location"] == "/"
    out = client.get("/logout")
    assert out.status_code == 303 and out.headers["location"] == "/login"
    client.cookies.clear()  # the browser drops the deleted cookie
    assert client.post("/console/gradio_api/queue/join").status_code == 401
