"""What is left or on hand after amounts came in and went out: a ledger written in words.

"SKU-44120: opening stock 2,340, received 600 this morning, picked 1,185, and 25 written off. on hand now?" is
2340 + 600 - 1185 - 25; "i have 30 days annual leave, took 7 in march and 4.5 in june.. how many left" is 30 - 7 -
4.5; "toner stock was 1250 units, recieved two deliveries of 300 each, and 875 were issued out" is 1250 + 2*300 -
875. `ledger` reads the first figure as the balance it starts from and every later one as coming in or going out by
the verb around it ("received", "came in", "carried over"; "took", "picked", "shipped", "issued", "written off"),
one joined to the figure before it by "and" or a comma going the same way; a count of things that each hold or pay
so much ("2 deliveries of 300 each", "25 boxes, 18 rolls per box", "14 people chipped in 15 each") is one product.
A figure no verb places, or a question that does not ask what is left, leaves the problem to the other shapes.
"""

from __future__ import annotations

import re

from assistant.word_cues import PER_AFTER, SPAN, has
from assistant.word_figures import Figure

#: Verbs of an amount that comes in, and of one that goes out, read around a figure.
_IN = r"\b(?:received?|recieved|came in|come in|comes in|arrived|delivery|deliveries|got|added|carried over|" \
      r"carry over|plus|bought|restocked|topped up|returned to stock|booked in|put away)\b|\+"
_OUT = r"\b(?:took|taken|take|used|spent|spend|issued|picked|shipped|sold|written off|wrote off|write off|" \
       r"damaged|booked|paid|minus|less|gave|given|cost|costs|allocated|handed out|sent out|went out|consumed|" \
       r"scrapped|lost|sent)\b"
#: A question for the balance: what is left, on hand or in stock now, or short.
_ASKED = r"\b(?:left|remaining|remain|left over|leftover|on hand|in stock|stock now|closing|balance|short|" \
         r"still (?:book|take|have|use|spend)|can i still|on (?:the )?shel(?:f|ves))\b"
#: What keeps a figure from being an amount of the ledger: a rate, a percentage, a price each on its own.
_NOT_LEDGER = r"\bhow many (?:days|weeks|months|hours|hrs)\b|\bdaily\b|\bdemand\b|%|" \
              r"\bper\b(?!\s+(?:box|pack|carton|ctn|pallet|plt|case|crate|bag|roll|tray|delivery))|\baverage\b|" \
              r"\bavg\b|\bsplit\b|\bshare\b|\bbetween\b|\bdivid"


def ledger(text: str, figures: list[Figure]) -> str | None:
    """The balance after the figures that came in and went out, when the request asks for it and a verb places
    every figure after the first; None otherwise (see the module's docstring)."""
    if not has(_ASKED, text) or has(_NOT_LEDGER, text):
        return None
    amounts = _products(text, figures)
    if len(amounts) < 3 and not has(_OUT, text):
        return None
    if len(amounts) < 2 or has(_OUT, text[max(0, amounts[0].start - 40): amounts[0].start]):
        return None  # "spent 500 of ...": the balance is no figure that went out
    if any(re.match(SPAN + r"|\s*(?:people|ppl|persons?|colleagues|of us)\b|" + PER_AFTER,
                    text[f.end:]) for f in amounts[1:]):
        return None  # "for 12 months", "3 ppl gave 10", "78 pd at 540/pd": no amount that came in or went out
    written, previous = [amounts[0].text], None
    for index in range(1, len(amounts)):
        joined = not re.search(r"[.;?!]", text[amounts[index - 1].end: amounts[index].start])
        sign = _sign(text, amounts, index) or (previous if joined else None)  # "took 7 in march and 4.5 in june"
        if sign is None:
            return None
        written.append(f"{sign} {amounts[index].text}")
        previous = sign
    return " ".join(written) if any(part.startswith("-") for part in written[1:]) else None


def _sign(text: str, amounts: list[Figure], index: int) -> str | None:
    """How the amount at `index` (after the first) goes: "+" in, "-" out, None when no verb beside it says (after
    it first: "875 were issued out"; then between it and the one before: "received 600")."""
    figure = amounts[index]
    after = re.match(r"[^,.;?!\d]{0,30}", text[figure.end:]).group(0)
    between = text[amounts[index - 1].end: figure.start]
    for words in (after, between):
        going_in, going_out = has(_IN, words), has(_OUT, words)
        if going_in != going_out:
            return "+" if going_in else "-"
        if going_in:  # both: the verb nearest the figure decides
            nearest_in = max(m.end() for m in re.finditer(_IN, words))
            nearest_out = max(m.end() for m in re.finditer(_OUT, words))
            return "+" if (nearest_in > nearest_out) == (words is between) else "-"
    return None


def _products(text: str, figures: list[Figure]) -> list[Figure]:
    """`figures` with each count of things that each hold or pay so much made one product: "2 deliveries of 300
    each", "3 boxes of 36 pcs", "25 boxes of stretch wrap, 18 rolls per box", "14 people chipped in 15 each"."""
    merged: list[Figure] = []
    for figure in figures:
        before = merged[-1] if merged else None
        between = text[before.end: figure.start] if before is not None else ""
        after = text[figure.end:]
        if before is not None and "*" not in before.text and (
                re.fullmatch(r"\s*[a-z]+\s+(?:of|x)\s*", between) and re.match(r"\s*(?:each|[a-z]+)\b", after)
                or re.fullmatch(r"\s*[a-z]+(?:\s+[a-z]+){0,3}\s*,?\s*", between)
                and re.match(r"\s*[a-z]+\s+per\s+[a-z]+", after)
                or re.fullmatch(r"\s*[a-z]+(?:\s+[a-z]+){0,2}\s*(?:eur|€|£|\$)?\s*", between)
                and re.match(r"\s*(?:eur|euros?)?\s*each\b", after)):
            merged[-1] = Figure(f"{before.text}*{figure.text}", before.start, figure.end, False)
        else:
            merged.append(figure)
    return merged
