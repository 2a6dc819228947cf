"""Everything a conversation needs, assembled once from the configuration.

Start-up order: first what can refuse the configuration and is quick to check: the tools (loading the
catalog) and the adapter's files and toolkens. Then the demo API (when the catalog points at it and nothing
answers), the document store's ingest of the configured folder (unchanged files cost nothing), the model
with its toolkens, the engine and the conversation log. The CLI and the web UI both talk to an `Assistant`.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from assistant.adapters import ADAPTER_MARKER, AdapterRegistry, choose_adapter
from assistant.approvals import Approver
from assistant.chat_format import ChatFormat
from assistant.config import AssistantConfig, GenerationConfig, ModelConfig
from assistant.decoding import CausalLMDecoder, Decoder
from assistant.demo import api as demo_api
from assistant.engine import Engine
from assistant.events import Event, FinalAnswer, TurnLogged
from assistant.model import LoadedModel, ModelLoadError, load_model
from assistant.pool import MAX_DEFAULT_ENGINES, DecoderPool, default_pool_size
from assistant.router import Embed, RouterMismatch, ToolRouter, Words, load_router
from assistant.store import ConversationStore
from assistant.toolkens import ToolkenRegistry
from tools.base import Tool
from tools.catalog import load_catalog
from tools.registry import build_tools
from tools.retrieval import DocumentStore, Embedder, IngestReport

log = logging.getLogger(__name__)

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class EmptyQuestion(ValueError):
    """A question with nothing in it but white space."""


@dataclass(frozen=True)
class Serving:
    """What answers turns: the loaded model and its engine, swapped together in one assignment."""

    loaded: LoadedModel
    engine: Engine
    #: The model folder and the adapter, if any, as logged with each turn.
    name: str


class Assistant:
    """The configured model, tools, engine and log; `ask` runs one logged turn."""

    def __init__(self, config: AssistantConfig, home: Path):
        self.config = config
        self.home = home
        # A catalog or adapter that will not do is refused here, in a second, not after the ingest and
        # the model's conversion: the store is opened lazily, so the search tool can take it before either.
        self.documents: DocumentStore | None = None
        if config.tools.retrieval.enabled:
            self.documents = DocumentStore(config.tools.retrieval, home / "chroma")
        self.tools: list[Tool] = build_tools(config.tools, home, self.documents)
        #: The sentence embedder of the documents and of the adapter's tool router (loaded on first use).
        self.embedder = self.documents.embedder if self.documents is not None else Embedder(
            config.tools.retrieval.embedder)
        self.adapters = AdapterRegistry(home)
        self._pointer_stamp = self.adapters.pointer_stamp()
        adapter = choose_adapter(config.model.adapter, self.adapters, config)
        if adapter is not None:
            check_adapter(adapter, self.tools)
        self.demo_server = start_demo_api_if_needed(config, home)
        self.ingest_report: IngestReport | None = None
        if self.documents is not None and config.tools.retrieval.docs is not None:
            self.ingest_report = self.documents.ingest(config.tools.retrieval.docs)
            log.info("%s", self.ingest_report)
        self._reloading = threading.Lock()
        self._serving = self._serve(adapter)
        self.store = ConversationStore(home / "conversations.db")

    def _serve(self, adapter: Path | None) -> Serving:
        """The model with `adapter` (None: the base model) and an engine over it."""
        model = self.config.model.model_copy(update={"adapter": adapter})
        loaded = load_model(model, self.tools, self.home / "models")
        engine = serving_engine(loaded, model, self.tools, self.config.generation, self.config.system_prompt,
                                self.home / "models", self.embedder.embed, self.embedder.words)
        started = time.perf_counter()
        warmed = engine.warm()  # before it serves: a swap's first turns find the system prompt computed too
        log.info("%d decoders hold the system prompt (%.1f s)", warmed, time.perf_counter() - started)
        name = f"{loaded.source.name}+{loaded.adapter}" if loaded.adapter else loaded.source.name
        return Serving(loaded, engine, name)

    @property
    def loaded(self) -> LoadedModel:
        return self._serving.loaded

    @property
    def engine(self) -> Engine:
        return self._serving.engine

    def reload_adapter_if_changed(self) -> bool:
        """Serve the registry's serving adapter if it changed since the last look; True when it swapped.

        The check is one stat of the serving pointer. A swap loads the new model and adapter, then replaces
        the engine in one assignment: a turn already running holds the old engine and finishes on it. An
        adapter the user named (`model.adapter`, `--adapter`) is never swapped; one that fails to load is
        logged and the current one keeps serving.
        """
        stamp = self.adapters.pointer_stamp()
        if stamp == self._pointer_stamp or self.config.model.adapter is not None:
            return False
        if not self._reloading.acquire(blocking=False):  # another turn is swapping: keep serving meanwhile
            return False
        try:
            self._pointer_stamp = stamp
            adapter = choose_adapter(None, self.adapters, self.config)
            if adapter == self.loaded.adapter:
                return False
            try:
                serving = self._serve(adapter)
            except Exception:  # a broken adapter must not take the server down
                log.exception("cannot load the serving adapter %s; keeping %s", adapter, self.model_name)
                return False
            self._serving = serving
            log.info("now serving %s", serving.name)
            return True
        finally:
            self._reloading.release()

    @property
    def model_name(self) -> str:
        """What answered, as logged with each turn: the model folder and the adapter, if any."""
        return self._serving.name

    def ask(
        self,
        question: str,
        *,
        conversation_id: str | None = None,
        user: str = "cli",
        approve: Approver | None = None,
        dry_run: bool = False,
        force_tool: str | None = None,
        generation: GenerationConfig | None = None,
    ) -> Iterator[Event]:
        """Run one turn of a conversation (a new one when `conversation_id` is None) and log it.

        An empty question raises EmptyQuestion here, before any turn starts. A new conversation is stored
        together with its first turn, so a turn that fails or is stopped before its answer leaves nothing
        behind. `generation` overrides the configured decoding parameters for this turn only.
        """
        if not question.strip():
            raise EmptyQuestion("the question is empty")
        return self._turn(question, conversation_id, user, approve, dry_run, force_tool, generation)

    def _turn(
        self,
        question: str,
        conversation_id: str | None,
        user: str,
        approve: Approver | None,
        dry_run: bool,
        force_tool: str | None,
        generation: GenerationConfig | None,
    ) -> Iterator[Event]:
        self.reload_adapter_if_changed()
        serving = self._serving  # this turn's model and engine, whatever serves after it
        history = self.store.history(conversation_id) if conversation_id is not None else []
        turn = serving.engine.run_turn(
            history + [{"role": "user", "content": question}],
            approve=approve, dry_run=dry_run, force_tool=force_tool, generation=generation,
        )
        for event in turn:
            yield event
            if isinstance(event, FinalAnswer) and self.config.log.enabled:
                if conversation_id is None:
                    conversation_id, turn_id = self.store.log_new_conversation(user, question, event, serving.name)
                else:
                    turn_id = self.store.log_turn(conversation_id, question, event, serving.name)
                yield TurnLogged(conversation_id, turn_id)

    def close(self) -> None:
        """Stop tool workers and connections, and the demo API if this process started it."""
        for tool in self.tools:
            tool.close()
        if self.demo_server is not None:
            self.demo_server.stop()
            self.demo_server = None


def serving_decoders(loaded: LoadedModel, model: ModelConfig, cache_dir: Path) -> tuple[Callable[[], Decoder], int]:
    """What makes the decoders of `model.backend` over `loaded`, and how many the pool has (`model.engines`, or
    a default for the backend): the torch model itself, one per core; or sequences of llama.cpp contexts over
    the model exported to GGUF (once per adapter, cached under `cache_dir`), eight, since a context's sequences
    decode together for little more than one. `auto` takes llama.cpp where it can serve `loaded` and torch
    where it cannot, saying why in the log; `llama_cpp` raises ModelLoadError.

    One llama.cpp context per core, one thread each: decoding one token is bound by memory, so a second thread
    gains little (SmolLM2-135M F16: 14.7 ms a token on one thread, 14.0 on two), while two tokens batched in one
    context cost more than two contexts decoding one each (32 ms against 15); from four sequences on, batching
    pays (four at 41 ms, eight at 56 on one thread). A spinning llama.cpp thread also leaves no core for the
    web app's own Python when all cores run llama.cpp.
    """
    if model.backend == "torch":
        return _torch_decoders(loaded, model)
    try:
        if loaded.model.device.type != "cpu":
            raise ModelLoadError(f"the model is on {loaded.model.device.type}; llama.cpp serves it on the CPU only")
        try:
            from assistant.llama_backend import cpu_cores, llama_cpp_decoders  # only where it is chosen
        except ImportError as missing:
            raise ModelLoadError(f"llama-cpp-python is not installed ({missing})") from missing
        engines = model.engines or MAX_DEFAULT_ENGINES
        cores = cpu_cores()
        contexts = min(engines, cores)
        # A turn holds its prompt (at most max_context_tokens less the reply's budget), its reply and its tools'
        # results: twice the prompt budget holds that, at half the KV memory of the model's full 8,192.
        decoders = llama_cpp_decoders(loaded, model, cache_dir, n_ctx=2 * model.max_context_tokens,
                                      n_threads=max(1, cores // contexts),
                                      sequences=math.ceil(engines / contexts), contexts=contexts)
        log.info("serving on llama.cpp (%s weights, %d sequences in %d contexts)", model.gguf_quant, engines,
                 contexts)
        return decoders, engines
    except ModelLoadError as problem:
        if model.backend == "llama_cpp":
            raise
        log.warning("serving on the torch backend: %s", problem)
        return _torch_decoders(loaded, model)


def _torch_decoders(loaded: LoadedModel, model: ModelConfig) -> tuple[Callable[[], Decoder], int]:
    return (lambda: CausalLMDecoder(loaded.model)), model.engines or default_pool_size()


def serving_engine(loaded: LoadedModel, model: ModelConfig, tools: list[Tool], generation: GenerationConfig,
                   system_prompt: str, cache_dir: Path, embed: Embed | None = None,
                   words: Words | None = None) -> Engine:
    """An engine over `loaded` with a pool of decoders of its backend (`serving_decoders`), and the adapter's
    tool router when it has one (read with `embed`, which reads `words` whole)."""
    pool = DecoderPool(*serving_decoders(loaded, model, cache_dir))
    return Engine(pool, ChatFormat(loaded.tokenizer), loaded.registry, tools, generation, system_prompt,
                  model.max_context_tokens, router=adapter_router(model.adapter, embed, words))


def adapter_router(adapter: Path | None, embed: Embed | None, words: Words | None = None) -> ToolRouter | None:
    """The adapter folder's tool router, or None (no router, no embedder, or one it was not fitted with: then
    the toolkens alone decide, and the log says why)."""
    if adapter is None or embed is None:
        return None
    try:
        return load_router(adapter, embed, words)
    except RouterMismatch as problem:
        log.warning("serving without the adapter's tool router: %s", problem)
        return None


def check_adapter(adapter: Path, tools: list[Tool]) -> None:
    """Refuse, with a ModelLoadError or ToolkenMismatch naming the problem, an adapter folder that cannot
    serve these tools: one without PEFT's config or a toolken registry, or trained for other tools. Reading
    two small files, this runs before the model is converted and loaded."""
    if not adapter.is_dir():
        raise ModelLoadError(f"the adapter {adapter} is not a folder")
    if not (adapter / ADAPTER_MARKER).is_file():
        raise ModelLoadError(f"the adapter {adapter} has no {ADAPTER_MARKER}: it is not a PEFT adapter folder")
    ToolkenRegistry.load(adapter).check_tools(tools)


def start_demo_api_if_needed(config: AssistantConfig, home: Path) -> demo_api.DemoServer | None:
    """Start the demo company's API when the catalog points at its loopback port and nothing answers."""
    catalog = config.tools.catalog
    if not config.start_demo_api or catalog.path is None:
        return None
    url = catalog.base_url or load_catalog(catalog.path).server_url
    parts = urlsplit(url)
    if parts.hostname not in _LOOPBACK or parts.port != demo_api.DEFAULT_PORT:
        return None
    if demo_api.is_serving(url):
        return None
    server = demo_api.start_in_background(parts.hostname, parts.port, home / "demo-api.db")
    log.info("started the demo API at %s", server.url)
    return server
