"""Everything a conversation needs, assembled once from the configuration.

Start-up order: the demo API (when the catalog points at it and nothing answers), the document store
(ingesting the configured folder; unchanged files cost nothing), the tools, the model with its toolkens,
the engine and the conversation log. The CLI and the web UI both talk to an `Assistant`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from assistant import demo_api
from assistant.config import AssistantConfig, GenerationConfig
from assistant.decoding import CausalLMDecoder
from assistant.chat_format import ChatFormat
from assistant.engine import Approver, Engine
from assistant.events import Event, FinalAnswer, TurnLogged
from assistant.model import LoadedModel, load_model
from assistant.store import ConversationStore
from tools.base import Tool
from tools.catalog import load_catalog
from tools.registry import build_tools
from tools.retrieval import DocumentStore, IngestReport

log = logging.getLogger(__name__)

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class Assistant:
    """The configured model, tools, engine and log; `ask` runs one logged turn."""

    def __init__(self, config: AssistantConfig, home: Path):
        self.config = config
        self.home = home
        self.demo_server = start_demo_api_if_needed(config, home)
        self.documents: DocumentStore | None = None
        self.ingest_report: IngestReport | None = None
        if config.tools.retrieval.enabled:
            self.documents = DocumentStore(config.tools.retrieval, home / "chroma")
            if config.tools.retrieval.docs is not None:
                self.ingest_report = self.documents.ingest(config.tools.retrieval.docs)
                log.info("%s", self.ingest_report)
        self.tools: list[Tool] = build_tools(config.tools, home, self.documents)
        self.loaded: LoadedModel = load_model(config.model, self.tools, home / "models")
        self.engine = Engine(
            CausalLMDecoder(self.loaded.model),
            ChatFormat(self.loaded.tokenizer),
            self.loaded.registry,
            self.tools,
            config.generation,
            config.system_prompt,
            config.model.max_context_tokens,
        )
        self.store = ConversationStore(home / "conversations.db")

    @property
    def model_name(self) -> str:
        """What answered, as logged with each turn: the model folder and the adapter, if any."""
        name = self.loaded.source.name
        return f"{name}+{self.loaded.adapter}" if self.loaded.adapter else name

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

        `generation` overrides the configured decoding parameters for this turn only.
        """
        if not question.strip():
            raise ValueError("the question is empty")
        if conversation_id is None:
            conversation_id = self.store.start_conversation(user, question)
        messages = self.store.history(conversation_id) + [{"role": "user", "content": question}]
        turn = self.engine.run_turn(
            messages, approve=approve, dry_run=dry_run, force_tool=force_tool, generation=generation
        )
        for event in turn:
            yield event
            if isinstance(event, FinalAnswer) and self.config.log.enabled:
                turn_id = self.store.log_turn(conversation_id, question, event, self.model_name)
                yield TurnLogged(conversation_id, turn_id)

    def close(self) -> None:
        """Stop tool workers and connections, and the demo API if this process started it."""
        for tool in self.tools:
            tool.close()
        if self.demo_server is not None:
            self.demo_server.stop()
            self.demo_server = None


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
