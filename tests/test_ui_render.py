"""Turns rendered as chat messages: streamed (events) and reopened (log records) look the same."""

from __future__ import annotations

from assistant.events import FinalAnswer, Sources, TextDelta, Timings, ToolCall, ToolOutcome
from assistant.store import TurnRecord
from ui.render import TurnView, approval_text, record_messages, timing_note, tool_title
from ui.turns import ApprovalNeeded

TIMINGS = Timings(prompt_tokens=10, sampled_tokens=20, forced_tokens=5, first_token_s=0.5, tools_s=0.1, total_s=2.1)
BOOK = ToolCall("api.cancelLeaveRequest", {"request_id": 3}, True,
                {"method": "POST", "url": "http://127.0.0.1:8765/leave-requests/3/cancel", "body": None})


def test_a_streamed_turn_shows_text_then_a_collapsible_step_then_the_answer_and_sources():
    view = TurnView()
    view.add(TextDelta("Let me check. "))
    view.add(ToolCall("search", {"query": "leave"}, False, {"tool": "search", "arguments": {"query": "leave"}}))
    pending = view.messages()[1]
    assert pending["metadata"] == {"title": "Handbook search: running", "status": "pending", "log": 'query="leave"'}
    assert '"query": "leave"' in pending["content"]
    view.add(ToolOutcome("search", {"query": "leave"}, "ran", result=[{"source": "leave_policy.md"}],
                         sources=["leave_policy.md"], elapsed_s=0.123))
    view.add(TextDelta("You get 25 days."))
    view.add(Sources(["leave_policy.md"]))
    view.add(TIMINGS)
    first, step, answer, sources = view.messages()
    assert first["content"] == "Let me check. " and answer["content"] == "You get 25 days."
    assert step["metadata"] == {"title": "Handbook search: done", "status": "done", "duration": 0.12,
                                "log": 'query="leave"'}
    assert "**Result**" in step["content"] and "leave_policy.md" in step["content"]
    assert sources["content"] == "**Sources:** `leave_policy.md`"
    assert timing_note(view.timings).startswith("first token 0.50 s")


def test_an_api_step_shows_the_request_and_waits_visibly_for_confirmation():
    view = TurnView()
    view.add(BOOK)
    view.add(ApprovalNeeded(BOOK, "approval-1"))
    step = view.messages()[0]
    assert step["metadata"]["title"] == "API · cancelLeaveRequest: waiting for your confirmation"
    assert "`POST http://127.0.0.1:8765/leave-requests/3/cancel`" in step["content"]
    view.add(ToolOutcome(BOOK.tool, BOOK.arguments, "declined", error="the user declined this call"))
    step = view.messages()[0]
    assert step["metadata"]["title"] == "API · cancelLeaveRequest: not sent"
    assert "**Error** the user declined this call" in step["content"]
    assert "Nothing is sent unless you press **Send**" in approval_text(BOOK)


def test_an_abandoned_call_and_an_empty_answer_still_render():
    view = TurnView()
    view.add(ToolOutcome("calculator", {}, "invalid", error="the arguments ran past 24 tokens"))
    view.add(FinalAnswer("", [], [], [], TIMINGS, "max_new_tokens"))
    step, answer = view.messages()
    assert step["metadata"]["title"] == "Calculator: invalid call" and answer["content"] == "(no answer)"


def test_a_reopened_turn_looks_like_the_streamed_one():
    record = TurnRecord(
        id=7, conversation_id="c", position=0, question="What is 6*7?", answer="42.", messages=[],
        tool_calls=[{"tool": "calculator", "arguments": {"expression": "6*7"}, "result": {"result": "42"},
                     "error": None, "status": "ran", "elapsed_s": 0.01}],
        sources=[], timings={}, model="m", created_at=0.0)
    question, step, answer = record_messages(record)
    assert question == {"role": "user", "content": "What is 6*7?"}
    assert step["metadata"]["title"] == tool_title("calculator", "ran") == "Calculator: done"
    assert '"expression": "6*7"' in step["content"] and answer["content"] == "42."
    assert step["metadata"]["log"] == 'expression="6*7" → 42'


def test_a_turn_started_with_a_tool_shows_the_step_at_once_and_fills_it_in():
    view = TurnView()
    view.expect_call("calculator")
    assert view.messages() == [{"role": "assistant", "content": "",
                                "metadata": {"title": "Calculator: writing the call", "status": "pending"}}]
    view.add(ToolCall("calculator", {"expression": "0.17*2340"}, False, {}))
    view.add(ToolOutcome("calculator", {"expression": "0.17*2340"}, "ran", result={"result": "397.8"}))
    view.add(TextDelta("397.8"))
    step, answer = view.messages()
    assert step["metadata"]["title"] == "Calculator: done" and step["metadata"]["log"] == 'expression="0.17*2340" → 397.8'
    assert answer["content"] == "397.8"

    abandoned = TurnView()
    abandoned.expect_call("search")
    abandoned.add(ToolOutcome("search", {}, "invalid", error="the arguments ran past 8 tokens"))
    (step,) = abandoned.messages()
    assert step["metadata"]["title"] == "Handbook search: invalid call"


def test_a_reopened_turn_keeps_its_text_segments_apart_around_the_steps():
    content = 'I\'ll do that now.<tool:api.getEmployee>{"employee_id": "E9"}'
    record = TurnRecord(
        id=8, conversation_id="c", position=0, question="Show E9", answer="I'll do that now.I could not find E9.",
        messages=[{"role": "user", "content": "Show E9"}, {"role": "assistant", "content": content},
                  {"role": "tool", "name": "api.getEmployee", "content": '{"error": "404"}'},
                  {"role": "assistant", "content": "I could not find E9."}],
        tool_calls=[{"tool": "api.getEmployee", "arguments": {"employee_id": "E9"}, "result": None,
                     "error": "404", "status": "failed", "elapsed_s": 0.2}],
        sources=[], timings={}, model="m", created_at=0.0)
    _, before, step, after = record_messages(record)
    assert before == {"role": "assistant", "content": "I'll do that now."}
    assert step["metadata"]["title"] == "API · getEmployee: failed"
    assert after == {"role": "assistant", "content": "I could not find E9."}

    # a call whose arguments were cut off still sits where it was written, before the reply after it
    cut = TurnRecord(
        id=9, conversation_id="c", position=1, question="2+2?", answer="Sorry.",
        messages=[{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": '<tool:calculator>{"expr'},
                  {"role": "tool", "name": "calculator", "content": '{"error": "cut"}'},
                  {"role": "assistant", "content": "Sorry."}],
        tool_calls=[{"tool": "calculator", "arguments": {}, "result": None, "error": "the arguments ran past 8 tokens",
                     "status": "invalid", "elapsed_s": 0.0}],
        sources=[], timings={}, model="m", created_at=0.0)
    _, step, reply = record_messages(cut)
    assert step["metadata"]["title"] == "Calculator: invalid call" and reply["content"] == "Sorry."


def test_a_queued_turn_says_so_and_its_timing_line_counts_the_wait():
    from assistant.events import QueueWait

    view = TurnView()
    view.add(QueueWait(0.0, started=False))
    assert view.queued and view.waited_s is None and view.note().startswith("Queued:")
    view.add(QueueWait(3.25, started=True))
    view.add(TIMINGS)
    assert not view.queued and view.waited_s == 3.25
    assert timing_note(view.timings, view.waited_s).startswith("waited 3.2 s for others' answers · first token 0.50 s")
    assert view.note() == timing_note(view.timings, view.waited_s)
    assert timing_note(view.timings, None).startswith("first token")
