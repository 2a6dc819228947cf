"""The figures that count: an adapter on a hand-written test set, against the targets, FuncQA beside them.

Run:
  python bench/test_sets.py                                   # demo test set, the shipped demo adapter
  python bench/test_sets.py --set harbor --adapter ~/.assistant/adapters/harbor-lora
  python bench/test_sets.py --no-claim-guard                  # the same without the engine's claim guard
  python bench/test_sets.py --no-router                       # the same without the adapter's tool router
  python bench/test_sets.py --funcqa --out /tmp/demo-test     # FuncQA one-hop too; metrics + predictions
  python bench/test_sets.py --chat-turns 12 --sets tools docs  # each question late in a long chat
  python bench/test_sets.py --sets chats                      # the written chats alone

The test sets (data/demo/test/, data/examples/harbor/test/) were written by separate writers who never saw
the data builders; they are frozen by their manifest.json and nothing trains or tunes on them. Every turn is a
dry run with the manifest's date as today. Prints the metrics with the issue's targets and whether each is met.

With --chat-turns N the same items are asked in chats of N turns: each one after the ones before it in the file
and the engine's own answers to them, as a person who keeps one tab open asks. A chat longer than the prompt
budget leaves its oldest turns out as the web app's would. Those figures measure what a long chat changes; they
are no replacement for the targets' own, which ask each item alone.

A test set's chats.jsonl holds written chats of 2-4 messages, each going on from what the person said before it
("and for E1004?", "make it 2 hours", "thanks!"); every message is scored as a tool query, and the follow-ups
(every message after a chat's first) apart. The issue sets no target for them: they are reported beside the rest.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant.config import DATA_DIR, load_config, parse_config, resolve_home
from assistant.tables import figure
from finetune.evaluate import DEFAULT_FUNCQA, TEST_SETS, EvalConfig, run_eval

HARBOR = DATA_DIR / "examples" / "harbor"
#: Per test set: the catalog and documents its questions are about (None: the config's own).
COMPANIES: dict[str, tuple[Path | None, Path | None]] = {
    "demo": (None, None),
    "harbor": (HARBOR / "catalog.yaml", HARBOR / "docs"),
}
#: (metrics.json section, metric, target, higher is better) per test set.
TARGETS: dict[str, list[tuple[str, str, float, bool]]] = {
    "demo": [("tools", "selection_accuracy", 0.95, True), ("tools", "call_exact_match", 0.85, True),
             ("tools", "no_call_accuracy", 0.90, True), ("calculator", "exact_accuracy", 0.90, True),
             ("documents", "grounded_accuracy", 0.80, True), ("tools", "fabrication_rate", 0.0, False),
             ("documents", "fabrication_rate", 0.0, False)],
    "harbor": [("tools", "selection_accuracy", 0.90, True), ("tools", "call_exact_match", 0.75, True),
               ("tools", "no_call_accuracy", 0.90, True), ("documents", "grounded_accuracy", 0.80, True),
               ("tools", "fabrication_rate", 0.0, False), ("documents", "fabrication_rate", 0.0, False)],
}
#: Reported beside the targets.
ALSO = [("tools", "call_exact_match_given_tool"), ("tools", "call_rate"), ("tools", "guarded_rate"),
        ("tools", "routed_rate"),
        ("documents", "search_call_rate"), ("documents", "keyword_accuracy"), ("calculator", "calculator_call_rate"),
        ("chats", "selection_accuracy"), ("chats", "call_exact_match"), ("chats", "no_call_accuracy"),
        ("chats", "fabrication_rate"), ("chats", "follow_up_selection_accuracy"),
        ("chats", "follow_up_call_exact_match"), ("chats", "follow_up_no_call_accuracy"), ("chats", "chats_all_right"),
        ("funcqa", "accuracy")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", default="demo", choices=sorted(TEST_SETS))
    parser.add_argument("--adapter", type=Path, help="adapter folder (default: what the config serves)")
    parser.add_argument("--config", type=Path, help="assistant config YAML")
    parser.add_argument("--home", type=Path, help="state directory (default: a fresh one under /tmp)")
    parser.add_argument("--no-claim-guard", action="store_true", help="turn generation.claim_guard off")
    parser.add_argument("--no-router", action="store_true", help="turn generation.router off (toolkens alone)")
    parser.add_argument("--funcqa", action="store_true", help=f"FuncQA one-hop too ({DEFAULT_FUNCQA})")
    parser.add_argument("--limit", type=int, help="items per set (a quick look, not a figure to report)")
    parser.add_argument("--chat-turns", type=int, metavar="N",
                        help="ask each set's items in chats of N turns, each after the ones before it and the "
                             "engine's answers to them (default: each item alone)")
    parser.add_argument("--sets", nargs="+", choices=["tools", "calc", "docs", "chats"], help="run only these sets")
    parser.add_argument("--out", type=Path, help="folder for metrics.json and predictions.jsonl")
    args = parser.parse_args(argv)

    config = configured(args)
    home = args.home or Path(os.environ.get("TMPDIR", "/tmp")) / f"assistant-test-{args.set}"
    generation = {**({"claim_guard": False} if args.no_claim_guard else {}),
                  **({"router": False} if args.no_router else {})}
    report = run_eval(config, resolve_home(home, config), test_set=args.set,
                      funcqa=DEFAULT_FUNCQA if args.funcqa else None,
                      eval_config=EvalConfig(limit=args.limit, generation=generation, chat_turns=args.chat_turns,
                                             sets=args.sets + ["funcqa"] if args.sets else None),
                      progress=lambda line: print(line, file=sys.stderr, flush=True))
    if args.out is not None:
        report.write(args.out)
    print(f"test set: {args.set} (hand-written, frozen)   adapter: {report.metrics.get('adapter') or 'none'}   "
          f"claim guard: {'off' if args.no_claim_guard else 'on'}   router: {'off' if args.no_router else 'on'}   "
          f"asked: {f'in chats of {args.chat_turns} turns' if args.chat_turns else 'each alone'}"
          f"{'; written chats: each message after the ones before it' if report.metrics.get('chats') else ''}")
    print(targets_table(args.set, report.metrics))
    return 0


def configured(args: argparse.Namespace) -> Any:
    """The config with the test set's company catalog and documents and the chosen adapter."""
    raw = load_config(args.config).model_dump()
    catalog, docs = COMPANIES[args.set]
    if catalog is not None:
        raw["tools"]["catalog"]["path"] = catalog
        raw["tools"]["retrieval"]["docs"] = docs
    if args.adapter is not None:
        raw["model"]["adapter"] = args.adapter.resolve()
    return parse_config(raw, source="bench/test_sets.py")


def targets_table(name: str, metrics: dict[str, Any]) -> str:
    """One line per target (value, target, met) and one per figure reported beside them."""
    lines = [f"  {'metric':<42} {'value':>7} {'target':>8}  met"]
    for section, metric, target, higher in TARGETS[name]:
        if not metrics.get(section):
            continue  # a set not run this time (--sets)
        value = metrics[section].get(metric)
        met = value is not None and (value >= target if higher else value <= target)
        sign = ">=" if higher else "<="
        lines.append(f"  {section + '.' + metric:<42} {figure(value):>7} {sign + format(target, '.2f'):>8}  "
                     f"{'yes' if met else 'NO'}")
    for section, metric in ALSO:
        value = (metrics.get(section) or {}).get(metric)
        if value is not None:
            lines.append(f"  {section + '.' + metric:<42} {figure(value):>7}")
    counts = {key: value for key, value in (metrics.get("n") or {}).items()}
    if metrics.get("chats"):
        counts["chat messages"] = metrics["chats"]["n"]
    lines.append(f"  items: {json.dumps(counts)}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
