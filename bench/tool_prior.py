"""What the router's tool prior (`generation.tool_prior`) is worth on a hand-written set, in seconds (no model):
the router as served, with the prior off and on, on every message's first decision.

Run:
  python bench/tool_prior.py                                             # demo test set, the shipped adapter
  python bench/tool_prior.py --set harbor --adapter ~/.assistant/adapters/harbor-transfer
  python bench/tool_prior.py --set data/demo/eval/desk4                  # any folder with manifest.json

Each message is routed as the engine routes a turn's first decision (`Engine.route`: the adapter's router with
every check, today the manifest's date); a verdict is right when it names the tool the message expects (an
operation, `calculator` for the word problems, `search` for the document questions) or none for a no-call line.
Prints selection over all messages, over those that expect a call, and no-call, beside the calls the prior took
back (right and wrong). Only the figures are printed: no message, so a test set stays unread. The whole engine's
figures, arguments and answers included, come from bench/test_sets.py.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.config import load_config
from assistant.runtime import Assistant
from assistant.tables import figure, table
from bench.test_sets import COMPANIES
from finetune.evaluate import load_test_set
from finetune.metrics import NO_CALL, tool_label


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", default="demo", help="test set: demo, harbor or a folder with manifest.json")
    parser.add_argument("--adapter", type=Path, help="adapter folder (default: what the config serves)")
    parser.add_argument("--company", choices=sorted(COMPANIES), help="whose catalog and documents (default: --set's "
                        "when it names one, else demo)")
    parser.add_argument("--home", type=Path, help="state directory (default: a fresh one under /tmp)")
    args = parser.parse_args(argv)

    config = load_config(None)
    catalog, docs = COMPANIES[args.company or (args.set if args.set in COMPANIES else "demo")]
    if catalog is not None:
        config.tools.catalog.path = catalog
    if docs is not None:
        config.tools.retrieval.docs = docs
    if args.adapter is not None:
        config.model.adapter = args.adapter.resolve()
    sets, today = load_test_set(args.set)
    messages = [(q.q, tool_label(q.tool)) for q in sets.tools]
    messages += [(q.q, "calculator") for q in sets.calc] + [(q.q, "search") for q in sets.docs]
    home = args.home or Path(tempfile.mkdtemp(prefix="tool-prior-"))
    engine = Assistant(config, home).engine
    if engine.router is None or engine.router.prior is None:
        raise SystemExit("the adapter serves no router, or the router no tool prior: nothing to compare")
    rows, picks = [], {}
    for label, on in (("prior off (the default)", False), ("prior on", True)):
        generation = config.generation.model_copy(update={"tool_prior": on})
        routes = [engine.route([{"role": "user", "content": text}], generation, today) for text, _ in messages]
        picks[on] = [tool_label(route.tool if route is not None and route.call else None) for route in routes]
        right = [pick == expected for pick, (_, expected) in zip(picks[on], messages, strict=True)]
        calls = [r for r, (_, expected) in zip(right, messages, strict=True) if expected != NO_CALL]
        none = [r for r, (_, expected) in zip(right, messages, strict=True) if expected == NO_CALL]
        rows.append([label, figure(sum(right) / len(right)), figure(sum(calls) / len(calls)),
                     figure(sum(none) / len(none)) if none else "-"])
    taken = [(off, expected) for off, on, (_, expected) in zip(picks[False], picks[True], messages, strict=True)
             if off != NO_CALL and on == NO_CALL]
    no_call = sum(expected == NO_CALL for _, expected in messages)
    print(f"set {args.set}: {len(messages)} messages ({no_call} no-call), today {today}; the router as served, first "
          f"decision")
    print("\n".join(table([["router", "selection", "tool messages", "no-call"], *rows], numbers_right=True)))
    print(f"calls the prior took back: {len(taken)}, on no-call messages {sum(e == NO_CALL for _, e in taken)}, "
          f"right calls {sum(off == e for off, e in taken)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
