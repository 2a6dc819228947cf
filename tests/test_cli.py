"""CLI pieces that need no model: the approval policy for side-effecting calls and argument parsing."""

from __future__ import annotations

import pytest

from assistant.cli import _approver, _one_person, build_parser
from assistant.config import parse_config
from assistant.events import ToolCall

CALL = ToolCall("api.bookMeetingRoom", {"room_id": "bora"}, True,
                {"method": "POST", "url": "http://127.0.0.1:8765/rooms/bora/bookings", "body": {"start": "10:00"}})


def test_yes_sends_without_asking(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("builtins.input", lambda prompt: pytest.fail("must not ask"))
    assert _approver(yes=True, interactive=True)(CALL) is True


def test_without_a_terminal_side_effects_are_not_sent_and_the_model_is_told_why(capsys: pytest.CaptureFixture):
    from assistant.approvals import CannotApprove

    with pytest.raises(CannotApprove, match="no terminal to approve"):
        _approver(yes=False, interactive=False)(CALL)
    assert "pass --yes" in capsys.readouterr().err


@pytest.mark.parametrize("reply, sent", [("y", True), ("yes", True), ("", False), ("n", False)])
def test_terminal_asks_and_shows_the_request(monkeypatch: pytest.MonkeyPatch, capsys, reply: str, sent: bool):
    prompts: list[str] = []
    monkeypatch.setattr("builtins.input", lambda prompt: prompts.append(prompt) or reply)
    assert _approver(yes=False, interactive=True)(CALL) is sent
    assert "POST http://127.0.0.1:8765/rooms/bora/bookings" in prompts[0]
    assert '"start": "10:00"' in capsys.readouterr().out


def test_every_issue_subcommand_exists():
    parser = build_parser()
    for argv in (["chat"], ["ask", "q", "--json", "--dry-run", "--yes", "--catalog", "c.yaml", "--docs", "d",
                            "--adapter", "a"], ["ingest", "docs"], ["demo-api", "--port", "1"]):
        assert callable(parser.parse_args(argv).run)


def test_build_data_keeps_the_previous_split_unless_told_otherwise():
    parser = build_parser()
    assert parser.parse_args(["build-data"]).new_split is False
    assert parser.parse_args(["build-data", "--new-split"]).new_split is True


def test_build_data_help_states_the_builders_own_defaults():
    from finetune.build_data import BuildDataConfig

    build = next(action for action in build_parser()._subparsers._group_actions[0].choices.values()
                 if action.prog.endswith("build-data"))
    helps = {action.dest: action.help for action in build._actions}
    for name in ("per_operation", "calculator", "no_call"):
        assert f"(default {BuildDataConfig.model_fields[name].default})" in helps[name], name


def test_a_terminal_serves_one_person_on_one_engine_unless_the_config_sets_the_pool():
    assert _one_person(parse_config({})).model.engines == 1
    assert _one_person(parse_config({"model": {"engines": 3}})).model.engines == 3
