"""The statement of a passage that answers a question, put first; pure functions, no I/O.

A small model answers a handbook question by restating the opening sentences of the first passage the search
gives it: that is what its training answers are (a chunk's own sentences, from its start). A passage holds
several facts and the one asked about is often not its first ("after how many failed sign-in attempts is an
account locked?" is answered by the fourth item of "Passwords and sign-in"). So the search tool cuts each
passage into statements (sentences, list items, table rows), embeds them beside the question, starts the
passage at the one nearest the question (or at the sentence before it, where that one is nearer than the next:
`answer_run`), and orders the passages by how near their best statement comes. Nothing is dropped: the passage
reads on from there as written, and what came before follows.

Nearness alone picks the sentence that talks about what the question names ("by what time do I have to call
in sick?" is nearest "Sick leave is approved immediately."), not always the one that answers it ("tell your
manager before 10:00"). A question that asks for a time of day, or for a figure (how many, how much, how
long, when, a limit), is answered by a statement that states one: such a statement is weighed ANSWER_FIT
nearer (`answer_fits`), as question-answering systems match a question's expected answer type. And the
words the question shares with a statement say which one it is about when the embedding hears only the topic
("lost my badge again, is the replacement still free?" shares "replacement" and "free" with "The first
replacement is free; further replacements cost EUR 15."): a statement is weighed KEYWORD_FIT times its share of
the question's keyword weight nearer. Within a passage, a row whose range of amounts holds the amount the question
states is weighed RANGE_FIT nearer (`range_fits`), and a sentence that opens a list or a table without a figure,
or a table's header row, hands the answer to its best item or row (`answer_run`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_TABLE_RULE = re.compile(r"^\s*\|?[\s:|-]+\|?\s*$")
# A sentence ends at . ! ? or … (optionally followed by a closing quote or bracket) before whitespace and a
# capital, a digit or an opening quote or bracket; "e.g. the" and "EUR 1.500" do not end one.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"')\]]?\s+(?=[A-Z0-9\"'(\[*])")

Span = tuple[int, int]

#: Added to the cosine similarity of a statement that states what its question asks for (a time, a figure).
ANSWER_FIT = 0.08

#: Added to the cosine similarity of a statement per share of the question's keyword weight it holds
#: (`tools.lexical.KeywordIndex.shares`).
KEYWORD_FIT = 0.3

#: Added, within its passage, to a statement whose range of amounts holds the amount its question states ("a
#: write-off worth about 3,000 euros" and the row "500 to 5,000 euros: the site manager", not "Above 5,000 euros"):
#: every row of such a table states a figure, so only the range tells them apart (`range_fits`). It does not order
#: the passages: another document's table of ranges holds the amount too.
RANGE_FIT = 0.15

#: How long a run of two statements `answer_run` may start the passage with: a quoted answer is at most 360
#: characters (`assistant.quotes.MAX_QUOTE_CHARS`), and it must hold the best statement.
MAX_RUN_CHARS = 340

#: Questions asking for a time of day, and what states one (10:00, 9.30, 5 pm, noon).
_ASKS_TIME = re.compile(r"\b(?:what|which|by what) time\b|\bhow (?:late|early)\b|\b(?:core|opening|office) hours\b",
                        re.IGNORECASE)
_TIME = re.compile(r"\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}\s?(?:am|pm)\b|\bnoon\b|\bmidnight\b", re.IGNORECASE)
#: Questions asking for a figure (a count, an amount, a duration, a limit, a day), and what states one: digits,
#: number words, frequencies, weekdays and months.
_ASKS_FIGURE = re.compile(
    r"\bhow (?:many|much|long|far|often|soon|late|early|old)\b|\bup to what\b|^\s*when\b|\bby when\b"
    r"|\bwhen (?:do|does|is|are|will|must|should|can|did)\b|\b(?:what|which) (?:day|date)\b"
    r"|\b(?:limit|maximum|minimum|max|budget|allowance|deadline|cut-?off)\b"
    r"|\bper (?:night|day|week|month|year|guest|person|head)\b"
    r"|\bwhat(?:'?s| is| are) the (?:\w+ )?(?:premium|rate|fee|surcharge|percentage|discount|price)s?\b",
    re.IGNORECASE,
)
_FIGURE = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty"
    r"|hundred|thousand|once|twice|half|quarter|daily|weekly|monthly|yearly|annually"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|june|july|august"
    r"|september|october|november|december)\b",
    re.IGNORECASE,
)


#: An amount: digits with thousands commas or a decimal part, "3k" for thousands; not part of an id (SHP-205120,
#: E1003), a time (10:30) or a date (2026-03-02).
_AMOUNT = re.compile(r"(?<![\w.,:/-])(\d{1,3}(?:,\d{3})+|\d+(?:[.,]\d{1,2})?)(\s*k\b)?(?![\w:/-]|[.,]\d)",
                     re.IGNORECASE)
#: What bounds a range of amounts before its figure ("up to 500", "above 5,000") and what joins its two ends
#: ("500 to 5,000", "50-100", "between 50 and 100").
_BELOW = re.compile(r"\b(?:up to|under|below|less than|at most|max(?:imum)?|no more than)\s*(?:eur|€)?\s*$",
                    re.IGNORECASE)
_ABOVE = re.compile(r"\b(?:above|over|more than|at least|exceeding|from)\s*(?:eur|€)?\s*$", re.IGNORECASE)
_JOINT = re.compile(r"^\s*(?:eur(?:os)?\s*|€\s*)?(?:to|-|–|and)\s*(?:eur\s*|€\s*)?$", re.IGNORECASE)


def statements(text: str) -> list[Span]:
    """Where each statement of `text` lies, in order: its sentences, its list items (an item runs on until a
    blank line or the next item) and its table rows (rule rows are not statements). Spans carry no
    surrounding whitespace."""
    spans: list[Span] = []
    block: Span | None = None  # the paragraph or list item being read

    def close() -> None:
        nonlocal block
        if block is not None:
            if _ITEM.match(text[block[0]:block[1]]):
                spans.append(block)
            else:
                spans.extend(_sentences(text, *block))
        block = None

    offset = 0
    for line in text.splitlines(keepends=True):
        start, end = offset, offset + len(line.rstrip())
        offset += len(line)
        stripped = line.strip()
        if not stripped:
            close()
        elif stripped.startswith("|"):
            close()
            if not _TABLE_RULE.match(stripped):
                spans.append((start + len(line) - len(line.lstrip()), end))
        elif _ITEM.match(line) or block is None:
            close()
            block = (start + len(line) - len(line.lstrip()), end)
        else:
            block = (block[0], end)
    close()
    return spans


def _sentences(text: str, start: int, end: int) -> list[Span]:
    spans = []
    for boundary in _SENTENCE_END.finditer(text, start, end):
        spans.append((start, boundary.start() + len(boundary.group().rstrip())))
        start = boundary.end()
    spans.append((start, end))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def hoisted(text: str, span: Span) -> str:
    """`text` from the statement at `span` on, then, a paragraph of their own, the statements before it: the
    passage starts where its answer does and reads on as written ("If you lose a receipt, fill in the missing
    receipt declaration ... You may do this at most once per quarter."), and nothing is dropped."""
    start = span[0]
    if not text[:start].strip():
        return text
    before = text[:start].rstrip()
    return f"{text[start:].rstrip()}\n\n{before}"


def answer_fits(question: str, statements: Sequence[str]) -> list[bool]:
    """Per statement, whether it states what `question` asks for: a time of day where it asks for one, else
    a figure where it asks for one; all False for a question that asks for neither."""
    if _ASKS_TIME.search(question):
        return [_TIME.search(statement) is not None for statement in statements]
    if _ASKS_FIGURE.search(question):
        return [_FIGURE.search(statement) is not None for statement in statements]
    return [False] * len(statements)


def range_fits(question: str, statements: Sequence[str]) -> list[bool]:
    """Per statement, whether it gives a range of amounts that holds an amount `question` states ("a pallet worth
    about 3,000 euros": "500 to 5,000 euros", not "Up to 500 euros"); all False where the question states none."""
    asked = [value for _, _, value in _amounts(question)]
    if not asked:
        return [False] * len(statements)
    fits = []
    for statement in statements:
        ranges = _ranges(statement)
        fits.append(any(low <= value <= high for low, high in ranges for value in asked))
    return fits


def _amounts(text: str) -> list[tuple[int, int, float]]:
    """The amounts `text` writes, with where each begins and ends: "5,000" 5000.0, "3k" 3000.0, "19,50" 19.5."""
    found = []
    for match in _AMOUNT.finditer(text):
        digits = match.group(1)
        digits = digits.replace(",", "") if re.fullmatch(r"\d{1,3}(?:,\d{3})+", digits) else digits.replace(",", ".")
        found.append((match.start(), match.end(), float(digits) * (1000 if match.group(2) else 1)))
    return found


def _ranges(statement: str) -> list[tuple[float, float]]:
    """The ranges of amounts `statement` gives, as (lowest, highest): "500 to 5,000" (500, 5000), "up to 500"
    (0, 500), "above 5,000" (5000, inf)."""
    amounts = _amounts(statement)
    ranges, paired = [], set()
    for (start, end, low), (after, _, high) in itertools.pairwise(amounts):
        if _JOINT.match(statement[end:after]) and low < high:
            ranges.append((low, high))
            paired.update((start, after))
    for start, _, value in amounts:
        if start in paired:
            continue
        if _BELOW.search(statement[:start]):
            ranges.append((0.0, value))
        elif _ABOVE.search(statement[:start]):
            ranges.append((value, float("inf")))
    return ranges


def statement_scores(
    question: Sequence[float],
    embedded: Sequence[Sequence[float]],
    fits: Sequence[bool] | None = None,
    shares: Sequence[float] | None = None,
) -> list[float]:
    """How near each statement embedding comes to the question's: their cosine similarity (all unit length, as
    the embedder makes them), ANSWER_FIT more for a statement that `fits` the question and KEYWORD_FIT times its
    `shares` of the question's keywords more."""
    scores = [sum(a * b for a, b in zip(question, vector)) for vector in embedded]
    if fits is not None:
        scores = [score + ANSWER_FIT * fit for score, fit in zip(scores, fits, strict=True)]
    if shares is not None:
        scores = [score + KEYWORD_FIT * share for score, share in zip(scores, shares, strict=True)]
    return scores


def range_weighed(scores: Sequence[float], ranges: Sequence[bool]) -> list[float]:
    """`scores` (`statement_scores`) with RANGE_FIT more for each statement whose range holds the question's amount
    (`ranges`, from `range_fits`): how `answer_run` weighs a passage's statements, not how passages are ordered."""
    return [score + RANGE_FIT * fit for score, fit in zip(scores, ranges, strict=True)]


def _listed(text: str, span: Span) -> bool:
    """Whether the statement at `span` is a list item or a table row."""
    return _ITEM.match(text[span[0] : span[1]]) is not None or text[span[0] : span[1]].startswith("|")


def _table_header(text: str, span: Span) -> bool:
    """Whether the statement at `span` is a table's header row: a rule row follows it."""
    following = text[span[1] :].lstrip("\n").split("\n", 1)[0].strip()
    return text[span[0] : span[1]].startswith("|") and _TABLE_RULE.match(following) is not None


def answer_run(text: str, spans: Sequence[Span], scores: Sequence[float]) -> Span:
    """Where the answer lies in passage `text`: its best-scored statement, from the sentence before it on where
    that one is in the same paragraph and scores higher than the statement after it (a sentence about a subject
    often follows the one with its figure: "A receipt is required for every claim above EUR 25. Smaller claims
    ... need no receipt."), within MAX_RUN_CHARS. List items and table rows stand on their own, and a sentence
    that opens a list or a table stating no figure ("It is paid with a premium on top of the hourly rate:")
    says nothing by itself, nor does a table's header row: its best-scored item or row answers ("Saturdays: 50%");
    a sentence that states a figure ("Complete these courses within your first 14 days:") answers itself."""
    best = max(range(len(scores)), key=scores.__getitem__)
    listed = list(itertools.takewhile(lambda i: _listed(text, spans[i]), range(best + 1, len(spans))))
    items = [i for i in listed if not _table_header(text, spans[i])]
    opening = text[spans[best][0] : spans[best][1]].rstrip()
    if items and (opening.endswith(":") and _FIGURE.search(opening) is None or _table_header(text, spans[best])):
        return spans[max(items, key=scores.__getitem__)]
    after = scores[best + 1] if best + 1 < len(scores) else float("-inf")
    if best > 0 and scores[best - 1] > after and "\n" not in text[spans[best - 1][1] : spans[best][0]] and \
            spans[best][1] - spans[best - 1][0] <= MAX_RUN_CHARS:
        return spans[best - 1][0], spans[best][1]
    return spans[best]
