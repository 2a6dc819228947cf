"""Password hashes: scrypt (`hashlib.scrypt`, stdlib) in the form `scrypt$<n>$<r>$<p>$<salt, base64>$<key,
base64>`; `assistant hash-password` prints one, the config's users hold them. The cost parameters travel in the
hash, so a hash made with older, cheaper parameters still verifies.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections import Counter

_SCHEME = "scrypt"
#: scrypt cost parameters for new hashes: OWASP's recommendation for stored passwords (128 MiB of memory and
#: about half a second per hash on one core). Logins hash in a worker thread, never on the event loop.
_N, _R, _P = 2**17, 8, 1
_KEY_BYTES = 32
#: The most memory a stored hash may ask for (128 * n * r * p bytes): a hash with parameters past this is
#: not a hash this module made and is refused rather than allowed to exhaust the server's memory.
_MAX_SCRYPT_BYTES = 1 << 30


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """The storable scrypt hash of `password` (a fresh random salt unless one is given)."""
    if not password:
        raise ValueError("the password is empty")
    return _hash(password, secrets.token_bytes(16) if salt is None else salt, _N, _R, _P)


def _hash(password: str, salt: bytes, n: int, r: int, p: int) -> str:
    key = _scrypt(password, salt, n, r, p, _KEY_BYTES)
    return "$".join([_SCHEME, str(n), str(r), str(p), _b64(salt), _b64(key)])


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    # hashlib refuses to use more than `maxmem` bytes (32 MiB by default); scrypt needs 128 * n * r * p.
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=dklen,
                          maxmem=128 * n * r * p + (1 << 20))


def is_password_hash(text: str) -> bool:
    """True when `text` has the shape `hash_password` writes (a plain password does not)."""
    return _parse(text) is not None


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches the stored hash; compares in constant time."""
    parsed = _parse(stored)
    if parsed is None:
        return False
    n, r, p, salt, key = parsed
    return hmac.compare_digest(_scrypt(password, salt, n, r, p, len(key)), key)


def _parse(text: str) -> tuple[int, int, int, bytes, bytes] | None:
    parts = text.split("$")
    if len(parts) != 6 or parts[0] != _SCHEME:
        return None
    try:
        n, r, p = (int(part) for part in parts[1:4])
        salt, key = base64.b64decode(parts[4], validate=True), base64.b64decode(parts[5], validate=True)
    except ValueError:
        return None
    if n < 2 or n & (n - 1) or r < 1 or p < 1 or not salt or len(key) < 16 or 128 * n * r * p > _MAX_SCRYPT_BYTES:
        return None
    return n, r, p, salt, key


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def decoy_hash(stored: list[str]) -> str:
    """A fixed hash at the cost parameters most of `stored` have, to check unknown names against, so a wrong
    name costs as long as a wrong password."""
    costs = Counter(parsed[:3] for hashed in stored if (parsed := _parse(hashed)))
    n, r, p = costs.most_common(1)[0][0] if costs else (_N, _R, _P)
    return _hash("decoy", b"\0" * 16, n, r, p)
