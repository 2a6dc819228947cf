"""Formatting and parsing of tool turns are inverses; the chat template glue is what the engine forces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from transformers import AutoTokenizer

from assistant.chat_format import (
    ChatFormat,
    ChatTemplateError,
    arguments_json,
    call_content,
    parse_call,
    to_openai_messages,
    to_toolken_messages,
)

SCHEMA = {"type": "object", "properties": {"room": {"type": "string"}, "start": {"type": "string"},
                                           "attendees": {"type": "array", "items": {"type": "object",
                                           "properties": {"name": {"type": "string"}, "id": {"type": "string"}}}}}}


def test_call_content_and_parse_call_round_trip():
    content = call_content("Let me book it. ", "<tool:api.bookRoom>", '{"room": "Aurora", "note": "ü {x}"}')
    parsed = parse_call(content)
    assert parsed is not None
    assert (parsed.text_before, parsed.tool, parsed.arguments) == (
        "Let me book it. ", "api.bookRoom", {"room": "Aurora", "note": "ü {x}"})
    assert parse_call("no call here") is None


def test_arguments_follow_schema_order_like_the_grammar():
    arguments = {"start": "10:00", "attendees": [{"id": "E1", "name": "Ann"}], "room": "Aurora"}
    text = arguments_json(arguments, SCHEMA)
    assert text == '{"room": "Aurora", "start": "10:00", "attendees": [{"name": "Ann", "id": "E1"}]}'
    assert json.loads(text) == arguments


def test_openai_and_toolken_messages_round_trip():
    openai = [
        {"role": "user", "content": "Book Aurora at ten."},
        {"role": "assistant", "content": "",
         "tool_calls": [{"id": "call_0", "type": "function",
                         "function": {"name": "api.bookRoom", "arguments": '{"start": "10:00", "room": "Aurora"}'}}]},
        {"role": "tool", "tool_call_id": "call_0", "name": "api.bookRoom", "content": '{"result": {"id": 7}}'},
        {"role": "assistant", "content": "Booked, reference 7."},
    ]
    toolken = to_toolken_messages(openai, {"api.bookRoom": SCHEMA})
    assert toolken[1] == {"role": "assistant", "content": '<tool:api.bookRoom>{"room": "Aurora", "start": "10:00"}'}
    assert toolken[2] == {"role": "tool", "content": '{"result": {"id": 7}}', "name": "api.bookRoom"}
    back = to_openai_messages(toolken)
    assert json.loads(back[1]["tool_calls"][0]["function"]["arguments"]) == {"room": "Aurora", "start": "10:00"}
    assert back[2]["tool_call_id"] == back[1]["tool_calls"][0]["id"]
    assert to_toolken_messages(back, {"api.bookRoom": SCHEMA}) == toolken


def test_tool_result_suffix_closes_call_holds_result_and_reopens_reply(smollm2_folder: Path):
    chat = ChatFormat(AutoTokenizer.from_pretrained(smollm2_folder))
    history = [{"role": "user", "content": "2+2?"}]
    suffix = chat.tool_result_suffix(history, '<tool:calculator>{"expression": "2+2"}', '{"result": 4}')
    assert suffix == '<|im_end|>\n<|im_start|>tool\n{"result": 4}<|im_end|>\n<|im_start|>assistant\n'
    # The engine's pieces, concatenated, are exactly the template's rendering of the whole conversation.
    call = '<tool:calculator>{"expression": "2+2"}'
    whole = chat.render(history + [{"role": "assistant", "content": call}, {"role": "tool", "content": '{"result": 4}'}],
                        add_generation_prompt=True)
    assert chat.render(history, add_generation_prompt=True) + call + suffix == whole


def test_a_template_without_tool_role_is_refused(smollm2_folder: Path):
    tokenizer = AutoTokenizer.from_pretrained(smollm2_folder)
    tokenizer.chat_template = "{% for m in messages %}{% if m['role'] != 'tool' %}{{ m['content'] }}{% endif %}{% endfor %}"
    with pytest.raises(ChatTemplateError, match="drops tool messages"):
        ChatFormat(tokenizer)
    tokenizer.chat_template = None
    with pytest.raises(ChatTemplateError, match="no chat template"):
        ChatFormat(tokenizer)
