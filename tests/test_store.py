"""The conversation log keeps every turn, ties feedback to turns, and survives concurrent readers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from assistant.events import FinalAnswer, Timings, ToolOutcome
from assistant.store import ConversationStore


def answer(text: str, calls: list[ToolOutcome] | None = None) -> FinalAnswer:
    timings = Timings(prompt_tokens=10, sampled_tokens=5, forced_tokens=2, first_token_s=0.1, tools_s=0.0, total_s=0.6)
    messages = [{"role": "assistant", "content": text}]
    return FinalAnswer(text, calls or [], ["leave_policy.md"], messages, timings, "end_of_turn")


def test_turns_are_logged_in_order_with_calls_sources_and_timings(tmp_path: Path):
    store = ConversationStore(tmp_path / "log.db")
    conversation = store.start_conversation("ann", "How much leave?")
    call = ToolOutcome("calculator", {"expression": "2+2"}, "ran", result={"result": "4"}, elapsed_s=0.01)
    first = store.log_turn(conversation, "How much leave?", answer("25 days.", [call]), "smollm2")
    second = store.log_turn(conversation, "And sick leave?", answer("12 days."), "smollm2")
    turns = store.turns(conversation)
    assert [t.id for t in turns] == [first, second] and [t.position for t in turns] == [0, 1]
    assert turns[0].tool_calls[0]["tool"] == "calculator" and turns[0].tool_calls[0]["status"] == "ran"
    assert turns[0].sources == ["leave_policy.md"] and turns[0].timings["sampled_tokens"] == 5
    assert turns[0].messages[0] == {"role": "user", "content": "How much leave?"}
    assert store.history(conversation) == [
        {"role": "user", "content": "How much leave?"}, {"role": "assistant", "content": "25 days."},
        {"role": "user", "content": "And sick leave?"}, {"role": "assistant", "content": "12 days."},
    ]


def test_the_history_holds_each_turns_calls_and_tool_results_for_the_next_turn_to_go_on_from(tmp_path: Path):
    store = ConversationStore(tmp_path / "log.db")
    conversation = store.start_conversation("ann", "open tickets?")
    called = [{"role": "assistant", "content": '<tool:api.listTickets>{"status": "open"}'},
              {"role": "tool", "name": "api.listTickets", "content": '{"status": 200, "body": {"tickets": []}}'},
              {"role": "assistant", "content": "I found no tickets."}]
    final = FinalAnswer("I found no tickets.", [], [], called, answer("x").timings, "end_of_turn")
    store.log_turn(conversation, "open tickets?", final, "m")
    store.log_turn(conversation, "and urgent?", answer("None."), "m")
    assert store.history(conversation) == [
        {"role": "user", "content": "open tickets?"}, *called,
        {"role": "user", "content": "and urgent?"}, {"role": "assistant", "content": "None."}]
    # a turn logged without its messages whole still gives its question and answer
    with sqlite3.connect(tmp_path / "log.db") as db:
        db.execute("UPDATE turns SET messages = '[]' WHERE position = 0")
    assert store.history(conversation)[:2] == [{"role": "user", "content": "open tickets?"},
                                               {"role": "assistant", "content": "I found no tickets."}]


def test_feedback_is_tied_to_the_turn_and_validated(tmp_path: Path):
    store = ConversationStore(tmp_path / "log.db")
    conversation = store.start_conversation("ann", "q")
    turn = store.log_turn(conversation, "q", answer("a"), "m")
    store.add_feedback(turn, "ann", -1, correction="the right answer")
    with sqlite3.connect(tmp_path / "log.db") as db:
        row = db.execute("SELECT turn_id, rating, correction FROM feedback").fetchone()
    assert row == (turn, -1, "the right answer")
    with pytest.raises(ValueError, match="rating must be"):
        store.add_feedback(turn, "ann", 5)
    with pytest.raises(KeyError, match="no turn 999"):
        store.add_feedback(999, "ann", 1)


def test_a_conversations_ratings_are_the_latest_per_turn(tmp_path: Path):
    store = ConversationStore(tmp_path / "log.db")
    conversation = store.start_conversation("ann", "q")
    first, second, third = (store.log_turn(conversation, q, answer("a"), "m") for q in ("q1", "q2", "q3"))
    store.add_feedback(first, "ann", 1)
    store.add_feedback(second, "ann", 1)
    store.add_feedback(second, "ann", -1, correction="better")  # changed their mind: the latest counts
    other = store.start_conversation("bob", "q")
    store.add_feedback(store.log_turn(other, "q", answer("a"), "m"), "bob", 1)
    assert store.ratings(conversation) == {first: 1, second: -1} and third not in store.ratings(conversation)


def test_log_is_wal_and_persists_across_instances(tmp_path: Path):
    ConversationStore(tmp_path / "log.db").start_conversation("bob", "hello")
    reopened = ConversationStore(tmp_path / "log.db")
    assert [c["title"] for c in reopened.conversations("bob")] == ["hello"]
    with sqlite3.connect(tmp_path / "log.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_deleting_a_conversation_removes_its_turns_and_feedback(tmp_path: Path):
    store = ConversationStore(tmp_path / "log.db")
    keep, drop = store.start_conversation("ann", "keep"), store.start_conversation("ann", "drop")
    store.log_turn(keep, "k", answer("k"), "m")
    store.add_feedback(store.log_turn(drop, "d", answer("d"), "m"), "ann", 1)
    store.delete_conversation(drop)
    assert [c["id"] for c in store.conversations("ann")] == [keep]
    with sqlite3.connect(tmp_path / "log.db") as db:
        assert db.execute("SELECT COUNT(*) FROM turns").fetchone()[0] == 1
        assert db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0] == 0


def test_logging_to_an_unknown_conversation_fails_without_writing(tmp_path: Path):
    store = ConversationStore(tmp_path / "log.db")
    with pytest.raises(KeyError, match="no conversation"):
        store.log_turn("nope", "q", answer("a"), "m")
    with sqlite3.connect(tmp_path / "log.db") as db:
        assert db.execute("SELECT COUNT(*) FROM turns").fetchone()[0] == 0


def test_a_new_conversation_is_stored_with_its_first_turn_or_not_at_all(tmp_path: Path):
    store = ConversationStore(tmp_path / "log.db")
    conversation, turn = store.log_new_conversation("ann", "How much leave?", answer("25 days."), "smollm2")
    assert store.conversations("ann")[0]["id"] == conversation and store.conversations("ann")[0]["title"] == \
        "How much leave?"
    assert [t.id for t in store.turns(conversation)] == [turn]
    with pytest.raises(AttributeError):  # a turn that cannot be stored takes its new conversation with it
        store.log_new_conversation("bob", "q", None, "m")  # type: ignore[arg-type]
    assert store.conversations("bob") == []
