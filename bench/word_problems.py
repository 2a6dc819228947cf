"""How far the word-problem composer reaches on the calculator sets, with no model (seconds).

Run:
  python bench/word_problems.py                        # every calculator development set of both companies
  python bench/word_problems.py data/demo/eval/calc_hr.jsonl --misses

For each set of {"q", "answer"} lines it prints how many questions `assistant.word_problems.composed_expression`
writes an expression for whose value is the answer (right), writes one for that is not (wrong: a shape that fired
where it should not, the worst outcome, since the engine sends the composed call rather than the model's), and
leaves to the model. `--misses` lists the wrong ones and those left to the model. The end-to-end figure, with
the model's own expression where nothing composes, is `assistant eval --calc FILE`; the frozen test sets are
bench/test_sets.py's and are not read here.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from assistant.tables import table
from assistant.word_problems import composed_expression
from tools.calculator import answer

REPO = Path(__file__).resolve().parents[1]
#: The calculator development sets: the demo's and Harbor's, written fresh and read while the shapes were built.
DEFAULT_SETS = sorted((REPO / "data" / "demo" / "eval").glob("calc*.jsonl")) + \
    sorted((REPO / "data" / "examples" / "harbor").glob("calc*.jsonl"))
#: How near a composed value must be to the answer to count as right (answers are written to the cent at most).
TOLERANCE = 1e-3


def verdict(question: str, expected: float) -> tuple[str, str | None]:
    """"right", "wrong" or "left" for one question, and the composed expression (None when left)."""
    expression = composed_expression(question)
    if expression is None:
        return "left", None
    value = answer(expression).get("value", {}).get("numeric")
    return ("right" if value is not None and is_right(value, expected) else "wrong"), expression


def is_right(value: float, expected: float) -> bool:
    """Whether `value` is the answer `expected`, within TOLERANCE (or a cent)."""
    return abs(value - expected) <= max(0.01, abs(expected) * TOLERANCE)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sets", nargs="*", type=Path, help="calculator sets ({q, answer} JSONL); default: all")
    parser.add_argument("--misses", action="store_true", help="list the wrong and the left questions")
    args = parser.parse_args(argv)
    rows, totals = [], {"right": 0, "wrong": 0, "left": 0}
    for path in args.sets or DEFAULT_SETS:
        counts = {"right": 0, "wrong": 0, "left": 0}
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            outcome, expression = verdict(item["q"], float(item["answer"]))
            counts[outcome] += 1
            if args.misses and outcome != "right":
                print(f"{outcome:5}  {item['q']}  ->  {expression}  (expected {item['answer']})")
        rows.append([str(path.relative_to(REPO) if path.is_relative_to(REPO) else path),
                     *(str(counts[key]) for key in ("right", "wrong", "left"))])
        totals = {key: totals[key] + counts[key] for key in totals}
    rows.append(["all", *(str(totals[key]) for key in ("right", "wrong", "left"))])
    print("\n".join(table([["set", "right", "wrong", "left to the model"], *rows], numbers_right=True)))
    return 1 if totals["wrong"] else 0


if __name__ == "__main__":
    sys.exit(main())
