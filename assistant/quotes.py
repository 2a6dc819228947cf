"""A handbook answer quoted from the passage the search put first.

The model is trained to answer a search result with the first passage's own sentences and its source
(`finetune.builders.retrieval`); a 135M model copies them with slips: a figure changed, a sentence run into
another's, a source it did not read. The search tool puts the statement of the passages nearest the question
first (`tools.focus`), so the engine can give exactly what the model was taught to give: that statement and
the next, word for word, and the document they come from (generation.quote_search).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from tools.focus import statements

#: How near (the search's score: the cosine similarity of the question and the passage's best statement) the
#: first passage must come to be quoted; below it the search found nothing about the question ("how do you
#: spell 'accommodate'" 0.16 from a table of approvals) and the model answers from what it read. On the
#: development sets every passage that answered scored 0.30 or more.
QUOTE_FLOOR = 0.25

#: How many statements are quoted, the nearest the question first and then the passage's next one (the model
#: is trained on answers of a passage's first sentences up to 360 characters,
#: `finetune.builders.retrieval.MAX_ANSWER_CHARS`): a statement that names the subject is often followed by
#: the one holding the figure ("... a holiday allowance of 8%, paid in May").
QUOTED_STATEMENTS = 2
MAX_QUOTE_CHARS = 360

#: A list item's marker, emphasis and code marks, which a quoted sentence does without.
_MARKUP = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+|\*+|__|`")
#: A markdown table's header row: the row above its rule row (| --- | :---: |).
_HEADER = re.compile(r"^(?P<header>\|.*\|)\s*\n\s*\|?[\s:|-]*-[\s:|-]*\|?\s*$", re.MULTILINE)


def quoted_answer(passages: Any) -> str | None:
    """The first statements of the first passage of a search result (its `text`, with the statement nearest the
    question hoisted first by the search; QUOTED_STATEMENTS of them within MAX_QUOTE_CHARS) and "(source:
    <file>)"; None for a result with no passage to quote or one scored under QUOTE_FLOOR."""
    if not isinstance(passages, list) or not passages or not isinstance(passages[0], dict):
        return None
    score = passages[0].get("score")
    if isinstance(score, int | float) and score < QUOTE_FLOOR:
        return None
    text, source = str(passages[0].get("text") or ""), str(passages[0].get("source") or "")
    quoted: list[str] = []
    for start, end in statements(text)[:QUOTED_STATEMENTS]:
        statement = _plain(text[start:end].strip(), text)
        if quoted and len(" ".join([*quoted, statement])) > MAX_QUOTE_CHARS:
            break
        if statement:
            quoted.append(statement)
    if not quoted or not source:
        return None
    return f"{' '.join(quoted)} (source: {PurePosixPath(source).name})"


def _plain(statement: str, text: str) -> str:
    """A statement as a sentence: markup dropped, a table row's cells under their headings, a full stop."""
    if statement.startswith("|"):
        statement = _row(statement, _HEADER.search(text))
    statement = " ".join(_MARKUP.sub("", statement).split()).rstrip(":;,")
    return statement + "." if statement and statement[-1] not in ".!?" else statement


def _row(row: str, header: re.Match[str] | None) -> str:
    """A table row as words: each cell after its column's heading ("City: Duisburg"), where the table's
    header row is found, else the cells in order."""
    cells = _cells(row)
    headings = _cells(header.group("header")) if header is not None else []
    if len(headings) == len(cells) and headings != cells:
        return "; ".join(f"{heading}: {cell}" for heading, cell in zip(headings, cells, strict=True))
    return ", ".join(cells)


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip().strip("|").split("|")]
