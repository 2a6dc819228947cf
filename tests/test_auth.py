"""Logins: scrypt password hashes, the configured users and roles, signed expiring sessions."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.auth import Sessions, User, Users, hash_password, is_password_hash, load_secret, verify_password
from assistant.config import ConfigError, parse_config


def test_a_hash_verifies_its_password_only():
    stored = hash_password("correct horse")
    assert is_password_hash(stored) and stored.startswith("scrypt$")
    assert verify_password("correct horse", stored)
    assert not verify_password("correct hors", stored)
    assert hash_password("correct horse") != stored  # a fresh salt each time


@pytest.mark.parametrize("text", ["", "hunter2", "scrypt$1$8$1$AAAA$AAAA", "md5$abc", "scrypt$16384$8$1$!!$??"])
def test_what_is_not_a_hash_is_recognised_and_never_verifies(text: str):
    assert not is_password_hash(text)
    assert not verify_password(text, text)


def users() -> Users:
    return Users([("ada", "admin", hash_password("a-pass")), ("sam", "staff", hash_password("s-pass"))])


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
    token = Sessions(b"k" * 32, users()).issue(User("sam", "admin"), now=1000)
    assert Sessions(b"k" * 32, users()).user_of(token, now=1001) == User("sam", "staff")
    assert Sessions(b"k" * 32, Users([])).user_of(token, now=1001) is None


def test_the_session_secret_is_made_once_and_private(tmp_path: Path):
    first = load_secret(tmp_path)
    assert len(first) == 32 and load_secret(tmp_path) == first
    assert (tmp_path / "serve-secret").stat().st_mode & 0o077 == 0


def test_serve_users_need_hashes_and_unique_names():
    good = {"name": "sam", "role": "staff", "password_hash": hash_password("s")}
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
