"""The login page and the gate in front of both Gradio apps.

Every request passes `Gate` (plain ASGI, so Gradio's streamed responses pass through untouched): without a
valid session cookie a page request is sent to `/login` and anything else gets 401; under `/console` a
staff session gets 403 — the console's page, its config and every one of its API and queue endpoints are
refused before Gradio sees the request. The login page is self-contained HTML: no script, no external asset.
Passwords are checked in worker threads (scrypt takes about half a second and 128 MiB), a few at a time, and
`LoginThrottle` turns repeated failures away before any hashing.
"""

from __future__ import annotations

import html
import json
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, quote

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ui.auth import LoginThrottle, Sessions, User

COOKIE = "assistant_session"
CONSOLE_PATH = "/console"
#: Reachable without a session.
PUBLIC_PATHS = {"/login", "/logout", "/healthz", "/favicon.ico"}
#: The tab icon (an orange speech bubble), served inline: the login page asks for it before anyone is in.
FAVICON = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path fill="#f97316" d="M4 4h24a2 2 0 0 1 '
           '2 2v15a2 2 0 0 1-2 2H13l-7 6v-6H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>')
#: Passwords checked at once: each scrypt check holds 128 MiB, so a burst of logins queues instead.
HASHING_THREADS = 2


def session_token(cookie_header: str | None) -> str | None:
    """The session cookie's value in a Cookie header, if any."""
    if not cookie_header:
        return None
    cookies = SimpleCookie()
    try:
        cookies.load(cookie_header)
    except Exception:  # a malformed Cookie header is no session
        return None
    morsel = cookies.get(COOKIE)
    return morsel.value if morsel else None


def user_of(sessions: Sessions, cookie_header: str | None) -> User | None:
    """The logged-in user a Cookie header names, if any."""
    return sessions.user_of(session_token(cookie_header))


def is_console(path: str) -> bool:
    return path == CONSOLE_PATH or path.startswith(CONSOLE_PATH + "/")


class Gate:
    """ASGI middleware: login required everywhere but `PUBLIC_PATHS`; `/console` for admins only."""

    def __init__(self, app, sessions: Sessions):
        self.app = app
        self.sessions = sessions

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket") or scope["path"] in PUBLIC_PATHS:
            return await self.app(scope, receive, send)
        headers = {key.decode("latin-1"): value.decode("latin-1") for key, value in scope.get("headers", [])}
        user = user_of(self.sessions, headers.get("cookie"))
        path = scope["path"]
        if user is not None and (user.is_admin or not is_console(path)):
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            return await send({"type": "websocket.close", "code": 1008})
        wants_page = scope["method"] == "GET" and "text/html" in headers.get("accept", "")
        if user is None and wants_page:
            target = path + (f"?{scope['query_string'].decode()}" if scope.get("query_string") else "")
            response = RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        elif user is None:
            response = _json(401, "log in first")
        elif wants_page:
            response = HTMLResponse(_page("Not for staff", "<p>The console is for admins.</p>"
                                          '<p><a href="/">Back to the chat</a></p>'), status_code=403)
        else:
            response = _json(403, "the console is for admins")
        await response(scope, receive, send)


def _json(status: int, message: str):
    from fastapi.responses import JSONResponse

    return JSONResponse({"detail": message}, status_code=status)


def login_router(sessions: Sessions, title: str, secure_cookie: bool = False,
                 throttle: LoginThrottle | None = None) -> APIRouter:
    """GET/POST /login, /logout and /healthz. `secure_cookie`: the session cookie is sent over HTTPS only;
    `throttle`: how many failed logins a name or an address gets (default: 5 in 5 minutes)."""
    router = APIRouter()
    throttle = throttle if throttle is not None else LoginThrottle()
    hashing = anyio.CapacityLimiter(HASHING_THREADS)

    @router.get("/login", response_class=HTMLResponse)
    def login_page(next: str = "/", error: str = "") -> HTMLResponse:
        return HTMLResponse(_login_form(title, _safe_next(next), error))

    @router.post("/login")
    async def login(request: Request):
        form = parse_qs((await request.body()).decode("utf-8", errors="replace"))
        name = form.get("username", [""])[0].strip()
        password = form.get("password", [""])[0]
        target = _safe_next(form.get("next", ["/"])[0])
        address = request.client.host if request.client else "unknown"
        async with hashing:  # checked here, not before queueing, so a burst of guesses cannot all get in
            wait_s = throttle.retry_after(name, address)
            if wait_s > 0:
                return _throttled(title, target, name, wait_s)
            user = await anyio.to_thread.run_sync(sessions.users.authenticate, name, password)
            if user is None:
                throttle.failed(name, address)
        if user is None:
            return HTMLResponse(_login_form(title, target, "Wrong name or password.", name), status_code=401)
        throttle.succeeded(name)
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(COOKIE, sessions.issue(user), max_age=int(sessions.lifetime_s), httponly=True,
                            samesite="strict", secure=secure_cookie, path="/")
        return response

    @router.get("/logout")
    def logout(request: Request):
        sessions.revoke(session_token(request.headers.get("cookie")))  # the cookie is dead even if kept
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=secure_cookie)
        return response

    @router.get("/healthz")
    def healthz():
        return {"ok": True}

    @router.get("/favicon.ico")
    def favicon() -> Response:
        return Response(FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})

    return router


def _throttled(title: str, target: str, name: str, wait_s: float) -> HTMLResponse:
    minutes = max(1, round(wait_s / 60))
    message = (f"Too many failed sign-ins for this name or from this address. Try again in {minutes} "
               f"minute{'s' if minutes > 1 else ''}.")
    return HTMLResponse(_login_form(title, target, message, name), status_code=429,
                        headers={"Retry-After": str(int(wait_s) + 1)})


def _safe_next(target: str) -> str:
    """Only a path on this site (no scheme, no //host), so a login link cannot send anyone elsewhere."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


_STYLE = """
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f4f5f7;color:#1f2937}
main{max-width:360px;margin:12vh auto;background:#fff;border-radius:12px;padding:32px 36px;
box-shadow:0 2px 12px rgba(0,0,0,.08)}
h1{font-size:1.35rem;margin:0 0 4px} p.sub{margin:0 0 24px;color:#6b7280;font-size:.92rem}
label{display:block;font-size:.85rem;font-weight:600;margin:14px 0 6px}
input{width:100%;box-sizing:border-box;padding:10px 12px;border:1px solid #d1d5db;border-radius:8px;font-size:1rem}
button{margin-top:22px;width:100%;padding:11px;border:0;border-radius:8px;background:#ea580c;color:#fff;
font-size:1rem;font-weight:600;cursor:pointer} .error{color:#b91c1c;font-size:.9rem;margin-top:12px}
a{color:#ea580c}
"""


def _page(title: str, body: str) -> str:
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{html.escape(title)}</title>"
            f"<meta name=viewport content='width=device-width,initial-scale=1'><style>{_STYLE}</style></head>"
            f"<body><main>{body}</main></body></html>")


def _login_form(title: str, target: str, error: str = "", name: str = "") -> str:
    problem = f"<p class=error role=alert>{html.escape(error)}</p>" if error else ""
    body = (
        f"<h1>{html.escape(title)}</h1><p class=sub>Sign in with your company account.</p>"
        f"<form method=post action=/login><input type=hidden name=next value={json.dumps(target)}>"
        f"<label for=username>Name</label><input id=username name=username autocomplete=username required "
        f"autofocus value={json.dumps(name)}>"
        "<label for=password>Password</label><input id=password name=password type=password "
        "autocomplete=current-password required>"
        f"<button type=submit>Sign in</button>{problem}</form>"
    )
    return _page(f"Sign in · {title}", body)
