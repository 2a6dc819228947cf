"""Handbook questions answered through the `search` tool, with the answer citing its document.

From each chunk of the company's documents: a question about its section (or about a term it defines,
like "**Bike plan**: ..."), the search call, a tool message shaped exactly like `SearchTool`'s result
(the chunk first, then other passages with lower scores), and an answer made of the chunk's own
sentences that ends with "(source: leave_policy.md)".
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from finetune.records import Record, call_messages
from tools.base import ToolResult

TOOL = "search"
#: Longest answer taken from a chunk, in characters (whole sentences only).
MAX_ANSWER_CHARS = 360
_BOLD = re.compile(r"\*\*([^*]+)\*\*")
_TERM = re.compile(r"^\s*(?:[-*]|\d+\.)\s+\*\*([^*]{2,60}?)\*\*[:.]?\s*(.*)$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"(])")


@dataclass(frozen=True)
class DocChunk:
    """One passage of a document, as the document store holds it."""

    source: str  # path relative to the documents folder, e.g. "policies/leave_policy.md"
    heading: str
    text: str


@dataclass(frozen=True)
class _Topic:
    name: str
    facts: list[str]  # the sentences that answer a question about it, markdown kept
    is_term: bool


def retrieval_records(
    chunks: list[DocChunk], rng: random.Random, per_chunk: int = 2, *, max_tool_result_chars: int = 1500
) -> list[Record]:
    """Up to `per_chunk` question-search-answer conversations per chunk (chunks without facts give none)."""
    titles = _titles(chunks)
    records: list[Record] = []
    for index, chunk in enumerate(chunks):
        topics = _topics(chunk, titles.get(chunk.source, ""))
        if not topics:
            continue
        seen: set[str] = set()
        for _ in range(per_chunk * 4):
            if len(seen) >= per_chunk:
                break
            topic = rng.choice(topics)
            question = _question(topic, titles.get(chunk.source, ""), rng)
            if question in seen:
                continue
            seen.add(question)
            records.append(_record(chunks, index, topic, question, titles, rng, max_tool_result_chars))
    return records


def _record(
    chunks: list[DocChunk], index: int, topic: _Topic, question: str, titles: dict[str, str],
    rng: random.Random, max_chars: int,
) -> Record:
    chunk = chunks[index]
    title = titles.get(chunk.source, "")
    # The question itself: a query the model can always copy from what it reads. A query drawn from several
    # forms (the heading, heading + title, the question) gave it a target it could not predict.
    arguments = {"query": question.rstrip("?.!")}
    result = ToolResult(value=_passages(chunks, index, rng), sources=[chunk.source])
    name = PurePosixPath(chunk.source).name
    facts = " ".join(_plain(fact) for fact in topic.facts)
    lead = f"According to the {title}, " if title and rng.random() < 0.3 else ""
    body = f"{lead}{facts[:1].lower()}{facts[1:]}" if lead and not facts[:2].isupper() else facts
    answer = f"{body} (source: {name})"
    messages = call_messages(question, TOOL, arguments, result.to_message(max_chars), answer)
    keywords = _keywords(topic.facts)
    return Record("retrieval", TOOL, messages,
                  meta={"keywords": keywords, "any": len(keywords) > 1, "source": name,
                        "chunk": f"{chunk.source}#{index}"})


def _titles(chunks: list[DocChunk]) -> dict[str, str]:
    """Each document's title: the heading of its first chunk."""
    titles: dict[str, str] = {}
    for chunk in chunks:
        titles.setdefault(chunk.source, chunk.heading)
    return titles


def _passages(chunks: list[DocChunk], index: int, rng: random.Random) -> list[dict[str, object]]:
    """What `SearchTool` returns for a query about chunk `index`: it first, then 1 to 3 others."""
    others = [i for i in range(len(chunks)) if i != index]
    picked = rng.sample(others, min(len(others), rng.randint(1, 3)))
    score = round(rng.uniform(0.55, 0.85), 3)
    passages = []
    for i in [index, *picked]:
        passages.append({"source": chunks[i].source, "heading": chunks[i].heading, "score": score,
                         "text": chunks[i].text})
        score = round(score - rng.uniform(0.03, 0.2), 3)
    return passages


# ----------------------------------------------------------------------------------------------------
# What a chunk says


def _topics(chunk: DocChunk, title: str) -> list[_Topic]:
    facts = _facts(chunk.text)
    if not facts:
        return []
    topics = []
    for line in chunk.text.splitlines():
        term = _TERM.match(line)
        if term and not re.search(r"\d", term.group(1)):
            item = next((fact for fact in facts if term.group(1) in fact), None)
            if item:
                topics.append(_Topic(term.group(1).rstrip(".:"), [item], True))
    heading = chunk.heading or title
    if heading:
        topics.append(_Topic(heading, _first_facts(facts), False))
    return topics


def _facts(text: str) -> list[str]:
    """The chunk's sentences, list items and table rows (as "cell: header value; ..."), markdown kept.

    A chunk may start or end in the middle of a sentence (it overlaps its neighbours); those pieces
    are dropped.
    """
    facts: list[str] = []
    header: list[str] = []
    paragraph: list[str] = []
    in_item = False

    def flush() -> None:
        if paragraph:
            facts.extend(_SENTENCE_END.split(" ".join(paragraph)))
            paragraph.clear()

    lines = text.splitlines()
    for number, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("|"):
            flush()
            in_item = False
            cells = [cell.strip() for cell in stripped.strip("|").split("|")]
            following = lines[number + 1].strip() if number + 1 < len(lines) else ""
            if set(stripped) <= set("|-: "):
                continue
            if "-" in following and set(following) <= set("|-: "):
                header = cells
                continue
            facts.append(_table_row(cells, header))
        elif re.match(r"^([-*]|\d+\.)\s+", stripped) and not stripped.startswith("**"):
            flush()
            facts.append(re.sub(r"^([-*]|\d+\.)\s+", "", stripped))
            in_item = True
        elif not stripped:
            flush()
            in_item = False
        elif in_item:
            facts[-1] += " " + stripped  # a list item goes on until a blank line
        else:
            paragraph.append(stripped)
    flush()
    usable = [fact.strip() for fact in facts if len(fact.strip()) > 15]
    if usable and usable[0][:1].islower() and not text.lstrip().startswith(("-", "*", "|")):
        usable = usable[1:]
    if usable and not text.rstrip().rstrip("*_").endswith((".", "!", "?", ")", "|")):
        usable = usable[:-1]
    return usable


def _table_row(cells: list[str], header: list[str]) -> str:
    first, rest = cells[0], cells[1:]
    if header and len(header) == len(cells):
        pairs = [f"{name.lower()}: {value}" for name, value in zip(header[1:], rest) if value]
    else:
        pairs = [value for value in rest if value]
    return f"{first}: {'; '.join(pairs)}." if first else "; ".join(pairs) + "."


def _first_facts(facts: list[str]) -> list[str]:
    chosen: list[str] = []
    for fact in facts:
        if chosen and sum(len(f) for f in chosen) + len(fact) > MAX_ANSWER_CHARS:
            break
        chosen.append(fact)
    return chosen


def _plain(text: str) -> str:
    """Markdown emphasis removed; a sentence-final period added when missing."""
    text = text.replace("*", "").strip().rstrip(":;,")
    return text if text[-1:] in ".!?" else text + "."


_STOPWORDS = {"and", "or", "to", "the", "of", "in", "on", "at", "for", "a", "an", "by", "from", "is", "are"}


def _keywords(facts: list[str]) -> list[str]:
    """What a grounded answer must contain: bold phrases, else numbers with their unit, else names."""
    found = [_clean(span) for fact in facts for span in _BOLD.findall(fact)]
    text = _plain(" ".join(facts))
    if not found:
        for number, word in re.findall(r"(\d[\d,.:]*\d|\d)(?:\s+([A-Za-z]+))?", text):
            found.append(f"{number} {word}" if word and word.lower() not in _STOPWORDS else number)
    if not found:  # capitalised words inside sentences: names of places, people, products
        found = re.findall(r"(?<=[a-z,;] )([A-Z][\w-]{2,})", text)
    if not found:
        found = sorted(set(re.findall(r"[A-Za-z][\w-]{3,}", text)), key=lambda w: (-len(w), w))[:2]
    return list(dict.fromkeys(keyword for keyword in found if keyword))[:4]


def _clean(text: str) -> str:
    return text.strip(" .:;,")


def _question(topic: _Topic, title: str, rng: random.Random) -> str:
    name = topic.name
    words = name.split()
    if len(words) > 1 and all(word.islower() for word in words[1:]) or len(words) == 1 and not name.isupper():
        name = name[:1].lower() + name[1:]
    if topic.is_term:
        return rng.choice([f"What is the {name}?", f"How does the {name} work?", f"Tell me about the {name}.",
                           f"What should I know about the {name}?", f"Can you explain the {name}?"])
    templates = [
        f"What does the handbook say about {name}?", f"What is the policy on {name}?",
        f"What are the rules for {name}?", f"Can you tell me about {name}?",
        f"I have a question about {name}. What do I need to know?", f"Where can I read about {name}?",
        f"{name[:1].upper()}{name[1:]}: how does it work here?",
    ]
    if title and title != topic.name:
        templates.append(f"What does the {title} say about {name}?")
    return rng.choice(templates)
