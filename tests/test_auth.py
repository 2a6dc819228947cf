"""Logins: scrypt password hashes, the configured users and roles, signed expiring sessions that logout ends,
and the throttle on failed logins."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from assistant.config import ConfigError, parse_config
from assistant.passwords import hash_password, is_password_hash, verify_password
from ui.auth import LoginThrottle, Sessions, SessionTable, User, Users, load_secret

#: Made by an earlier release, at n=2**14: the parameters travel in the hash, so it must go on verifying.
OLD_HASH = "scrypt$16384$8$1$Zml4ZWQtc2FsdC0xNmJ5dA==$vzi2rgVF5X6eeIb440u6yg/a1ls/aviyGSPTWXl1+Hk="


def test_a_hash_verifies_its_password_only():
    stored = hash_password("correct horse")
    assert is_password_hash(stored) and stored.startswith("scrypt$131072$8$1$")  # OWASP's n=2**17, r=8, p=1
    assert verify_password("correct horse", stored)
    assert not verify_password("correct hors", stored)
    assert hash_password("correct horse") != stored  # a fresh salt each time


def test_a_hash_made_with_the_older_cheaper_parameters_still_verifies():
    assert is_password_hash(OLD_HASH)
    assert verify_password("s3cret-from-2024", OLD_HASH) and not verify_password("s3cret-from-2023", OLD_HASH)
    assert Users([("sam", "staff", OLD_HASH)]).authenticate("sam", "s3cret-from-2024") == User("sam", "staff")


@pytest.mark.parametrize("text", ["", "hunter2", "scrypt$1$8$1$AAAA$AAAA", "md5$abc", "scrypt$16384$8$1$!!$??",
                                  # asks for 16 GiB: refused, not computed
                                  OLD_HASH.replace("$16384$", "$16777216$")])
def test_what_is_not_a_hash_is_recognised_and_never_verifies(text: str):
    assert not is_password_hash(text)
    assert not verify_password(text, text)


@functools.cache
def stored(password: str) -> str:
    return hash_password(password)  # about a second each at the current parameters: made once


def users() -> Users:
    return Users([("ada", "admin", stored("a-pass")), ("sam", "staff", stored("s-pass"))])


def test_authenticate_returns_the_user_with_the_configured_role():
    table = users()
    assert table.authenticate("ada", "a-pass") == User("ada", "admin")
    assert table.authenticate("sam", "s-pass") == User("sam", "staff")
    assert table.authenticate("sam", "a-pass") is None
    assert table.authenticate("nobody", "decoy") is None  # the decoy hash never logs anyone in


def test_a_session_token_names_its_user_until_it_expires_or_is_tampered_with():
    sessions = Sessions(b"k" * 32, users(), lifetime_s=60)
    token = sessions.issue(User("sam", "staff"), now=1000)
    assert sessions.user_of(token, now=1030) == User("sam", "staff")
    assert sessions.user_of(token, now=1061) is None
    forged = token.replace(token.split(".")[0], "YWRh")  # "ada", keeping sam's signature
    assert sessions.user_of(forged, now=1030) is None
    assert Sessions(b"x" * 32, users()).user_of(token, now=1030) is None
    assert sessions.user_of("garbage", now=1030) is None and sessions.user_of(None) is None


def test_a_session_follows_the_config_when_a_user_is_removed_or_changes_role():
    table = SessionTable()
    token = Sessions(b"k" * 32, users(), table=table).issue(User("sam", "admin"), now=1000)
    assert Sessions(b"k" * 32, users(), table=table).user_of(token, now=1001) == User("sam", "staff")
    assert Sessions(b"k" * 32, Users([]), table=table).user_of(token, now=1001) is None


def test_a_revoked_session_is_refused_and_the_table_outlives_a_restart(tmp_path: Path):
    sessions = Sessions(b"k" * 32, users(), table=SessionTable(tmp_path / "sessions.db"))
    kept, ended = sessions.issue(User("sam", "staff")), sessions.issue(User("sam", "staff"))
    assert sessions.revoke(ended) and not sessions.revoke(ended)
    assert sessions.user_of(ended) is None and sessions.user_of(kept) == User("sam", "staff")
    restarted = Sessions(b"k" * 32, users(), table=SessionTable(tmp_path / "sessions.db"))
    assert restarted.user_of(kept) == User("sam", "staff") and restarted.user_of(ended) is None
    # A validly signed token whose session the server never opened is refused too.
    assert Sessions(b"k" * 32, users()).user_of(kept) is None


def test_the_throttle_refuses_a_name_or_an_address_after_repeated_failures_for_the_window():
    throttle = LoginThrottle(max_failures=3, window_s=60)
    for t in (0, 1, 2):
        assert throttle.retry_after("sam", "10.0.0.1", now=t) == 0
        throttle.failed("sam", "10.0.0.1", now=t)
    assert throttle.retry_after("sam", "10.0.0.9", now=3) == pytest.approx(57)  # the name, from anywhere
    assert throttle.retry_after("SAM", "10.0.0.9", now=3) > 0
    assert throttle.retry_after("ada", "10.0.0.1", now=3) > 0  # the address, for any name
    assert throttle.retry_after("ada", "10.0.0.9", now=3) == 0
    assert throttle.retry_after("sam", "10.0.0.9", now=61) == 0  # the window has passed
    throttle.failed("kim", "10.0.0.2", now=100)
    throttle.succeeded("kim")
    assert throttle._failures.keys() == {("address", "10.0.0.2")}  # old entries are forgotten


def test_the_session_secret_is_made_once_and_private(tmp_path: Path):
    first = load_secret(tmp_path)
    assert len(first) == 32 and load_secret(tmp_path) == first
    assert (tmp_path / "serve-secret").stat().st_mode & 0o077 == 0


def test_serve_users_need_hashes_and_unique_names():
    good = {"name": "sam", "role": "staff", "password_hash": stored("s-pass")}
    config = parse_config({"serve": {"users": [good], "port": 8080}})
    assert config.serve.users[0].role == "staff" and config.serve.port == 8080
    with pytest.raises(ConfigError, match="password_hash is not a hash"):
        parse_config({"serve": {"users": [{**good, "password_hash": "hunter2"}]}})
    with pytest.raises(ConfigError, match="listed more than once"):
        parse_config({"serve": {"users": [good, good]}})
    with pytest.raises(ConfigError, match="serve.users.0.role"):
        parse_config({"serve": {"users": [{**good, "role": "root"}]}})
    with pytest.raises(ConfigError, match="serve.colour: unknown key"):
        parse_config({"serve": {"colour": "blue"}})


def test_hash_password_command_prints_a_verifiable_hash(monkeypatch: pytest.MonkeyPatch, capsys):
    import io

    from assistant.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret\n"))
    assert main(["hash-password", "--password-stdin"]) == 0
    printed = capsys.readouterr().out.strip()
    assert verify_password("s3cret", printed)


def test_serve_refuses_to_start_without_users(tmp_path: Path, capsys):
    from assistant.cli import main

    assert main(["serve", "--home", str(tmp_path)]) == 2
    assert "serve.users is empty" in capsys.readouterr().err
