"""Who may use the web app: password hashes, the users and roles of the config, and signed login sessions.

Passwords are stored as scrypt hashes (`hashlib.scrypt`, stdlib) in the form
`scrypt$<n>$<r>$<p>$<salt, base64>$<key, base64>`; `assistant hash-password` prints one. A login session is a
cookie holding `user.expiry.signature`, HMAC-SHA256 signed with a secret kept in the state directory, so
sessions survive a restart of the app and nothing about them is stored server-side.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Role = Literal["staff", "admin"]
ROLES: tuple[Role, ...] = ("staff", "admin")

_SCHEME = "scrypt"
#: scrypt cost parameters: 16 MiB of memory and ~50 ms per hash on a laptop core (OWASP's minimum is n=2**17
#: with r=8 for stored hashes; n=2**14 keeps a login quick on the 2-core servers this runs on).
_N, _R, _P = 2**14, 8, 1
_KEY_BYTES = 32
SECRET_FILE = "serve-secret"


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """The storable scrypt hash of `password` (a fresh random salt unless one is given)."""
    if not password:
        raise ValueError("the password is empty")
    salt = salt if salt is not None else secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=_KEY_BYTES)
    return "$".join([_SCHEME, str(_N), str(_R), str(_P), _b64(salt), _b64(key)])


def is_password_hash(text: str) -> bool:
    """True when `text` has the shape `hash_password` writes (a plain password does not)."""
    return _parse(text) is not None


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches the stored hash; compares in constant time."""
    parsed = _parse(stored)
    if parsed is None:
        return False
    n, r, p, salt, key = parsed
    candidate = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=len(key),
                               maxmem=128 * r * n * p + 1024 * 1024)
    return hmac.compare_digest(candidate, key)


def _parse(text: str) -> tuple[int, int, int, bytes, bytes] | None:
    parts = text.split("$")
    if len(parts) != 6 or parts[0] != _SCHEME:
        return None
    try:
        n, r, p = (int(part) for part in parts[1:4])
        salt, key = base64.b64decode(parts[4], validate=True), base64.b64decode(parts[5], validate=True)
    except ValueError:
        return None
    if n < 2 or n & (n - 1) or r < 1 or p < 1 or not salt or len(key) < 16:
        return None
    return n, r, p, salt, key


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class User:
    """A person who may log in, and what they may see."""

    name: str
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class Users:
    """The users of the config; `authenticate` checks a login."""

    def __init__(self, entries: list[tuple[str, Role, str]]):
        """`entries`: (name, role, password hash) per user."""
        self._entries = {name: (role, password_hash) for name, role, password_hash in entries}
        # A fixed hash to check unknown names against, so a wrong name costs as long as a wrong password.
        self._decoy = hash_password("decoy", salt=b"\0" * 16)

    def authenticate(self, name: str, password: str) -> User | None:
        """The user when `name` and `password` match a configured user, else None."""
        role, stored = self._entries.get(name, ("staff", self._decoy))
        matched = verify_password(password, stored)
        return User(name, role) if matched and name in self._entries else None

    def get(self, name: str) -> User | None:
        """The configured user called `name` (None when there is none)."""
        entry = self._entries.get(name)
        return User(name, entry[0]) if entry else None

    def __len__(self) -> int:
        return len(self._entries)


class Sessions:
    """Signed, expiring login tokens: `issue` after a login, `user_of` on every request."""

    def __init__(self, secret: bytes, users: Users, lifetime_s: float = 12 * 3600):
        self.secret = secret
        self.users = users
        self.lifetime_s = lifetime_s

    def issue(self, user: User, now: float | None = None) -> str:
        """A token naming `user`, valid for `lifetime_s` from `now`."""
        expires = int((now if now is not None else time.time()) + self.lifetime_s)
        payload = f"{_b64url(user.name.encode('utf-8'))}.{expires}"
        return f"{payload}.{self._sign(payload)}"

    def user_of(self, token: str | None, now: float | None = None) -> User | None:
        """The user a token names, when its signature holds, it has not expired and the user still exists
        (a user removed from the config, or given another role, is logged out or re-roled at once)."""
        if not token or token.count(".") != 2:
            return None
        payload, signature = token.rsplit(".", 1)
        if not hmac.compare_digest(signature, self._sign(payload)):
            return None
        encoded_name, expires = payload.split(".")
        try:
            name = base64.urlsafe_b64decode(encoded_name + "=" * (-len(encoded_name) % 4)).decode("utf-8")
            if int(expires) < (now if now is not None else time.time()):
                return None
        except ValueError:
            return None
        return self.users.get(name)

    def _sign(self, payload: str) -> str:
        digest = hmac.new(self.secret, payload.encode("ascii"), hashlib.sha256).digest()
        return _b64url(digest)


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
