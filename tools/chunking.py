"""Split document text into overlapping passages for retrieval; pure functions, no I/O.

Markdown is first cut into sections at its ATX headings (`# ...` to `###### ...`, ignoring lines inside
fenced code blocks); each section is chunked on its own and its heading travels with every chunk, so a
passage never mixes two topics and a search hit can say where in the document it sits. Inside a section
the text is cut at blank lines (paragraphs) first, then at sentence ends, then between words; only a
single "word" longer than a chunk is ever cut inside itself. Pieces are packed greedily up to
`chunk_chars`, and each new chunk of a section starts with up to `chunk_overlap` characters from the end
of the previous one, trimmed forward to a word boundary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")
# A sentence ends at . ! ? or … (optionally followed by a closing quote or bracket) and whitespace.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[.!?…][\"')\]])\s+")
_PARAGRAPH = "\n\n"
_LINE = "\n"
_SPACE = " "


@dataclass(frozen=True)
class Chunk:
    """One passage: its position in the document, the nearest heading above it ("" if none), its text."""

    index: int
    heading: str
    text: str


@dataclass(frozen=True)
class Section:
    """A run of text under one heading ("" before the first heading or in plain text)."""

    heading: str
    body: str


def markdown_sections(text: str) -> list[Section]:
    """Cut Markdown at its headings; heading lines leave the body and become the section's heading."""
    sections: list[Section] = []
    heading = ""
    lines: list[str] = []
    in_fence = False
    for line in text.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match is None:
            lines.append(line)
            continue
        if "\n".join(lines).strip():
            sections.append(Section(heading, "\n".join(lines).strip()))
        heading, lines = match.group(2).strip(), []
    if "\n".join(lines).strip():
        sections.append(Section(heading, "\n".join(lines).strip()))
    return sections


def chunk_text(text: str, chunk_chars: int, chunk_overlap: int, markdown: bool = False) -> list[Chunk]:
    """Chunks of at most `chunk_chars` characters, numbered from 0 in document order.

    `markdown` turns on heading-aware sectioning; otherwise the whole text is one untitled section.
    """
    if chunk_chars < 1 or not 0 <= chunk_overlap < chunk_chars:
        raise ValueError("need chunk_chars >= 1 and 0 <= chunk_overlap < chunk_chars")
    sections = markdown_sections(text) if markdown else [Section("", text.strip())]
    chunks: list[Chunk] = []
    for section in sections:
        for passage in pack(pieces(section.body, chunk_chars - chunk_overlap), chunk_chars, chunk_overlap):
            chunks.append(Chunk(len(chunks), section.heading, passage))
    return chunks


def pieces(body: str, limit: int) -> list[tuple[str, str]]:
    """Split `body` into (separator, piece) pairs, each piece at most `limit` characters.

    The separator is what joins the piece to the one before it: a blank line between paragraphs, a line
    break between the lines of a long paragraph (list items), a space between its sentences or words.
    """
    out: list[tuple[str, str]] = []
    for paragraph in _PARAGRAPH_BREAK.split(body):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        parts = [("", paragraph)] if len(paragraph) <= limit else _split_long(paragraph, limit)
        out.append((_PARAGRAPH, parts[0][1]))
        out.extend(parts[1:])
    return out


def _split_long(paragraph: str, limit: int) -> list[tuple[str, str]]:
    """A paragraph longer than `limit` cut at line breaks, then sentence ends, then between words."""
    parts: list[tuple[str, str]] = []
    for line in paragraph.splitlines():
        separator = _LINE
        for sentence in _SENTENCE_END.split(line.strip()):
            for part in _split_words(sentence, limit) if len(sentence) > limit else [sentence]:
                if part:
                    parts.append((separator, part))
                    separator = _SPACE
    return parts


def _split_words(sentence: str, limit: int) -> list[str]:
    """Runs of whole words of at most `limit` characters; a single longer token is cut (no choice)."""
    runs: list[str] = []
    run = ""
    for word in sentence.split():
        while len(word) > limit:
            if run:
                runs.append(run)
                run = ""
            runs.append(word[:limit])
            word = word[limit:]
        if run and len(run) + 1 + len(word) > limit:
            runs.append(run)
            run = word
        else:
            run = f"{run} {word}" if run else word
    if run:
        runs.append(run)
    return runs


def pack(parts: list[tuple[str, str]], chunk_chars: int, chunk_overlap: int) -> list[str]:
    """Greedily join (separator, piece) pairs into passages of at most `chunk_chars`, with overlap.

    Each piece must fit in `chunk_chars - chunk_overlap`, so a new passage always has room for its piece;
    the overlap shrinks (dropping whole words) when the piece leaves less room than `chunk_overlap`.
    """
    passages: list[str] = []
    current = ""
    for separator, piece in parts:
        if not current:
            current = piece
        elif len(current) + len(separator) + len(piece) <= chunk_chars:
            current = current + separator + piece
        else:
            passages.append(current)
            room = chunk_chars - len(piece) - len(separator)
            carried = overlap_tail(current, min(chunk_overlap, room))
            current = carried + separator + piece if carried else piece
    if current:
        passages.append(current)
    return passages


def overlap_tail(text: str, max_chars: int) -> str:
    """The longest end of `text` of at most `max_chars` characters that starts at a word boundary."""
    if max_chars <= 0:
        return ""
    if len(text) <= max_chars:
        return text
    tail = text[-max_chars:]
    if not text[-max_chars - 1].isspace():  # the cut fell inside a word: drop that word's end
        space = re.search(r"\s", tail)
        tail = tail[space.end() :] if space else ""
    return tail.strip()
