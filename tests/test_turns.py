"""Chat turns for many users: events streamed from a worker thread, approvals answered from elsewhere,
history and feedback scoped to their owner. The turn itself is scripted; the store is the real SQLite log."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from assistant.approvals import CannotApprove
from assistant.events import FinalAnswer, TextDelta, Timings, ToolCall, ToolOutcome, TurnLogged
from assistant.store import ConversationStore
from ui.turns import ApprovalNeeded, ChatService, NotYours, TurnRunner

CALL = ToolCall("api.createLeaveRequest", {"days": 2}, True, {"method": "POST", "url": "http://127.0.0.1/leave"})
TIMINGS = Timings(1, 1, 0, 0.1, 0.0, 0.2)


def scripted_turn(approve):
    yield TextDelta("Booking. ")
    yield CALL
    try:
        sent, why = approve(CALL), "the user declined this call"
    except CannotApprove as reason:  # as the engine reads it: not sent, and why
        sent, why = False, str(reason)
    yield ToolOutcome(CALL.tool, CALL.arguments, "ran" if sent else "declined", error=None if sent else why)
    yield TextDelta("Done." if sent else "Not sent.")


def test_a_turn_waits_for_the_decision_and_goes_on_with_it():
    runner = TurnRunner(scripted_turn)
    events = runner.events()
    assert isinstance(next(events), TextDelta) and next(events) == CALL
    waiting = next(events)
    assert isinstance(waiting, ApprovalNeeded) and runner.waiting == CALL
    assert runner.decide(waiting.approval_id, True) and runner.waiting is None
    rest = list(events)
    assert rest[0].status == "ran" and rest[-1] == TextDelta("Done.")
    assert not runner.decide(waiting.approval_id, True)  # nothing waits any more


def test_a_decision_must_name_the_waiting_call_and_any_other_is_void():
    runner = TurnRunner(scripted_turn)
    waiting = next(e for e in runner.events() if isinstance(e, ApprovalNeeded))
    assert len(waiting.approval_id) >= 16
    for wrong in ("", "guess", waiting.approval_id[:-1], waiting.approval_id + "x", "é" * 16, None):
        assert not runner.decide(wrong, True)
    assert runner.waiting == CALL  # still waiting: none of those decided anything
    assert runner.decide(waiting.approval_id, False)
    assert [e.status for e in runner.events() if isinstance(e, ToolOutcome)] == ["declined"]


def test_an_unanswered_call_is_declined_when_the_wait_times_out():
    runner = TurnRunner(scripted_turn, approval_timeout_s=0.05)
    events = list(runner.events())
    assert any(isinstance(e, ApprovalNeeded) for e in events)
    assert events[-2].status == "declined" and events[-1] == TextDelta("Not sent.")
    assert events[-2].error == "not sent: nobody confirmed it within 0.05 s"  # not "the user declined"


def test_errors_of_the_turn_reach_the_reader():
    def broken(approve):
        yield TextDelta("a")
        raise RuntimeError("model fell over")

    events = TurnRunner(broken).events()
    assert next(events) == TextDelta("a")
    with pytest.raises(RuntimeError, match="model fell over"):
        next(events)


@pytest.fixture
def service(tmp_path: Path) -> ChatService:
    store = ConversationStore(tmp_path / "conversations.db")

    def ask(question, *, conversation_id=None, user="cli", approve=None, force_tool=None):
        conversation_id = conversation_id or store.start_conversation(user, question)
        final = FinalAnswer(f"answer to {question}", [], [], [{"role": "assistant", "content": "a"}], TIMINGS,
                            "end_of_turn")
        yield TextDelta(final.answer)
        yield final
        yield TurnLogged(conversation_id, store.log_turn(conversation_id, question, final, "test"))

    return ChatService(ask, store)


def run(service: ChatService, user: str, question: str, conversation: str | None = None) -> TurnLogged:
    events = list(service.start_turn(f"tab-{user}", user, question, conversation).events())
    return events[-1]


def test_history_is_per_user_and_reopening_continues_the_conversation(service: ChatService):
    first = run(service, "sam", "hello")
    run(service, "sam", "and more", first.conversation_id)
    run(service, "kim", "mine")
    (mine,) = service.conversations("sam")
    assert mine["id"] == first.conversation_id and mine["title"] == "hello"
    assert [t.question for t in service.turns("sam", first.conversation_id)] == ["hello", "and more"]
    with pytest.raises(NotYours):
        service.turns("kim", first.conversation_id)
    with pytest.raises(NotYours):
        service.start_turn("tab-kim", "kim", "sneak in", first.conversation_id)
    with pytest.raises(NotYours):
        service.delete("kim", first.conversation_id)
    service.delete("sam", first.conversation_id)
    assert service.conversations("sam") == [] and len(service.conversations("kim")) == 1


def test_ratings_and_corrections_land_on_the_exact_turn_of_their_owner(service: ChatService):
    logged = run(service, "sam", "what is 2+2")
    service.rate("sam", logged.turn_id, 1)
    service.rate("sam", logged.turn_id, -1, "  It is 4.  ")
    with pytest.raises(NotYours):
        service.rate("kim", logged.turn_id, 1)
    with pytest.raises(ValueError, match="empty"):
        service.rate("sam", logged.turn_id, -1, "   ")
    (row,) = service.store.feedback()
    assert (row["turn_id"], row["rating"], row["correction"], row["user"]) == (logged.turn_id, -1, "It is 4.", "sam")
    assert service.store.feedback(rating=1) == []  # filters look at the latest feedback of each turn
    assert len(service.store.feedback(corrected=True, text="2+2")) == 1


def test_a_new_question_declines_a_call_left_waiting(service: ChatService):
    service.ask = lambda question, **kw: scripted_turn(kw["approve"])
    runner = service.start_turn("tab", "sam", "book it", None)
    events = runner.events()
    while not isinstance(next(events), ApprovalNeeded):
        pass
    service.start_turn("tab", "sam", "never mind", None)
    outcomes = [e for e in events if isinstance(e, ToolOutcome)]  # the whole turn, to its end
    outcome = outcomes[0]
    assert outcome.status == "declined" and outcome.error.startswith("not sent: the person left the page or asked")
    assert not service.decide("other-tab", "any", True)


def test_a_page_that_goes_away_declines_its_waiting_call_at_once(service: ChatService):
    service.ask = lambda question, **kw: scripted_turn(kw["approve"])
    runner = service.start_turn("tab", "sam", "book it", None)
    events = runner.events()
    while not isinstance(next(events), ApprovalNeeded):
        pass
    assert not service.leave("another-tab")  # nothing waits there; this one still does
    assert runner.waiting == CALL
    started = time.monotonic()
    assert service.leave("tab")
    outcome = next(e for e in events if isinstance(e, ToolOutcome))
    assert outcome.status == "declined" and outcome.error.startswith("not sent: the person left the page")
    assert time.monotonic() - started < service.approval_timeout_s / 10  # not at the timeout
    assert not service.leave("tab")  # nothing waits any more


def test_a_question_asked_while_a_call_waits_starts_once_that_turn_has_ended(service: ChatService):
    store = service.store
    conversation = store.start_conversation("sam", "book it")
    read = {}  # the turns each question's turn found in the store when it started

    def ask(question, *, conversation_id=None, user="cli", approve=None, force_tool=None):
        read[question] = [turn.question for turn in store.turns(conversation_id)]
        if question == "book it":
            yield from scripted_turn(approve)
            time.sleep(0.2)  # the declined turn still writes its reply after the next question came
        final = FinalAnswer(f"answer to {question}", [], [], [{"role": "assistant", "content": "a"}], TIMINGS,
                            "end_of_turn")
        yield final
        yield TurnLogged(conversation_id, store.log_turn(conversation_id, question, final, "test"))

    service.ask = ask
    events = service.start_turn("tab", "sam", "book it", conversation).events()
    while not isinstance(next(events), ApprovalNeeded):
        pass
    list(service.start_turn("tab", "sam", "never mind", conversation).events())
    assert read["never mind"] == ["book it"]  # its history holds the declined turn, answered
    assert [turn.question for turn in store.turns(conversation)] == ["book it", "never mind"]


def test_a_turn_whose_page_moved_on_sends_none_of_its_later_calls_either():
    def two_calls(approve):
        for _ in range(2):
            yield CALL
            try:
                approve(CALL)
            except CannotApprove as reason:
                yield ToolOutcome(CALL.tool, CALL.arguments, "declined", error=str(reason))

    runner = TurnRunner(two_calls, approval_timeout_s=60)
    events = runner.events()
    while not isinstance(next(events), ApprovalNeeded):
        pass
    assert runner.decline()
    rest = list(events)  # the second call is declined unasked, not after a minute's wait
    assert not any(isinstance(event, ApprovalNeeded) for event in rest)
    assert [event.status for event in rest if isinstance(event, ToolOutcome)] == ["declined", "declined"]
