"""Tool-call conversations for every operation of an API catalog.

Each example is a request a member of staff might type, the call with arguments that validate against
the operation's schema (every argument value appears in the request, so the model learns to copy it),
the API's answer synthesised from the documented response schema, and a final answer that repeats what
the answer says. Requests are phrased from the operation's summary and its parameters' descriptions
(`finetune.builders.phrasing`). Some examples are the second turn of a chat, after an earlier exchange;
a few calls fail with "not found", and the answer says so.
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from typing import Any

import jsonschema

from assistant.result_answers import describe_result, humanize, scalar_text
from finetune.builders.phrasing import mentions, phrase_request
from finetune.builders.responses import ResponseDoc, synthesize
from finetune.builders.values import sample_value
from finetune.records import Record, call_messages
from tools.base import ToolResult
from tools.openapi import Operation

#: Share of examples whose call fails with "not found" (operations with a path parameter only).
ERROR_RATE = 0.08
#: Share of calls preceded by a few words of the assistant's own.
TEXT_BEFORE_RATE = 0.2
#: Share of examples that are the second turn of a chat, after an earlier request and its answer.
FOLLOW_UP_RATE = 0.15


def catalog_records(
    operations: list[Operation],
    rng: random.Random,
    per_operation: int = 24,
    *,
    today: date,
    responses: dict[str, ResponseDoc] | None = None,
    max_tool_result_chars: int = 1500,
) -> list[Record]:
    """`per_operation` conversations for each operation (fewer only when it has too few distinct phrasings).

    `responses` maps operationId to its documented success response; `today` anchors every date, and
    `max_tool_result_chars` cuts tool messages as the engine does.
    """
    responses = responses or {}
    records: list[Record] = []
    for operation in operations:
        undocumented = ResponseDoc(201 if operation.method == "POST" else 200, None)
        response = responses.get(operation.operation_id) or undocumented
        seen: set[str] = set()
        for _ in range(per_operation * 20):
            if len(seen) >= per_operation:
                break
            record = _example(operation, response, rng, today, max_tool_result_chars)
            if rng.random() < FOLLOW_UP_RATE:
                record = _after_earlier_exchange(record, operations, responses, rng, today, max_tool_result_chars)
            if record.user_text not in seen:
                seen.add(record.user_text)
                records.append(record)
    return records


def _after_earlier_exchange(
    record: Record, operations: list[Operation], responses: dict[str, ResponseDoc], rng: random.Random,
    today: date, max_chars: int,
) -> Record:
    """`record` as the second turn of a chat: an earlier request and its answer come first, as text only,
    the way the conversation log hands earlier turns back to the engine."""
    earlier_operation = rng.choice(operations)
    response = responses.get(earlier_operation.operation_id) or ResponseDoc(200, None)
    earlier = _example(earlier_operation, response, rng, today, max_chars).messages
    history = [earlier[0], {"role": "assistant", "content": earlier[-1]["content"]}]
    return Record("catalog", record.tool, [*history, *record.messages], meta=record.meta)


def _example(
    operation: Operation, response: ResponseDoc, rng: random.Random, today: date, max_chars: int
) -> Record:
    tool = f"api.{operation.operation_id}"
    arguments = sample_arguments(operation, rng, today)
    request = phrase_request(operation, arguments, rng)
    missing = [name for name, value in arguments.items() if not mentions(request, name, value)]
    if missing:
        raise AssertionError(f"{tool}: the request {request!r} does not mention {missing}")
    path_arguments = [name for name in arguments if operation.locations.get(name) == "path"]
    if path_arguments and rng.random() < ERROR_RATE:
        name = path_arguments[0]
        what = f"{humanize(name).removesuffix(' id')} {scalar_text(arguments[name])}"
        error = f"HTTP 404 Not Found: {what} does not exist"
        result = ToolResult(error=error)
        answer = f"I could not find {what}: the service says it does not exist. Please check the {humanize(name)}."
        meta = {"error": True}
    else:
        topic = f"{operation.summary} {operation.description}"
        body = synthesize(response.schema, rng, today, arguments, topic)
        result = ToolResult(value={"status": response.status, "body": body})
        answer = describe_result(operation, body)
        meta = {"error": False}
    before = rng.choice(_TEXT_BEFORE_SIDE if operation.side_effects else _TEXT_BEFORE) \
        if rng.random() < TEXT_BEFORE_RATE else ""
    messages = call_messages(request, tool, arguments, result.to_message(max_chars), answer,
                             schema=operation.parameters, text_before=before)
    return Record("catalog", tool, messages, meta={**meta, "arguments": arguments})


_TEXT_BEFORE = ["Let me check.", "One moment.", "Let me look that up.", "Checking now."]
_TEXT_BEFORE_SIDE = ["I'll do that now.", "On it.", "Sure, submitting that now."]


# ----------------------------------------------------------------------------------------------------
# Arguments


def undescribed(operations: list[Operation]) -> list[str]:
    """One line per operation without a summary or description, and per argument without a description:
    requests are phrased from those words, so such an operation is asked for only by its names."""
    problems = []
    for operation in operations:
        if not operation.summary.strip() and not operation.description.strip():
            problems.append(f"operation {operation.operation_id} has no summary or description")
        bare = [name for name, schema in operation.parameters.get("properties", {}).items()
                if not str(schema.get("description", "")).strip()]
        if bare:
            problems.append(f"operation {operation.operation_id}: no description for {', '.join(bare)}")
    return problems


def sample_arguments(operation: Operation, rng: random.Random, today: date) -> dict[str, Any]:
    """Arguments for `operation`: every required one, each group of optional ones half of the time.

    An optional parameter whose description says it "needs" others is drawn together with them, and
    start/end (from/to) pairs are put in order. The result is checked against the operation's schema.
    """
    schema = operation.parameters
    properties: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    topic = f"{operation.summary} {operation.description}"
    chosen = set(required)
    for group in _optional_groups(properties, required):
        if rng.random() < 0.5:
            chosen |= group
    arguments = {name: sample_value(name, properties[name], rng, today, topic)
                 for name in properties if name in chosen}
    _order_ranges(arguments, properties, rng, today, topic)
    errors = sorted(jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
                    .iter_errors(arguments), key=str)
    if errors:
        raise AssertionError(f"api.{operation.operation_id}: built invalid arguments {arguments}: {errors[0].message}")
    return arguments


_NEEDS = re.compile(r"\b(needs?|requires?|together with|along with)\b", re.I)


def _optional_groups(properties: dict[str, Any], required: set[str]) -> list[set[str]]:
    groups: list[set[str]] = []
    for name, sub in properties.items():
        if name in required or any(name in group for group in groups):
            continue
        group = {name}
        description = sub.get("description", "")
        if _NEEDS.search(description):
            group |= {other for other in properties if other != name and re.search(rf"\b{other}\b", description)}
        groups.append(group - required)
    return groups


_RANGE_PAIRS = (("start", "end"), ("from", "to"), ("since", "until"), ("min", "max"))


def _order_ranges(
    arguments: dict[str, Any], properties: dict[str, Any], rng: random.Random, today: date, topic: str
) -> None:
    """Make `start_x` come before `end_x` (and from/to, since/until, min/max).

    A date range lasts 0 to 9 days and a time range 30 minutes to 3 hours, like real requests;
    other pairs are redrawn until they differ and then put in order.
    """
    for first, second in _RANGE_PAIRS:
        for name in list(arguments):
            other = second + name[len(first) :]
            if not name.startswith(first + "_") or other not in arguments:
                continue
            later = _later(arguments[name], properties[other], rng)
            if later is not None:
                arguments[other] = later
                continue
            for _ in range(20):
                if arguments[name] != arguments[other]:
                    break
                arguments[other] = sample_value(other, properties[other], rng, today, topic)
            low, high = sorted([arguments[name], arguments[other]])
            arguments[name], arguments[other] = low, high


def _later(start: Any, schema: dict[str, Any], rng: random.Random) -> Any | None:
    """A value a little after `start` that `schema` accepts: an ISO date or an HH:MM time; else None."""
    if not isinstance(start, str):
        return None
    if schema.get("format") == "date":
        return (date.fromisoformat(start) + timedelta(days=rng.randint(0, 9))).isoformat()
    clock = re.fullmatch(r"(\d\d):(\d\d)", start)
    if clock:
        minutes = int(clock.group(1)) * 60 + int(clock.group(2)) + rng.choice([30, 45, 60, 90, 120, 180])
        end = f"{minutes // 60:02d}:{minutes % 60:02d}"
        if minutes < 24 * 60 and re.search(schema.get("pattern", ""), end):
            return end
    return None
