"""The tool router's first decision on every development message of both companies, and what a change moved
(no model decoding; about 3 minutes a company on 2 cores).

Run:
  python bench/router_verdicts.py --out /tmp/before.jsonl                      # on the code before a change
  python bench/router_verdicts.py --out /tmp/after.jsonl --against /tmp/before.jsonl

The messages are the single messages of the development sets: every set folder under data/demo/eval/ and
data/examples/harbor/eval*/ (its tools, calculator and document questions; written chats are left out, since a
chat message's verdict depends on the engine's replies before it) and the loose JSONL files beside them
(data/demo/eval/*.jsonl, data/examples/harbor/calc*.jsonl). Each is routed alone as `Engine.route` opens a turn,
on the shipped demo adapter and, for Harbor, the adapter the 15-minute path built (`--harbor-adapter`), each
company on its own state directory. Printed: right of all per kind (no call, API call, calculator, search; right
when the verdict names the expected tool, or no call); with `--against`, every verdict that changed, marked as
gained, lost or changed (wrong either way), and the counts. The frozen test sets are not read here.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.runtime import Assistant
from assistant.tables import table
from bench.test_sets import COMPANIES, configured
from finetune.evaluate import files_today, load_sets, load_test_set
from finetune.metrics import NO_CALL, tool_label

#: What a loose file's requests take as today when no manifest beside it names a day (the test sets' day).
DEFAULT_TODAY = date(2026, 3, 2)
HARBOR_ADAPTER = Path.home() / ".assistant" / "adapters" / "harbor-transfer"


def development_messages(company: str) -> list[dict[str, Any]]:
    """Every development single message of `company`: {"source", "q", "expected", "kind", "today"}."""
    if company == "demo":
        root = REPO / "data" / "demo" / "eval"
        folders = sorted(path.parent for path in root.glob("*/manifest.json"))
        loose = sorted(root.glob("*.jsonl"))
    else:
        root = REPO / "data" / "examples" / "harbor"
        folders = sorted(path.parent for path in root.glob("eval*/manifest.json"))
        loose = sorted(root.glob("calc*.jsonl"))
    messages = []
    for folder in folders:
        sets, today = load_test_set(folder)
        messages += _messages(sets, str(folder.relative_to(REPO)), today)
    for path in loose:
        kind = "calc" if path.name.startswith("calc") else "docs" if path.name.startswith("docs") else "tools"
        sets = load_sets(**{kind: path})
        messages += _messages(sets, str(path.relative_to(REPO)), files_today([path]) or DEFAULT_TODAY)
    return messages


def _messages(sets: Any, source: str, today: date) -> list[dict[str, Any]]:
    found = [{"q": item.q, "expected": tool_label(item.tool)} for item in sets.tools]
    found += [{"q": item.q, "expected": "calculator"} for item in sets.calc]
    found += [{"q": item.q, "expected": "search"} for item in sets.docs]
    return [{**item, "source": source, "today": today.isoformat()} for item in found]


def kind(expected: str) -> str:
    return {NO_CALL: "no call", "calculator": "calculator", "search": "search"}.get(expected, "API call")


def verdicts(company: str, home: Path, models: Path | None, harbor_adapter: Path) -> list[dict[str, Any]]:
    """`development_messages(company)` with the router's verdict on each ("got") and its reason."""
    config = configured(argparse.Namespace(config=None, set=company,
                                           adapter=harbor_adapter if company == "harbor" else None))
    home.mkdir(parents=True, exist_ok=True)
    if models is not None and not (home / "models").exists():
        (home / "models").symlink_to(models.resolve())
    served = Assistant(config.model_copy(update={"start_demo_api": False}), home)
    try:
        rows = []
        for message in development_messages(company):
            route = served.engine.route([{"role": "user", "content": message["q"]}],
                                        today=date.fromisoformat(message["today"]))
            got = tool_label(route.tool if route is not None and route.call else None)
            rows.append({"company": company, **message, "got": got, "reason": route.reason if route else ""})
        return rows
    finally:
        served.close()


def summary(rows: list[dict[str, Any]]) -> list[list[str]]:
    counts: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        count = counts.setdefault((row["company"], kind(row["expected"])), [0, 0])
        count[0] += row["got"] == row["expected"]
        count[1] += 1
    return [[company, name, str(right), str(total), f"{right / total:.3f}"]
            for (company, name), (right, total) in sorted(counts.items())]


def changes(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> tuple[list[str], dict[str, int]]:
    """Each verdict that moved from `before` to `after` (matched by company, source and message), and counts."""
    earlier = {(row["company"], row["source"], row["q"]): row for row in before}
    lines, counts = [], {"gained": 0, "lost": 0, "changed": 0}
    for row in after:
        old = earlier.get((row["company"], row["source"], row["q"]))
        if old is None or old["got"] == row["got"]:
            continue
        mark = "gained" if row["got"] == row["expected"] else "lost" if old["got"] == row["expected"] else "changed"
        counts[mark] += 1
        lines.append(f"{mark:8} {row['company']:6} expected {row['expected']}: {old['got']} -> {row['got']}  "
                     f"{row['q'][:100]!r}  ({row['reason'][-80:]})")
    return lines, counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="JSONL of every verdict, for a later --against")
    parser.add_argument("--against", type=Path, help="an earlier --out to compare with")
    parser.add_argument("--companies", nargs="+", choices=sorted(COMPANIES), default=sorted(COMPANIES))
    parser.add_argument("--home", type=Path, help="state directories go under it, one a company (default: fresh)")
    parser.add_argument("--models", type=Path, help="a prepared models folder to reuse (default: prepared anew)")
    parser.add_argument("--harbor-adapter", type=Path, default=HARBOR_ADAPTER,
                        help=f"Harbor's adapter (default {HARBOR_ADAPTER})")
    args = parser.parse_args(argv)
    home = args.home or Path(tempfile.mkdtemp(prefix="router-verdicts-"))
    rows = []
    for company in args.companies:
        rows += verdicts(company, home / company, args.models, args.harbor_adapter)
    args.out.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    print("\n".join(table([["company", "messages", "right", "of", "share"], *summary(rows)], numbers_right=True)))
    if args.against is not None:
        before = [json.loads(line) for line in args.against.read_text(encoding="utf-8").splitlines() if line]
        lines, counts = changes(before, rows)
        print("\n".join(lines))
        print(", ".join(f"{count} {mark}" for mark, count in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
