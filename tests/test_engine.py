"""The toolken state machine, step by step, with a decoder whose logits the test scripts.

The tokenizer and chat template are SmolLM2's own; only the logits are scripted, so every transition
(reply -> toolken -> arguments -> forced tool result -> reply -> end) is checked deterministically.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

from assistant import engine as engine_module
from assistant.actions import SURE_OF_A_CALL, unanswered_question
from assistant.approvals import UNATTENDED_REPLY, Approver, CannotApprove, Unattended
from assistant.chat_format import ChatFormat, call_content, parse_call
from assistant.claims import unsupported_claims
from assistant.config import DEMO_CATALOG, GenerationConfig
from assistant.context_window import TurnTooLong
from assistant.engine import (
    FIGURE_CANDIDATES,
    PLANNED_ONLY,
    WARMING_MESSAGE,
    Engine,
    UnknownTool,
)
from assistant.events import FinalAnswer, Sources, TextDelta, ToolCall, ToolOutcome
from assistant.result_answers import describe_failure, describe_result
from assistant.router import NO_CALL, ToolRouter
from assistant.toolkens import add_toolkens
from tools.base import Tool, ToolResult, toolken_for
from tools.calculator import Calculator
from tools.catalog import ApiOperationTool, CatalogConfig, load_catalog
from tools.retrieval import Hit, SearchTool

END = "<|im_end|>"


class Adder(Tool):
    name = "adder"
    description = "Adds one to an integer."
    parameters = {
        "type": "object",
        "properties": {"a": {"type": "integer"}},
        "required": ["a"],
        "additionalProperties": False,
    }

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def run(self, arguments: dict[str, Any]) -> ToolResult:
        self.calls.append(arguments)
        return ToolResult(value=arguments["a"] + 1, sources=["numbers.md"])


class Booker(Tool):
    """A side-effecting, non-local tool, like an API POST."""

    name = "api.bookRoom"
    description = "Books a meeting room."
    parameters = {
        "type": "object",
        "properties": {"room": {"type": "string", "enum": ["Aurora", "Borealis"]}},
        "required": ["room"],
        "additionalProperties": False,
    }
    side_effects = True
    local = False

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def run(self, arguments: dict[str, Any]) -> ToolResult:
        self.calls.append(arguments)
        return ToolResult(value={"booked": arguments["room"]})

    def plan(self, arguments: dict[str, Any]) -> dict[str, Any]:
        return {"method": "POST", "url": "http://127.0.0.1:8765/rooms/bookings", "body": arguments}


class Failing(Tool):
    name = "broken"
    description = "Always fails."
    parameters = {"type": "object", "properties": {}, "additionalProperties": False}

    def run(self, arguments: dict[str, Any]) -> ToolResult:
        raise RuntimeError("backend down")


class ScriptedDecoder:
    """Returns, at the k-th feed, logits that prefer script[k] (and a second choice, if given, or, for a list,
    each token over the next)."""

    peak = 10.0  # the first choice's logit (the second's is half), every other token's 0
    computed = 0  # what the last start computed: not counted by this fake

    def __init__(self, vocab_size: int, script: list[int | tuple[int, int]]):
        self.vocab_size = vocab_size
        self.script = script
        self.fed: list[list[int]] = []

    @property
    def held(self) -> list[int]:
        return [token for block in self.fed for token in block]

    def reset(self) -> None:
        self.fed = []

    def start(self, token_ids: list[int]) -> torch.Tensor:
        """Go on when `token_ids` extends what was fed (a turn resuming after an approval), else start over."""
        held = self.held
        if not held or token_ids[: len(held)] != held or len(token_ids) == len(held):
            self.reset()
            held = []
        return self.feed(token_ids[len(held):])

    def feed(self, token_ids: list[int]) -> torch.Tensor:
        self.fed.append(list(token_ids))
        step = len(self.fed) - 1
        logits = torch.zeros(self.vocab_size)
        choice = self.script[step] if step < len(self.script) else self.script[-1]
        if isinstance(choice, list):
            logits[choice] = torch.linspace(self.peak, self.peak / 2, len(choice))
            return logits
        first, second = choice if isinstance(choice, tuple) else (choice, None)
        logits[first] = self.peak
        if second is not None:
            logits[second] = self.peak / 2
        return logits


@pytest.fixture(scope="module")
def base_tokenizer_folder(smollm2_folder: Path) -> Path:
    return smollm2_folder


@pytest.fixture
def setup(base_tokenizer_folder: Path):
    """A fresh tokenizer with toolkens for Adder, Booker and Failing, and its chat format."""
    tokenizer = AutoTokenizer.from_pretrained(base_tokenizer_folder)
    tools = [Adder(), Booker(), Failing()]
    tiny = LlamaForCausalLM(
        LlamaConfig(vocab_size=len(tokenizer), hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                    num_attention_heads=2, num_key_value_heads=2, tie_word_embeddings=True)
    )
    registry = add_toolkens(tiny, tokenizer, tools)
    return tokenizer, tools, registry, ChatFormat(tokenizer)


def ids(tokenizer, text: str) -> list[int]:
    return tokenizer(text, add_special_tokens=False)["input_ids"]


def make_engine(setup, script, **generation) -> tuple[Engine, ScriptedDecoder]:
    tokenizer, tools, registry, chat = setup
    decoder = ScriptedDecoder(len(tokenizer), script)
    config = GenerationConfig(repetition_penalty=1.0, **generation)
    engine = Engine(decoder, chat, registry, tools, config, "You are a test assistant.", max_context_tokens=1024)
    return engine, decoder


def run(engine: Engine, question: str = "What is 3 plus one?", **kwargs) -> list:
    return list(engine.run_turn([{"role": "user", "content": question}], **kwargs))


def final(events: list) -> FinalAnswer:
    assert isinstance(events[-1], FinalAnswer)
    return events[-1]


def test_plain_reply_streams_text_and_ends_at_end_of_turn(setup):
    tokenizer = setup[0]
    engine, decoder = make_engine(setup, ids(tokenizer, "Hello there, colleague.") + ids(tokenizer, END))
    events = run(engine)
    streamed = "".join(e.text for e in events if isinstance(e, TextDelta))
    answer = final(events)
    assert streamed == "Hello there, colleague." == answer.answer
    assert answer.tool_calls == [] and answer.stop_reason == "end_of_turn"
    assert answer.messages == [{"role": "assistant", "content": "Hello there, colleague."}]
    assert answer.timings.forced_tokens == 0 and answer.timings.sampled_tokens == len(ids(tokenizer, streamed))
    timings = answer.timings
    assert timings.wait_s == 0 and 0 < timings.prompt_s <= timings.shown_s <= timings.total_s


def test_toolken_switches_to_arguments_runs_tool_and_forces_result(setup):
    tokenizer, tools, registry, chat = setup
    adder = tools[0]
    toolken = registry.by_name("adder").token_id
    script = ids(tokenizer, "Let me add.") + [toolken] + ids(tokenizer, '{"a": 3}')
    script += ids(tokenizer, "It is 4.") + ids(tokenizer, END)
    engine, decoder = make_engine(setup, script)
    events = run(engine)

    call = next(e for e in events if isinstance(e, ToolCall))
    outcome = next(e for e in events if isinstance(e, ToolOutcome))
    assert call.tool == "adder" and call.arguments == {"a": 3}
    assert outcome.status == "ran" and outcome.result == 4 and adder.calls == [{"a": 3}]
    assert next(e for e in events if isinstance(e, Sources)).sources == ["numbers.md"]
    answer = final(events)
    assert answer.answer == "Let me add.It is 4."
    assert [m["role"] for m in answer.messages] == ["assistant", "tool", "assistant"]
    parsed = parse_call(answer.messages[0]["content"])
    assert parsed is not None and (parsed.text_before, parsed.tool, parsed.arguments) == ("Let me add.", "adder", {"a": 3})
    assert json.loads(answer.messages[1]["content"]) == {"result": 4}

    # The tool result reached the model as one block of forced tokens, exactly the template's glue.
    history = [{"role": "system", "content": "You are a test assistant."},
               {"role": "user", "content": "What is 3 plus one?"}]
    suffix = chat.tool_result_suffix(history, answer.messages[0]["content"], answer.messages[1]["content"])
    assert suffix == '<|im_end|>\n<|im_start|>tool\n{"result": 4}<|im_end|>\n<|im_start|>assistant\n'
    forced = ids(tokenizer, suffix)
    assert any(block[-len(forced):] == forced for block in decoder.fed)
    assert answer.timings.forced_tokens == len(forced)


def test_sampled_mask_marks_exactly_the_forced_tokens(setup):
    tokenizer, tools, registry, chat = setup
    toolken = registry.by_name("adder").token_id
    script = [toolken] + ids(tokenizer, '{"a": 1}') + ids(tokenizer, "Two.") + ids(tokenizer, END)
    engine, decoder = make_engine(setup, script)
    state_tokens: list[int] = []
    original = engine._feed_pending

    def spy(state):
        logits = original(state)
        state_tokens[:] = list(zip(state.tokens, state.sampled))
        return logits

    engine._feed_pending = spy
    run(engine)
    sampled = [t for t, s in state_tokens if s]
    forced = [t for t, s in state_tokens if not s]
    assert sampled[: 1 + len(ids(tokenizer, '{"a": 1}'))] == script[: 1 + len(ids(tokenizer, '{"a": 1}'))]
    assert tokenizer.decode(forced).startswith("<|im_end|>\n<|im_start|>tool\n")


def test_grammar_keeps_arguments_valid_when_the_model_prefers_invalid_json(setup):
    tokenizer, tools, registry, _ = setup
    toolken = registry.by_name("adder").token_id
    quote, space = ids(tokenizer, ' "')[0], ids(tokenizer, " ")[0]
    # The model wants a string for the integer field; the grammar forbids it, the second choice wins.
    script = [toolken] + ids(tokenizer, '{"a":') + [(quote, space)] + ids(tokenizer, "7}") + ids(tokenizer, END)
    engine, _ = make_engine(setup, script)
    outcome = next(e for e in run(engine) if isinstance(e, ToolOutcome))
    assert outcome.arguments == {"a": 7} and outcome.status == "ran"


def test_grammar_mask_forbids_tokens_outside_the_schema(setup):
    tokenizer, tools, registry, chat = setup
    engine, _ = make_engine(setup, [0])
    matcher = engine.grammars.matcher(tools[1])  # room: enum Aurora | Borealis
    for token in ids(tokenizer, '{"room": "'):
        assert matcher.accept_token(token)
    masked = engine.grammars.mask(matcher, torch.zeros(len(tokenizer)))
    assert torch.isinf(masked[ids(tokenizer, "Zeta")[0]])
    allowed = torch.isfinite(masked).nonzero().flatten().tolist()
    assert allowed and all(tokenizer.decode([t])[:1] in "AB" for t in allowed)


def booking_aurora(setup, reply: str = "") -> list[int]:
    """A script that books room Aurora, then writes `reply` and ends the turn."""
    tokenizer, _, registry, _ = setup
    return [registry.by_name("api.bookRoom").token_id] + ids(tokenizer, '{"room": "Aurora"}') + \
        ids(tokenizer, reply + END)


def test_side_effecting_call_is_declined_without_approval(setup):
    booker = setup[1][1]
    engine, _ = make_engine(setup, booking_aurora(setup, "Not booked."))
    outcome = next(e for e in run(engine) if isinstance(e, ToolOutcome))
    assert outcome.status == "declined" and booker.calls == []


def test_a_call_nobody_could_approve_tells_the_model_why_it_was_not_sent(setup):
    booker = setup[1][1]
    engine, _ = make_engine(setup, booking_aurora(setup))

    def no_terminal(call: ToolCall) -> bool:
        raise CannotApprove("not sent: no terminal to approve side-effecting calls")

    events = run(engine, approve=no_terminal)
    outcome = next(e for e in events if isinstance(e, ToolOutcome))
    assert outcome.status == "declined" and booker.calls == []
    tool_message = next(m for m in events[-1].messages if m["role"] == "tool")
    assert "no terminal" in tool_message["content"] and "declined" not in tool_message["content"]


def test_a_call_left_unconfirmed_when_its_person_went_on_ends_the_turn_without_a_written_reply(setup):
    booker = setup[1][1]
    engine, _ = make_engine(setup, booking_aurora(setup, "Not booked."))

    def gone(call: ToolCall) -> bool:
        raise Unattended("not sent: the person asked something else before confirming")

    events = run(engine, approve=gone)
    final = events[-1]
    assert final.tool_calls[0].status == "declined" and booker.calls == []
    assert final.answer == UNATTENDED_REPLY  # not the script's "Not booked.": nothing was decoded after the call
    assert "asked something else" in next(m for m in final.messages if m["role"] == "tool")["content"]
    assert final.messages[-1] == {"role": "assistant", "content": UNATTENDED_REPLY}


def test_side_effecting_call_runs_when_approved_and_approver_sees_the_plan(setup):
    tokenizer, tools, registry, _ = setup
    booker = tools[1]
    script = [registry.by_name("api.bookRoom").token_id] + ids(tokenizer, '{"room": "Aurora"}') + ids(tokenizer, END)
    engine, _ = make_engine(setup, script)
    seen: list[ToolCall] = []
    outcome = next(e for e in run(engine, approve=lambda call: seen.append(call) or True) if isinstance(e, ToolOutcome))
    assert outcome.status == "ran" and booker.calls == [{"room": "Aurora"}]
    assert seen[0].plan["method"] == "POST" and seen[0].side_effects


def test_dry_run_plans_remote_calls_without_sending(setup):
    tokenizer, tools, registry, _ = setup
    booker = tools[1]
    script = [registry.by_name("api.bookRoom").token_id] + ids(tokenizer, '{"room": "Borealis"}') + ids(tokenizer, END)
    engine, _ = make_engine(setup, script)
    events = run(engine, dry_run=True, approve=lambda c: True)
    outcome = next(e for e in events if isinstance(e, ToolOutcome))
    assert outcome.status == "planned" and booker.calls == []
    tool_message = next(m for m in events[-1].messages if m["role"] == "tool")
    assert "NOT sent" in tool_message["content"]
    # nothing was read, so the answer is the plan, not a reply the model would have to invent
    assert events[-1].answer == "Planned, not sent (dry run): api.bookRoom. A dry run sends nothing: no record is " \
                                "read or changed."
    assert unsupported_claims(events[-1].answer, json.dumps(outcome.result)) == []  # what the metric counts
    assert outcome.result == {"sent": False, "note": PLANNED_ONLY,
                              "planned": {"method": "POST", "url": "http://127.0.0.1:8765/rooms/bookings",
                                          "body": {"room": "Borealis"}}}


def test_tool_failure_comes_back_as_data_for_the_model(setup):
    tokenizer, tools, registry, _ = setup
    script = [registry.by_name("broken").token_id] + ids(tokenizer, "{}") + ids(tokenizer, "Sorry.") + ids(tokenizer, END)
    engine, decoder = make_engine(setup, script)
    events = run(engine)
    outcome = next(e for e in events if isinstance(e, ToolOutcome))
    assert outcome.status == "failed" and "backend down" in outcome.error
    assert json.loads(final(events).messages[1]["content"]) == {"error": outcome.error}
    assert final(events).answer == "Sorry."


def test_max_tool_calls_masks_toolkens_after_the_limit(setup):
    tokenizer, tools, registry, _ = setup
    toolken = registry.by_name("adder").token_id
    done = ids(tokenizer, "Done")[0]
    script = [toolken] + ids(tokenizer, '{"a": 1}') + [(toolken, done)] + ids(tokenizer, END)
    engine, _ = make_engine(setup, script, max_tool_calls=1)
    events = run(engine)
    assert len([e for e in events if isinstance(e, ToolCall)]) == 1
    assert final(events).answer == "Done"


@pytest.mark.parametrize(("lead_in", "limit", "called"), [
    ("Checking now.", 16, True),
    ("Photosynthesis turns light into chemical energy in the chloroplasts of plants, which are found in", 16, False),
    ("Photosynthesis turns light into chemical energy in the chloroplasts of plants, which are found in", None, True),
])
def test_a_call_may_follow_a_lead_in_but_not_a_paragraph(setup, lead_in: str, limit: int | None, called: bool):
    tokenizer, _, registry, _ = setup
    toolken = registry.by_name("adder").token_id
    done = ids(tokenizer, " leaves")[0]
    assert (len(ids(tokenizer, lead_in)) <= 16) is lead_in.startswith("Checking")  # one lead-in, one paragraph
    script = ids(tokenizer, lead_in) + [(toolken, done)] + ids(tokenizer, '{"a": 1}') + ids(tokenizer, END)
    engine, _ = make_engine(setup, script, max_call_lead_in=limit)
    events = run(engine)
    assert any(isinstance(e, ToolCall) for e in events) is called


def test_toolken_bias_tips_the_choice_towards_the_tool(setup):
    tokenizer, tools, registry, _ = setup
    toolken = registry.by_name("adder").token_id
    word = ids(tokenizer, "Hmm")[0]
    script = [(word, toolken)] + ids(tokenizer, '{"a": 2}') + ids(tokenizer, END)
    unbiased, _ = make_engine(setup, script)
    assert not any(isinstance(e, ToolCall) for e in run(unbiased))
    biased, _ = make_engine(setup, script, toolken_bias=6.0)
    assert any(isinstance(e, ToolCall) for e in run(biased))


def test_forced_tool_starts_with_the_toolken_marked_forced(setup):
    tokenizer, tools, registry, _ = setup
    toolken = registry.by_name("adder").token_id
    script = ids(tokenizer, '{"a": 5}') + ids(tokenizer, "Six.") + ids(tokenizer, END)
    engine, decoder = make_engine(setup, script)
    events = run(engine, force_tool="adder")
    assert next(e for e in events if isinstance(e, ToolOutcome)).result == 6
    assert decoder.fed[0][-1] == toolken  # fed with the prompt, before any sampling
    timings = final(events).timings
    assert timings.sampled_tokens == len(script) - 1  # end-of-turn is sampled but never fed
    assert timings.forced_tokens == 1 + len(ids(tokenizer, '<|im_end|>\n<|im_start|>tool\n{"result": 6}<|im_end|>\n<|im_start|>assistant\n'))


def test_argument_budget_abandons_a_runaway_call(setup):
    tokenizer, tools, registry, _ = setup
    toolken = registry.by_name("adder").token_id
    digit = ids(tokenizer, "1")[0]
    script = [toolken] + ids(tokenizer, '{"a": ') + [digit] * 20 + ids(tokenizer, END)
    # a figure nobody stated would be masked: the rule is off to let the number run on
    engine, _ = make_engine(setup, script, max_argument_tokens=10, stated_figures_only=False)
    events = run(engine)
    outcome = next(e for e in events if isinstance(e, ToolOutcome))
    assert outcome.status == "invalid" and "10 tokens" in outcome.error


def test_a_turn_left_without_words_after_a_runaway_call_says_nothing_was_sent(setup):
    tokenizer, _, registry, _ = setup
    toolken = registry.by_name("adder").token_id
    opening = ids(tokenizer, '{"a": ')
    script = [toolken] + opening + ids(tokenizer, "1") * (10 - len(opening)) + ids(tokenizer, END)
    engine, _ = make_engine(setup, script, max_argument_tokens=10, stated_figures_only=False)
    answer = final(run(engine)).answer
    assert answer.startswith("Nothing was sent: I could not write the adder call") and "10 tokens" in answer


def test_max_new_tokens_stops_the_turn(setup):
    tokenizer = setup[0]
    engine, _ = make_engine(setup, ids(tokenizer, "word " * 50), max_new_tokens=5)
    answer = final(run(engine))
    assert answer.stop_reason == "max_new_tokens" and answer.timings.sampled_tokens == 5


def test_old_turns_are_dropped_to_fit_the_context(setup):
    tokenizer = setup[0]
    engine, decoder = make_engine(setup, ids(tokenizer, "Ok") + ids(tokenizer, END), max_new_tokens=64)
    long = "lorem ipsum " * 200
    messages = [{"role": "user", "content": long}, {"role": "assistant", "content": long},
                {"role": "user", "content": "Short question?"}]
    list(engine.run_turn(messages))
    prompt = tokenizer.decode(decoder.fed[0])
    assert "Short question?" in prompt and "lorem" not in prompt
    with pytest.raises(TurnTooLong, match="budget"):
        list(engine.run_turn([{"role": "user", "content": long * 3}]))


def test_a_long_chat_leaves_old_turns_out_in_steps_so_consecutive_prompts_start_alike(setup):
    """Past the budget the oldest turns go half a budget at a time: between two steps each turn's prompt
    extends the last one's (what a decoder holds is reused), instead of every turn starting somewhere new."""
    tokenizer = setup[0]
    engine, decoder = make_engine(setup, ids(tokenizer, "Ok") + ids(tokenizer, END), max_new_tokens=64)
    starts: list[list[int]] = []
    feed_from = decoder.start
    decoder.start = lambda token_ids: (starts.append(list(token_ids)), feed_from(token_ids))[1]
    messages, prompts = [], []
    for turn in range(40):
        messages.append({"role": "user", "content": f"Question {turn}: " + "tell me more " * 10})
        list(engine.run_turn(messages))
        prompts.append(starts[-1])
        messages.append({"role": "assistant", "content": f"Answer {turn}: " + "here is more " * 15})
    budget = 1024 - 64
    assert all(len(prompt) <= budget for prompt in prompts)
    texts = [tokenizer.decode(prompt) for prompt in prompts]
    assert all(f"Question {turn}:" in text and (turn == 0 or f"Answer {turn - 1}:" in text)
               for turn, text in enumerate(texts))
    assert "Question 0:" not in texts[-1]  # about 4,000 tokens were said: the oldest are out
    moved = sum(later[: len(earlier)] != earlier for earlier, later in itertools.pairwise(prompts))
    assert 1 <= moved <= 8  # one turn at a time would move the start on every turn past the first ~9


def test_unknown_forced_tool_and_missing_user_message_are_clear_errors(setup):
    engine, _ = make_engine(setup, [0])
    with pytest.raises(UnknownTool, match="no tool named 'nope'"):
        list(engine.run_turn([{"role": "user", "content": "x"}], force_tool="nope"))
    with pytest.raises(ValueError, match="end with a user message"):
        list(engine.run_turn([{"role": "assistant", "content": "x"}]))


class PassesDecoder(ScriptedDecoder):
    """A scripted decoder with one script per pass: each `reset` (the start of a turn, or the claim guard
    starting it again) moves on to the next script."""

    def __init__(self, vocab_size: int, passes: list[list[int | tuple[int, int]]]):
        super().__init__(vocab_size, passes[0])
        self.passes = passes
        self.resets = 0

    def reset(self) -> None:
        super().reset()
        self.script = self.passes[min(self.resets, len(self.passes) - 1)]
        self.resets += 1


def guard_engine(setup, passes, **generation) -> Engine:
    tokenizer, tools, registry, chat = setup
    config = GenerationConfig(**{"repetition_penalty": 1.0, **generation})
    return Engine(PassesDecoder(len(tokenizer), passes), chat, registry, tools, config, "You are a test assistant.",
                  max_context_tokens=1024)


def opening_then_adder(setup, opening: str, answer: str) -> list[list[int | tuple[int, int]]]:
    """Two passes of a guarded turn: `opening`, with the adder's toolken the second choice at its first token,
    and, once the guard has forced that call, the adder's arguments {"a": 3} and `answer`."""
    tokenizer, _, registry, _ = setup
    opened = ids(tokenizer, opening)
    first = [(opened[0], registry.by_name("adder").token_id), *opened[1:], *ids(tokenizer, END)]
    return [first, ids(tokenizer, '{"a": 3}') + ids(tokenizer, answer) + ids(tokenizer, END)]


def test_claim_guard_turns_a_result_shaped_opening_into_the_call(setup):
    tools = setup[1]
    events = run(guard_engine(setup, opening_then_adder(setup, "I found 2 requests: one pending.", "It is 4.")))
    answer = final(events)
    streamed = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert "found" not in streamed and streamed == answer.answer == "It is 4."
    assert [call.tool for call in answer.tool_calls] == ["adder"] and tools[0].calls == [{"a": 3}]
    assert answer.guarded is True


def test_claim_guard_off_lets_the_opening_through(setup):
    first, _ = opening_then_adder(setup, "I found 2 requests: one pending.", "It is 4.")
    # the figure rule off too: it would mask the 2 nobody gave
    answer = final(run(guard_engine(setup, [first], claim_guard=False, stated_reply_figures=False,
                                    stated_reply_claims=False)))
    assert answer.answer == "I found 2 requests: one pending." and answer.tool_calls == [] and not answer.guarded


def test_claim_guard_streams_a_plain_reply_whole_and_unchanged(setup):
    tokenizer = setup[0]
    text = ("Photosynthesis turns light into chemical energy in the chloroplasts of green plants and algae, "
            "which store it as sugar for the night and for growth.")
    assert len(ids(tokenizer, text)) > 24
    events = run(guard_engine(setup, [ids(tokenizer, text) + ids(tokenizer, END)]))
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    assert "".join(deltas) == text == final(events).answer and not final(events).guarded
    # Held for the lead-in (16 tokens), then streamed token by token.
    assert len(deltas) > 1 and len(ids(tokenizer, deltas[0])) == 17


def test_claim_guard_lets_whole_sentences_out_and_a_claim_after_them_becomes_a_call_that_follows_them(setup):
    tools = setup[1]
    events = run(guard_engine(setup, opening_then_adder(setup, "Sure. I found 2 requests: one pending.", " It is 4.")))
    deltas = [e for e in events if isinstance(e, TextDelta | ToolCall)]
    # "Sure." is shown as soon as the next sentence starts, before the guard's window is over.
    assert isinstance(deltas[0], TextDelta) and deltas[0].text == "Sure." and isinstance(deltas[1], ToolCall)
    answer = final(events)
    assert answer.answer == "Sure. It is 4." and answer.guarded and "found" not in answer.answer
    assert tools[0].calls == [{"a": 3}]
    assert answer.messages[0]["content"].startswith("Sure.")  # the call follows what was shown, in the history


def test_claim_guard_shows_a_greetings_first_sentence_before_its_window_is_over(setup):
    tokenizer = setup[0]
    text = "Hello! I can answer questions about the handbook, book rooms and look up colleagues for you today."
    events = run(guard_engine(setup, [ids(tokenizer, text) + ids(tokenizer, END)]))
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    assert deltas[0] == "Hello!" and "".join(deltas) == text == final(events).answer


def test_claim_guard_shows_a_conversational_sentence_word_by_word(setup):
    tokenizer = setup[0]
    text = "I'm here to help with the handbook, meeting rooms and colleagues whenever you need it today."
    events = run(guard_engine(setup, [ids(tokenizer, text) + ids(tokenizer, END)]))
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    assert deltas[:3] == ["I'm", " here", " to"] and "".join(deltas) == text == final(events).answer


def test_claim_guard_holds_a_sentence_from_its_first_figure(setup):
    tokenizer = setup[0]
    text = "Sure, the limit is 25 days a year for everyone who works full time at the company here."
    events = run(guard_engine(setup, [ids(tokenizer, text) + ids(tokenizer, END)]), "is it 25 days?")
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    # A figure nobody gave would start the turn again with a call after what is shown: the words before it
    # are shown as they come, the rest once the guard's window is over.
    assert deltas[:4] == ["Sure,", " the", " limit", " is"] and deltas[4].startswith(" 25 days a year")
    assert "".join(deltas) == text == final(events).answer


def test_claim_guard_streams_the_lead_in_before_a_call(setup):
    tokenizer, _, registry, _ = setup
    toolken = registry.by_name("adder").token_id
    script = ids(tokenizer, "Let me check.") + [toolken] + ids(tokenizer, '{"a": 1}') + ids(tokenizer, "Two.")
    events = run(guard_engine(setup, [script + ids(tokenizer, END)]))
    kinds = [type(e).__name__ for e in events if isinstance(e, TextDelta | ToolCall)]
    assert kinds[:2] == ["TextDelta", "ToolCall"] and events[0].text == "Let me check."
    assert final(events).answer == "Let me check.Two."


def test_system_message_states_the_date_the_turn_is_given(setup):
    from datetime import date

    tokenizer = setup[0]
    engine, decoder = make_engine(setup, ids(tokenizer, "Hi.") + ids(tokenizer, END))
    run(engine, today=date(2026, 3, 2))
    prompt = tokenizer.decode(decoder.fed[0])
    assert "You are a test assistant.\nToday is Monday, 2 March 2026 (2026-03-02)." in prompt
    engine.tell_date = False
    run(engine, today=date(2026, 3, 2))
    assert "Today is" not in tokenizer.decode(decoder.fed[0])


class PolicyDecoder:
    """A decoder whose next token is a function of everything it holds, so that turns sharing it (one after
    another, or one resuming after another used it) each get the logits their own sequence calls for."""

    def __init__(self, vocab_size: int, policy):
        self.vocab_size, self.policy = vocab_size, policy
        self.held: list[int] = []
        self.computed = 0  # ids the last start fed through the "model", prefix reuse excluded

    def start(self, token_ids: list[int]) -> torch.Tensor:
        from assistant.decoding import shared_prefix

        del self.held[shared_prefix(self.held, token_ids):]
        self.computed = len(token_ids) - len(self.held)
        return self.feed(token_ids[len(self.held):])

    def feed(self, token_ids: list[int]) -> torch.Tensor:
        self.held += token_ids
        logits = torch.zeros(self.vocab_size)
        logits[self.policy(self.held)] = 10.0
        return logits


def booking_policy(setup):
    """"Book Aurora." -> call api.bookRoom {"room": "Aurora"}, then "Booked."; anything else -> "Hi there."."""
    tokenizer, _, registry, _ = setup
    toolken = registry.by_name("api.bookRoom").token_id
    arguments, booked, hello = ids(tokenizer, '{"room": "Aurora"}'), ids(tokenizer, "Booked."), ids(tokenizer, "Hi.")
    end = ids(tokenizer, END)[0]
    reply_start = ids(tokenizer, "<|im_start|>assistant\n")

    def policy(held: list[int]) -> int:
        starts = [i for i in range(len(held)) if held[i:i + len(reply_start)] == reply_start]
        reply = held[starts[-1] + len(reply_start):]  # what the current assistant segment holds so far
        if "Book Aurora." not in tokenizer.decode(held):
            script = hello
        elif "<|im_start|>tool" in tokenizer.decode(held):
            script = booked
        else:
            script = [toolken, *arguments]
        return script[len(reply)] if len(reply) < len(script) else end

    return policy


def pooled_engine(setup, policy, size: int = 1) -> Engine:
    from assistant.pool import DecoderPool

    tokenizer, tools, registry, chat = setup
    pool = DecoderPool(lambda: PolicyDecoder(len(tokenizer), policy), size)
    return Engine(pool, chat, registry, tools, GenerationConfig(repetition_penalty=1.0, claim_guard=False), "Test.",
                  max_context_tokens=1024)


def test_a_turn_waiting_for_approval_holds_no_decoder_and_resumes_on_it_after_others_used_it(setup):
    import threading

    from assistant.events import QueueWait

    engine = pooled_engine(setup, booking_policy(setup), size=1)
    asked, decided = threading.Event(), threading.Event()

    def approve(call: ToolCall) -> bool:
        asked.set()
        assert decided.wait(timeout=30)
        return True

    booking: list = []
    waiting = threading.Thread(target=lambda: booking.extend(run(engine, "Book Aurora.", approve=approve)),
                               daemon=True)
    waiting.start()
    assert asked.wait(timeout=30)
    other: list = []  # another person's turn, on the only decoder, while this person decides
    answered = threading.Thread(target=lambda: other.extend(run(engine, "Hello?")), daemon=True)
    answered.start()
    answered.join(timeout=30)
    assert not answered.is_alive() and final(other).answer == "Hi."
    assert not any(isinstance(e, QueueWait) for e in other)
    decided.set()
    waiting.join(timeout=30)
    answer = final(booking)
    assert answer.answer == "Booked." and [c.status for c in answer.tool_calls] == ["ran"]
    assert setup[1][1].calls == [{"room": "Aurora"}]


def test_a_turn_waits_for_a_free_decoder_and_says_how_long(setup):
    import threading

    from assistant.events import QueueWait

    engine = pooled_engine(setup, booking_policy(setup), size=1)
    first = engine.run_turn([{"role": "user", "content": "Hello?"}])
    assert isinstance(next(first), TextDelta)  # the first turn now holds the only decoder
    queued: list = []
    second = threading.Thread(target=lambda: [queued.append(event) for event in
                                              engine.run_turn([{"role": "user", "content": "Hello again?"}])],
                              daemon=True)
    second.start()
    second.join(timeout=0.3)
    assert queued == [QueueWait(0.0, started=False)]  # said at once, then blocked on the lease
    assert final(list(first)).answer == "Hi."
    second.join(timeout=30)
    assert queued[1].started and queued[1].waited_s >= 0.3
    assert final(queued).answer == "Hi."
    timings = final(queued).timings
    assert timings.wait_s >= 0.3 and timings.shown_s >= timings.wait_s  # shown after it waited
    assert final(queued).timings.wait_s == queued[1].waited_s


def test_a_turn_keeps_the_held_prefix_of_the_one_before(setup):
    engine = pooled_engine(setup, booking_policy(setup), size=1)
    first = run(engine, "Hello?")[-1].timings
    assert first.prompt_computed == first.prompt_tokens  # a fresh decoder held nothing
    second = run(engine, "Hello again?")[-1].timings
    assert 0 < second.prompt_computed < second.prompt_tokens  # the system prompt's ids were not computed again


def fixed_router(labels: list[str], verdict: str, sure: bool = True) -> ToolRouter:
    """A router whose every verdict is `verdict` (a tool name or NO_CALL), sure of it (0.9999) or not (0.6)."""
    coef = np.zeros((len(labels), 2), dtype=np.float32)
    coef[labels.index(verdict), 0] = 10.0 if sure else 1.5
    return ToolRouter(labels, coef, np.zeros(len(labels), dtype=np.float32), 0.5,
                      np.array([1.0, 0.0], dtype=np.float32), lambda texts: [[1.0, 0.0] for _ in texts])


def routed_engine(setup, script, verdict: str, *later_passes, sure: bool = True, **generation) -> Engine:
    """An engine whose router always says `verdict` (sure of it or not), over a decoder scripted by `script` (then
    `later_passes`, one per start again of the turn)."""
    tokenizer, tools, registry, chat = setup
    router = fixed_router([NO_CALL, "adder", "api.bookRoom", "broken"], verdict, sure)
    config = GenerationConfig(**{"repetition_penalty": 1.0, **generation})
    return Engine(PassesDecoder(len(tokenizer), [script, *later_passes]), chat, registry, tools, config,
                  "You are a test assistant.", max_context_tokens=1024, router=router)


def test_the_router_opens_the_turn_with_its_tool_where_the_model_would_not_call(setup):
    tokenizer, tools, registry, _ = setup
    chatter = ids(tokenizer, "Three plus one is four.") + ids(tokenizer, END)
    engine = routed_engine(setup, ids(tokenizer, '{"a": 3}') + chatter, "adder")
    events = run(engine)
    answer = final(events)
    assert [call.tool for call in answer.tool_calls] == ["adder"] and tools[0].calls == [{"a": 3}]
    assert answer.routed and engine.decoders.try_lease([]).fed[0][-1] == registry.by_name("adder").token_id
    assert answer.timings.forced_tokens > 0  # the toolken rode in with the prompt, not sampled
    # The same model without the router's say: no call.
    unrouted = final(run(routed_engine(setup, chatter, "adder", router=False)))
    assert unrouted.tool_calls == [] and not unrouted.routed


WORKED = [{"role": "user", "content": "what is seventeen plus five"},
          {"role": "assistant", "content": "", "tool_calls": [{"id": "call_0", "type": "function",
                                                              "function": {"name": "adder", "arguments": '{"a": 17}'}}]},
          {"role": "tool", "tool_call_id": "call_0", "name": "adder", "content": '{"result": 22}'},
          {"role": "assistant", "content": "That is 22."}]


@pytest.mark.parametrize("count", [1, 0])
def test_a_routed_turn_follows_the_routers_worked_examples_in_the_prompt_only(setup, count: int):
    tokenizer, tools, _, _ = setup
    chatter = ids(tokenizer, "Three plus one is four.") + ids(tokenizer, END)
    engine = routed_engine(setup, ids(tokenizer, '{"a": 3}') + chatter, "adder", worked_examples=count)
    engine.router.worked_examples = {"adder": [WORKED]}
    answer = final(run(engine, "what is three plus one"))
    prompt = tokenizer.decode(engine.decoders.try_lease([]).fed[0])
    assert ("what is seventeen plus five" in prompt) == (count > 0)
    assert prompt.index("what is three plus one") > (prompt.find("That is 22.") if count else -1)
    assert [call.tool for call in answer.tool_calls] == ["adder"] and tools[0].calls == [{"a": 3}]
    assert all("seventeen" not in str(message["content"]) for message in answer.messages)  # not in the history


def test_worked_examples_go_after_the_chat_so_far_so_its_computed_start_is_kept(setup):
    tokenizer = setup[0]
    chatter = ids(tokenizer, "Three plus one is four.") + ids(tokenizer, END)
    engine = routed_engine(setup, ids(tokenizer, '{"a": 3}') + chatter, "adder")
    engine.router.worked_examples = {"adder": [WORKED]}
    chat = [{"role": "user", "content": "hello there"}, {"role": "assistant", "content": "Hi! How can I help?"}]
    list(engine.run_turn([*chat, {"role": "user", "content": "what is three plus one"}]))
    prompt = tokenizer.decode(engine.decoders.try_lease([]).fed[0])
    assert prompt.index("How can I help?") < prompt.index("seventeen") < prompt.index("what is three plus one")


def test_no_call_from_the_router_keeps_the_model_from_calling(setup):
    tokenizer, _, registry, _ = setup
    toolken = registry.by_name("adder").token_id
    hello = ids(tokenizer, "Hello!")
    script = [(toolken, hello[0]), *hello[1:], *ids(tokenizer, END)]
    answer = final(run(routed_engine(setup, script, NO_CALL), "Hi there"))
    assert answer.tool_calls == [] and answer.answer == "Hello!" and not answer.routed
    # Without the router the model's toolken wins.
    called = final(run(routed_engine(setup, script + ids(tokenizer, '{"a": 1}'), NO_CALL, router=False)))
    assert [call.tool for call in called.tool_calls] == ["adder"]


def test_a_result_shaped_opening_becomes_a_call_unless_the_router_is_sure_of_no_call(setup):
    tokenizer, tools, registry, _ = setup
    toolken = registry.by_name("adder").token_id
    fabricated = ids(tokenizer, "I found 2 requests: one pending.")
    first = [(fabricated[0], toolken), *fabricated[1:], *ids(tokenizer, END)]
    called = ids(tokenizer, '{"a": 3}') + ids(tokenizer, "It is 4.") + ids(tokenizer, END)
    answer = final(run(routed_engine(setup, first, NO_CALL, called, sure=False)))  # no call at 0.6
    assert answer.guarded and [call.tool for call in answer.tool_calls] == ["adder"] and answer.answer == "It is 4."
    # sure of no call (0.9999): the claim is taken back and the reply goes on in words
    worded = ids(tokenizer, "Germany won it.") + ids(tokenizer, END)
    answer = final(run(routed_engine(setup, first, NO_CALL, worded), "who won the world cup in 2014?"))
    assert answer.guarded and answer.tool_calls == [] and answer.answer == "Germany won it."
    # ... unless the floor is above the router's 0.9999
    answer = final(run(routed_engine(setup, first, NO_CALL, called, sure_no_call=1.0),
                       "who won the world cup in 2014?"))
    assert [call.tool for call in answer.tool_calls] == ["adder"] and tools[0].calls == [{"a": 3}, {"a": 3}]


def test_a_claim_opening_the_reply_to_thanks_is_taken_back_not_turned_into_a_call(setup):
    tokenizer, tools, registry, _ = setup
    toolken = registry.by_name("adder").token_id
    claimed = ids(tokenizer, "Done. Slot 7866 is cancelled.")
    first = [(claimed[0], toolken), *claimed[1:], *ids(tokenizer, END)]
    second = ids(tokenizer, "Glad it worked out!") + ids(tokenizer, END)
    answer = final(run(routed_engine(setup, first, NO_CALL, second), "never mind slot 7866, the driver made it, thx"))
    assert answer.tool_calls == [] and tools[0].calls == [] and answer.guarded
    assert answer.answer == "Glad it worked out!"
    # a question that is no reaction, where the router is not sure of no call, still gets the guard's call
    called = final(run(routed_engine(setup, first, NO_CALL, ids(tokenizer, '{"a": 3}') + second, sure=False),
                       "Is slot 7866 free?"))
    assert [call.tool for call in called.tool_calls] == ["adder"]


class PositionedDecoder(ScriptedDecoder):
    """Prefers, at the k-th token after the prompt, the choices script[k] in order (each half as likely as the
    one before), whatever was fed before: a reply taken back to an earlier point goes on from there, as a real
    model's would."""

    prompt: int | None = None

    def start(self, token_ids: list[int]) -> torch.Tensor:
        self.prompt = len(token_ids) if self.prompt is None else self.prompt
        self.fed = [list(token_ids)]
        return self._logits()

    def feed(self, token_ids: list[int]) -> torch.Tensor:
        self.fed.append(list(token_ids))
        return self._logits()

    def _logits(self) -> torch.Tensor:
        step = len(self.held) - (self.prompt or 0)
        choices = self.script[min(step, len(self.script) - 1)]
        logits = torch.zeros(self.vocab_size)
        for rank, token in enumerate(choices if isinstance(choices, list) else [choices]):
            logits[token] = self.peak / 2 ** rank
        return logits


@pytest.mark.parametrize(("limit", "answer"), [(4, "Sure. Great."), (2, "Sure.")])
def test_a_reply_to_thanks_goes_on_past_claims_taken_back_or_ends_at_what_was_shown(
        setup, monkeypatch, limit: int, answer: str):
    tokenizer, tools, registry, chat = setup
    monkeypatch.setattr(engine_module, "UNSAY_LIMIT", limit)
    done, created, great = (ids(tokenizer, word)[0] for word in (" Done", " Created", " Great"))
    sure, stop = ids(tokenizer, "Sure."), ids(tokenizer, END)
    # after "Sure." the model would claim "Done." or "Created."; both taken back, it says "Great." or ends
    script = [*sure, [done, created, great, registry.by_name("adder").token_id], ids(tokenizer, ".")[0], *stop]
    engine = Engine(PositionedDecoder(len(tokenizer), script), chat, registry, tools,
                    GenerationConfig(repetition_penalty=1.0), "You are a test assistant.", max_context_tokens=1024,
                    router=fixed_router([NO_CALL, "adder"], NO_CALL))
    events = run(engine, "cheers, all good now!!")
    assert final(events).tool_calls == [] and final(events).answer == answer
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == answer


def test_a_guarded_turn_starts_again_with_the_routers_likeliest_tool_not_the_models_toolken(setup):
    tokenizer, _, registry, _ = setup
    adder = registry.by_name("adder").token_id
    fabricated = ids(tokenizer, "I found 2 bookings: Aurora.")
    first = [(fabricated[0], adder), *fabricated[1:], *ids(tokenizer, END)]  # the model's toolken: adder
    second = ids(tokenizer, '{"room": "Aurora"}') + ids(tokenizer, "Planned.") + ids(tokenizer, END)
    engine = routed_engine(setup, first, NO_CALL, second, sure=False)
    engine.router.coef[engine.router.labels.index("api.bookRoom"), 0] = 0.5  # no call, but rooms if any
    answer = final(run(engine, "Any rooms free?", dry_run=True))
    assert answer.guarded and [call.tool for call in answer.tool_calls] == ["api.bookRoom"]


def test_a_forced_tool_or_a_failing_router_leaves_the_turn_to_the_model(setup):
    tokenizer = setup[0]
    script = ids(tokenizer, '{"a": 5}') + ids(tokenizer, "Six.") + ids(tokenizer, END)
    engine = routed_engine(setup, script, NO_CALL)
    assert [c.tool for c in final(run(engine, force_tool="adder")).tool_calls] == ["adder"]

    def broken(texts):
        raise RuntimeError("embedder gone")

    engine = routed_engine(setup, ids(tokenizer, "Fine.") + ids(tokenizer, END), "adder")
    engine.router.embed = broken
    answer = final(run(engine))
    assert answer.answer == "Fine." and answer.tool_calls == [] and not answer.routed


class Passages:
    """A document store whose nearest passage is always `similarity` from any question (the router weighs it)."""

    def __init__(self, similarity: float) -> None:
        self.similarity = similarity
        self.asked: list[list[float]] = []

    def nearest(self, embedding: list[float]) -> float:
        self.asked.append(list(embedding))
        return self.similarity

    def search(self, query: str, k: int | None = None) -> list[Hit]:
        return [Hit("rooms.md", "Rooms", "Rooms are booked on the intranet.", self.similarity, 0)]


@pytest.mark.parametrize(("similarity", "opened_with"), [(0.9, "search"), (0.3, "api.bookRoom")])
def test_a_document_passage_nearer_than_the_operations_requests_opens_the_turn_with_search(
        base_tokenizer_folder: Path, similarity: float, opened_with: str):
    tokenizer = AutoTokenizer.from_pretrained(base_tokenizer_folder)
    store = Passages(similarity)
    tools = [Booker(), SearchTool(store)]
    tiny = LlamaForCausalLM(LlamaConfig(vocab_size=len(tokenizer), hidden_size=16, intermediate_size=32,
                                        num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=2))
    registry = add_toolkens(tiny, tokenizer, tools)
    router = fixed_router([NO_CALL, "api.bookRoom", "search"], "api.bookRoom")
    # The question embeds as (1, 0); the operation's requests and description as (0.6, 0.8): 0.6 alike.
    router.embed = lambda texts: [[1.0, 0.0] if "lunch" in text else [0.6, 0.8] for text in texts]
    router.exemplars = {"api.bookRoom": ["book Aurora at ten"]}
    arguments = '{"query": "rooms"}' if opened_with == "search" else '{"room": "Aurora"}'
    script = ids(tokenizer, arguments) + ids(tokenizer, "Noted.") + ids(tokenizer, END)
    engine = Engine(PassesDecoder(len(tokenizer), [script]), ChatFormat(tokenizer), registry, tools,
                    GenerationConfig(repetition_penalty=1.0), "You are a test assistant.", max_context_tokens=1024,
                    router=router)
    # The question names a room, so a booking would not make up all of its arguments.
    answer = final(run(engine, "Can I eat lunch in meeting room Aurora?", dry_run=True))
    assert [call.tool for call in answer.tool_calls] == [opened_with] and answer.routed
    assert store.asked == [[1.0, 0.0]]  # the question's embedding, asked once


def test_a_guarded_turn_searches_rather_than_make_a_change_the_router_did_not_open(base_tokenizer_folder: Path):
    """The reply was about to state a result with no call: what backs a statement is read, not changed, where the
    router weighed the change and opened none."""
    tokenizer = AutoTokenizer.from_pretrained(base_tokenizer_folder)
    booker = Booker()
    tools = [booker, SearchTool(Passages(0.3))]
    tiny = LlamaForCausalLM(LlamaConfig(vocab_size=len(tokenizer), hidden_size=16, intermediate_size=32,
                                        num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=2))
    registry = add_toolkens(tiny, tokenizer, tools)
    router = fixed_router([NO_CALL, "api.bookRoom", "search"], NO_CALL, sure=False)
    router.coef[router.labels.index("api.bookRoom"), 0] = 0.5  # no call, but a booking if any
    fabricated = ids(tokenizer, "I found 2 bookings: Aurora.")
    first = [(fabricated[0], registry.by_name("api.bookRoom").token_id), *fabricated[1:], *ids(tokenizer, END)]
    second = ids(tokenizer, '{"query": "rooms"}') + ids(tokenizer, "Noted.") + ids(tokenizer, END)
    engine = Engine(PassesDecoder(len(tokenizer), [first, second]), ChatFormat(tokenizer), registry, tools,
                    GenerationConfig(repetition_penalty=1.0), "You are a test assistant.", max_context_tokens=1024,
                    router=router)
    answer = final(run(engine, "How many times can a room be booked?", dry_run=True))
    assert answer.guarded and [call.tool for call in answer.tool_calls] == ["search"] and booker.calls == []


class Lister(Tool):
    """A read-only tool with optional filters, like an API list operation."""

    name = "api.listTickets"
    description = "Lists IT tickets."
    parameters = {"type": "object", "properties": {"requester_id": {"type": "string", "pattern": "^E\\d{4}$"},
                                                   "limit": {"type": "integer"},
                                                   "status": {"type": "string", "enum": ["open", "closed"]},
                                                   "title": {"type": "string"},
                                                   "created_on": {"type": "string", "format": "date"}},
                  "additionalProperties": False}

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def run(self, arguments: dict[str, Any]) -> ToolResult:
        self.calls.append(arguments)
        return ToolResult(value={"tickets": []})


def call_as_sent(tokenizer_folder: Path, written: str, question: str, generation: GenerationConfig,
                 today: date | None = None) -> dict[str, Any]:
    """The arguments a Lister call reaches the tool with, when the model writes `written` for `question`; the
    call event and the history must hold the same."""
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_folder)
    lister = Lister()
    tiny = LlamaForCausalLM(LlamaConfig(vocab_size=len(tokenizer), hidden_size=16, intermediate_size=32,
                                        num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=2))
    registry = add_toolkens(tiny, tokenizer, [lister])
    script = [registry.by_name(lister.name).token_id] + ids(tokenizer, written) + ids(tokenizer, "None.")
    engine = Engine(ScriptedDecoder(len(tokenizer), script + ids(tokenizer, END)), ChatFormat(tokenizer), registry,
                    [lister], generation, "Test.", max_context_tokens=1024)
    answer = final(run(engine, question, today=today))
    [sent] = lister.calls
    assert answer.tool_calls[0].arguments == sent
    assert parse_call(answer.messages[0]["content"]).arguments == sent  # the history holds the call as sent
    return sent


@pytest.mark.parametrize("drop", [True, False])
def test_optional_figures_ids_and_copies_of_the_request_are_left_out_of_the_call(base_tokenizer_folder: Path, drop: bool):
    # the title copies the question: a look-up's free-text filter that would match nothing
    written = '{"requester_id": "E0888", "limit": 5, "status": "open", "title": "Which of the last tickets are open"}'
    sent = call_as_sent(base_tokenizer_folder, written, "Which of the last 5 tickets are still open?",
                        GenerationConfig(repetition_penalty=1.0, drop_unstated_arguments=drop, copy_free_text=False))
    assert sent == ({"limit": 5, "status": "open"} if drop else json.loads(written))


@pytest.mark.parametrize("complete", [True, False])
def test_what_the_request_states_is_set_on_the_call(base_tokenizer_folder: Path, complete: bool):
    sent = call_as_sent(base_tokenizer_folder, '{"status": "closed"}', "Which open tickets has E1006 raised?",
                        GenerationConfig(repetition_penalty=1.0, drop_unstated_arguments=False,
                                         complete_stated_arguments=complete))
    assert sent == ({"status": "open", "requester_id": "E1006"} if complete else {"status": "closed"})


@pytest.mark.parametrize("complete", [True, False])
def test_a_date_said_in_words_is_resolved_against_the_turns_today(base_tokenizer_folder: Path, complete: bool):
    sent = call_as_sent(base_tokenizer_folder, '{"created_on": "2026-06-18"}', "Which tickets were raised yesterday?",
                        GenerationConfig(repetition_penalty=1.0, complete_stated_arguments=complete),
                        today=date(2026, 6, 10))
    assert sent == {"created_on": "2026-06-09" if complete else "2026-06-18"}


def lister_calls_after_a_choice(tokenizer_folder: Path, written: str, choice: tuple[str, str], rest: str,
                                question: str, generation: GenerationConfig) -> list[dict[str, Any]]:
    """The calls a Lister gets when the model writes `written`, then prefers choice[0] to choice[1], then
    writes `rest`."""
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_folder)
    lister = Lister()
    tiny = LlamaForCausalLM(LlamaConfig(vocab_size=len(tokenizer), hidden_size=16, intermediate_size=32,
                                        num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=2))
    registry = add_toolkens(tiny, tokenizer, [lister])
    first, second = (ids(tokenizer, token)[0] for token in choice)
    script = [registry.by_name(lister.name).token_id, *ids(tokenizer, written), (first, second),
              *ids(tokenizer, rest), *ids(tokenizer, "None."), *ids(tokenizer, END)]
    engine = Engine(ScriptedDecoder(len(tokenizer), script), ChatFormat(tokenizer), registry, [lister], generation,
                    "Test.", max_context_tokens=1024)
    final(run(engine, question))
    return lister.calls


@pytest.mark.parametrize(("narrow", "requester"), [(True, "E1010"), (False, "E1011")])
def test_an_id_argument_is_one_the_conversation_states(base_tokenizer_folder: Path, narrow: bool, requester: str):
    """The model's first choice makes E1011, an employee nobody named; with stated_ids its grammar admits E1010
    only, and the second choice is taken."""
    generation = GenerationConfig(repetition_penalty=1.0, stated_ids=narrow, drop_unstated_arguments=False,
                                  complete_stated_arguments=False)
    calls = lister_calls_after_a_choice(base_tokenizer_folder, '{"requester_id": "E101', ("1", "0"), '"}',
                                        "which tickets has E1010 raised?", generation)
    assert calls == [{"requester_id": requester}]


@pytest.mark.parametrize(("keep", "limit"), [(True, 15), (False, 17)])
def test_a_number_argument_is_a_figure_the_conversation_states(base_tokenizer_folder: Path, keep: bool, limit: int):
    """The model's first choice makes a 17 nobody said; with stated_figures_only the stated 15 is taken."""
    generation = GenerationConfig(repetition_penalty=1.0, stated_figures_only=keep, drop_unstated_arguments=False,
                                  complete_stated_arguments=False)
    calls = lister_calls_after_a_choice(base_tokenizer_folder, '{"limit": 1', ("7", "5"), "}",
                                        "show the last 15 tickets", generation)
    assert calls == [{"limit": limit}]


@pytest.mark.parametrize(("copy", "title"), [(True, "laptop screen"), (False, "laptop screens")])
def test_a_free_text_argument_keeps_to_the_words_the_request_states(
    base_tokenizer_folder: Path, copy: bool, title: str
):
    """The model's first choice after "laptop screen" adds an "s" nobody wrote; its second, closing the
    string, is taken. Filters with a pattern or an enum are the grammar's, never masked here."""
    tokenizer = AutoTokenizer.from_pretrained(base_tokenizer_folder)
    close = ids(tokenizer, '"}')
    assert len(close) == 1
    written = [*ids(tokenizer, '{"requester_id": "E1010", "title": "laptop screen'), (ids(tokenizer, "s")[0], close[0])]
    lister = Lister()
    tiny = LlamaForCausalLM(LlamaConfig(vocab_size=len(tokenizer), hidden_size=16, intermediate_size=32,
                                        num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=2))
    registry = add_toolkens(tiny, tokenizer, [lister])
    script = [registry.by_name(lister.name).token_id, *written, *([] if copy else close), *ids(tokenizer, "None."),
              *ids(tokenizer, END)]
    engine = Engine(ScriptedDecoder(len(tokenizer), script), ChatFormat(tokenizer), registry, [lister],
                    GenerationConfig(repetition_penalty=1.0, copy_free_text=copy, drop_unstated_arguments=False), "Test.",
                    max_context_tokens=1024)
    final(run(engine, "my laptop screen keeps flickering, E1010"))
    assert lister.calls == [{"requester_id": "E1010", "title": title}]


@pytest.fixture(scope="module")
def calculator_setup(base_tokenizer_folder: Path) -> Iterator[tuple[Any, Calculator, Any]]:
    """A tokenizer with the real calculator's toolken."""
    tokenizer = AutoTokenizer.from_pretrained(base_tokenizer_folder)
    tiny = LlamaForCausalLM(LlamaConfig(vocab_size=len(tokenizer), hidden_size=16, intermediate_size=32,
                                        num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=2))
    with Calculator() as calculator:
        yield tokenizer, calculator, add_toolkens(tiny, tokenizer, [calculator])


@pytest.mark.parametrize(
    ("reply", "state", "answer"),
    [
        ("64 out of 64 is 75% of 48.", True, "64 out of 64 is 75% of 48.\n\n48/64*100 = 75"),
        ("", True, "48/64*100 = 75"),
        ("That is 75 percent.", True, "That is 75 percent."),
        ("64 out of 64 is 75% of 48.", False, "64 out of 64 is 75% of 48."),
    ],
)
def test_a_reply_that_does_not_end_on_the_calculators_result_gets_the_calculation(
    calculator_setup: Any, reply: str, state: bool, answer: str
):
    tokenizer, calculator, registry = calculator_setup
    script = [registry.by_name("calculator").token_id] + ids(tokenizer, '{"expression": "48/64*100"}')
    script += ids(tokenizer, reply) + ids(tokenizer, END)
    engine = Engine(ScriptedDecoder(len(tokenizer), script), ChatFormat(tokenizer), registry, [calculator],
                    GenerationConfig(repetition_penalty=1.0, state_calculator_result=state, compose_word_problems=False),
                    "Test.", max_context_tokens=1024)
    events = run(engine, "What percentage of 64 is 48?")
    final_answer = final(events)
    assert final_answer.tool_calls[0].result["text"] == "75"
    assert final_answer.answer == answer == "".join(e.text for e in events if isinstance(e, TextDelta))
    assert final_answer.messages[-1] == {"role": "assistant", "content": answer}  # the history holds it too


def test_a_word_problem_whose_words_give_its_expression_is_not_written_by_the_model(calculator_setup: Any):
    tokenizer, calculator, registry = calculator_setup
    # the engine writes the arguments: the model's first argument step (here "{") goes unread, then the reply
    script = [registry.by_name("calculator").token_id] + ids(tokenizer, "{") + ids(tokenizer, "That is 75 percent.")
    script += ids(tokenizer, END)
    engine = Engine(ScriptedDecoder(len(tokenizer), script), ChatFormat(tokenizer), registry, [calculator],
                    GenerationConfig(repetition_penalty=1.0), "Test.", max_context_tokens=1024)
    events = run(engine, "if 48 of our 64 tickets are closed, what percent is that")
    final_answer = final(events)
    assert final_answer.tool_calls[0].arguments == {"expression": "48/64*100"}
    assert final_answer.tool_calls[0].result["text"] == "75"
    assert final_answer.answer == "That is 75 percent."
    # the call's tokens are in the conversation as written: the reply reads on after them
    assert [m["content"] for m in final_answer.messages if m["role"] == "assistant"][-2].endswith(
        '{"expression": "48/64*100"}')


def test_a_calculation_backs_no_count(calculator_setup: Any):
    tokenizer, calculator, registry = calculator_setup
    space, nine = ids(tokenizer, " 9")
    script = [registry.by_name("calculator").token_id] + ids(tokenizer, '{"expression": "48/64*100"}')
    script += ids(tokenizer, "That is 75 percent of") + [space, (nine, ids(tokenizer, "the")[0])]
    script += ids(tokenizer, " teams.") + ids(tokenizer, END)
    engine = Engine(ScriptedDecoder(len(tokenizer), script), ChatFormat(tokenizer), registry, [calculator],
                    GenerationConfig(repetition_penalty=1.0, compose_word_problems=False), "Test.",
                    max_context_tokens=1024)
    # a calculation read no records: "9 teams" would be a count nobody gave, as after a planned call
    assert final(run(engine, "What percentage of 64 is 48?")).answer == "That is 75 percent of the teams."


def calculator_call(calculator_setup: Any, question: str, script: list, **generation: Any) -> str:
    """The expression the engine sends when the model follows `script` (after the calculator's toolken)."""
    tokenizer, calculator, registry = calculator_setup
    script = [registry.by_name("calculator").token_id, *script, *ids(tokenizer, END)]
    engine = Engine(ScriptedDecoder(len(tokenizer), script), ChatFormat(tokenizer), registry, [calculator],
                    GenerationConfig(repetition_penalty=1.0, **generation), "Test.", max_context_tokens=1024)
    return final(run(engine, question)).tool_calls[0].arguments["expression"]


@pytest.mark.parametrize(("only_stated", "expression"), [(True, "14*11.9"), (False, "14*11.95")])
def test_a_calculator_expression_keeps_to_the_figures_the_conversation_states(
    calculator_setup: Any, only_stated: bool, expression: str
):
    """The model's first choice after "11.9" is a 5 nobody said; its second, closing the expression, is taken."""
    tokenizer = calculator_setup[0]
    close = ids(tokenizer, '"}')
    assert len(close) == 1
    script = [*ids(tokenizer, '{"expression": "14*11.9'), (ids(tokenizer, "5")[0], close[0]), close[0]]
    question = "we have 14 people coming and pizza is 11.90 each, what's the total"
    # the mask alone: the word problem's own expression (14*11.90) would be sent otherwise
    assert calculator_call(calculator_setup, question, script, stated_figures_only=only_stated,
                           compose_word_problems=False) == expression


def test_a_reply_with_no_tool_result_states_no_figure_nobody_gave(setup):
    tokenizer = setup[0]
    space, two = ids(tokenizer, " 2")  # digits are tokens of their own
    script = ids(tokenizer, "You get") + [space, (two, ids(tokenizer, "many")[0])] + ids(tokenizer, " days.") + \
        ids(tokenizer, END)
    answer = final(run(guard_engine(setup, [script]), "How many days of leave do I get?"))
    assert answer.answer == "You get many days." and not answer.guarded
    # Stated by the person, the same figure may be written; the rule off, any figure may.
    stated = ids(tokenizer, "You get 25 days.") + ids(tokenizer, END)
    assert final(run(guard_engine(setup, [stated]), "Do I get 25 days?")).answer == "You get 25 days."
    assert final(run(guard_engine(setup, [stated], stated_reply_figures=False))).answer == "You get 25 days."


def test_a_reply_states_no_value_of_a_calculation_that_nobody_stated(setup):
    tokenizer = setup[0]
    three, four, seven, stop = (ids(tokenizer, text)[0] for text in ("3", "4", "7", "."))
    # The model would write "12 times 37 is 377.": 3 is no start of the value, and 4 starts it but no tool and
    # no message stated 444: the reply computes no amount of its own.
    script = ids(tokenizer, "12 times 37 is ") + [[three, four, stop]] + ids(tokenizer, END)
    answer = final(run(guard_engine(setup, [script]), "what's 12 times 37?"))
    assert answer.answer == "12 times 37 is ." and not answer.guarded
    # the value stated passes, its wrong digits still masked
    script = ids(tokenizer, "12 times 37 is ") + [(three, four), (seven, four), (seven, four), (stop, four)] + \
        ids(tokenizer, END)
    assert final(run(guard_engine(setup, [script]), "what's 12 times 37? I make it 444")).answer == \
        "12 times 37 is 444."
    # not a calculation's result, a stated figure is no value to check
    script = ids(tokenizer, "12 and 37 make ") + [(four, three), (four, seven), (four, stop)] + ids(tokenizer, END)
    assert final(run(guard_engine(setup, [script]), "what's 12 times 37?")).answer == "12 and 37 make 37."


def test_a_result_nobody_gave_opening_the_reply_to_thanks_is_taken_back(setup):
    tokenizer = setup[0]
    first = ids(tokenizer, "12 times 37 is 37.") + ids(tokenizer, END)
    second = ids(tokenizer, "Glad it helped!") + ids(tokenizer, END)
    messages = [{"role": "user", "content": "What is 12 times 37, minus 15?"},
                {"role": "assistant", "content": "12*37 - 15 = 429"},
                {"role": "user", "content": "Thanks, that helps."}]
    answer = final(list(routed_engine(setup, first, NO_CALL, second).run_turn(messages)))
    assert answer.answer == "Glad it helped!" and answer.tool_calls == [] and answer.guarded
    # a right one nobody gave too: where the message wants no call, nothing computes it
    right = ids(tokenizer, "12 times 37 is 444.") + ids(tokenizer, END)
    answer = final(list(routed_engine(setup, right, NO_CALL, second).run_turn(messages)))
    assert answer.answer == "Glad it helped!"
    # one the conversation gave stands
    stated = ids(tokenizer, "12*37 - 15 = 429.") + ids(tokenizer, END)
    messages[0]["content"] = "What is 12 times 37, minus 15? I make it 429."
    answer = final(list(routed_engine(setup, stated, NO_CALL, second).run_turn(messages)))
    assert answer.answer == "12*37 - 15 = 429."


def test_a_reply_with_no_tool_result_states_no_finished_action(setup):
    tokenizer = setup[0]
    cancelled, asked = ids(tokenizer, " cancelled")[0], ids(tokenizer, " requested")[0]
    script = ids(tokenizer, "Your door has been") + [(cancelled, asked)] + ids(tokenizer, ".") + ids(tokenizer, END)
    answer = final(run(guard_engine(setup, [script]), "cancel door 7866 pls"))
    assert answer.answer == "Your door has been requested." and answer.tool_calls == []
    # The rule off, the model's own words stand.
    answer = final(run(guard_engine(setup, [script], stated_reply_claims=False), "cancel door 7866 pls"))
    assert answer.answer == "Your door has been cancelled."


def test_a_reply_writes_no_claim_the_mask_did_not_reach(setup):
    tokenizer = setup[0]
    verbs = [ids(tokenizer, f" {verb}") for verb in (
        "reserved", "created", "opened", "logged", "filed", "submitted", "cancelled", "canceled", "closed",
        "resolved", "updated", "approved", "rejected", "scheduled", "sent", "changed", "registered", "placed")]
    verbs = [verb[0] for verb in verbs if len(verb) == 1]
    assert len(verbs) > FIGURE_CANDIDATES  # each a finished action: the likeliest masked, the next one too
    script = ids(tokenizer, "Your door has been") + [[*verbs, ids(tokenizer, " requested")[0]]] + \
        ids(tokenizer, ".") + ids(tokenizer, END)
    assert final(run(guard_engine(setup, [script]), "cancel door 7866 pls")).answer == "Your door has been requested."


def test_the_repetition_penalty_lifts_no_figure_over_the_mask(setup):
    tokenizer = setup[0]
    written = ids(tokenizer, "Say how many days you get, as the handbook puts it for staff on leave:")
    many, two, three = ids(tokenizer, " many")[0], ids(tokenizer, "2")[0], ids(tokenizer, "3")[0]
    repeats = [many, *(token for token in dict.fromkeys(written) if token != many)][: FIGURE_CANDIDATES - 1]
    # the mask reads the likeliest: a figure, then words already written; the penalty lowers those words under
    # the figure below them, which the mask never read
    script = [*written, [two, *repeats, three], *ids(tokenizer, " days."), *ids(tokenizer, END)]
    answer = final(run(guard_engine(setup, [script], repetition_penalty=3.0), "How many days of leave do I get?"))
    assert answer.answer == tokenizer.decode(written) + " many days."


def test_an_earlier_turns_call_backs_no_finished_action_in_this_one(setup):
    tokenizer, _, registry, _ = setup
    booked = [registry.by_name("api.bookRoom").token_id, *ids(tokenizer, '{"room": "Aurora"}'),
              *ids(tokenizer, "Done. Aurora is yours."), *ids(tokenizer, END)]
    first = final(run(guard_engine(setup, [booked]), "book Aurora", approve=lambda call: True))
    assert any(message["role"] == "tool" for message in first.messages)
    cancelled, asked = ids(tokenizer, " cancelled")[0], ids(tokenizer, " requested")[0]
    script = ids(tokenizer, "Your door has been") + [(cancelled, asked)] + ids(tokenizer, ".") + ids(tokenizer, END)
    chat = [{"role": "user", "content": "book Aurora"}, *first.messages,
            {"role": "user", "content": "cancel door 7866 pls"}]
    # late in a chat, the booking an earlier turn made backs no cancellation this message asks for
    answer = final(list(guard_engine(setup, [script]).run_turn(chat)))
    assert answer.answer == "Your door has been requested." and answer.tool_calls == []


def test_a_figure_only_an_earlier_message_stated_is_this_replys_only_in_a_follow_up(setup):
    tokenizer = setup[0]
    space, seven = ids(tokenizer, " 7")
    script = [*ids(tokenizer, "You have"), space, (seven, ids(tokenizer, "some")[0]), *ids(tokenizer, " days left."),
              *ids(tokenizer, END)]
    earlier = [{"role": "user", "content": "we are 7 people on the trip"}, {"role": "assistant", "content": "Noted."}]
    standalone = "how many days of leave do i still have left this year"
    answer = final(list(guard_engine(setup, [script]).run_turn([*earlier, {"role": "user", "content": standalone}])))
    assert answer.answer == "You have some days left."
    answer = final(list(guard_engine(setup, [script]).run_turn([*earlier, {"role": "user", "content": "and days?"}])))
    assert answer.answer == "You have 7 days left."


def test_a_finished_action_may_be_stated_after_a_tool_result(setup):
    tools = setup[1]
    answer = final(run(guard_engine(setup, opening_then_adder(setup, "Done.", "It has been cancelled."))))
    assert answer.answer == "It has been cancelled." and tools[0].calls == [{"a": 3}]


def test_a_declined_call_backs_no_finished_action(setup):
    tokenizer, tools, registry, _ = setup
    stop, comma = ids(tokenizer, ".")[0], ids(tokenizer, ",")[0]
    script = [registry.by_name("api.bookRoom").token_id, *ids(tokenizer, '{"room": "Aurora"}'), *ids(tokenizer, "Done"),
              (stop, comma), *ids(tokenizer, " Aurora is yours."), *ids(tokenizer, END)]
    declined = final(run(guard_engine(setup, [script]), "book Aurora", approve=lambda call: False))
    assert declined.answer == "Done, Aurora is yours." and tools[1].calls == []
    sent = final(run(guard_engine(setup, [script]), "book Aurora", approve=lambda call: True))
    assert sent.answer == "Done. Aurora is yours." and tools[1].calls == [{"room": "Aurora"}]


def test_a_declined_call_backs_no_count(setup):
    tokenizer, tools, registry, _ = setup
    space, three = ids(tokenizer, " 3")
    script = [registry.by_name("api.bookRoom").token_id, *ids(tokenizer, '{"room": "Aurora"}'),
              *ids(tokenizer, "Aurora has"), space, (three, ids(tokenizer, "free")[0]), *ids(tokenizer, " seats."),
              *ids(tokenizer, END)]
    # a declined call read no records: a count would be invented ("The limit per claim is 1.")
    declined = final(run(guard_engine(setup, [script]), "book Aurora", approve=lambda call: False))
    assert declined.answer == "Aurora has free seats."
    sent = final(run(guard_engine(setup, [script]), "book Aurora", approve=lambda call: True))
    assert sent.answer == "Aurora has 3 seats." and tools[1].calls == [{"room": "Aurora"}]


def test_past_the_held_opening_a_reply_opens_no_tool_result_answer(setup):
    tokenizer = setup[0]
    text = ("Dock doors are booked in slots of half an hour, and the carrier brings the paperwork to the gate "
            "office before unloading starts.")
    assert len(ids(tokenizer, text)) > 16  # past max_call_lead_in: the guard no longer holds the reply
    found, think = ids(tokenizer, " found")[0], ids(tokenizer, " think")[0]
    script = ids(tokenizer, text + " I") + [(found, think)] + ids(tokenizer, " so.") + ids(tokenizer, END)
    assert final(run(guard_engine(setup, [script]), "how do door bookings work?")).answer == f"{text} I think so."


def test_a_reply_writes_no_email_address_nobody_gave(setup):
    tokenizer = setup[0]
    at, stop = ids(tokenizer, "@")[0], ids(tokenizer, ".")[0]
    script = ids(tokenizer, "Write to dispatch") + [(at, stop)] + ids(tokenizer, "harbor.example") + \
        ids(tokenizer, END)
    assert final(run(guard_engine(setup, [script]), "who do I write to?")).answer.startswith("Write to dispatch.")
    given = final(run(guard_engine(setup, [script]), "should I write to dispatch@harbor.example?"))
    assert given.answer == "Write to dispatch@harbor.example"


def test_a_reply_does_not_break_a_stated_figure_into_two_nobody_gave(setup):
    tokenizer = setup[0]
    comma, zero = ids(tokenizer, ",")[0], ids(tokenizer, "0")[0]
    # "41," would go on as "41,04": read as 41 and 04, neither of them stated; the 0 of 4104 comes instead
    script = ids(tokenizer, "Ticket 41") + [(comma, zero)] + ids(tokenizer, "4 is closed.") + ids(tokenizer, END)
    assert final(run(guard_engine(setup, [script]), "close 4104 pls")).answer == "Ticket 4104 is closed."


def test_a_numbered_list_and_stated_ids_are_not_figures(setup):
    tokenizer = setup[0]
    text = "1. Ask E1004.\n2. Ask Q3 staff."
    answer = final(run(guard_engine(setup, [ids(tokenizer, text) + ids(tokenizer, END)]), "Do I ask E1004?"))
    assert answer.answer == text


def test_a_reply_writes_no_id_nobody_stated(setup):
    tokenizer = setup[0]
    text = "1. Ask E1004.\n2. Ask Q3 staff."
    answer = final(run(guard_engine(setup, [ids(tokenizer, text) + ids(tokenizer, END)]), "Who do I ask?"))
    assert "E1004" not in answer.answer


def test_a_reply_after_a_tool_result_keeps_to_its_figures(setup):
    tokenizer, _, registry, _ = setup
    toolken = registry.by_name("adder").token_id
    call = [toolken, *ids(tokenizer, '{"a": 41}')]
    kept = final(run(guard_engine(setup, [call + ids(tokenizer, "It is 42, from 41.") + ids(tokenizer, END)]),
                     "What is 41 plus one?"))
    assert kept.answer == "It is 42, from 41."
    invented = ids(tokenizer, "It is 43.")
    three = invented.index(ids(tokenizer, "43")[-1])  # the digit that makes 42's start into 43
    script = call + invented[:three] + [(invented[three], ids(tokenizer, "2")[0])] + invented[three + 1:]
    assert final(run(guard_engine(setup, [script + ids(tokenizer, END)]), "What is 41 plus one?")).answer == "It is 42."


class SureDecoder(PassesDecoder):
    peak = 20.0  # the first choice near certain: a toolken preferred where it is masked counts as wanted


def sure_engine(setup, passes) -> Engine:
    """An engine over a SureDecoder behind a router that wants no call, not sure of it: the adder's toolken,
    preferred, is masked."""
    tokenizer, tools, registry, chat = setup
    router = fixed_router([NO_CALL, "adder", "api.bookRoom", "broken"], NO_CALL, sure=False)
    return Engine(SureDecoder(len(tokenizer), passes), chat, registry, tools, GenerationConfig(repetition_penalty=1.0),
                  "You are a test assistant.", max_context_tokens=1024, router=router)


def test_an_opening_about_to_state_a_figure_after_the_model_wanted_a_call_makes_the_call(setup):
    tokenizer, tools, registry, _ = setup
    toolken = registry.by_name("adder").token_id
    lead_in = ids(tokenizer, "I'll work it out. 10 is the limit.")
    ten = lead_in.index(ids(tokenizer, " 10")[-2] if len(ids(tokenizer, " 10")) > 2 else ids(tokenizer, "1")[0])
    first = [(toolken, lead_in[0]), *lead_in[1:], *ids(tokenizer, END)]
    second = ids(tokenizer, '{"a": 9}') + ids(tokenizer, "It is 10.") + ids(tokenizer, END)
    answer = final(run(sure_engine(setup, [first, second]), "What is the gift limit?"))
    # The first sentence was already shown when the figure came: the call follows it.
    assert ten > 0 and answer.guarded and tools[0].calls == [{"a": 9}]
    assert answer.answer == "I'll work it out.It is 10."
    # A model that never wanted a call keeps its opening, the figure masked.
    plain = [lead_in[0], *lead_in[1:ten], (lead_in[ten], ids(tokenizer, " no")[0]), *lead_in[ten + 1:]]
    assert not final(run(sure_engine(setup, [plain + ids(tokenizer, END)]), "What is the gift limit?")).guarded


def test_an_opening_about_to_compute_after_the_model_wanted_a_call_makes_the_call(setup):
    tokenizer, tools, registry, _ = setup
    opening = ids(tokenizer, "12 times 37 is 444.")
    first = [(registry.by_name("adder").token_id, opening[0]), *opening[1:], *ids(tokenizer, END)]
    second = ids(tokenizer, '{"a": 12}') + ids(tokenizer, "It is 13.") + ids(tokenizer, END)
    answer = final(run(sure_engine(setup, [first, second]), "What is 12 times 37?"))
    # nobody stated 444, right as it is: the call the model wanted comes instead
    assert answer.guarded and tools[0].calls == [{"a": 12}] and answer.answer == "It is 13."


def test_a_reply_does_not_take_figures_from_the_worked_examples(setup):
    tokenizer = setup[0]
    two, dot = ids(tokenizer, "2")[0], ids(tokenizer, ".")[0]
    reply = ids(tokenizer, "That is 2") + [(two, dot)] + ids(tokenizer, END)  # the worked example's 22, nearly
    engine = routed_engine(setup, ids(tokenizer, '{"a": 3}') + reply, "adder")
    engine.router.worked_examples = {"adder": [WORKED]}
    answer = final(run(engine, "what is three plus one"))
    assert answer.answer.startswith("That is 2.") and "22" not in answer.answer


@pytest.mark.parametrize("quote", [True, False])
def test_a_search_that_found_passages_is_answered_with_the_first_ones_statement(
        base_tokenizer_folder: Path, quote: bool):
    tokenizer = AutoTokenizer.from_pretrained(base_tokenizer_folder)
    tools = [SearchTool(Passages(0.9))]
    tiny = LlamaForCausalLM(LlamaConfig(vocab_size=len(tokenizer), hidden_size=16, intermediate_size=32,
                                        num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=2))
    registry = add_toolkens(tiny, tokenizer, tools)
    script = [registry.by_name("search").token_id, *ids(tokenizer, '{"query": "rooms"}'),
              *ids(tokenizer, "Rooms are booked by fax."), *ids(tokenizer, END)]
    engine = Engine(ScriptedDecoder(len(tokenizer), script), ChatFormat(tokenizer), registry, tools,
                    GenerationConfig(repetition_penalty=1.0, quote_search=quote), "Test.", max_context_tokens=1024)
    events = run(engine, "How are rooms booked?")
    answer = final(events)
    expected = "Rooms are booked on the intranet. (source: rooms.md)" if quote else "Rooms are booked by fax."
    assert answer.answer == expected == "".join(e.text for e in events if isinstance(e, TextDelta))
    assert answer.messages[-1] == {"role": "assistant", "content": expected}
    assert [call.tool for call in answer.tool_calls] == ["search"]


def test_warming_has_the_router_weigh_a_message_before_the_first_turn(setup):
    engine = routed_engine(setup, ids(setup[0], END), NO_CALL)
    weighed = []
    route = engine.router.route
    engine.router.route = lambda texts, *args, **kwargs: weighed.append(list(texts)) or route(texts, *args, **kwargs)
    engine.warm(date(2026, 3, 2))
    assert weighed == [[WARMING_MESSAGE]]


@pytest.mark.parametrize(("size", "warmed"), [(1, 0), (2, 1)])  # one person's terminal, or a served pool
def test_warming_a_pool_of_several_decoders_embeds_the_requests_a_verdict_weighs(setup, size: int, warmed: int):
    from assistant.pool import DecoderPool

    engine = routed_engine(setup, ids(setup[0], END), NO_CALL)
    decoder = engine.decoders.try_lease([])
    engine.decoders = DecoderPool(lambda: decoder, size)
    asked = []
    engine.router.warm = lambda examples: asked.append(examples) or 0
    engine.warm(date(2026, 3, 2))
    assert len(asked) == warmed


def test_a_warmed_decoder_holds_the_prompt_opening_and_the_first_turn_computes_only_its_own_message(setup):
    tokenizer = setup[0]
    engine, decoder = make_engine(setup, ids(tokenizer, END))
    today = date(2026, 3, 2)
    assert engine.warm(today) == 1
    opening = decoder.fed[0]
    assert "You are a test assistant." in tokenizer.decode(opening) and "2026-03-02" in tokenizer.decode(opening)
    list(engine.run_turn([{"role": "user", "content": "What is 3 plus one?"}], today=today))
    assert len(decoder.fed) >= 2 and decoder.fed[0] == opening  # the turn went on from the opening
    assert tokenizer.decode(decoder.fed[1]).startswith("What is 3 plus one?")


class EmployeeLookup(ApiOperationTool):
    """The demo catalog's getEmployee, answered from a fixed record where the tool would send its request."""

    record = {"id": "E1019", "name": "Ingrid Larsen", "title": "Data Scientist", "phone_extension": "2119",
              "manager_id": "E1005", "manager": {"id": "E1005", "name": "Mei Lin Zhou"}}

    def __init__(self) -> None:
        catalog = load_catalog(DEMO_CATALOG)
        operation = next(op for op in catalog.operations if op.operation_id == "getEmployee")
        super().__init__(operation, catalog, CatalogConfig())

    def run(self, arguments: dict[str, Any]) -> ToolResult:
        return ToolResult(value={"status": 200, "body": self.record})


def _tiny_registry(tokenizer: Any, tools: list[Tool]) -> Any:
    """The toolkens of `tools`, added to `tokenizer` and to a one-layer model that only gives them rows."""
    tiny = LlamaForCausalLM(LlamaConfig(vocab_size=len(tokenizer), hidden_size=16, intermediate_size=32,
                                        num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=2))
    return add_toolkens(tiny, tokenizer, tools)


def _scripted_engine(tokenizer: Any, registry: Any, tools: list[Tool], script: list[int]) -> Engine:
    """An engine whose model writes `script`, token by token, over `tools`."""
    return Engine(PassesDecoder(len(tokenizer), [script]), ChatFormat(tokenizer), registry, tools,
                  GenerationConfig(repetition_penalty=1.0), "You are a test assistant.", max_context_tokens=1024)


@pytest.mark.parametrize("calls_again", [False, True])
def test_after_an_api_call_that_ran_the_answer_is_written_from_its_result_unless_the_model_calls_again(
        base_tokenizer_folder: Path, calls_again: bool):
    tokenizer = AutoTokenizer.from_pretrained(base_tokenizer_folder)
    tools = [EmployeeLookup(), Adder()]
    registry = _tiny_registry(tokenizer, tools)
    script = [registry.by_name("api.getEmployee").token_id, *ids(tokenizer, '{"employee_id": "E1019"}')]
    if calls_again:
        script += [registry.by_name("adder").token_id, *ids(tokenizer, '{"a": 3}')]
    script += ids(tokenizer, "Ingrid has a manager.") + ids(tokenizer, END)
    engine = _scripted_engine(tokenizer, registry, tools, script)
    question = "who is the manager of E1019?"
    answer = final(run(engine, question))
    if calls_again:  # the model's own reply follows the second call
        assert [call.tool for call in answer.tool_calls] == ["api.getEmployee", "adder"]
        assert answer.answer == "Ingrid has a manager."
    else:
        assert answer.answer == describe_result(tools[0].operation, EmployeeLookup.record, question) == \
            "Ingrid Larsen (E1019): manager id E1005, manager Mei Lin Zhou, phone extension 2119, title Data Scientist."


class RefusedCancel(ApiOperationTool):
    """The demo catalog's cancelLeaveRequest, refused where the tool would send its request, as the demo API
    refuses a request that does not exist."""

    error = "HTTP 404 Not Found: there is no leave request 99999"

    def __init__(self) -> None:
        catalog = load_catalog(DEMO_CATALOG)
        operation = next(op for op in catalog.operations if op.operation_id == "cancelLeaveRequest")
        super().__init__(operation, catalog, CatalogConfig())
        self.calls: list[dict[str, Any]] = []

    def run(self, arguments: dict[str, Any]) -> ToolResult:
        self.calls.append(arguments)
        return ToolResult(error=self.error)


def _refused_cancel_turn(folder: Path, then: str, approve: Approver) -> tuple[FinalAnswer, RefusedCancel]:
    """A turn that calls RefusedCancel, then whatever `then` says the model does next: writes a reply ("reply"),
    calls it again ("same") or calls the adder ("other"), and then writes a reply."""
    tokenizer = AutoTokenizer.from_pretrained(folder)
    tools = [RefusedCancel(), Adder()]
    registry = _tiny_registry(tokenizer, tools)
    call = [registry.by_name("api.cancelLeaveRequest").token_id, *ids(tokenizer, '{"request_id": 99999}')]
    script = list(call)
    if then == "same":
        script += call
    elif then == "other":
        script += [registry.by_name("adder").token_id, *ids(tokenizer, '{"a": 3}')]
    script += ids(tokenizer, "Your request 99999 was cancelled, 3 days back.") + ids(tokenizer, END)
    engine = _scripted_engine(tokenizer, registry, tools, script)
    return final(run(engine, "cancel leave request 99999", approve=approve)), tools[0]


@pytest.mark.parametrize("then", ["reply", "same", "other"])
def test_after_a_call_the_api_refused_the_answer_is_its_reason_unless_the_model_calls_another_tool(
        base_tokenizer_folder: Path, then: str):
    answer, cancel = _refused_cancel_turn(base_tokenizer_folder, then, approve=lambda call: True)
    if then == "other":  # the model's own reply follows the other tool's result
        assert [call.tool for call in answer.tool_calls] == ["api.cancelLeaveRequest", "adder"]
        assert answer.answer.startswith("Your request 99999")
    else:  # the refused call is not sent again, and the reason is the API's, not a cancellation made up
        assert len(cancel.calls) == 1 and [call.status for call in answer.tool_calls] == ["failed"]
        assert answer.answer == describe_failure(cancel.operation, RefusedCancel.error) == \
            "Not done: there is no leave request 99999."


def test_after_a_call_nobody_approved_the_answer_says_it_was_not_sent(base_tokenizer_folder: Path):
    answer, cancel = _refused_cancel_turn(base_tokenizer_folder, "same", approve=lambda call: False)
    assert cancel.calls == [] and [call.status for call in answer.tool_calls] == ["declined"]
    assert answer.answer == "Not sent: you said no to it."

    def unreachable(call: Any) -> bool:
        raise CannotApprove("not sent: nobody confirmed it within 120 s")

    answer, _ = _refused_cancel_turn(base_tokenizer_folder, "reply", approve=unreachable)
    assert answer.answer == "Not sent: nobody confirmed it within 120 s."


class DemoOperation(ApiOperationTool):
    """One of the demo catalog's operations (cancelLeaveRequest: a call that reached `run` would have cancelled
    the request)."""

    def __init__(self, operation_id: str = "cancelLeaveRequest") -> None:
        catalog = load_catalog(DEMO_CATALOG)
        operation = next(op for op in catalog.operations if op.operation_id == operation_id)
        super().__init__(operation, catalog, CatalogConfig())

    def run(self, arguments: dict[str, Any]) -> ToolResult:
        raise AssertionError("a dry run sends no call")


def demo_engine(folder: Path, operations: list[str], script: str, verdict: str, router: ToolRouter | None = None,
                **generation: Any) -> Engine:
    """An engine over the demo catalog's `operations`, whose model writes `script` (a call's arguments and
    "Planned.", or a reply) and whose router always says `verdict` (or is `router`)."""
    tokenizer = AutoTokenizer.from_pretrained(folder)
    tools = [DemoOperation(operation_id) for operation_id in operations]
    names = [tool.name for tool in tools]
    planned = ids(tokenizer, "Planned.") if script.startswith("{") else []
    passes = ids(tokenizer, script) + planned + ids(tokenizer, END)
    return Engine(PassesDecoder(len(tokenizer), [passes]), ChatFormat(tokenizer), _tiny_registry(tokenizer, tools),
                  tools, GenerationConfig(**{"repetition_penalty": 1.0, **generation}), "You are a test assistant.",
                  max_context_tokens=1024, router=router or fixed_router([NO_CALL, *names], verdict))


def test_a_question_the_router_was_sure_wants_a_look_up_that_none_answers_gets_what_can_be_looked_up(
        base_tokenizer_folder: Path):
    operations = ["getLeaveBalance", "listLeaveRequests", "createLeaveRequest", "listTickets"]
    question = "is anyone from finance on leave next week?"  # states none of what a balance needs
    engine = demo_engine(base_tokenizer_folder, operations, "I don't have the ability to access personal data.",
                         "api.getLeaveBalance")
    answer = final(run(engine, question, dry_run=True))
    assert answer.tool_calls == []
    assert answer.answer == "I couldn't find a look-up in the API that answers that, so I haven't looked anything " \
                            "up. What I can look up there: get an employee's remaining leave days or list leave requests."
    # news asks nothing, a classifier unsure of a call leaves it to the model, and so do the written refusals off
    route = engine.route([{"role": "user", "content": question}])
    assert route is not None and not route.call and route.no_call < SURE_OF_A_CALL
    assert engine._refusal(question, route, engine.generation) is not None
    assert not unanswered_question("finance is on leave next week, the whole team", route.tool, route.no_call,
                                   engine.tools)
    assert not unanswered_question(question, route.tool, SURE_OF_A_CALL, engine.tools)
    assert engine._refusal(question, route, engine.generation.model_copy(update={"refuse_unsupported_actions": False})) \
        is None


@pytest.mark.parametrize(("question", "refuse", "called"), [
    ("approve leave request 505", True, False),
    ("approve leave request 505", False, True),  # generation.refuse_unsupported_actions off: the router's call
    ("please cancel leave request 505", True, True),
    ("delete my leave request 505", True, True),  # a word staff write for the operation's own verb
])
def test_a_request_for_an_action_no_operation_does_gets_no_call_to_the_operation_the_router_chose(
        base_tokenizer_folder: Path, question: str, refuse: bool, called: bool):
    engine = demo_engine(base_tokenizer_folder, ["cancelLeaveRequest"], '{"request_id": 505}',
                         "api.cancelLeaveRequest", refuse_unsupported_actions=refuse)
    answer = final(run(engine, question, dry_run=True))
    assert [c.tool for c in answer.tool_calls] == (["api.cancelLeaveRequest"] if called else [])
    if not called:
        assert answer.answer == "I can't do that: none of the API's operations can approve. What I can do there: " \
                                "cancel a leave request."


@pytest.mark.parametrize(("least", "after_a_call", "called"), [
    (0.15, False, False),
    (0.0, False, True),
    (0.15, True, True),  # a follow-up of a call is read with the message before it, and rated low
])
def test_a_change_the_router_chose_only_by_a_small_margin_is_not_called(
        base_tokenizer_folder: Path, least: float, after_a_call: bool, called: bool):
    # no call 0.86 under a threshold of 0.95: a call, to createLeaveRequest at 0.14
    router = ToolRouter([NO_CALL, "api.createLeaveRequest"], np.array([[1.8, 0.0], [0.0, 0.0]], dtype=np.float32),
                        np.zeros(2, dtype=np.float32), 0.95, np.array([1.0, 0.0], dtype=np.float32),
                        lambda texts: [[1.0, 0.0] for _ in texts])
    engine = demo_engine(base_tokenizer_folder, ["createLeaveRequest"],
                         '{"employee_id": "E1004", "leave_type": "sick", "start_date": "2026-12-14", '
                         '"end_date": "2026-12-14"}', "", router=router, least_change_probability=least)
    question = {"role": "user", "content": "book me a flight to Berlin for next monday, I'm E1004"}
    earlier = [{"role": "user", "content": "how many days do i have left? E1004"},
               {"role": "assistant", "content": call_content("", toolken_for("api.getLeaveBalance"),
                                                             '{"employee_id": "E1004"}')},
               {"role": "tool", "name": "api.getLeaveBalance", "content": '{"result": {"status": 200}}'},
               {"role": "assistant", "content": "You have 12 days."}] if after_a_call else []
    answer = final(list(engine.run_turn([*earlier, question], dry_run=True)))
    assert [c.tool for c in answer.tool_calls] == (["api.createLeaveRequest"] if called else [])
    if not called:
        assert answer.answer.startswith("I haven't done anything: that doesn't look like a change I can make. "
                                        "The changes I can make: request leave for an employee.")


@pytest.mark.parametrize(("question", "called"), [
    ("fire E1010", False),  # the look-up would have shown E1010's entry as the answer
    ("who is E1010?", True),
    ("email me E1010's entry", True),  # a look-up reads what it is asked to send
])
def test_a_look_up_is_no_call_for_an_action_it_does_not_do(base_tokenizer_folder: Path, question: str, called: bool):
    engine = demo_engine(base_tokenizer_folder, ["getEmployee"], '{"employee_id": "E1010"}', "api.getEmployee")
    answer = final(run(engine, question, dry_run=True))
    assert [c.tool for c in answer.tool_calls] == (["api.getEmployee"] if called else [])
    if not called:
        assert answer.answer.startswith("I can't do that: none of the API's operations can fire.")


@pytest.mark.parametrize(("question", "called"), [
    ("change the priority of ticket 4101 to high", False),  # the call would have set its status to open
    ("close ticket 4101 and set the priority to low", True),
])
def test_a_change_of_a_property_the_operation_does_not_set_gets_no_call(
        base_tokenizer_folder: Path, question: str, called: bool):
    engine = demo_engine(base_tokenizer_folder, ["updateTicketStatus", "createTicket"],
                         '{"ticket_id": 4101, "status": "open"}', "api.updateTicketStatus")
    answer = final(run(engine, question, dry_run=True))
    assert [c.tool for c in answer.tool_calls] == (["api.updateTicketStatus"] if called else [])
    if not called:
        assert answer.answer.startswith("I can't do that: none of the API's operations can change the priority.")


def test_a_change_whose_verb_another_change_names_opens_with_that_change(base_tokenizer_folder: Path):
    engine = demo_engine(base_tokenizer_folder, ["createLeaveRequest", "cancelLeaveRequest"], '{"request_id": 505}',
                         "api.createLeaveRequest")
    events = run(engine, "cancel my leave next friday, I'm E1006", dry_run=True)
    # cancelLeaveRequest's toolken opens the turn; no message gives a request number, so the call is held
    assert engine.decoders.try_lease([]).fed[0][-1] == engine.registry.by_name("api.cancelLeaveRequest").token_id
    assert final(events).answer.startswith("Not sent: which request?")


def test_a_change_the_request_says_not_to_do_is_not_called(base_tokenizer_folder: Path):
    engine = demo_engine(base_tokenizer_folder, ["updateTicketStatus"], '{"ticket_id": 4104, "status": "closed"}',
                         "api.updateTicketStatus")
    answer = final(run(engine, "no don't reopen 4104, it's fine, i was looking at the wrong laptop", dry_run=True))
    assert answer.tool_calls == [] and answer.answer == "OK, I won't reopen it: nothing was sent."


def test_a_request_placed_at_no_call_for_an_action_no_operation_does_is_answered_so(base_tokenizer_folder: Path):
    # the model, left to answer alone, would have made up a result
    engine = demo_engine(base_tokenizer_folder, ["getEmployee"], "I'll do that now. E1010: fired.", NO_CALL)
    answer = final(run(engine, "fire E1010", dry_run=True))
    assert answer.tool_calls == [] and answer.answer == "I can't do that: none of the API's operations can fire."


@pytest.mark.parametrize(("question", "sent"), [
    ("ok then cancel it", False),  # no message gives a request number: 505 is the model's own
    ("ok then cancel request 505", True),
])
def test_a_change_to_a_record_number_nobody_wrote_is_not_sent(base_tokenizer_folder: Path, question: str, sent: bool):
    tokenizer = AutoTokenizer.from_pretrained(base_tokenizer_folder)
    tools = [DemoOperation()]
    registry = _tiny_registry(tokenizer, tools)
    script = [registry.by_name("api.cancelLeaveRequest").token_id, *ids(tokenizer, '{"request_id": 505}'),
              *ids(tokenizer, "Planned."), *ids(tokenizer, END)]
    answer = final(run(_scripted_engine(tokenizer, registry, tools, script), question, dry_run=True))
    assert [c.tool for c in answer.tool_calls] == (["api.cancelLeaveRequest"] if sent else [])
    if not sent:
        assert answer.answer == "Not sent: which request? No message here gives its request id."


def test_a_held_change_keeps_its_call_in_the_chat_and_the_answer_to_which_record_sends_it(base_tokenizer_folder: Path):
    tokenizer = AutoTokenizer.from_pretrained(base_tokenizer_folder)
    tools = [DemoOperation()]
    registry = _tiny_registry(tokenizer, tools)

    def turn(messages: list[dict[str, Any]], script: list[int]) -> FinalAnswer:
        router = fixed_router([NO_CALL, "api.cancelLeaveRequest"], NO_CALL)  # sure of no call: the rules decide
        engine = Engine(PassesDecoder(len(tokenizer), [script]), ChatFormat(tokenizer), registry, tools,
                        GenerationConfig(repetition_penalty=1.0), "You are a test assistant.", max_context_tokens=1024,
                        router=router)
        return final(list(engine.run_turn(messages, dry_run=True)))

    # nothing in the chat says which request: asked for, before the model writes anything
    first = [{"role": "user", "content": "ok then cancel it"}]
    asked = turn(first, ids(tokenizer, "I'll do that now.") + ids(tokenizer, END))
    assert asked.tool_calls == [] and asked.answer == "To cancel a leave request I need the request id: which request?"
    held = parse_call(asked.messages[0]["content"])
    assert held is not None and held.tool == "api.cancelLeaveRequest" and held.arguments == {}
    assert json.loads(asked.messages[1]["content"]) == {"error": "not sent: no message gives its request id",
                                                        "held_for": "request_id"}
    # the answer opens the same call, which takes the number given
    script = ids(tokenizer, '{"request_id": 505}') + ids(tokenizer, "Planned.") + ids(tokenizer, END)
    sent = turn([*first, *asked.messages, {"role": "user", "content": "505"}], script)
    assert [(c.tool, c.arguments) for c in sent.tool_calls] == [("api.cancelLeaveRequest", {"request_id": 505})]
