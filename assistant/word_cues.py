"""Cue words and small readers the word-problem shapes share (`assistant.word_problems`, `assistant.word_time`):
whether a request says a cue, its percentages apart from its other figures, and the words around a figure."""

from __future__ import annotations

import re

from assistant.word_figures import Figure

#: A percentage taken off, read in its clause (`clause`: "minus 10% discount", "15% off").
OFF = r"\b(?:off|discount(?:ed)?|minus|less|reduction|deduct(?:ed)?|early bird)\b"
#: An average asked for.
AVERAGE = r"\b(?:average|averaging|averge|avergae|avarage|avrage|avg|avrg|mean)\b"
#: An amount shared out among people, items or instalments.
SPLIT = r"\b(?:split|splitting|divide|shared?|between|evenly|equally|instal?ments?|" \
        r"per (?:person|head|people|team|cable|seat|item|unit|piece|participant|attendee|ride|trip|night)|" \
        r"each (?:pay|get|gets|person)|hourly rate|rate per|" \
        r"my share|how many boxes|how many packs|how much (?:is that |is it |do we pay |does everyone pay )?each)\b"

#: The change an amount goes through asked for, rather than the new amount.
CHANGE_ASKED = r"\bhow much (?:more|extra|less)\b|\b(?:extra|additional|the increase|the difference|saving|save)\b"
#: What is left of an amount asked for.
LEFT = r"\b(?:left|remaining|remain|left over|leftover|still (?:to pay|have|available|open|owed|due)|balance|" \
        r"the rest|to go)\b"
#: What was used of it.
USED = r"\b(?:spent|spend|spending|used|taken|took|burned|burnt|paid|booked|gone|deposit|salaries|costs?|goes|" \
       r"receipts?|done)\b"
#: A price or rate each: "at 0.23", "11.90 each", "per km", "a litre" (not "at least", "every 289 days").
EACH = r"(?:\bat\b(?!\s+(?:least|most|all|once|first|last))|\beach\b|\bper\b|" \
        r"\ba (?:litre|liter|unit|piece|person|head|km|kilometre|mile|night|seat)\b|\ban hour\b|@|\bx\b)"


def has(pattern: str, text: str) -> bool:
    """Whether `text` says what `pattern` matches."""
    return re.search(pattern, text) is not None


def split_percents(figures: list[Figure]) -> tuple[list[Figure], list[Figure]]:
    """The percentages and the other figures."""
    return [f for f in figures if f.percent], [f for f in figures if not f.percent]


def fraction(percent: Figure) -> str:
    """A percentage as the fraction an expression multiplies by: "15/100"."""
    return f"{percent.text}/100"


def clause(text: str, figures: list[Figure], figure: Figure) -> str:
    """The words around `figure` that speak of it: back to the figure or punctuation before it and on to the
    figure or punctuation after it ("minus 10% discount, then plus 21% vat": "then plus 21% vat")."""
    after = min([f.start for f in figures if f.start >= figure.end] + [len(text)])
    stop = next((figure.end + m.start() for m in re.finditer(r"[,;.?!](?:\s|$)", text[figure.end:after])), after)
    return text[_clause_start(text, figures, figure):stop]


def said_before(text: str, figures: list[Figure], figure: Figure) -> str:
    """The words of `figure`'s clause before it: back to the figure or the punctuation before it."""
    return text[_clause_start(text, figures, figure):figure.start]


def _clause_start(text: str, figures: list[Figure], figure: Figure) -> int:
    before = max([f.end for f in figures if f.end <= figure.start] + [0])
    return max(before, *(m.end() for m in re.finditer(r"[,;.?!]\s", text[:figure.start])), 0)

#: A margin or markup asked for in percent, which the margin shape answers from prices, not from a percentage.
#: A span of time right after a figure: "12 months", "3 wks" (a figure of time, not an amount).
SPAN = r"\s*(?:months?|mths?|weeks?|wks?|days?|years?|yrs?)\b"
#: A rate right after a figure: "540/pd", "12 eur per hour" (a price per something, not an amount of its own).
PER_AFTER = r"\s*(?:eur|€)?\s*(?:/|per\b)"
#: The words a question asks with: the last of them starts what is asked ("... what's the mileage cost").
ASKS = r"\b(?:what|whats|what's|how)\b"
MARGIN_ASKED = r"\b(?:margin|markup|mark-up)\b[^.?!]{0,20}\b(?:as an? |in )?(?:%|percent|percentage)|" \
               r"\bwhat(?:'s|s| is) (?:the |our |my )?(?:margin|markup)\b"
