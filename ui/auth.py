"""Who may use the web app: the users and roles of the config, login sessions and throttling.

A login session is a cookie holding `user.expiry.session-id.signature`, HMAC-SHA256 signed with a secret kept
in the state directory; the session id must also be in the server's session table (`sessions.db` in the state
directory), so logging out ends a session at once and sessions survive a restart of the app. `LoginThrottle`
refuses further tries for a name or from an address after repeated failures. Passwords are checked against
their scrypt hashes (`assistant.passwords`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import sqlite3
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from assistant.passwords import decoy_hash, verify_password

Role = Literal["staff", "admin"]
ROLES: tuple[Role, ...] = ("staff", "admin")
SECRET_FILE = "serve-secret"
SESSIONS_FILE = "sessions.db"


@dataclass(frozen=True)
class User:
    """A person who may log in, and what they may see."""

    name: str
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class Users:
    """The users of the config; `authenticate` checks a login (slow by design: call it off the event loop)."""

    def __init__(self, entries: list[tuple[str, Role, str]]):
        """`entries`: (name, role, password hash) per user."""
        self._entries = {name: (role, password_hash) for name, role, password_hash in entries}
        self._decoy: str | None = None

    def authenticate(self, name: str, password: str) -> User | None:
        """The user when `name` and `password` match a configured user, else None."""
        role, stored = self._entries.get(name, ("staff", None))
        matched = verify_password(password, stored if stored is not None else self._decoy_hash())
        return User(name, role) if matched and stored is not None else None

    def _decoy_hash(self) -> str:
        """A hash to check unknown names against, as slow as the users' own (made once, on first need)."""
        if self._decoy is None:
            self._decoy = decoy_hash([stored for _, stored in self._entries.values()])
        return self._decoy

    def get(self, name: str) -> User | None:
        """The configured user called `name` (None when there is none)."""
        entry = self._entries.get(name)
        return User(name, entry[0]) if entry else None

    def __len__(self) -> int:
        return len(self._entries)


class SessionTable:
    """The sessions that are open, by id, with their user and expiry: a token whose id is not here is refused.

    Kept in SQLite (`path`; ":memory:" for a table that ends with the process) and mirrored in memory, since
    the gate looks a session up on every request. One process serves the app, so the mirror stays exact.
    """

    def __init__(self, path: Path | str = ":memory:"):
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, user TEXT NOT NULL, "
                             "expires INTEGER NOT NULL)")
            self._db.execute("DELETE FROM sessions WHERE expires < ?", (int(time.time()),))
            self._open = {sid: (user, expires) for sid, user, expires in self._db.execute("SELECT * FROM sessions")}

    def add(self, session_id: str, user: str, expires: int) -> None:
        with self._lock:
            self._db.execute("INSERT INTO sessions VALUES (?, ?, ?)", (session_id, user, expires))
            self._open[session_id] = (user, expires)

    def user_of(self, session_id: str, now: float) -> str | None:
        """The user of an open, unexpired session."""
        entry = self._open.get(session_id)
        return entry[0] if entry is not None and entry[1] >= now else None

    def remove(self, session_id: str) -> bool:
        """End a session; False when it was not open."""
        with self._lock:
            self._db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            return self._open.pop(session_id, None) is not None

    def prune(self, now: float) -> None:
        """Forget the sessions that have expired."""
        with self._lock:
            self._db.execute("DELETE FROM sessions WHERE expires < ?", (int(now),))
            self._open = {sid: entry for sid, entry in self._open.items() if entry[1] >= now}

    def __len__(self) -> int:
        return len(self._open)


class Sessions:
    """Login sessions: `issue` after a login, `user_of` on every request, `revoke` at logout.

    A token is signed (so a forged one is refused without a lookup) and names a session id that must still be
    open in `table`."""

    def __init__(self, secret: bytes, users: Users, lifetime_s: float = 12 * 3600,
                 table: SessionTable | None = None):
        self.secret = secret
        self.users = users
        self.lifetime_s = lifetime_s
        self.table = table if table is not None else SessionTable()

    def issue(self, user: User, now: float | None = None) -> str:
        """A token naming `user` and a fresh open session, valid for `lifetime_s` from `now`."""
        now = time.time() if now is None else now
        self.table.prune(now)
        expires = int(now + self.lifetime_s)
        session_id = secrets.token_urlsafe(18)
        self.table.add(session_id, user.name, expires)
        payload = f"{_b64url(user.name.encode('utf-8'))}.{expires}.{session_id}"
        return f"{payload}.{self._sign(payload)}"

    def user_of(self, token: str | None, now: float | None = None) -> User | None:
        """The user a token names, when its signature holds, it has not expired, its session is open and the
        user still exists (a user removed from the config, or given another role, is logged out or re-roled
        at once)."""
        parsed = self._verified(token)
        if parsed is None:
            return None
        name, expires, session_id = parsed
        now = time.time() if now is None else now
        if expires < now or self.table.user_of(session_id, now) != name:
            return None
        return self.users.get(name)

    def revoke(self, token: str | None) -> bool:
        """End the session a token names (logout); False when it names no open session."""
        parsed = self._verified(token)
        return self.table.remove(parsed[2]) if parsed is not None else False

    def _verified(self, token: str | None) -> tuple[str, int, str] | None:
        """(user name, expiry, session id) of a well-formed token whose signature holds."""
        if not token or token.count(".") != 3:
            return None
        payload, signature = token.rsplit(".", 1)
        if not hmac.compare_digest(signature, self._sign(payload)):
            return None
        encoded_name, expires, session_id = payload.split(".")
        try:
            name = base64.urlsafe_b64decode(encoded_name + "=" * (-len(encoded_name) % 4)).decode("utf-8")
            return name, int(expires), session_id
        except ValueError:
            return None

    def _sign(self, payload: str) -> str:
        digest = hmac.new(self.secret, payload.encode("utf-8"), hashlib.sha256).digest()
        return _b64url(digest)


class LoginThrottle:
    """Refuses logins for a name, or from an address, after `max_failures` failed tries within `window_s`,
    until `window_s` has passed since the oldest of them (a sliding window, so a steady guesser stays out).

    Only failures count; a successful login clears its name's record (not its address's: one person logging
    in does not clear a guesser sharing their address)."""

    def __init__(self, max_failures: int = 5, window_s: float = 300.0):
        self.max_failures = max_failures
        self.window_s = window_s
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, name: str, address: str, now: float | None = None) -> float:
        """Seconds until `name` from `address` may try again; 0 when it may now."""
        now = time.monotonic() if now is None else now
        with self._lock:
            waits = [self._wait(key, now) for key in self._keys(name, address)]
        return max(waits)

    def failed(self, name: str, address: str, now: float | None = None) -> None:
        """Count a failed try."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._forget_old(now)
            for key in self._keys(name, address):
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, name: str) -> None:
        """A correct login for `name`: its earlier failures no longer count."""
        with self._lock:
            self._failures.pop(("name", name.casefold()), None)

    def _wait(self, key: tuple[str, str], now: float) -> float:
        times = self._failures.get(key)
        if not times:
            return 0.0
        recent = [t for t in times if t > now - self.window_s]
        if len(recent) < self.max_failures:
            return 0.0
        return recent[-self.max_failures] + self.window_s - now

    def _forget_old(self, now: float) -> None:
        for key in list(self._failures):
            times = self._failures[key]
            while times and times[0] <= now - self.window_s:
                times.popleft()
            if not times:
                del self._failures[key]

    @staticmethod
    def _keys(name: str, address: str) -> list[tuple[str, str]]:
        return [("name", name.casefold()), ("address", address)]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def load_secret(home: Path) -> bytes:
    """The state directory's session secret, created (readable by its owner only) on first use."""
    path = Path(home) / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = path.with_name(f"{SECRET_FILE}.{secrets.token_hex(4)}")
        fresh.touch(mode=0o600)
        fresh.write_bytes(secrets.token_bytes(32))
        fresh.replace(path)  # atomic: a reader never sees a half-written secret
    return path.read_bytes()
