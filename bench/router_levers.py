"""What each source of the tool router's examples is worth, on a hand-written test set, in seconds (no model).

Run (after `assistant build-data` for the company):
  python bench/router_levers.py                                                   # demo: ~/.assistant/data
  python bench/router_levers.py --set harbor --data ~/.assistant/data-harbor \
      --catalog data/examples/harbor/catalog.yaml --docs data/examples/harbor/docs

Fits one router per row, each adding one source to the one above (the build's training records; the tools'
descriptions; the documents' passages; the catalog's `x-examples`; their near misses, each quoted in a request
to translate or reword it), its threshold chosen on the build's eval split as `assistant fit-router` does; the
last three rows turn on the router's checks (the calculator needs a figure; a document passage nearer than every
request for the operation moves the call to search; an operation rated near the likeliest one that takes more of
what the request states takes the call). Each row scores the router's verdict alone on every test
message: the tool a call should open with, or none. Selection
counts a verdict right when it names the expected tool (or none for a no-call message); the calculator and
document questions expect `calculator` and `search`. The whole engine's figures, arguments and answers included,
come from bench/test_sets.py; this isolates the first decision. Every source is in the shipped router: the rows
say what each added, nothing here chooses among them.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant.config import load_config
from assistant.router import NearestPassage, served_requests
from assistant.tables import figure, table
from finetune.evaluate import load_test_set
from finetune.metrics import API_PREFIX
from finetune.router_fit import document_passages, fit_router
from finetune.tokenize import read_records
from tools.base import Tool
from tools.registry import build_tools
from tools.retrieval import Embedder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", default="demo", help="test set: demo, harbor or a folder with manifest.json")
    parser.add_argument("--data", type=Path, default=Path.home() / ".assistant" / "data", help="build-data folder")
    parser.add_argument("--catalog", type=Path, help="OpenAPI file (default: the configured catalog)")
    parser.add_argument("--docs", type=Path, help="documents folder (default: the configured docs)")
    parser.add_argument("--home", type=Path, default=Path("/tmp/router-levers"), help="scratch state directory")
    args = parser.parse_args(argv)

    config = load_config(None)
    tools_config = config.tools.model_copy(deep=True)
    if args.catalog is not None:
        tools_config.catalog.path = args.catalog.resolve()
    if args.docs is not None:
        tools_config.retrieval.docs = args.docs.resolve()
    tools = build_tools(tools_config, args.home)
    retrieval = tools_config.retrieval
    passages = document_passages(retrieval.docs, retrieval.chunk_chars, retrieval.chunk_overlap)
    train, held_out = read_records(args.data / "train.jsonl"), read_records(args.data / "eval.jsonl")
    sets, _ = load_test_set(args.set)
    messages = [(q.q, _tool_name(q.tool)) for q in sets.tools]
    messages += [(q.q, "calculator") for q in sets.calc] + [(q.q, "search") for q in sets.docs]
    embed = Embedder(retrieval.embedder).embed

    bare = [_without(tool, description=True, examples=True) for tool in tools]
    rows = []
    passage_vectors = np.asarray(embed(passages), dtype=np.float32)  # (passages, dim)
    examples = served_requests(tools)

    def nearest_passage(vector: Sequence[float]) -> float:
        return float((passage_vectors @ np.asarray(vector, dtype=np.float32)).max())

    schemas = {tool.name: tool.parameters for tool in tools}
    # (row, tools as the fit reads them, passages, near misses, checks, the documents' nearness, schemas)
    steps: list[tuple[str, Sequence[Any], list[str], bool, bool, NearestPassage | None, Any]] = [
        ("training records", bare, [], False, False, None, None),
        ("+ tool descriptions", [_without(tool, examples=True) for tool in tools], [], False, False, None, None),
        ("+ document passages", [_without(tool, examples=True) for tool in tools], passages, False, False, None,
         None),
        ("+ x-examples", tools, passages, False, False, None, None),
        ("+ near misses", tools, passages, True, False, None, None),
        ("+ calculator needs a figure", tools, passages, True, True, None, None),
        ("+ nearer documents -> search", tools, passages, True, True, nearest_passage, None),
        ("+ takes more of the request (shipped)", tools, passages, True, True, nearest_passage, schemas),
    ]
    names = {tool.name for tool in tools}
    for label, step_tools, step_passages, near_misses, checks, nearest, step_schemas in steps:
        router = fit_router(train, held_out, step_tools, step_passages, embed, near_misses)
        verdicts = [router.route([text], names, examples, nearest, checks, step_schemas) for text, _ in messages]
        picked = [route.tool if route.call else None for route in verdicts]
        right = [pick == expected for pick, (_, expected) in zip(picked, messages)]
        calls = [r for r, (_, expected) in zip(right, messages) if expected is not None]
        none = [r for r, (_, expected) in zip(right, messages) if expected is None]
        rows.append([label, figure(sum(right) / len(right)), figure(sum(calls) / len(calls)),
                     figure(sum(none) / len(none)) if none else "-", figure(router.no_call_threshold)])
    print(f"test set {args.set}: {len(messages)} messages ({sum(e is None for _, e in messages)} no-call); "
          f"router alone, first decision")
    print("\n".join(table([["examples", "selection", "tool messages", "no-call", "threshold"], *rows],
                           numbers_right=True)))
    return 0


def _tool_name(tool: str | None) -> str | None:
    """A test file's tool as the engine names it (an operationId stands for api.{operationId})."""
    if tool is None or tool in ("calculator", "search"):
        return tool
    return tool if tool.startswith(API_PREFIX) else API_PREFIX + tool


def _without(tool: Tool, description: bool = False, examples: bool = False) -> SimpleNamespace:
    """What the fit reads of a tool (name, description, examples), without its description and/or examples."""
    return SimpleNamespace(name=tool.name, description="" if description else tool.description,
                           examples=() if examples else tool.examples)


if __name__ == "__main__":
    raise SystemExit(main())
