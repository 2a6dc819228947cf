"""What a reply claims that only a tool could know: records, statuses, amounts and completed actions.

Staff act on what the assistant says, so a reply that reports a record, a figure or a finished action must
come from a tool result in the same turn. Two readers of a reply use this module:

- the engine's guard (`opens_with_claim`): a reply that has made no call yet and opens the way answers
  written from a tool result open ("I found 2 requests:", "Done.", "Sofia Rossi (E1004): ...") is not let
  out; the engine makes the call instead;
- the engine's reply mask (`completes_claim`, `unstated_address`): a token that would complete a finished
  action ("has been booked") or, past the held opening, a result's opening ("I found", "Done.") that no API
  call backs is not written, nor one that writes an e-mail address nobody gave;
- evaluation's fabrication metric (`unsupported_claims`): the claims in a whole answer to a question that
  needed a tool, given that no tool produced them.

After a calculator result, `ends_on` tells whether the reply ends on the figure the calculator produced (the
engine appends the calculation when it does not).

A call can invent too: a filter nobody asked for (`requester_id: E0888`, `min_capacity: 2`, `status:
in_progress`) narrows a list to the wrong records. `unstated_arguments` names the optional arguments whose
figures, identifiers or enum words appear nowhere in what the conversation said, `unstated_record_fields` the
same fields of the records an array holds (an order line's unit price); the engine leaves them out of the call.

The shapes are those of the answers the project trains on after a tool message (assistant/result_answers.py,
retrieval.py) and the plain sentences of a completed action in any wording.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.codes import EMAIL_ADDRESS
from assistant.countries import names_country, stated_countries
from assistant.figures import StatedFigures

#: Openings of an answer written from a tool result: a list ("I found 3 tickets:"), a side effect
#: ("Done."), an API answer ("The service ...") and one record's line ("Sofia Rossi (E1004): title ...";
#: "#4104: status open"), at the reply's start or a sentence's: after its end mark, after a closing parenthesis
#: ("I'll do that now. (pause) Done.") or at a line's start. Document answers open like any explanation
#: ("According to ..."), so they are not among them: their invented figures are what `unsupported_claims` counts.
_RESULT_OPENING = re.compile(
    r"""(?:^|(?<=[.!?:)])\s+|(?<=\n))(?:
        I(?:'ve|\s+have)?\s+found\b
      | (?:Done|All\s+done|Booked|Cancell?ed|Submitted|Created)[.!:]
      | The\s+service\b
      | [^\n()]{1,60}\s\((?:[A-Z]{1,4}-?)?\d{2,}\):
      | \#\d+:
    )""",
    re.IGNORECASE | re.VERBOSE,
)
#: The result openings above that are a few fixed words, as a sentence's start folded to lower case.
_SHORT_OPENINGS = ("i found", "i've found", "i have found", "done.", "done!", "done:", "all done", "booked.", "booked!",
                   "cancelled.", "cancelled!", "canceled.", "canceled!", "submitted.", "submitted!", "created.",
                   "created!", "the service")
#: First words of a reply's sentence that open conversation, never a record's line ("Sofia Rossi (E1004): ...",
#: "Your line manager (E1021): ..."), and words that follow "I" there other than "found" and "have".
_CONVERSATION_OPENERS = frozenset({
    "hello", "hi", "hey", "dear", "sure", "yes", "no", "okay", "ok", "thanks", "thank", "great", "certainly",
    "absolutely", "of", "sorry", "unfortunately", "i'm", "i'd", "i'll", "it's", "that's", "you're", "we're",
    "let's", "you", "we", "it", "that", "this", "welcome", "good", "happy", "glad",
})
_FIRST_PERSON_VERBS = frozenset({
    "am", "can", "cannot", "can't", "could", "do", "don't", "would", "will", "understand", "see", "hope", "think",
    "need", "recommend", "suggest", "apologize", "apologise", "appreciate", "want", "wanted", "may", "might",
    "should", "must", "know", "believe", "wish", "just",
})
#: A completed action stated as done ("has been booked", "I've cancelled", "your ticket is now closed").
_COMPLETED_ACTION = re.compile(
    r"""\b(?:
        (?:has|have|was|were)\s+(?:now\s+|successfully\s+)?(?:been\s+)?(?:successfully\s+)?
            (?:booked|reserved|created|opened|logged|filed|submitted|cancell?ed|closed|resolved|updated|approved|
               rejected|scheduled|sent|changed|registered|placed|reported)
      | I(?:'ve|\s+have)?\s+(?:just\s+|now\s+|successfully\s+)?
            (?:booked|reserved|created|opened|logged|filed|submitted|cancell?ed|closed|resolved|updated|approved|
               scheduled|sent|changed|registered|placed|reported)
      | is\s+now\s+(?:booked|reserved|open|closed|cancell?ed|resolved|approved|in[\s_]progress)
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)
#: The e-mail address a reply is writing: its last word, from its local part through the "@" on.
_ADDRESS_BEING_WRITTEN = re.compile(r"[\w.+-]*@[\w.-]*$")
#: How much of a reply's end a claim completed by its next token can span: a record's line ("<60 characters>
#: (SHP-004211):") with the sentence end before it.
_CLAIM_REACH = 120
#: Numbers as written: 1,240.50 and 19 and E1004's 1004; read without separators for comparison.
_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
#: A fraction as an exact result writes it: "25600/3"; its two numbers are no result of their own.
_FRACTION = re.compile(r"\d+\s*/\s*\d+")
#: A numbered list's number at the start of a line ("\n2. ", "\n 10)", or "\n2" still being written; a reply's
#: start is a line's): a list's order, which a reply may write whatever was stated, not a figure it states.
LIST_NUMBER = re.compile(r"(?<=\n)([ \t]*)\d{1,2}(?=[.)]\s|[.)]?$)")
#: One digit written onto letters ("Q3", "A4", "B-2"): a name's digit, no record's id and no figure.
_ONE_DIGIT_NAME = re.compile(r"(?<=[A-Za-z])-?\d(?!\d|[.,]\d)")
#: A date, time or code written out (2025-06-10, 14:00, E1004, SHP-004211): its digits are not numbers of their own.
_CODE = re.compile(r"\b(?=[\w:-]*\d)(?=[\w:-]*[A-Za-z:-])[\w:-]*\w")


def opens_with_claim(text: str) -> bool:
    """True when `text` (the start of a reply) opens, or opens a sentence, the way a tool-result answer does."""
    return _RESULT_OPENING.search(text) is not None


def could_open_claim(sentence: str) -> bool:
    """Whether `sentence`, the start of a reply's sentence still being written, may yet open the way a tool-result
    answer does. A sentence whose first word only opens conversation ("I'm", "Sure,", "Dear") opens no record's
    line; one that may still become "I found", "Done." or "#4104:" may."""
    text = sentence.lstrip().replace("\u2019", "'")
    folded = text.casefold()
    if opens_with_claim(text) or any(opening.startswith(folded) for opening in _SHORT_OPENINGS) \
            or text.startswith("#") or "(" in text:  # "#4104:" or a record's "(E1004):" may be being written
        return True
    if re.match(r"[^\W\d_][\w']*[^\w']", folded) is None:  # its first word is not written out yet
        return True
    words = re.findall(r"[^\W\d_][\w']*", folded)
    if words[0] == "i":
        return len(words) < 2 or words[1] not in _FIRST_PERSON_VERBS
    return words[0] not in _CONVERSATION_OPENERS


def completes_claim(before: str, piece: str, *, actions: bool, openings: bool) -> bool:
    """Whether `piece`, written after the reply text `before`, completes a claim that ends inside it: with
    `actions`, a finished action in a sentence ("has been booked", "I've cancelled"); with `openings`, a
    sentence opening the way a tool-result answer does ("I found", "Done.", "Sofia Rossi (E1004):")."""
    tail = before[-_CLAIM_REACH:]
    text = tail + piece
    patterns = [pattern for pattern, wanted in ((_COMPLETED_ACTION, actions), (_RESULT_OPENING, openings)) if wanted]
    return any(match.end() > len(tail) for pattern in patterns for match in pattern.finditer(text))


def unstated_address(before: str, piece: str, stated: str) -> bool:
    """Whether `piece`, written after the reply text `before`, writes an e-mail address (from its "@" on) that
    is not part of one in `stated` (casefolded): an address nobody gave is as invented as a record."""
    if not piece or piece.isspace():
        return False
    address = _ADDRESS_BEING_WRITTEN.search(before[-_CLAIM_REACH:] + piece)
    return address is not None and address.group().casefold() not in stated


def unsupported_claims(answer: str, given: str) -> list[str]:
    """What `answer` states beyond the text it was `given` (the question, and whatever tools said): result
    phrases, completed actions, and e-mail addresses and numbers not in `given`. Each item names one claim;
    empty: none. As in the engine's reply mask, a numbered list's numbers and one digit written onto letters
    ("Q3") are no figures, and `given` states a figure however the mask reads one ("20k", "fortnight").

    The caller decides whether a tool produced them; on its own this only reads text.
    """
    claims = [f"result phrase {m.group(0).strip()!r}" for m in _RESULT_OPENING.finditer(answer)]
    claims += [f"completed action {m.group(0)!r}" for m in _COMPLETED_ACTION.finditer(answer)]
    asked = given.casefold()
    claims += [f"e-mail address {m.group(0)!r}" for m in EMAIL_ADDRESS.finditer(answer)
               if m.group(0).casefold() not in asked]
    numbers = _figures(given) | StatedFigures.of([given], (), factors=False).digits  # "20k" gives 20000
    prose = _ONE_DIGIT_NAME.sub(" ", LIST_NUMBER.sub(r"\1", f"\n{answer}"))[1:]  # the figures the reply mask reads
    claims += [f"number {m.group(0)!r}" for m in _NUMBER.finditer(prose)
               if _plain_number(m.group(0)) not in numbers and not _inside_email(prose, m.start())]
    return claims


def ends_on(reply: str, result: str) -> bool:
    """Whether the last number in `reply` is one of the numbers in `result` (however either groups its digits):
    "75% of 48" does not end on "75"; "That is 1511.29 euros." ends on "1511.29"; a fraction's numerator is no
    result of its own ("it is 25600 euros" does not end on "25600/3 (about 8533.3333)", a whole fraction does)."""
    numbers = list(_NUMBER.finditer(reply))
    if not numbers:
        return False
    last = numbers[-1]
    if re.match(r"\s*/\s*\d", reply[last.end():]):
        return False  # a numerator: the reply goes on to the denominator it ends on
    fraction = re.search(r"\d+\s*/\s*\d+$", reply[: last.end()])
    if fraction is not None:  # "1000/7" written whole
        return re.sub(r"\s", "", fraction.group()) in {re.sub(r"\s", "", f) for f in _FRACTION.findall(result)}
    return _plain_number(last.group(0)) in _figures(_FRACTION.sub(" ", result))


def _figures(text: str) -> set[str]:
    """Every number in `text`, each as `_plain_number` writes it."""
    return {_plain_number(m.group(0)) for m in _NUMBER.finditer(text)}


def _plain_number(text: str) -> str:
    """"1,240.50" -> "1240.5", "007" -> "7": the same figure however the question and answer wrote it."""
    digits = text.replace(",", "").rstrip(".")
    if "." in digits:
        digits = digits.rstrip("0").rstrip(".")
    return digits.lstrip("0") or "0"


def _inside_email(text: str, position: int) -> bool:
    return any(m.start() <= position < m.end() for m in EMAIL_ADDRESS.finditer(text))


def unstated_arguments(arguments: dict[str, Any], schema: dict[str, Any], said: str) -> list[str]:
    """The optional arguments of a call that nothing in `said` (the conversation's messages and tool results)
    stated:

    - a number that appears nowhere as a number of its own (the 10 of 2025-06-10 is a date's, not a floor);
    - a free-text string holding a digit (an id, a code, a time), unless it, or each of its figures, was
      said ("08:45" after "8:45");
    - a country's code when neither it nor the country's name or adjective was said ("NU" for "which
      warehouses r allowed to keep adr stuff");
    - an enum value none of whose words was said, by its first five letters or whole ("in_progress" needs
      "progress"; "pending_approval" is stated by "waiting for approval"): a filter nobody asked for
      narrows a list to the wrong records.

    - a string without a digit (a name, words) none of whose words was said, by its first four letters ("french"
      for "which food suppliers are on probation"; "Nordpak" is said by "nordpak").

    Required arguments, booleans and formatted strings (dates and times, which the model resolves from
    "tomorrow" and today's date) are never named.
    """
    required = set(schema.get("required") or [])
    properties = schema.get("properties") or {}
    numbers = _figures(_CODE.sub(" ", said))  # numbers said on their own
    figures = _figures(said)  # every figure said, inside dates and ids too
    words = said.casefold()
    unstated = []
    for name, value in arguments.items():
        spec = properties.get(name) or {}
        if name in required or "format" in spec or isinstance(value, bool):
            continue
        if "enum" in spec and isinstance(value, str):
            if not _enum_value_said(value, words):
                unstated.append(name)
        elif isinstance(value, int | float):  # a number listed as a choice too (a slot's 30, 60, 90 or 120 minutes)
            if _plain_number(repr(value) if isinstance(value, float) else str(value)) not in numbers:
                unstated.append(name)
        elif isinstance(value, str) and any(c.isdigit() for c in value) and value.casefold() not in words and \
                not _figures(value) <= figures:
            unstated.append(name)  # neither the value nor each of its figures ("08:45" for "8:45") was said
        elif isinstance(value, str) and names_country(name, spec) and value.upper() not in stated_countries(said) \
                and re.search(rf"(?<![\w-]){re.escape(value.casefold())}(?![\w-])", words) is None:
            unstated.append(name)  # a country code nobody named, by code, name or adjective ("NU")
        elif isinstance(value, str) and not any(c.isdigit() for c in value) and not names_country(name, spec) and \
                (named := re.findall(r"[^\W\d_]{3,}", value.casefold())) and \
                not any(word[:4] in words for word in named):
            unstated.append(name)  # a name or words nobody wrote ("french" for "which food suppliers ...")
    return unstated


def unstated_record_fields(arguments: dict[str, Any], schema: dict[str, Any], said: str) -> dict[str, list[Any]]:
    """The array arguments whose records (an order's lines) hold optional fields nothing in `said` stated, read
    as `unstated_arguments` reads a call, each with those fields left out: a line's made-up unit price (1.0 for
    "600 x SKU-40318") is sent as if someone had agreed it."""
    properties = schema.get("properties") or {}
    trimmed = {}
    for name, records in arguments.items():
        items = (properties.get(name) or {}).get("items")
        if not isinstance(records, list) or not isinstance(items, dict) or not items.get("properties"):
            continue
        kept = [_without_fields(record, unstated_arguments(record, items, said)) if isinstance(record, dict)
                else record for record in records]
        if kept != records:
            trimmed[name] = kept
    return trimmed


def _without_fields(record: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    return {field: value for field, value in record.items() if field not in fields}


def _enum_value_said(value: str, said: str) -> bool:
    """Whether a word of an enum value starts a word of `said` (casefolded), by its first five letters."""
    words = [word for word in re.split(r"[\s_-]+", value.casefold()) if len(word) >= 3] or [value.casefold()]
    return any(re.search(r"(?<![a-z])" + re.escape(word[:5]), said) for word in words)
