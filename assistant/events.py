"""The events a turn yields, consumed alike by the CLI and the web UI."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

#: ran: executed; planned: dry run, nothing sent; declined: the user said no; invalid: bad arguments;
#: failed: the tool reported an error.
CallStatus = Literal["ran", "planned", "declined", "invalid", "failed"]


@dataclass(frozen=True)
class QueueWait:
    """The turn waits for an engine while other people's turns use them all (`started` False), or has just
    got one after `waited_s` seconds (`started` True). Only sent when the turn had to wait."""

    waited_s: float
    started: bool


@dataclass(frozen=True)
class TextDelta:
    """New reply text, in order."""

    text: str


@dataclass(frozen=True)
class ToolCall:
    """The model called a tool; the arguments are decoded and about to be checked and run."""

    tool: str
    arguments: dict[str, Any]
    side_effects: bool
    plan: dict[str, Any]


@dataclass(frozen=True)
class ToolOutcome:
    """What came of one tool call (also the `tool_calls` entries of the JSON answer)."""

    tool: str
    arguments: dict[str, Any]
    status: CallStatus
    result: Any = None
    error: str | None = None
    sources: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"tool": self.tool, "arguments": self.arguments, "result": self.result, "error": self.error}


@dataclass(frozen=True)
class Sources:
    """Documents the answer drew on, in order of first use."""

    sources: list[str]


@dataclass(frozen=True)
class Timings:
    """Where the turn's time went, in seconds, and token counts."""

    prompt_tokens: int
    sampled_tokens: int
    forced_tokens: int
    first_token_s: float
    tools_s: float
    total_s: float
    #: Before the first token: the router's verdict and worked examples (its embedder), waiting for a decoder
    #: (all leased), and computing the prompt ids the decoder did not hold (`prompt_computed` of them), in rounds
    #: of decoding shared with other turns.
    route_s: float = 0.0
    wait_s: float = 0.0
    prompt_s: float = 0.0
    prompt_computed: int = 0
    #: When the reply's first text was shown, None when none was (the claim guard holds an opening back).
    shown_s: float | None = None

    @property
    def decode_tokens_per_s(self) -> float:
        decode_s = self.total_s - self.first_token_s - self.tools_s
        return self.sampled_tokens / decode_s if decode_s > 0 else 0.0


@dataclass(frozen=True)
class FinalAnswer:
    """The end of a turn: the answer text, every call, the sources and the new messages for the history."""

    answer: str
    tool_calls: list[ToolOutcome]
    sources: list[str]
    messages: list[dict[str, Any]]
    timings: Timings
    stop_reason: Literal["end_of_turn", "max_new_tokens"]
    #: The claim guard started this turn again with a call (see `assistant.engine`).
    guarded: bool = False
    #: The tool router opened this turn with a call (see `assistant.router`).
    routed: bool = False

    def to_json(self) -> dict[str, Any]:
        """The stable public shape of `assistant ask --json`."""
        return {
            "answer": self.answer,
            "tool_calls": [call.to_json() for call in self.tool_calls],
            "sources": self.sources,
        }


@dataclass(frozen=True)
class TurnLogged:
    """The turn is in the conversation log under `turn_id` (what feedback refers to)."""

    conversation_id: str
    turn_id: int


Event = QueueWait | TextDelta | ToolCall | ToolOutcome | Sources | Timings | FinalAnswer | TurnLogged
