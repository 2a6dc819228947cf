"""How conversations with tool calls become text, through the model's own chat template.

A tool call is an assistant message whose content ends with the toolken and the JSON arguments,
`Let me check.<tool:calculator>{"expression": "2+2"}`; the tool's answer is a `tool` message. The engine
and the training data render conversations the same way, so what the model learns is what it sees.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from transformers import PreTrainedTokenizerBase

from tools.base import TOOLKEN_PREFIX

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


def arguments_json(arguments: dict[str, Any]) -> str:
    """The canonical JSON text of a call's arguments, as the constrained decoder writes it."""
    return json.dumps(arguments, ensure_ascii=False, separators=(", ", ": "))


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
