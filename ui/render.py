"""Turns as chat messages: the reply text, each tool step as a collapsible box, the sources.

Messages are the plain dicts Gradio's Chatbot takes (`{"role", "content", "metadata"}`); a message with a
`metadata.title` shows as a collapsible step with its duration. The same rendering serves a turn being
streamed (`TurnView`, fed events) and one reopened from the log (`record_messages`), so a reopened
conversation looks as it did live. Pure functions: no Gradio import.
"""

from __future__ import annotations

import json
from typing import Any

from assistant.events import Event, FinalAnswer, QueueWait, Sources, TextDelta, Timings, ToolCall, ToolOutcome
from assistant.store import TurnRecord
from tools.base import TOOLKEN_PREFIX
from ui.turns import ApprovalNeeded

Message = dict[str, Any]
#: The line under a turn that waits for the model behind other people's turns.
QUEUED = "Queued: the assistant is answering other people; yours starts as soon as it can."

_STATUS_WORDS = {"ran": "done", "planned": "planned, not sent", "declined": "not sent", "invalid": "invalid call",
                 "failed": "failed"}
_RESULT_CHARS = 1200


def tool_title(tool: str, status: str | None) -> str:
    """The step's one-line title: the tool and what happened."""
    kind = "Calculator" if tool == "calculator" else "Handbook search" if tool == "search" else "API"
    name = f"{kind} · {tool.removeprefix('api.')}" if kind == "API" else kind
    if status == "writing":
        return f"{name}: writing the call"
    if status is None:
        return f"{name}: running"
    if status == "waiting":
        return f"{name}: waiting for your confirmation"
    return f"{name}: {_STATUS_WORDS.get(status, status)}"


def tool_body(arguments: dict[str, Any], plan: dict[str, Any] | None = None, result: Any = None,
              error: str | None = None) -> str:
    """The step's body in Markdown: the request (for API calls: method, URL, body), then the result or error."""
    parts = []
    if plan and plan.get("method"):
        parts.append(f"**Request** `{plan['method']} {plan.get('url', '')}`")
        if plan.get("body") is not None:
            parts.append(_code(plan["body"]))
    else:
        parts.append("**Arguments**")
        parts.append(_code(arguments))
    if error:
        parts.append(f"**Error** {error}")
    elif result is not None:
        parts.append("**Result**")
        parts.append(_code(result))
    return "\n\n".join(parts)


def _code(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=2, default=str)
    if len(text) > _RESULT_CHARS:
        text = text[: _RESULT_CHARS - 1] + "…"
    return f"```json\n{text}\n```"


def step_summary(arguments: dict[str, Any], result: Any = None, error: str | None = None, limit: int = 90) -> str:
    """One subdued line beside a step's title: the arguments, and the result or error in short."""
    shown = ", ".join(f"{key}={json.dumps(value, ensure_ascii=False, default=str)}" for key, value in arguments.items())
    if error:
        shown = f"{shown} → {error}" if shown else error
    elif isinstance(result, dict) and "result" in result:  # the calculator's {"expression", "result", ...}
        shown = f"{shown} → {result['result']}"
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def sources_line(sources: list[str]) -> str:
    """How an answer cites the documents it drew on."""
    return "**Sources:** " + ", ".join(f"`{source}`" for source in sources)


def approval_text(call: ToolCall) -> str:
    """What the person is asked to confirm: the exact request that would be sent."""
    plan = call.plan or {}
    what = f"`{plan.get('method', '')} {plan.get('url', call.tool)}`".strip()
    lines = [f"**Confirm this change?** The assistant wants to send {what}."]
    if plan.get("body") is not None:
        lines.append(_code(plan["body"]))
    lines.append("Nothing is sent unless you press **Send**.")
    return "\n\n".join(lines)


class TurnView:
    """The assistant messages of one turn, rebuilt as its events arrive."""

    def __init__(self) -> None:
        self.parts: list[Message] = []
        self.sources: list[str] = []
        self.timings: Timings | None = None
        #: Seconds the turn waited for the model behind other people's turns; None while it still waits or
        #: when it never had to.
        self.waited_s: float | None = None
        self.queued = False
        self._call: ToolCall | None = None
        self._writing: Message | None = None  # the step shown while the model writes a call's arguments

    def expect_call(self, tool: str) -> None:
        """Show a pending step for `tool` at once (a turn started with a tool), before its arguments exist."""
        self._writing = {"role": "assistant", "content": "",
                         "metadata": {"title": tool_title(tool, "writing"), "status": "pending"}}
        self.parts.append(self._writing)

    def _new_step(self, message: Message) -> None:
        if self._writing is not None:  # the arguments are written: the waiting step becomes the call
            self._writing.clear()
            self._writing.update(message)
            self._writing = None
        else:
            self.parts.append(message)

    def add(self, event: Event | ApprovalNeeded | QueueWait) -> None:
        if isinstance(event, QueueWait):
            self.queued = not event.started
            self.waited_s = event.waited_s if event.started else None
        elif isinstance(event, TextDelta):
            if not self.parts or "metadata" in self.parts[-1]:
                self.parts.append({"role": "assistant", "content": ""})
            self.parts[-1]["content"] += event.text
        elif isinstance(event, ToolCall):
            self._call = event
            self._new_step({"role": "assistant", "content": tool_body(event.arguments, event.plan),
                            "metadata": {"title": tool_title(event.tool, None), "status": "pending",
                                         "log": step_summary(event.arguments)}})
        elif isinstance(event, ApprovalNeeded):
            self._step()["metadata"]["title"] = tool_title(event.call.tool, "waiting")
        elif isinstance(event, ToolOutcome):
            plan = self._call.plan if self._call is not None and self._call.tool == event.tool else None
            if self._call is None or self._call.tool != event.tool:  # a call abandoned before it was decoded
                self._new_step({"role": "assistant", "content": "", "metadata": {}})
            step = self._step()
            step["content"] = tool_body(event.arguments, plan, event.result, event.error)
            step["metadata"] = {"title": tool_title(event.tool, event.status), "status": "done",
                                "duration": round(event.elapsed_s, 2),
                                "log": step_summary(event.arguments, event.result, event.error)}
            self._call = None
        elif isinstance(event, Sources):
            self.sources = list(event.sources)
        elif isinstance(event, Timings):
            self.timings = event
        elif isinstance(event, FinalAnswer) and not any("metadata" not in p for p in self.parts):
            self.parts.append({"role": "assistant", "content": event.answer or "(no answer)"})

    def note(self) -> str:
        """The line under the turn: that it is queued, else its timings (with the wait, when it waited)."""
        return QUEUED if self.queued else timing_note(self.timings, self.waited_s)

    def _step(self) -> Message:
        return next(part for part in reversed(self.parts) if "metadata" in part)

    def messages(self) -> list[Message]:
        """The turn's assistant messages so far, with the sources under the answer."""
        messages = [dict(part, metadata=dict(part["metadata"])) if "metadata" in part else dict(part)
                    for part in self.parts]
        if self.sources:
            messages.append({"role": "assistant", "content": sources_line(self.sources)})
        return messages


def record_messages(record: TurnRecord) -> list[Message]:
    """A logged turn as it was shown: the question, then each stretch of reply text and each tool step in the
    order they came (from the turn's messages), the sources last."""
    messages: list[Message] = [{"role": "user", "content": record.question}]
    calls = list(record.tool_calls)
    texts = 0
    for message in record.messages:
        if message.get("role") != "assistant":
            continue
        content = message.get("content") or ""
        text, toolken, _ = content.partition(TOOLKEN_PREFIX)  # arguments cut off mid-JSON still are a call
        if text.strip():
            messages.append({"role": "assistant", "content": text.strip()})
            texts += 1
        if toolken and calls:
            messages.append(_step_message(calls.pop(0)))
    messages += [_step_message(call) for call in calls]  # outcomes without a call message (abandoned calls)
    if not texts:
        messages.append({"role": "assistant", "content": record.answer or "(no answer)"})
    if record.sources:
        messages.append({"role": "assistant", "content": sources_line(record.sources)})
    return messages


def _step_message(call: dict[str, Any]) -> Message:
    arguments = call.get("arguments") or {}
    return {
        "role": "assistant",
        "content": tool_body(arguments, None, call.get("result"), call.get("error")),
        "metadata": {"title": tool_title(call["tool"], call.get("status", "ran")), "status": "done",
                     "duration": round(float(call.get("elapsed_s") or 0.0), 2),
                     "log": step_summary(arguments, call.get("result"), call.get("error"))},
    }


def timing_note(timings: Timings | None, waited_s: float | None = None) -> str:
    """A small line under an answer: the wait behind other people's turns (when there was one), first token,
    tokens per second, total."""
    waited = f"waited {waited_s:.1f} s for others' answers · " if waited_s else ""
    if timings is None:
        return waited.removesuffix(" · ")
    return (f"{waited}first token {timings.first_token_s:.2f} s · {timings.sampled_tokens} tokens · "
            f"{timings.decode_tokens_per_s:.0f} tokens/s · {timings.total_s:.2f} s in all")
