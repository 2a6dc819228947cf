"""A lever for the word problems the composer leaves, measured without the model (about 2 minutes): the nearest
solved problem's expression, written over this problem's figures.

Run:
  python bench/calc_templates.py

Every problem of the calculator development sets (bench/word_problems.py's) is labelled with an expression over
the figures `assistant.word_figures` reads from it: the simplest one of + - * / over all of its figures (a
percentage as p, 1+p or 1-p; at most one factor of 2, 7, 12, 24, 52, 60, 100 or 365 on the whole; rounded up,
down or to the cent, or not) whose value is the answer; a problem none reaches has no label. A problem then gets
the expression of its nearest labelled problem (MiniLM cosine) with as many figures, from another set, each figure
in its place: the k-th figure of one stands for the k-th of the other. Right when that value is the answer.
Printed for the problems the composer leaves to the model (the ones the lever is for) and, as a check on the
method, for those it composes. The model's own expression on what the composer leaves is the figure to beat:
`assistant eval --calc` on those problems. The frozen test sets are not read here.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.tables import table
from assistant.word_figures import Figure, in_digits, read_figures
from assistant.word_problems import composed_expression
from bench.word_problems import DEFAULT_SETS, is_right
from tools.retrieval import Embedder

#: Factors a whole expression may take once (a week's days, a year's months or weeks, a percentage's 100, ...).
FACTORS = (2, 7, 12, 24, 52, 60, 100, 365)
#: How a value may be rounded to the answer.
ROUNDINGS: dict[str, Callable[[float], float]] = {
    "": lambda value: value, "up": math.ceil, "down": math.floor, "cent": lambda value: round(value, 2)}
#: Values kept per set of figures while searching (the simplest first): six figures stay within seconds.
KEPT = 120
MOST_FIGURES = 6

# An expression: ("figure", index, form) with form "p", "1+p", "1-p" (a percentage) or "" (a plain figure), or
# (operator, left, right).
Expression = tuple


@dataclass(frozen=True)
class Template:
    expression: Expression
    factor: tuple[str, int] | None  # ("*", 12) or ("/", 12) on the whole, or None
    rounding: str

    def value(self, figures: list[Figure]) -> float:
        return ROUNDINGS[self.rounding](_scaled(_evaluate(self.expression, figures), self.factor))


def _scaled(value: float, factor: tuple[str, int] | None) -> float:
    if factor is None:
        return value
    return value * factor[1] if factor[0] == "*" else value / factor[1]


def _leaf_value(figure: Figure, form: str) -> float:
    part = figure.value / 100
    return {"": figure.value, "p": part, "1+p": 1 + part, "1-p": 1 - part}[form]


def _evaluate(expression: Expression, figures: list[Figure]) -> float:
    if expression[0] == "figure":
        return _leaf_value(figures[expression[1]], expression[2])
    left, right = _evaluate(expression[1], figures), _evaluate(expression[2], figures)
    return {"+": left + right, "-": left - right, "*": left * right, "/": left / right}[expression[0]]


def _size(expression: Expression) -> int:
    return 1 if expression[0] == "figure" else 1 + _size(expression[1]) + _size(expression[2])


def _combined(left: dict[float, Expression], right: dict[float, Expression]) -> dict[float, Expression]:
    """Every value one operator makes of a value from each side, with the smallest expression for each."""
    found: dict[float, Expression] = {}
    for a, one in left.items():
        for b, other in right.items():
            made = [(a + b, ("+", one, other)), (a * b, ("*", one, other)), (a - b, ("-", one, other)),
                    (b - a, ("-", other, one))]
            made += [(a / b, ("/", one, other))] if b else []
            made += [(b / a, ("/", other, one))] if a else []
            for value, expression in made:
                key = round(value, 9)
                if abs(key) < 1e12:
                    _keep(found, key, expression)
    return found


def _keep(found: dict[float, Expression], value: float, expression: Expression) -> None:
    """Keep `expression` for `value` unless a smaller one makes it already."""
    if value not in found or _size(expression) < _size(found[value]):
        found[value] = expression


def _all_values(figures: list[Figure]) -> dict[float, Expression]:
    """The values the figures make together, each used once, with an expression for each."""
    by_set: dict[int, dict[float, Expression]] = {}
    for index, figure in enumerate(figures):
        forms = ("p", "1+p", "1-p") if figure.percent else ("",)
        by_set[1 << index] = {round(_leaf_value(figure, form), 9): ("figure", index, form) for form in forms}
    for chosen in range(1, 1 << len(figures)):
        if chosen in by_set:
            continue
        found: dict[float, Expression] = {}
        part = (chosen - 1) & chosen
        while part:
            if part > chosen ^ part:
                for value, expression in _combined(by_set[part], by_set[chosen ^ part]).items():
                    _keep(found, value, expression)
            part = (part - 1) & chosen
        by_set[chosen] = dict(sorted(found.items(), key=lambda item: _size(item[1]))[:KEPT])
    return by_set[(1 << len(figures)) - 1]


def labelled(figures: list[Figure], answer: float) -> Template | None:
    """The simplest template over all of `figures` whose value is `answer`, or None."""
    if not figures or len(figures) > MOST_FIGURES:
        return None
    best: tuple[tuple[int, int, int], Template] | None = None
    for value, expression in _all_values(figures).items():
        for factor in [None, *((sign, factor) for factor in FACTORS for sign in "*/")]:
            scaled = _scaled(value, factor)
            for rounding, rounded in ROUNDINGS.items():
                try:
                    if not is_right(rounded(scaled), answer):
                        continue
                except (OverflowError, ValueError):
                    continue
                rank = (factor is not None, rounding != "", _size(expression))
                if best is None or rank < best[0]:
                    best = (rank, Template(expression, factor, rounding))
    return best[1] if best is not None else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.parse_args(argv)
    problems = []
    for path in DEFAULT_SETS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                figures = read_figures(in_digits(item["q"].casefold()))
                answer = float(item["answer"])
                problems.append({"set": path, "q": item["q"], "answer": answer, "figures": figures,
                                 "left": composed_expression(item["q"]) is None,
                                 "template": labelled(figures, answer)})
    vectors = np.asarray(Embedder().embed([problem["q"] for problem in problems]))  # (problems, dim)
    counts = {group: {"problems": 0, "answered": 0, "right": 0, "near": 0, "near right": 0}
              for group in ("left to the model", "composed")}
    for index, problem in enumerate(problems):
        count = counts["left to the model" if problem["left"] else "composed"]
        count["problems"] += 1
        similarities = vectors @ vectors[index]
        for other in np.argsort(-similarities):
            source = problems[other]
            if source["set"] == problem["set"] or source["template"] is None or \
                    len(source["figures"]) != len(problem["figures"]):
                continue
            try:
                value = source["template"].value(problem["figures"])
            except (ZeroDivisionError, OverflowError, ValueError):
                continue
            right = is_right(value, problem["answer"])
            count["answered"] += 1
            count["right"] += right
            if similarities[other] >= 0.6:
                count["near"] += 1
                count["near right"] += right
            break
    labels = sum(problem["template"] is not None for problem in problems)
    print(f"{len(problems)} problems in {len(DEFAULT_SETS)} sets, {labels} labelled; the nearest labelled problem "
          f"of another set with as many figures")
    rows = [[group, str(count["problems"]), str(count["answered"]), str(count["right"]),
             f"{count['right'] / count['problems']:.3f}", f"{count['near right']} of {count['near']}"]
            for group, count in counts.items()]
    print("\n".join(table([["problems", "count", "answered", "right", "right of all", "right, cosine >= 0.6"],
                           *rows], numbers_right=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
