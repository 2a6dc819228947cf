"""Scoring for `assistant eval`: pure functions from expected and predicted values to scores and rates.

Three kinds of eval item, each scored on its own and then aggregated:

- tool queries: which tool the first call used (no call is a class of its own) and its arguments;
- number questions (the calculator set and FuncQA): the last number in the answer text;
- document questions: keywords in the answer, and the expected source cited in the text or retrieved.

Nothing here runs a model or reads a file; `finetune.evaluate` feeds it what the engine's events said.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from assistant.claims import unsupported_claims

#: The class of "no tool was called" in tool selection, beside the tool names.
NO_CALL = "(no call)"
#: The prefix of API operation tools in the engine; eval files name operations without it.
API_PREFIX = "api."
#: Call statuses whose result the answer may report: run, or planned in a dry run (its result stands in).
PRODUCING_STATUSES = frozenset({"ran", "planned"})


# ----------------------------------------------------------------------------------------------------
# Tool selection and arguments


def tool_label(name: str | None) -> str:
    """The selection class of a tool name: the operationId for `api.*` tools, NO_CALL for None."""
    if name is None:
        return NO_CALL
    return name.removeprefix(API_PREFIX)


def normalise_text(text: str) -> str:
    """Case-folded, trimmed, with runs of whitespace as one space."""
    return " ".join(text.split()).casefold()


def values_equal(expected: Any, predicted: Any) -> bool:
    """Equal after normalisation: strings by `normalise_text`, numbers numerically (int 3 == float 3.0),
    booleans only to booleans, lists item by item, objects key by key."""
    if isinstance(expected, bool) or isinstance(predicted, bool):
        return isinstance(expected, bool) and isinstance(predicted, bool) and expected == predicted
    if isinstance(expected, int | float) and isinstance(predicted, int | float):
        return math.isclose(expected, predicted, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(expected, str) and isinstance(predicted, str):
        return normalise_text(expected) == normalise_text(predicted)
    if isinstance(expected, list) and isinstance(predicted, list):
        return len(expected) == len(predicted) and all(map(values_equal, expected, predicted))
    if isinstance(expected, dict) and isinstance(predicted, dict):
        return expected.keys() == predicted.keys() and all(values_equal(v, predicted[k]) for k, v in expected.items())
    return expected is None and predicted is None


def argument_matches(
    expected: dict[str, Any], predicted: dict[str, Any], defaults: dict[str, Any] | None = None
) -> dict[str, bool]:
    """Per expected argument: present in the prediction and equal after normalisation.

    `defaults` (the schema's default values) stand in for arguments left out on either side, so
    leaving out `priority` matches an expected `"normal"` when normal is the default.
    """
    defaults = defaults or {}
    filled = {**defaults, **predicted}
    return {name: name in filled and values_equal(value, filled[name]) for name, value in expected.items()}


def arguments_equal(
    expected: dict[str, Any], predicted: dict[str, Any], defaults: dict[str, Any] | None = None
) -> bool:
    """The whole arguments object equal after normalisation: same names (after filling in schema
    defaults on both sides), every value equal. An extra argument makes it unequal."""
    defaults = defaults or {}
    return values_equal({**defaults, **expected}, {**defaults, **predicted})


@dataclass(frozen=True)
class ToolScore:
    """One tool query, scored."""

    expected: str  # selection class (tool_label)
    predicted: str
    #: Per expected argument, whether the right tool was called with it equal; all False otherwise.
    arguments: dict[str, bool]
    #: The right tool with arguments equal to the expected ones.
    call_exact: bool

    @property
    def selected(self) -> bool:
        return self.expected == self.predicted


def score_tool_query(
    expected_tool: str | None,
    expected_args: dict[str, Any],
    predicted_tool: str | None,
    predicted_args: dict[str, Any],
    defaults: dict[str, Any] | None = None,
) -> ToolScore:
    """Score the first call of a turn (None: no call) against the expected tool and arguments."""
    expected, predicted = tool_label(expected_tool), tool_label(predicted_tool)
    if expected == NO_CALL:
        return ToolScore(expected, predicted, {}, False)
    if expected != predicted:
        return ToolScore(expected, predicted, dict.fromkeys(expected_args, False), False)
    return ToolScore(
        expected,
        predicted,
        argument_matches(expected_args, predicted_args, defaults),
        arguments_equal(expected_args, predicted_args, defaults),
    )


def per_class_prf(pairs: Sequence[tuple[str, str]]) -> dict[str, dict[str, float | int]]:
    """Precision, recall and F1 per class from (expected, predicted) pairs, NO_CALL included.

    A class never predicted has precision 0, one never expected recall 0 (sklearn's zero_division=0);
    `support` (times expected) and `predicted` (times predicted) tell such cases apart.
    """
    expected = Counter(e for e, _ in pairs)
    predicted = Counter(p for _, p in pairs)
    hits = Counter(e for e, p in pairs if e == p)
    table: dict[str, dict[str, float | int]] = {}
    for label in sorted(expected.keys() | predicted.keys()):
        precision = hits[label] / predicted[label] if predicted[label] else 0.0
        recall = hits[label] / expected[label] if expected[label] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        table[label] = {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "support": expected[label],
            "predicted": predicted[label],
        }
    return table


def tool_metrics(scores: Sequence[ToolScore]) -> dict[str, Any]:
    """Aggregate tool-query scores.

    selection_accuracy   first call's tool == expected (no call == null), over all items
    no_call_accuracy     over items expecting no call: fraction with no call
    false_call_rate      over items expecting no call: fraction with some call (1 - no_call_accuracy)
    call_rate            over all items: fraction with some call
    per_tool, macro_f1   per class P/R/F1 (NO_CALL a class); macro over the classes that are expected
    argument_accuracy    over every expected argument of items expecting a tool: right tool and equal
    argument_accuracy_given_tool   the same, over items where the right tool was called
    call_exact_match     over items expecting a tool: right tool and arguments object equal
    call_exact_match_given_tool    the same, over items where the right tool was called
    per_argument         "tool.argument" -> {accuracy, n}, over items where the right tool was called
    """
    pairs = [(s.expected, s.predicted) for s in scores]
    per_tool = per_class_prf(pairs)
    expected_classes = [label for label, row in per_tool.items() if row["support"]]
    with_tool = [s for s in scores if s.expected != NO_CALL]
    selected = [s for s in with_tool if s.selected]
    no_call = [s for s in scores if s.expected == NO_CALL]
    per_argument: dict[str, list[bool]] = {}
    for s in selected:
        for name, ok in s.arguments.items():
            per_argument.setdefault(f"{s.expected}.{name}", []).append(ok)
    return {
        "n": len(scores),
        "selection_accuracy": rate(s.selected for s in scores),
        "no_call_accuracy": rate(s.predicted == NO_CALL for s in no_call),
        "false_call_rate": rate(s.predicted != NO_CALL for s in no_call),
        "call_rate": rate(s.predicted != NO_CALL for s in scores),
        "macro_f1": _mean(per_tool[label]["f1"] for label in expected_classes),
        "argument_accuracy": rate(ok for s in with_tool for ok in s.arguments.values()),
        "argument_accuracy_given_tool": rate(ok for s in selected for ok in s.arguments.values()),
        "call_exact_match": rate(s.call_exact for s in with_tool),
        "call_exact_match_given_tool": rate(s.call_exact for s in selected),
        "per_tool": per_tool,
        "per_argument": {key: {"accuracy": rate(oks), "n": len(oks)} for key, oks in sorted(per_argument.items())},
    }


# ----------------------------------------------------------------------------------------------------
# Numbers in answers

_BODY = r"(?:\d{1,3}(?:,\d{3})+(?![\d,])(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
_NUMBER = re.compile(
    rf"(?<![\d.])(?P<num>{_BODY})"
    rf"(?:/(?P<den>{_BODY}))?"  # a fraction, 1/3
    r"(?:[eE](?P<exp>[-+]?\d+)(?![\d.]))?"  # 1.2e-5
    r"(?:\s*(?:[x×*·]|\\times)\s*10\s*(?:\^|\*\*)\s*\{?(?P<exp10>[-+−]?\d+)\}?)?"  # 3.2 × 10^5
    r"(?P<percent>\s*(?:%|percent\b))?",
    re.IGNORECASE,
)
_MINUS = "-−"


@dataclass(frozen=True)
class ExtractedNumber:
    """A number read from text: its value as written (15% is 15.0) and whether a percent sign followed."""

    value: float
    percent: bool
    text: str


def extract_numbers(text: str) -> list[ExtractedNumber]:
    """Every number in `text`, in order.

    Reads thousands separators (1,234.5), currency around the number (€1,200, EUR 30), a percent sign,
    fractions (1/3), scientific notation (1.2e-5, 3 × 10^5) and a leading minus that is a sign rather
    than a hyphen (`= -5` but not `5-3`). A fraction with a zero denominator is skipped.
    """
    numbers = []
    for match in _NUMBER.finditer(text):
        value = _to_float(match["num"])
        if match["den"] is not None:
            denominator = _to_float(match["den"])
            if denominator == 0:
                continue
            value /= denominator
        exponent = match["exp"] or (match["exp10"] or "").replace("−", "-")
        if exponent:
            try:
                value *= 10.0 ** int(exponent)
            except OverflowError:
                continue
        written = match.group(0).strip()
        if _signed(text, match.start()):
            value, written = -value, "-" + written
        numbers.append(ExtractedNumber(value, match["percent"] is not None, written))
    return numbers


def last_number(text: str) -> ExtractedNumber | None:
    """The last number in `text` (the answer's final figure), or None when there is none."""
    numbers = extract_numbers(text)
    return numbers[-1] if numbers else None


def number_matches(number: ExtractedNumber | None, expected: float, rel_tol: float) -> bool:
    """|predicted - expected| <= rel_tol * |expected| (FuncQA's rule); a percentage also matches as a
    fraction (15% matches 15 and 0.15)."""
    if number is None or not math.isfinite(number.value):
        return False
    candidates = [number.value, number.value / 100] if number.percent else [number.value]
    return any(abs(value - expected) <= rel_tol * abs(expected) for value in candidates)


def _to_float(text: str) -> float:
    return float(text.replace(",", ""))


def _signed(text: str, start: int) -> bool:
    """A minus right before the number that is not a hyphen or subtraction (nothing word-like before it)."""
    if start == 0 or text[start - 1] not in _MINUS:
        return False
    before = text[start - 2] if start >= 2 else " "
    return not (before.isalnum() or before in ").]")


@dataclass(frozen=True)
class NumberScore:
    """One number question, scored."""

    predicted: float | None
    exact: bool  # within the strict relative tolerance
    within_tolerance: bool  # within the benchmark's tolerance (FuncQA: 0.001)
    calculator_called: bool


def score_number_answer(
    answer: str, expected: float, calculator_called: bool, exact_rel_tol: float, rel_tol: float
) -> NumberScore:
    """Score the last number of `answer` against `expected` at both tolerances."""
    number = last_number(answer)
    return NumberScore(
        predicted=number.value if number is not None else None,
        exact=number_matches(number, expected, exact_rel_tol),
        within_tolerance=number_matches(number, expected, rel_tol),
        calculator_called=calculator_called,
    )


def number_metrics(scores: Sequence[NumberScore]) -> dict[str, Any]:
    """exact_accuracy, tolerance_accuracy, calculator_call_rate, no_number_rate (answers without a number)."""
    return {
        "n": len(scores),
        "exact_accuracy": rate(s.exact for s in scores),
        "tolerance_accuracy": rate(s.within_tolerance for s in scores),
        "calculator_call_rate": rate(s.calculator_called for s in scores),
        "no_number_rate": rate(s.predicted is None for s in scores),
    }


# ----------------------------------------------------------------------------------------------------
# Document answers


def keyword_found(text: str, keyword: str) -> bool:
    """`keyword` occurs in `text` as whole words, ignoring case and runs of whitespace ("25" is not
    found in "250", "EUR 180" is found in "**EUR 180** per night")."""
    needle = re.escape(normalise_text(keyword)).replace(r"\ ", r"\s+")
    pattern = (r"(?<!\w)" if keyword[:1].isalnum() else "") + needle + (r"(?!\w)" if keyword[-1:].isalnum() else "")
    return re.search(pattern, text, re.IGNORECASE) is not None


def keywords_found(text: str, keywords: Sequence[str], any_: bool = False) -> bool:
    """All keywords found (any one when `any_`), by `keyword_found`."""
    hits = (keyword_found(text, keyword) for keyword in keywords)
    return any(hits) if any_ else all(hits)


def cited_in_text(answer: str, source: str) -> bool:
    """The source's file name appears in the answer text (case-insensitive)."""
    return PurePosixPath(source).name.casefold() in answer.casefold()


def retrieved(sources: Iterable[str], source: str) -> bool:
    """The turn's sources include the expected file (compared by file name; sources may be relative paths)."""
    name = PurePosixPath(source).name
    return any(PurePosixPath(s).name == name for s in sources)


@dataclass(frozen=True)
class DocScore:
    """One document question, scored."""

    keywords: bool
    cited_in_text: bool
    retrieved: bool
    search_called: bool


def score_doc_answer(
    answer: str, sources: Sequence[str], keywords: Sequence[str], any_: bool, source: str, search_called: bool
) -> DocScore:
    """Score an answer to a document question."""
    return DocScore(
        keywords=keywords_found(answer, keywords, any_),
        cited_in_text=cited_in_text(answer, source),
        retrieved=retrieved(sources, source),
        search_called=search_called,
    )


def doc_metrics(scores: Sequence[DocScore]) -> dict[str, Any]:
    """keyword_accuracy, cited_in_text_rate, retrieved_rate, search_call_rate, and grounded_accuracy
    (keywords found AND the source retrieved: a right answer that came from the right document)."""
    return {
        "n": len(scores),
        "keyword_accuracy": rate(s.keywords for s in scores),
        "cited_in_text_rate": rate(s.cited_in_text for s in scores),
        "retrieved_rate": rate(s.retrieved for s in scores),
        "grounded_accuracy": rate(s.keywords and s.retrieved for s in scores),
        "search_call_rate": rate(s.search_called for s in scores),
    }


# ----------------------------------------------------------------------------------------------------
# Fabrication


def fabricated_claims(question: str, answer: str, produced: bool, evidence: str = "") -> list[str]:
    """The claims `answer` makes that no tool produced, for a question that needed a tool; empty when a call
    that could produce them ran (`produced`) or the answer states nothing a tool would have had to give:
    result phrases ("I found"), completed actions, e-mail addresses and numbers that neither the question
    nor `evidence` (what the turn's other calls returned, errors included) holds."""
    return [] if produced else unsupported_claims(answer, f"{question}\n{evidence}")


def fabrication_metrics(claims: Sequence[list[str]]) -> dict[str, Any]:
    """fabrication_rate: over items that needed a tool, the fraction whose answer states records, figures or
    finished actions that no call produced (one list of claims per item); fabricated: how many."""
    return {"fabrication_rate": rate(bool(item) for item in claims), "fabricated": sum(bool(item) for item in claims)}


# ----------------------------------------------------------------------------------------------------


def rate(flags: Iterable[bool]) -> float | None:
    """The fraction of true flags; None for no flags (a rate over nothing is undefined, not 0)."""
    values = list(flags)
    return sum(values) / len(values) if values else None


def _mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None
