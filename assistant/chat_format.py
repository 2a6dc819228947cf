"""How conversations with tool calls become text, through the model's own chat template.

A tool call is an assistant message whose content ends with the toolken and the JSON arguments,
`Let me check.<tool:calculator>{"expression": "2+2"}`; the tool's answer is a `tool` message. The engine
and the training data render conversations the same way, so what the model learns is what it sees.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from transformers import PreTrainedTokenizerBase

from tools.base import TOOLKEN_PREFIX, toolken_for

_CALL = re.compile(re.escape(TOOLKEN_PREFIX) + r"([^>\s]+)>")
_PROBE = "\u2063probe\u2063"


class ChatTemplateError(ValueError):
    """The tokenizer's chat template cannot express the tool turns the engine needs."""


@dataclass(frozen=True)
class ParsedCall:
    """A tool call recovered from an assistant message's content."""

    text_before: str
    tool: str
    arguments: dict[str, Any]
    #: The properties the call was not sent for want of (`Engine._hold_for`, its tool message's "held_for");
    #: empty for a call that was sent.
    held_for: tuple[str, ...] = ()


def system_message(prompt: str, today: date | None) -> str:
    """The system message: the configured prompt, then today's date when given, so that "tomorrow" or "this
    Friday" in a request can be resolved to a date."""
    if today is None:
        return prompt
    return f"{prompt}\nToday is {today:%A}, {today.day} {today:%B %Y} ({today.isoformat()})."


def call_content(text_before: str, toolken: str, arguments_json: str) -> str:
    """The assistant content of a tool call: visible text, the toolken, the JSON arguments."""
    return f"{text_before}{toolken}{arguments_json}"


def parse_call(content: str) -> ParsedCall | None:
    """Inverse of `call_content`; None when the content holds no toolken."""
    match = _CALL.search(content)
    if match is None:
        return None
    arguments, _ = json.JSONDecoder().raw_decode(content[match.end() :])
    return ParsedCall(text_before=content[: match.start()], tool=match.group(1), arguments=arguments)


def arguments_json(arguments: dict[str, Any], schema: dict[str, Any] | None = None) -> str:
    """The JSON text of a call's arguments exactly as the constrained decoder writes it.

    The grammar emits properties in the schema's order with `", "` and `": "` separators, so training
    text must too; without a schema the given order is kept.
    """
    return json.dumps(_schema_order(arguments, schema or {}), ensure_ascii=False, separators=(", ", ": "))


def _schema_order(value: Any, schema: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        ordered = [key for key in properties if key in value] + [key for key in value if key not in properties]
        return {key: _schema_order(value[key], properties.get(key, {})) for key in ordered}
    if isinstance(value, list):
        return [_schema_order(item, schema.get("items", {})) for item in value]
    return value


def to_toolken_messages(
    messages: list[dict[str, Any]], schemas: dict[str, dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """OpenAI-style messages (assistant `tool_calls`, `tool` replies) -> the engine's toolken messages.

    `schemas` (tool name -> argument schema) orders each call's arguments as the grammar would.
    Each assistant message may hold one call; a message with several is split into one per call.
    """
    schemas = schemas or {}
    converted: list[dict[str, Any]] = []
    for message in messages:
        calls = message.get("tool_calls") or []
        if message["role"] == "assistant" and calls:
            for index, call in enumerate(calls):
                function = call["function"]
                arguments = function["arguments"]
                if isinstance(arguments, str):
                    arguments = json.loads(arguments)
                text = (message.get("content") or "") if index == 0 else ""
                content = call_content(text, toolken_for(function["name"]), arguments_json(arguments, schemas.get(function["name"])))
                converted.append({"role": "assistant", "content": content})
        elif message["role"] == "tool":
            converted.append({"role": "tool", "content": message["content"], "name": message.get("name", "")})
        else:
            converted.append({"role": message["role"], "content": message.get("content") or ""})
    return converted


def to_openai_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Inverse of `to_toolken_messages`: toolken calls become `tool_calls` with ids call_0, call_1, …"""
    converted: list[dict[str, Any]] = []
    count = 0
    for message in messages:
        parsed = parse_call(message["content"]) if message["role"] == "assistant" else None
        if parsed is not None:
            call_id = f"call_{count}"
            count += 1
            function = {"name": parsed.tool, "arguments": json.dumps(parsed.arguments, ensure_ascii=False)}
            converted.append(
                {"role": "assistant", "content": parsed.text_before,
                 "tool_calls": [{"id": call_id, "type": "function", "function": function}]}
            )
        elif message["role"] == "tool":
            call_id = f"call_{count - 1}" if count else "call_0"
            converted.append({"role": "tool", "tool_call_id": call_id, "name": message.get("name", ""),
                              "content": message["content"]})
        else:
            converted.append({"role": message["role"], "content": message["content"]})
    return converted


class ChatFormat:
    """Renders messages with the tokenizer's chat template and cuts the pieces the engine forces."""

    def __init__(self, tokenizer: PreTrainedTokenizerBase):
        if not getattr(tokenizer, "chat_template", None):
            raise ChatTemplateError("the tokenizer has no chat template; use an instruction-tuned model")
        self.tokenizer = tokenizer
        self._check_template()

    def render(self, messages: list[dict[str, Any]], *, add_generation_prompt: bool) -> str:
        return self.tokenizer.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=add_generation_prompt
        )

    def encode(self, text: str) -> list[int]:
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def prompt_ids(self, messages: list[dict[str, Any]]) -> list[int]:
        """Token ids of `messages` followed by the start of an assistant reply."""
        return self.encode(self.render(messages, add_generation_prompt=True))

    def tool_result_suffix(self, history: list[dict[str, Any]], call: str, result: str) -> str:
        """The text between the end of an assistant tool call and the start of the next reply.

        It closes the assistant message, holds the tool message, and opens a new assistant message;
        the engine feeds it as forced (not sampled) tokens.
        """
        before = self._render_open(history + [{"role": "assistant", "content": call}])
        after = self.render(
            history + [{"role": "assistant", "content": call}, {"role": "tool", "content": result}],
            add_generation_prompt=True,
        )
        if not after.startswith(before):
            raise ChatTemplateError("the chat template renders earlier messages differently once more follow")
        return after[len(before) :]

    def _render_open(self, messages: list[dict[str, Any]]) -> str:
        """`messages` rendered with the last (assistant) message left open, as during generation."""
        content = messages[-1]["content"]
        closed = self.render(messages[:-1] + [{"role": "assistant", "content": content + _PROBE}], add_generation_prompt=False)
        cut = closed.rfind(_PROBE)
        return closed[:cut]

    def _check_template(self) -> None:
        history = [{"role": "user", "content": "What is 2+2?"}]
        rendered = self.render(
            history + [{"role": "assistant", "content": "x"}, {"role": "tool", "content": _PROBE}],
            add_generation_prompt=True,
        )
        if _PROBE not in rendered:
            raise ChatTemplateError("the chat template drops tool messages; the engine needs a `tool` role")
        self.tool_result_suffix(history, "x", _PROBE)
