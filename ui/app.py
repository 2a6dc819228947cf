"""`assistant serve`: one web app on the intranet — the staff chat at `/`, the admin console at `/console/`.

Both pages are Gradio Blocks mounted on one FastAPI app behind `ui.login.Gate` (login for everything, the
console for admins only). The console keeps its files (uploads, the adapter zips it offers) in a folder of
its own that the staff page's file route refuses, so they are served under /console only. Fully offline:
analytics off, no share link, run history off, the system's fonts, no external asset.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import gradio as gr  # ui/__init__ has turned analytics and run history off before this import
from fastapi import FastAPI, Request
from gradio.utils import get_upload_folder
from starlette.routing import Mount

from assistant.config import AssistantConfig, ConfigError
from ui.adapters_tab import create_adapters_tab
from ui.auth import LoginThrottle, Sessions
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
.turn-note, .hint{color:var(--body-text-color-subdued);font-size:.85rem}
footer{display:none !important}
@media (max-width: 720px){
  .sidebar{order:2}
  .history{max-height:220px}
}
"""
#: The system's own fonts, as on the login page: the theme's web font is not reachable offline, and its
#: bundled subset drew capitals in bold text from a lighter fallback font.
SYSTEM_FONTS = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"]
MONO_FONTS = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "Liberation Mono", "monospace"]
THEME = gr.themes.Default(primary_hue="orange", secondary_hue="slate", font=SYSTEM_FONTS, font_mono=MONO_FONTS)


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
                                         [parts["history"], parts["answer_pick"], parts["delete"]])
        page.unload(parts["leave"])
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
    serve = services.config.serve
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    throttle = LoginThrottle(serve.login_max_failures, serve.login_window_minutes * 60)
    app.include_router(login_router(services.sessions, serve.title, serve.secure_cookies, throttle))
    mount_pages(app, build_chat(services), build_console(services), services.sessions, serve.max_upload_mb)
    return app


def mount_pages(app: FastAPI, chat: gr.Blocks, console: gr.Blocks, sessions: Sessions,
                max_upload_mb: float) -> Path:
    """Mount the staff page at `/` and the console at `/console` behind the gate; returns the console's file
    folder, which only `/console/gradio_api/file=...` serves."""

    def username(request: Request) -> str | None:
        user = user_of(sessions, request.headers.get("cookie"))
        return user.name if user else None

    def admin_name(request: Request) -> str | None:  # Gradio's own check, behind the gate's
        user = user_of(sessions, request.headers.get("cookie"))
        return user.name if user and user.is_admin else None

    common = {"footer_links": [], "run_history": False, "theme": THEME, "css": CSS, "ssr_mode": False,
              "max_file_size": f"{int(max_upload_mb)}mb", "show_error": True}
    console_files = _own_file_folder(console)
    gr.mount_gradio_app(app, console.queue(default_concurrency_limit=4), path=CONSOLE_PATH,
                        auth_dependency=admin_name, **common)
    _mounted(app, CONSOLE_PATH).uploaded_file_dir = str(console_files)  # where its uploads land
    gr.mount_gradio_app(app, chat.queue(default_concurrency_limit=4), path="", auth_dependency=username,
                        blocked_paths=[str(console_files)], **common)
    app.add_middleware(Gate, sessions=sessions)
    return console_files


def _own_file_folder(page: gr.Blocks) -> Path:
    """Give `page` a private folder for the files its components write (outputs are copied there before
    they are served). It lies inside Gradio's upload folder, the one place Gradio accepts uploaded files
    from, so the page's own uploads may land there too."""
    upload_root = Path(get_upload_folder())
    upload_root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="console-", dir=upload_root)).resolve()
    for block in [page, *page.blocks.values()]:
        block.GRADIO_CACHE = str(folder)
    return folder


def _mounted(app: FastAPI, path: str):
    """The Gradio app `gr.mount_gradio_app` mounted at `path`."""
    return next(route.app for route in app.routes if isinstance(route, Mount) and route.path == path)


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
