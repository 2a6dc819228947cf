"""Console · Adapters: metrics and lineage, promote to serving (no restart), roll back, download a zip."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.adapters import AdapterError, AdapterInfo, describe_default
from ui.services import Refresh, Services

HEADERS = ["name", "status", "created", "train loss", "eval loss", "dataset", "fingerprint", "parent", "trigger"]


def _number(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, (int, float)) else "-"


def adapter_row(info: AdapterInfo) -> list[str]:
    """One table row: what it is, how good it is, where it comes from."""
    training = info.metrics.get("training") or {}
    dataset = _dataset_file(info.path)
    fingerprint = info.lineage.get("dataset_fingerprint") or dataset.get("train_sha256") or ""
    version = info.lineage.get("dataset_version") or Path(str(dataset.get("folder", "-"))).name
    return [info.name, info.status, info.created.replace("T", " ")[:16], _number(training.get("final_loss")),
            _number(training.get("eval_loss")), version, fingerprint[:12], str(info.lineage.get("parent") or "base"),
            str(info.lineage.get("trigger") or "-")]


def _dataset_file(folder: Path) -> dict[str, Any]:
    try:
        return json.loads((folder / "dataset.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


def adapter_detail(info: AdapterInfo) -> dict[str, Any]:
    """Everything known about one adapter, for the JSON view."""
    config = info.path / "train_config.yaml"
    return {"name": info.name, "status": info.status, "reason": info.reason, "path": str(info.path),
            "metrics": info.metrics, "lineage": info.lineage, "dataset": _dataset_file(info.path),
            "train_config": config.read_text(encoding="utf-8") if config.is_file() else None}


def serving_line(services: Services) -> str:
    """What the registry says serves (an adapter it names, else the default) and what answers right now."""
    serving = services.adapters().serving()
    adapter = services.assistant.loaded.adapter
    loaded = Path(str(adapter)).name if adapter else "the base model"
    pointer = serving.name if serving else _the_default(services)
    return f"**Serving:** {pointer} · **answering now:** {loaded}"


def _the_default(services: Services) -> str:
    return f"the default, {describe_default(services.assistant.config)}"


def create_adapters_tab(services: Services) -> list[Refresh]:
    """The adapters tab; returns what to refresh when it is shown."""
    serving = gr.Markdown(elem_id="ad-serving")
    table = gr.Dataframe(headers=HEADERS, label="Adapters", interactive=False, elem_id="ad-table", wrap=True)
    with gr.Row():
        pick = gr.Dropdown(label="Adapter", choices=[], elem_id="ad-pick", scale=3)
        promote = gr.Button("Promote to serving", variant="primary", elem_id="ad-promote", scale=1)
        rollback = gr.Button("Roll back", elem_id="ad-rollback", scale=1)
        download = gr.Button("Download zip", elem_id="ad-download", scale=1)
    zip_file = gr.File(label="Download", visible=False, elem_id="ad-zip")
    with gr.Row():
        detail = gr.JSON(label="Metrics, lineage and config", elem_id="ad-detail")
        history = gr.Dataframe(headers=["at", "action", "adapter", "previous", "by"], label="Serving history",
                               interactive=False)

    def tables():
        registry = services.adapters()
        infos = list(reversed(registry.list()))
        rows = [[e["at"].replace("T", " ")[:19], e["action"], e["name"] or "default", e.get("previous") or "default",
                 e["by"]]
                for e in reversed(registry.history())]
        return serving_line(services), [adapter_row(i) for i in infos], rows

    def refresh(current: str | None = None):
        names = [info.name for info in reversed(services.adapters().list())]
        value = current if current in names else (names[0] if names else None)
        return (*tables(), gr.Dropdown(choices=names, value=value), on_pick(value))

    def on_pick(name: str | None):
        if not name:
            return None
        try:
            return adapter_detail(services.adapters().get(name))
        except AdapterError as exc:
            raise gr.Error(str(exc)) from None

    def on_promote(name: str | None, request: gr.Request):
        if not name:
            raise gr.Error("Pick an adapter first.")
        try:
            services.adapters().promote(name, by=request.username)
        except AdapterError as exc:
            raise gr.Error(str(exc)) from None
        swapped = services.assistant.reload_adapter_if_changed()
        gr.Info(f"{name} is serving now." if swapped else f"{name} will serve from the next answer on.")
        return refresh(name)

    def on_rollback(request: gr.Request):
        try:
            info = services.adapters().rollback(by=request.username)
        except AdapterError as exc:
            raise gr.Error(str(exc)) from None
        services.assistant.reload_adapter_if_changed()
        name = info.name if info is not None else f"{_the_default(services)},"
        gr.Info(f"Rolled back: {name} is serving.")
        return refresh(info.name if info is not None else None)

    def on_download(name: str | None):
        if not name:
            raise gr.Error("Pick an adapter first.")
        try:
            path = services.adapters().export_zip(name, Path(tempfile.mkdtemp(prefix="adapter-")))
        except AdapterError as exc:
            raise gr.Error(str(exc)) from None
        return gr.File(value=str(path), visible=True)

    outputs = [serving, table, history, pick, detail]
    pick.change(on_pick, [pick], [detail])
    promote.click(on_promote, [pick], outputs)
    rollback.click(on_rollback, None, outputs)
    download.click(on_download, [pick], [zip_file])
    return [(refresh, outputs)]
