"""What one turn of the engine's decoding loop holds and mutates (`assistant.engine`): its mode, its tokens and
what each was, the reply so far, the call being written, and where its time went."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

import xgrammar

from assistant.chat_format import ParsedCall
from assistant.copying import CopiedText
from assistant.decoding import Decoder
from assistant.events import ToolOutcome
from assistant.figures import StatedAmounts, StatedFigures
from tools.base import Tool


class Mode(Enum):
    REPLY = "reply"
    ARGUMENTS = "arguments"
    DONE = "done"


@dataclass
class TurnClock:
    """Where a turn's time went before its reply was shown (`Timings`); kept when the turn starts again."""

    started: float = field(default_factory=time.perf_counter)
    route_s: float = 0.0
    wait_s: float = 0.0
    prompt_s: float | None = None  # the turn's first start: computing the prompt ids its decoder did not hold
    prompt_computed: int = 0
    shown_s: float | None = None


@dataclass
class TurnState:
    """Everything one turn's loop mutates."""

    history: list[dict[str, Any]]  # rendered before this turn's first token
    prompt: list[int]  # the history's token ids
    stated: list[str] = field(default_factory=list)  # user messages and tool results the turn stands on
    today: date | None = None  # what relative dates in the request are resolved against
    previous: ParsedCall | None = None  # the call this turn goes on from (`follow_ups.call_before`)
    asked: str = ""  # the person's message that asked for `previous`
    decoder: Decoder | None = None  # leased from the engine's pool while the turn computes
    mode: Mode = Mode.REPLY
    tokens: list[int] = field(default_factory=list)  # fed after the prompt, in order
    sampled: list[bool] = field(default_factory=list)  # per token: sampled (True) or forced (False)
    pending: list[tuple[int, bool]] = field(default_factory=list)  # to feed before the next step
    reply_ids: list[int] = field(default_factory=list)  # the current assistant segment's text tokens
    reply_text: str = ""  # decoded reply_ids (whole characters)
    described: str | None = None  # the answer the last API result gives, unless the model calls again
    reply_window: tuple[int, int] = (0, 0)  # the incremental detokeniser's offsets into reply_ids
    streamed: int = 0  # characters of reply_text already yielded as TextDelta
    holding: bool = False  # the claim guard holds this segment's text back
    released: int = 0  # reply_ids whose text the guard let out while holding (sentences, or words of one)
    no_call: bool = False  # the router found no tool for the question: toolkens masked until a tool result
    settled: bool = False  # ... and the message's kind wants none: the guard takes a claim back, calls nothing
    unsaid: dict[int, set[int]] = field(default_factory=dict)  # reply position -> tokens a taken-back claim began with
    routed: bool = False  # the router opened the turn with a call
    best_toolken: tuple[float, int] | None = None  # (probability, token id): the held opening's likeliest call
    rewind_to: int | None = None  # the guard's verdict: start again with this toolken forced
    guarded: bool = False  # this turn was started again by the guard
    visible: list[str] = field(default_factory=list)  # reply text of finished segments
    new_messages: list[dict[str, Any]] = field(default_factory=list)
    tool: Tool | None = None
    matcher: xgrammar.GrammarMatcher | None = None
    argument_ids: list[int] = field(default_factory=list)
    figures: StatedFigures | None = None  # a calculator expression's allowed figures (stated_figures_only)
    copied: CopiedText | None = None  # the call's free-text properties and what they may copy (copy_free_text)
    amounts: StatedAmounts | None = None  # the call's number properties and the figures they may take
    said_figures: tuple[int, StatedFigures] | None = None  # (outcomes then, figures) a reply may state
    said_text: tuple[int, str] | None = None  # (outcomes then, what was said, casefolded) a reply may quote
    sent_arguments: str | None = None  # the call's JSON when the engine settled other arguments than the model wrote
    outcomes: list[ToolOutcome] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    sampled_count: int = 0
    tools_s: float = 0.0
    first_token_s: float | None = None
    clock: TurnClock = field(default_factory=TurnClock)
