"""Console · Datasets: upload with row-level checks and a preview, build from sources, browse what exists."""

from __future__ import annotations

import time
from pathlib import Path

import gradio as gr

from assistant.config import ConfigError
from finetune.build_data import BuildDataConfig, build_data, default_reply_fn
from finetune.dataset_store import (
    DATASETS_DIR,
    check_name,
    check_upload,
    list_datasets,
    preview_rows,
    read_dataset,
    save_dataset,
)
from finetune.records import DatasetFormatError
from tools.openapi import CatalogError
from ui.services import Refresh, Services
from ui.uploads import list_catalogs

PREVIEW_HEADERS = ["source", "tool", "question", "answer"]
LIST_HEADERS = ["name", "train", "eval", "fingerprint", "created"]


def dataset_table(services: Services) -> list[list]:
    return [[info.name, info.train_records, info.eval_records, (info.fingerprint or "")[:12],
             time.strftime("%Y-%m-%d %H:%M", time.localtime(info.created_at))] for info in list_datasets(services.home)]


def create_datasets_tab(services: Services) -> list[Refresh]:
    """The datasets tab; returns what to refresh when it is shown."""
    with gr.Row(equal_height=False):
        with gr.Column():
            gr.Markdown("### Upload\nJSONL or JSON in Alpaca, ShareGPT or messages form, or CSV with "
                        "`instruction,input,output`, `question,answer` or `prompt,response` columns.")
            upload = gr.File(label="Dataset file", file_types=[".jsonl", ".json", ".csv"], type="filepath",
                             elem_id="ds-file")
            upload_summary = gr.Markdown(elem_id="ds-summary")
            errors = gr.Dataframe(headers=["line", "problem"], label="Rows with problems", visible=False,
                                  interactive=False, elem_id="ds-errors", wrap=True,
                                  column_widths=["10%", "90%"])
            with gr.Row():
                upload_name = gr.Textbox(label="Save as", placeholder="my-dataset", scale=3)
                upload_eval = gr.Slider(0.0, 0.5, 0.1, step=0.05, label="Held out for eval", scale=2)
            save = gr.Button("Save dataset", variant="primary", interactive=False, elem_id="ds-save")
        with gr.Column():
            gr.Markdown("### Build from sources\nTool-call examples from a catalog, search examples from the "
                        "documents, calculator examples, and rated conversations.")
            catalog = gr.Dropdown(label="Catalog", choices=[], elem_id="ds-catalog")
            with gr.Row():
                use_docs = gr.Checkbox(True, label="Documents")
                use_feedback = gr.Checkbox(True, label="Rated conversations")
            with gr.Row():
                per_operation = gr.Number(8, label="Examples per operation", precision=0, minimum=1)
                calculator = gr.Number(50, label="Calculator examples", precision=0, minimum=0)
                no_call = gr.Number(0, label="No-tool examples", precision=0, minimum=0,
                                    info="Each is a base-model reply: slow on CPU.")
            build_name = gr.Textbox(label="Save as", placeholder="built-dataset")
            build = gr.Button("Build dataset", variant="primary", elem_id="ds-build")
            build_summary = gr.Markdown()
    gr.Markdown("### Datasets")
    table = gr.Dataframe(headers=LIST_HEADERS, label="Available for training", interactive=False,
                         elem_id="ds-table")
    pick = gr.Dropdown(label="Preview a dataset", choices=[], elem_id="ds-pick")
    preview = gr.Dataframe(headers=PREVIEW_HEADERS, label="Preview (the upload, or the dataset picked)",
                           interactive=False, wrap=True, elem_id="ds-preview", column_widths=["10%", "14%", "38%", "38%"])
    checked = gr.State(None)

    def on_upload(path: str | None):
        if not path:
            return None, "", gr.Dataframe(visible=False), [], gr.Button(interactive=False), gr.skip()
        check = check_upload(Path(path).name, Path(path).read_bytes(), set(services.tool_names))
        summary = (f"**{Path(path).name}**: {len(check.records)} good rows"
                   + (f" ({check.shape})" if check.shape else "")
                   + (f", **{len(check.errors)} with problems**: fix them and upload again." if check.errors
                      else ". Ready to save."))
        rows = [[e.line if e.line is not None else "-", e.message] for e in check.errors]
        return (check if check.ok else None, summary, gr.Dataframe(value=rows, visible=bool(rows)),
                preview_rows(check.records), gr.Button(interactive=check.ok), Path(path).stem)

    def on_save(check, name: str, eval_fraction: float):
        if check is None:
            raise gr.Error("Upload a file without problems first.")
        try:
            info = save_dataset(check.records, services.home / DATASETS_DIR / check_name(name.strip()),
                                eval_fraction=eval_fraction, origin={"upload": check.file})
        except (ValueError, FileExistsError) as exc:
            raise gr.Error(str(exc)) from None
        gr.Info(f"Saved {info.name}: {info.train_records} train, {info.eval_records} eval records.")
        return dataset_table(services), _pick(services, info.name)

    def on_build(catalog_path, docs: bool, feedback: bool, per_op, calc, no_calls, name: str):
        try:
            folder = services.home / DATASETS_DIR / check_name((name or "").strip())
            if (folder / "train.jsonl").exists():
                raise ValueError(f"a dataset named {folder.name!r} exists already")
            config = BuildDataConfig(
                catalog=Path(catalog_path) if catalog_path else None,
                docs=services.config.tools.retrieval.docs if docs else None, feedback=feedback,
                per_operation=int(per_op or 1), calculator=int(calc or 0), no_call=int(no_calls or 0),
                output=folder, chunk_chars=services.config.tools.retrieval.chunk_chars,
                chunk_overlap=services.config.tools.retrieval.chunk_overlap,
                max_tool_result_chars=services.config.generation.max_tool_result_chars)
            reply = default_reply_fn(services.config.model, services.home, services.config.system_prompt) \
                if config.no_call else None
            report = build_data(config, reply, services.home)
        except (ValueError, ConfigError, CatalogError, DatasetFormatError) as exc:
            raise gr.Error(str(exc)) from None
        summary = f"Built **{folder.name}** in {report.seconds:.0f} s.\n\n```\n{report.counts.table()}\n```"
        return summary, dataset_table(services), _pick(services, folder.name)

    def on_pick(name: str | None):
        info = next((i for i in list_datasets(services.home) if i.name == name), None)
        return preview_rows(read_dataset(info.path), 50) if info else []

    def refresh():
        catalogs = [str(p) for p in list_catalogs(services.home, services.config.tools.catalog.path)]
        return (dataset_table(services), _pick(services, None),
                gr.Dropdown(choices=[("(none)", "")] + [(Path(c).name, c) for c in catalogs],
                            value=catalogs[0] if catalogs else ""))

    upload.change(on_upload, [upload], [checked, upload_summary, errors, preview, save, upload_name])
    save.click(on_save, [checked, upload_name, upload_eval], [table, pick])
    build.click(on_build, [catalog, use_docs, use_feedback, per_operation, calculator, no_call, build_name],
                [build_summary, table, pick])
    pick.change(on_pick, [pick], [preview])
    return [(refresh, [table, pick, catalog])]


def _pick(services: Services, value: str | None):
    names = [info.name for info in list_datasets(services.home)]
    return gr.Dropdown(choices=names, value=value if value in names else None)
