"""A handbook answer quoted from the passage the search put first.

The model is trained to answer a search result with the first passage's own sentences and its source
(`finetune.builders.retrieval`); a 135M model copies them with slips: a figure changed, a sentence run into
another's, a source it did not read. The search tool puts the statement of the passages nearest the question
first (`tools.focus`), so the engine can give exactly what the model was taught to give: that statement, word
for word, and the document it comes from (generation.quote_search).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from tools.focus import statements

#: A list item's marker or a table row's bars, which a quoted sentence does without.
_MARKUP = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+|\*\*|__|`")
#: A markdown table's header row: the row above its rule row (| --- | :---: |).
_HEADER = re.compile(r"^(?P<header>\|.*\|)\s*\n\s*\|?[\s:|-]*-[\s:|-]*\|?\s*$", re.MULTILINE)


def quoted_answer(passages: Any) -> str | None:
    """The first statement of the first passage of a search result (its `text`, hoisted by the search) and
    "(source: <file>)"; None for a result with no passage to quote."""
    if not isinstance(passages, list) or not passages or not isinstance(passages[0], dict):
        return None
    text, source = str(passages[0].get("text") or ""), str(passages[0].get("source") or "")
    spans = statements(text)
    if not spans or not source:
        return None
    start, end = spans[0]
    statement = text[start:end].strip()
    if statement.startswith("|"):
        statement = _row(statement, _HEADER.search(text))
    statement = " ".join(_MARKUP.sub("", statement).split()).rstrip(":;,")
    if not statement:
        return None
    ending = "" if statement[-1] in ".!?" else "."
    return f"{statement}{ending} (source: {PurePosixPath(source).name})"


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
