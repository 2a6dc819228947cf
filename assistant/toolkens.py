"""Toolkens: one added token per tool, with its own embedding row, and the registry saved with adapters.

A toolken's embedding starts as the mean embedding of its tool's name and description, so an untrained
toolken begins near its meaning (ToolkenGPT trains exactly these rows). The registry records which token id
belongs to which tool and a fingerprint of the tool's argument schema; an adapter trained with one registry
refuses to load against tools that do not match it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase
from transformers.tokenization_utils_base import AddedToken

from tools.base import Tool, toolken_for

REGISTRY_FILE = "toolkens.json"
REGISTRY_VERSION = 1


class ToolkenMismatch(ValueError):
    """An adapter's toolken registry does not fit the configured tools or the tokenizer."""


def schema_fingerprint(schema: dict[str, Any]) -> str:
    """A short stable hash of a JSON Schema (key order does not matter)."""
    canonical = json.dumps(schema, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Toolken:
    """One registry entry."""

    name: str
    token: str
    token_id: int
    description: str
    schema: dict[str, Any]
    schema_sha256: str
    side_effects: bool


@dataclass(frozen=True)
class ToolkenRegistry:
    """The toolkens of one model, in token-id order."""

    toolkens: tuple[Toolken, ...]
    base_vocab_size: int

    @property
    def token_ids(self) -> list[int]:
        return [t.token_id for t in self.toolkens]

    def by_token_id(self, token_id: int) -> Toolken | None:
        return next((t for t in self.toolkens if t.token_id == token_id), None)

    def by_name(self, name: str) -> Toolken:
        for toolken in self.toolkens:
            if toolken.name == name:
                return toolken
        raise KeyError(f"no toolken for tool {name!r}; known: {', '.join(self.names)}")

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.toolkens]

    def to_json(self) -> dict[str, Any]:
        return {
            "version": REGISTRY_VERSION,
            "base_vocab_size": self.base_vocab_size,
            "toolkens": [asdict(t) for t in self.toolkens],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ToolkenRegistry:
        if data.get("version") != REGISTRY_VERSION:
            raise ToolkenMismatch(f"toolken registry version {data.get('version')!r} is not {REGISTRY_VERSION}")
        return cls(
            toolkens=tuple(Toolken(**entry) for entry in data["toolkens"]),
            base_vocab_size=int(data["base_vocab_size"]),
        )

    def save(self, folder: Path) -> Path:
        path = Path(folder) / REGISTRY_FILE
        path.write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, folder: Path) -> ToolkenRegistry:
        folder = Path(folder)
        path = folder / REGISTRY_FILE
        if not folder.is_dir():  # e.g. a checkpoint the trainer has since rotated away
            raise ToolkenMismatch(f"{folder} does not exist or is not a folder")
        if not path.is_file():
            raise ToolkenMismatch(f"{folder} has no {REGISTRY_FILE}: it is not an adapter saved with toolkens")
        try:
            return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ToolkenMismatch(f"{path} is not a valid toolken registry: {exc}") from exc

    def check_tools(self, tools: list[Tool]) -> None:
        """Raise ToolkenMismatch unless `tools` are exactly the registry's tools with the same schemas."""
        configured = {tool.name: tool for tool in tools}
        missing = [name for name in self.names if name not in configured]
        extra = [name for name in configured if name not in self.names]
        changed = [
            t.name
            for t in self.toolkens
            if t.name in configured and schema_fingerprint(configured[t.name].parameters) != t.schema_sha256
        ]
        problems = []
        if missing:
            problems.append(f"tools the adapter knows but the config lacks: {', '.join(missing)}")
        if extra:
            problems.append(f"tools the config has but the adapter was not trained on: {', '.join(extra)}")
        if changed:
            problems.append(f"tools whose argument schema changed since training: {', '.join(changed)}")
        if problems:
            raise ToolkenMismatch(
                "the adapter's toolkens do not match the configured tools (" + "; ".join(problems) + "). "
                "Use the catalog the adapter was trained with, or retrain the adapter."
            )


def add_toolkens(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    tools: list[Tool],
    registry: ToolkenRegistry | None = None,
) -> ToolkenRegistry:
    """Add one special token per tool to `tokenizer` and `model`, and return their registry.

    Without `registry`, new embedding rows are initialised from each tool's name and description. With
    one (from an adapter), the toolkens are added in its order and must land on its token ids; the
    trained rows then come from the adapter itself.
    """
    base_vocab = len(tokenizer)
    if registry is not None:
        registry.check_tools(tools)
        if registry.base_vocab_size != base_vocab:
            raise ToolkenMismatch(
                f"the adapter was trained on a tokenizer of {registry.base_vocab_size} tokens; "
                f"this model's has {base_vocab}: it is not the adapter's base model"
            )
        by_name = {tool.name: tool for tool in tools}
        tools = [by_name[name] for name in registry.names]
    tokens = [toolken_for(tool.name) for tool in tools]
    clashes = [t for t in tokens if t in tokenizer.get_vocab()]
    if clashes:
        raise ToolkenMismatch(f"the tokenizer already has the token(s) {', '.join(clashes)}")
    # Descriptions are tokenised before the toolkens exist, so they cannot contain them.
    description_ids = [_description_ids(tokenizer, tool) for tool in tools]
    tokenizer.add_tokens([AddedToken(t, special=True, normalized=False) for t in tokens], special_tokens=True)
    token_ids = tokenizer.convert_tokens_to_ids(tokens)
    expected = list(range(base_vocab, base_vocab + len(tokens)))
    if token_ids != expected:
        raise ToolkenMismatch(f"toolkens got ids {token_ids}, expected {expected}")
    _grow_embeddings(model, len(tokenizer))
    if registry is None:
        _initialise_rows(model, token_ids, description_ids)
        registry = ToolkenRegistry(
            toolkens=tuple(
                Toolken(
                    name=tool.name,
                    token=token,
                    token_id=token_id,
                    description=tool.description,
                    schema=tool.parameters,
                    schema_sha256=schema_fingerprint(tool.parameters),
                    side_effects=tool.side_effects,
                )
                for tool, token, token_id in zip(tools, tokens, token_ids)
            ),
            base_vocab_size=base_vocab,
        )
    elif registry.token_ids != token_ids:
        raise ToolkenMismatch(f"registry token ids {registry.token_ids} differ from the tokenizer's {token_ids}")
    return registry


def _description_ids(tokenizer: PreTrainedTokenizerBase, tool: Tool) -> list[int]:
    words = tool.name.replace(".", " ").replace("_", " ")
    return tokenizer(f"{words}: {tool.description}", add_special_tokens=False)["input_ids"]


def _grow_embeddings(model: PreTrainedModel, vocab_size: int) -> None:
    """Make room for the new rows, keeping any padding the model already had."""
    current = model.get_input_embeddings().weight.shape[0]
    if vocab_size > current:
        model.resize_token_embeddings(vocab_size, mean_resizing=False)


@torch.no_grad()
def _initialise_rows(model: PreTrainedModel, token_ids: list[int], description_ids: list[list[int]]) -> None:
    """Each toolken row := mean of its description's token rows (input and, if untied, output side)."""
    matrices = [model.get_input_embeddings().weight]
    output = model.get_output_embeddings()
    if output is not None and output.weight.data_ptr() != matrices[0].data_ptr():
        matrices.append(output.weight)
    for weight in matrices:  # (vocab, hidden)
        for token_id, ids in zip(token_ids, description_ids):
            weight[token_id] = weight[ids].float().mean(dim=0).to(weight.dtype)
