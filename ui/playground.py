"""The admin's playground: one prompt through the base model and any adapter, side by side.

Playground turns are dry runs (API calls are planned, never sent; the calculator and search run, they stay
in the process) and are not logged, so trying things out neither changes company data nor becomes training
data. The model serving the chat is the chat's own engine, so a playground turn on it takes a decoder from the
same pool as staff turns. Every other adapter gets an engine of its own over the serving assistant's tools;
the last few stay loaded.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path

from assistant.config import GenerationConfig, ModelConfig
from assistant.engine import Engine
from assistant.events import Event
from assistant.model import load_model
from assistant.router import Embed, Words
from assistant.runtime import serving_engine
from tools.base import Tool
from ui.turns import TurnRunner

#: Builds an engine for an adapter folder (None: the base model).
EngineFactory = Callable[[Path | None], Engine]
#: The adapter serving the chat now (None: the base model) and its engine.
ServingEngine = Callable[[], tuple[Path | None, Engine]]


class Playground:
    """Dry-run turns on engines for the base model and adapters, loaded on demand and kept `keep` at a time."""

    def __init__(self, make_engine: EngineFactory, serving: ServingEngine, keep: int = 2):
        self.make_engine = make_engine
        self.serving = serving
        self.keep = keep
        self._engines: OrderedDict[Path | None, Engine] = OrderedDict()

    def engine(self, adapter: Path | None) -> Engine:
        """The engine for `adapter` (None: the base model): the chat's when it serves the chat, else one
        loaded for the playground (loading it when it is not loaded)."""
        serving_adapter, serving_engine = self.serving()
        if adapter == serving_adapter:
            return serving_engine
        if adapter in self._engines:
            self._engines.move_to_end(adapter)
            return self._engines[adapter]
        engine = self.make_engine(adapter)
        self._engines[adapter] = engine
        while len(self._engines) > self.keep:
            self._engines.popitem(last=False)
        return engine

    def compare(self, prompt: str, generation: GenerationConfig, adapters: list[Path | None],
                force_tool: str | None = None) -> TurnRunner:
        """Start answering `prompt` with each adapter (None: the base model) in a worker thread; its `events()`
        are (column, event) pairs, token by token interleaved so the columns fill side by side. The comparison
        runs to its end even when nobody reads it any more."""
        if not prompt.strip():
            raise ValueError("the prompt is empty")
        if len(set(adapters)) != len(adapters):
            raise ValueError("pick different models for the columns")
        return TurnRunner(lambda _approve: self._interleave(prompt, generation, adapters, force_tool))

    def _interleave(self, prompt: str, generation: GenerationConfig, adapters: list[Path | None],
                    force_tool: str | None) -> Iterator[tuple[int, Event]]:
        engines = [self.engine(adapter) for adapter in adapters]
        messages = [{"role": "user", "content": prompt}]
        turns = [iter(engine.run_turn(messages, dry_run=True, force_tool=force_tool, generation=generation))
                 for engine in engines]
        active = list(range(len(turns)))
        while active:
            for column in list(active):
                event = next(turns[column], None)
                if event is None:
                    active.remove(column)
                else:
                    yield column, event


def engine_factory(model: ModelConfig, tools: list[Tool], generation: GenerationConfig, system_prompt: str,
                   cache_dir: Path, embed: Embed | None = None, words: Words | None = None) -> EngineFactory:
    """Engines like the serving one (same tools, system prompt and context budget) for other adapters."""

    def make(adapter: Path | None) -> Engine:
        adapted = model.model_copy(update={"adapter": adapter, "engines": 1})  # one admin's comparison at a time
        return serving_engine(load_model(adapted, tools, cache_dir), adapted, tools, generation, system_prompt,
                              cache_dir, embed, words)

    return make
