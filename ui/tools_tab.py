"""Console · Tools: the serving tools and catalog operations, new OpenAPI files, each operation's example
requests, documents, a trial search."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from tools.base import Tool
from tools.catalog import Catalog, load_catalog
from tools.openapi import CatalogError, Operation
from ui.services import Refresh, Services
from ui.uploads import list_catalogs, save_catalog, save_documents, set_examples

TOOL_HEADERS = ["toolken", "kind", "method", "path", "writes", "description"]
OPERATION_HEADERS = ["operation", "method", "path", "changes data", "summary"]


def tool_rows(tools: list[Tool]) -> list[list[str]]:
    rows = []
    for tool in tools:
        operation: Operation | None = getattr(tool, "operation", None)
        kind = "API" if operation is not None else "local"
        rows.append([tool.toolken, kind, operation.method if operation else "-", operation.path if operation else "-",
                     "yes" if tool.side_effects else "no", tool.description[:160]])
    return rows


def operation_rows(operations: list[Operation]) -> list[list[str]]:
    return [[op.operation_id, op.method, op.path, "yes" if op.side_effects else "no", op.summary or op.description[:120]]
            for op in operations]


def examples_of(catalog: Catalog, operation_id: str) -> tuple[str, ...]:
    """The example requests (`x-examples`) of `catalog`'s operation `operation_id`; () when it has none."""
    return next((op.examples for op in catalog.operations if op.operation_id == operation_id), ())


def create_tools_tab(services: Services) -> list[Refresh]:
    """The tools tab; returns what to refresh when it is shown."""
    gr.Markdown(f"### Serving tools\n{len(services.assistant.tools)} toolkens. API calls that change data are "
                "confirmed by the user before they are sent.")
    gr.Dataframe(tool_rows(services.assistant.tools), headers=TOOL_HEADERS, interactive=False, wrap=True,
                 elem_id="tl-tools", max_height=360, column_widths=["22%", "7%", "7%", "22%", "6%", "36%"])
    with gr.Row(equal_height=False):
        with gr.Column():
            gr.Markdown("### Add an OpenAPI catalog\nIts operations become toolkens once an adapter is trained "
                        "with it (pick it when building a dataset).")
            catalog_file = gr.File(label="OpenAPI file (.yaml, .json)", file_types=[".yaml", ".yml", ".json"],
                                   type="filepath", elem_id="tl-catalog")
            catalog_result = gr.Markdown(elem_id="tl-catalog-result")
            operations = gr.Dataframe(headers=OPERATION_HEADERS, interactive=False, wrap=True, visible=False)
            catalogs = gr.Markdown()
            gr.Markdown("### Example requests\nHow staff ask for an operation, one request per line (the "
                        "operation's `x-examples`). The tool router learns them when it is next fitted: "
                        "`assistant fit-router ADAPTER`, or the next training.")
            with gr.Row():
                example_catalog = gr.Dropdown(label="Catalog", choices=[], elem_id="tl-ex-catalog")
                example_operation = gr.Dropdown(label="Operation", choices=[], elem_id="tl-ex-operation")
            examples_text = gr.Textbox(label="Example requests", lines=6, elem_id="tl-ex-text",
                                       placeholder="e.g. who runs the Finance team")
            save_examples = gr.Button("Save example requests", elem_id="tl-ex-save")
            examples_result = gr.Markdown(elem_id="tl-ex-result")
        with gr.Column():
            gr.Markdown("### Ingest documents\n.md, .txt and .pdf files join the handbook search; unchanged "
                        "files cost nothing.")
            documents = gr.File(label="Documents", file_count="multiple", file_types=[".md", ".txt", ".pdf"],
                                type="filepath", elem_id="tl-docs")
            ingest_result = gr.Markdown(elem_id="tl-ingest-result")
            gr.Markdown("### Try a search")
            with gr.Row():
                query = gr.Textbox(show_label=False, placeholder="e.g. how many days of leave", scale=4,
                                   elem_id="tl-query")
                search = gr.Button("Search", scale=1, elem_id="tl-search")
            hits = gr.Dataframe(headers=["score", "source", "section", "passage"], interactive=False, wrap=True,
                                elem_id="tl-hits", column_widths=["9%", "18%", "20%", "53%"])

    def catalog_list() -> str:
        found = list_catalogs(services.home, services.config.tools.catalog.path)
        return "**Catalogs:** " + (", ".join(f"`{p.name}`" for p in found) or "none")

    def on_catalog(path: str | None):
        if not path:
            return "", gr.Dataframe(visible=False), catalog_list()
        try:
            saved, catalog = save_catalog(services.home, Path(path).name, Path(path).read_bytes())
        except (CatalogError, ValueError) as exc:
            return f"**Problem:** {exc}", gr.Dataframe(visible=False), catalog_list()
        with catalog:
            rows = operation_rows(catalog.operations)
            title = catalog.title
        return (f"**{title}**: {len(rows)} operations, saved as `{saved.name}`.",
                gr.Dataframe(value=rows, visible=True), catalog_list())

    def on_documents(paths: list[str] | None):
        if not paths:
            return ""
        if services.assistant.documents is None:
            raise gr.Error("Document search is turned off in the config (tools.retrieval.enabled).")
        try:
            folder, kept = save_documents(services.home, [(Path(p).name, Path(p).read_bytes()) for p in paths])
        except ValueError as exc:
            raise gr.Error(str(exc)) from None
        report = services.assistant.documents.ingest(folder)
        skipped = "".join(f"\n- skipped `{source}`: {reason}" for source, reason in report.skipped)
        return (f"{len(kept)} file(s): {len(report.added)} added, {len(report.updated)} updated, "
                f"{len(report.unchanged)} unchanged; {report.chunks_total} passages stored.{skipped}")

    def on_search(text: str):
        if services.assistant.documents is None:
            raise gr.Error("Document search is turned off in the config (tools.retrieval.enabled).")
        if not (text or "").strip():
            return []
        return [[f"{hit.score:.2f}", hit.source, hit.heading, hit.text[:400]]
                for hit in services.assistant.documents.search(text)]

    def catalog_choices():
        paths = [str(p) for p in list_catalogs(services.home, services.config.tools.catalog.path)]
        return gr.Dropdown(choices=paths, value=paths[0] if paths else None)

    def on_example_catalog(path: str | None):
        if not path:
            return gr.Dropdown(choices=[], value=None)
        try:
            with load_catalog(Path(path)) as catalog:
                names = [op.operation_id for op in catalog.operations]
        except CatalogError as exc:
            raise gr.Error(str(exc)) from None
        return gr.Dropdown(choices=names, value=names[0] if names else None)

    def on_example_operation(path: str | None, operation_id: str | None):
        if not path or not operation_id:
            return ""
        with load_catalog(Path(path)) as catalog:
            return "\n".join(examples_of(catalog, operation_id))

    def on_save_examples(path: str | None, operation_id: str | None, text: str):
        if not path or not operation_id:
            raise gr.Error("Pick a catalog and an operation first.")
        try:
            with set_examples(Path(path), operation_id, (text or "").splitlines()) as catalog:
                saved = examples_of(catalog, operation_id)
        except (CatalogError, ValueError) as exc:
            return f"**Problem:** {exc}"
        return f"Saved {len(saved)} example request(s) for `{operation_id}` in `{Path(path).name}`."

    catalog_file.change(on_catalog, [catalog_file], [catalog_result, operations, catalogs])
    catalog_file.change(catalog_choices, None, [example_catalog])
    example_catalog.change(on_example_catalog, [example_catalog], [example_operation])
    example_operation.change(on_example_operation, [example_catalog, example_operation], [examples_text])
    save_examples.click(on_save_examples, [example_catalog, example_operation, examples_text], [examples_result])
    documents.change(on_documents, [documents], [ingest_result])
    search.click(on_search, [query], [hits])
    query.submit(on_search, [query], [hits])
    return [(catalog_list, [catalogs]), (catalog_choices, [example_catalog])]
