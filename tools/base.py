"""The one contract every tool implements, and the result it hands back to the model.

A tool is a name, a description, a JSON Schema for its arguments and a `run(arguments)`.
Its failures are data (`ToolResult.error`) handed back to the model, never exceptions.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import jsonschema


@dataclass(frozen=True)
class ToolResult:
    """What a tool returns: a JSON-able value, or an error message; plus the sources it used."""

    value: Any = None
    error: str | None = None
    sources: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_message(self, max_chars: int = 4000) -> str:
        """The JSON text the model reads as the tool message, cut to `max_chars`."""
        payload = {"error": self.error} if self.error is not None else {"result": self.value}
        text = json.dumps(payload, ensure_ascii=False, default=str)
        if len(text) > max_chars:
            text = text[: max_chars - 15] + " …[truncated]"
        return text


class Tool(ABC):
    """A tool the model can call through its toolken.

    Subclasses set the class or instance attributes below and implement `run`.
    """

    #: Registry name; the toolken is `<tool:{name}>`. API operations are named `api.{operationId}`.
    name: str
    #: One or two sentences for people and for the toolken's initial embedding.
    description: str
    #: JSON Schema (an object schema) of the arguments.
    parameters: dict[str, Any]
    #: True when a call changes state somewhere (the caller must ask before running it).
    side_effects: bool = False
    #: True when a call stays inside this process (no network); dry runs still run local tools.
    local: bool = True
    #: Requests staff might type for this tool (a catalog operation's `x-examples`); the tool router learns them.
    examples: tuple[str, ...] = ()
    #: Per argument, what the values of the schema it refers to mean, where its own description says less
    #: (`tools.openapi.Operation.glosses`).
    glosses: Mapping[str, str] = MappingProxyType({})

    @property
    def toolken(self) -> str:
        return toolken_for(self.name)

    @abstractmethod
    def run(self, arguments: dict[str, Any]) -> ToolResult:
        """Execute the call with arguments already validated against `parameters`."""

    def plan(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """What a call would do, without doing it (for confirmations and dry runs)."""
        return {"tool": self.name, "arguments": arguments}

    def close(self) -> None:
        """Release what the tool holds (worker processes, connections); a no-op unless overridden."""

    def validate(self, arguments: Any) -> str | None:
        """Return an error message when `arguments` do not match `parameters`, else None."""
        validator = jsonschema.Draft202012Validator(self.parameters)
        errors = sorted(validator.iter_errors(arguments), key=lambda e: list(e.path))
        if not errors:
            return None
        first = errors[0]
        where = "/".join(str(p) for p in first.path) or "(arguments)"
        return f"invalid arguments for {self.name} at {where}: {first.message}"

    def call(self, arguments: Any) -> ToolResult:
        """Validate, then run; any failure comes back as an error result."""
        problem = self.validate(arguments)
        if problem is not None:
            return ToolResult(error=problem)
        try:
            return self.run(arguments)
        except Exception as exc:  # a tool failure is data for the model, never a crash
            return ToolResult(error=f"{self.name} failed: {type(exc).__name__}: {exc}")


TOOLKEN_PREFIX = "<tool:"


def toolken_for(name: str) -> str:
    """The toolken string of the tool called `name`."""
    return f"{TOOLKEN_PREFIX}{name}>"
