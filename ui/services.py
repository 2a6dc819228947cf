"""What the web app's tabs call: the assistant and the services built on it, assembled once per app.

Every tab receives this one object (LLaMA-Factory's `engine`); the tabs only lay out components and wire
events to these services, which hold the logic and are tested without a browser.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.adapters import AdapterRegistry
from assistant.config import AssistantConfig, GenerationConfig
from ui.auth import SESSIONS_FILE, Sessions, SessionTable, Users, load_secret
from ui.jobs import JobQueue
from ui.playground import Playground, engine_factory
from ui.turns import ChatService

if TYPE_CHECKING:
    from assistant.runtime import Assistant


#: What a tab refreshes when it is shown: a function, the components it returns values for and,
#: optionally, the components it reads.
Refresh = tuple[Callable[..., Any], list[Any]] | tuple[Callable[..., Any], list[Any], list[Any]]


@dataclass
class Services:
    """The running app's parts; `assistant` is the serving one (model, tools, store)."""

    config: AssistantConfig
    home: Path
    assistant: Assistant
    users: Users
    sessions: Sessions
    chat: ChatService
    playground: Playground
    jobs: JobQueue
    stop_jobs: threading.Event = field(default_factory=threading.Event)

    @property
    def tool_names(self) -> list[str]:
        return [tool.name for tool in self.assistant.tools]

    def adapters(self) -> AdapterRegistry:
        """The adapter registry over `<home>/adapters` (the serving assistant's own)."""
        return self.assistant.adapters

    def generation(self, **overrides: Any) -> GenerationConfig:
        """The serving decoding parameters with `overrides` on top, validated."""
        return GenerationConfig.model_validate({**self.config.generation.model_dump(), **overrides})

    def close(self) -> None:
        self.stop_jobs.set()
        self.assistant.close()


def build_services(config: AssistantConfig, home: Path) -> Services:
    """Load the assistant (model, tools, document store, log) and the services around it."""
    from assistant.runtime import Assistant

    users = Users([(user.name, user.role, user.password_hash) for user in config.serve.users])
    sessions = Sessions(load_secret(home), users, lifetime_s=config.serve.session_hours * 3600,
                        table=SessionTable(home / SESSIONS_FILE))
    assistant = Assistant(config, home)
    chat = ChatService(assistant.ask, assistant.store, config.serve.approval_timeout_s)
    make_engine = engine_factory(config.model, assistant.tools, config.generation, config.system_prompt,
                                 home / "models", assistant.embedder.embed, assistant.embedder.words)
    playground = Playground(make_engine, lambda: (assistant.loaded.adapter, assistant.engine))
    jobs = JobQueue(home)
    services = Services(config, home, assistant, users, sessions, chat, playground, jobs)
    services.stop_jobs = jobs.run_in_background()
    return services
