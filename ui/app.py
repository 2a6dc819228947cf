"""`assistant serve`: one web app on the intranet — the staff chat at `/`, the admin console at `/console/`.

Both pages are Gradio Blocks mounted on one FastAPI app behind `ui.login.Gate` (login for everything, the
console for admins only). Fully offline: analytics off, no share link, run history off, the theme's fonts
bundled with Gradio, no external asset.
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr  # ui/__init__ has turned analytics and run history off before this import
from fastapi import FastAPI, Request

from assistant.config import AssistantConfig, ConfigError
from ui.adapters_tab import create_adapters_tab
from ui.chat import create_chat_tab, header_html
from ui.datasets_tab import create_datasets_tab
from ui.feedback_tab import create_feedback_tab
from ui.login import CONSOLE_PATH, Gate, login_router, user_of
from ui.playground_tab import create_playground_tab
from ui.services import Refresh, Services, build_services
from ui.tools_tab import create_tools_tab
from ui.training_tab import create_training_tab

CSS = """
.app-header{display:flex;justify-content:space-between;align-items:center;padding:6px 4px 2px}
.app-title{font-size:1.3rem;font-weight:700}
.app-user{color:var(--body-text-color-subdued);font-size:.92rem}
.app-user a{color:var(--color-accent);text-decoration:none;margin-left:6px}
.history{max-height:520px;overflow-y:auto}
.approval{border:2px solid var(--color-accent);border-radius:10px;padding:8px}
.approval .approval{border:0;padding:0}
.turn-note, .hint{color:var(--body-text-color-subdued);font-size:.85rem}
footer{display:none !important}
"""
THEME = gr.themes.Default(primary_hue="orange", secondary_hue="slate")


def _header(services: Services, here: str):
    """A header filled in on page load with who is logged in."""
    bar = gr.HTML(elem_id="app-header")

    def fill(request: gr.Request) -> str:
        user = services.users.get(request.username)
        return header_html(services.config.serve.title, request.username, bool(user and user.is_admin), here)

    return bar, fill


def build_chat(services: Services) -> gr.Blocks:
    """The staff page: the chat and its history."""
    with gr.Blocks(title=services.config.serve.title, analytics_enabled=False, fill_width=True) as page:
        bar, fill = _header(services, "chat")
        parts = create_chat_tab(services)
        page.load(fill, None, bar).then(parts["refresh_side"], [parts["conversation"]],
                                         [parts["history"], parts["answer_pick"]])
    return page


def build_console(services: Services) -> gr.Blocks:
    """The admin page: one tab per task, each refreshed when it is shown."""
    tabs = [("Playground", create_playground_tab), ("Datasets", create_datasets_tab),
            ("Training", create_training_tab), ("Adapters", create_adapters_tab), ("Tools", create_tools_tab),
            ("Feedback", create_feedback_tab)]
    with gr.Blocks(title=f"Console · {services.config.serve.title}", analytics_enabled=False,
                   fill_width=True) as page:
        bar, fill = _header(services, "console")
        page.load(fill, None, bar)
        with gr.Tabs():
            for label, create in tabs:
                with gr.Tab(label, id=label.lower(), elem_id=f"tab-{label.lower()}") as tab:
                    refreshes: list[Refresh] = create(services)
                for refresh in refreshes:
                    function, outputs, *inputs = refresh
                    wired = inputs[0] if inputs else None
                    tab.select(function, wired, outputs, show_progress="hidden")
                    page.load(function, wired, outputs, show_progress="hidden")
    return page


def build_app(services: Services) -> FastAPI:
    """The FastAPI app: login routes, both Gradio pages, the gate in front of everything."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(login_router(services.sessions, services.config.serve.title))

    def username(request: Request) -> str | None:
        user = user_of(services.sessions, request.headers.get("cookie"))
        return user.name if user else None

    def admin_name(request: Request) -> str | None:  # Gradio's own check, behind the gate's
        user = user_of(services.sessions, request.headers.get("cookie"))
        return user.name if user and user.is_admin else None

    common = {"footer_links": [], "run_history": False, "theme": THEME, "css": CSS, "ssr_mode": False,
              "max_file_size": f"{int(services.config.serve.max_upload_mb)}mb", "show_error": True}
    console = build_console(services).queue(default_concurrency_limit=4)
    chat = build_chat(services).queue(default_concurrency_limit=4)
    gr.mount_gradio_app(app, console, path=CONSOLE_PATH, auth_dependency=admin_name, **common)
    gr.mount_gradio_app(app, chat, path="", auth_dependency=username, **common)
    app.add_middleware(Gate, sessions=services.sessions)
    return app


def serve(config: AssistantConfig, home: Path, host: str | None = None, port: int | None = None) -> None:
    """Load everything, then serve until interrupted."""
    import uvicorn

    if not config.serve.users:
        raise ConfigError("serve.users is empty: add at least one user (name, role, password_hash from "
                          "`assistant hash-password`) to the config")
    from finetune.schedule import start_retrain_schedule

    services = build_services(config, home)
    scheduler = start_retrain_schedule(config, home)  # None without retrain.schedule
    host = host or config.serve.host
    port = port or config.serve.port
    print(f"{services.assistant.model_name} with {len(services.assistant.tools)} tools; "
          f"web app on http://{host}:{port}/ (console: /console/)", flush=True)
    try:
        uvicorn.run(build_app(services), host=host, port=port, log_level="warning")
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        services.close()
