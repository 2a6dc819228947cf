"""The name a request looks up, for a look-up that finds records by part of their name.

A sentence embedding knows nothing of a company's people or suppliers, so a request that is little more than a
name sits nearer chat than the look-up: "look up lars eriksen" had been answered "Lars Erkki is a Finnish actor",
"who is lars eriksen's manager" "Lars Eriksen is the CEO of Northwind Labs", with no call. And where the call is
made, the model copies the request around the name or leaves it out: "sofia's phone extension?" had searched the
directory for "sofia's phone extension" and found nobody, "whats sofia rossi's extension" for nothing and listed
everyone.

What is a name is read from the form of the request, not from a list of names, which no catalog ships:
- a look-up verb before it: "look up lars eriksen", "find sofia in the staff directory", "search for kessler";
- "who is" before it: "who is priya", "who's the CEO";
- a detail asked of it: "lars eriksen's email?", "whats sofia rossi's extension", "the email of daniel kim",
  "extension for sofia", "what floor is chloe martin on", with the detail a word of a person's or a company's
  record (`_DETAILS`) or of the operation's arguments;
- part of a name or title said as such: "anyone called chloe", "with designer in their title", "whose title
  mentions manager" (where a word of a role is one);
- a state asked of it, one of the operation's choices: "is baltic pack still suspended?", "is sofia in finance";
- and in a follow-up of a look-up by name, the next name: "and kessler?" (`next_name`).

A name is one to three words of letters, none a word that only builds the sentence ("for", "my", "someone"), says
when ("today", "off") or is the operation's own ("staff", "directory"), and not only values of the operation's
choices ("look up finance" is the department's, not a name). A look-up takes a name where one of its string
arguments with no fixed values or pattern is for part of a name (`name_argument`: its name, or "name" in its
description).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from tools.lexical import STOP_WORDS

#: Details of a person's or a company's record that a request asks of a name ("priya's email", "floor of lena").
_DETAILS = frozenset({
    "email", "e-mail", "mail", "address", "phone", "number", "extension", "ext", "floor", "desk", "office", "room",
    "manager", "boss", "lead", "title", "role", "job", "position", "department", "dept", "team", "id", "contact",
    "details", "info", "status", "country", "category", "website", "rep", "start", "date", "birthday",
})
#: Words that only build a sentence or point: no part of a name or a title.
_SENTENCE_WORDS = STOP_WORDS | frozenset({
    "u", "ur", "he", "she", "him", "her", "his", "hers", "us", "everyone", "everybody", "anyone", "anybody",
    "someone", "somebody", "all", "any", "each", "every", "other", "else", "pls", "please", "plz",
})
#: Those and words that say when or where or name a kind of record, and so are no part of a name.
_NOT_A_NAME = STOP_WORDS | frozenset({
    "u", "ur", "he", "she", "him", "her", "his", "hers", "us", "everyone", "everybody", "anyone", "anybody",
    "someone", "somebody", "noone", "nobody", "all", "any", "each", "every", "other", "else", "one", "ones",
    "today", "tomorrow", "yesterday", "now", "tonight", "week", "month", "year", "morning", "afternoon", "evening",
    "off", "out", "away", "back", "here", "around", "free", "available", "busy", "today's", "pls", "please", "plz",
    "thanks", "thx", "ty", "hi", "hey", "hello", "ok", "okay", "just", "also", "again", "still", "really",
    "actually", "currently", "right", "new", "old", "best", "worst", "first", "last", "next", "same", "more",
    "most", "less", "least", "some", "lot", "lots", "many", "much", "few", "very", "minute", "minutes", "hour",
    "hours", "day", "days", "weeks", "months", "years", "company", "firm", "business", "team", "department", "dept",
    "office", "building", "client", "customer", "manager", "boss",
})
#: What asks before the name or a detail of it ("whats", "need the", "can you give me").
_ASKING = frozenset({
    "whats", "what's", "what", "is", "was", "where's", "wheres", "where", "who's", "whos", "who", "give", "get",
    "tell", "show", "send", "need", "want", "find", "look", "up", "pull", "check", "search", "know", "me", "can",
    "could", "would", "will", "you", "u", "pls", "please", "plz", "the", "a", "an", "of", "for", "i", "i'd", "i'm",
    "hey", "hi", "hello", "ok", "okay", "and", "so", "quick", "quickly", "do", "have", "got",
})
#: Details that are no detail of a name before "of" or "for": "the number of days", "the date of the party", "who
#: is the contact for expenses" (a topic's).
_COUNTED = frozenset({"number", "date", "start", "contact", "details", "info", "status", "category", "rep"})
_VERB = re.compile(r"^\W*(?:(?:hi|hey|hello|ok|okay|actually|just|no|wait|sorry|and|so|also|then)\W+)*"
                   r"(?:(?:can|could|would) (?:you|u) )?(?:please |pls |plz )?"
                   r"(?:look ?up|find|search(?: for)?|pull up|check)\s+(.+?)(?:\s+by\s+(?:its\s+)?name)?"
                   r"(?:\s+for\s+(?:me|us))?\W*(?:[?!]|$)", re.IGNORECASE)
_WHO = re.compile(r"^\W*(?:(?:hi|hey|hello|ok|okay)\W+)?(?:who is|who's|whos|who’s)\s+(?:the\s+)?([^?.!,;]+?)\W*"
                  r"(?:[?.!,;]|$)", re.IGNORECASE)
_POSSESSIVE = re.compile(r"([\w'’-]+(?:\s+[\w'’-]+){0,5}?)['’]s?\s+([\w-]+)", re.IGNORECASE)
#: A detail of a name: "email of daniel kim", "extension for sofia".
_DETAIL = r"\b([\w-]+)\s+(?:of|for)\s+([\w'’-]+(?:\s+[\w'’-]+){0,2})"
_DETAIL_OF = re.compile(rf"{_DETAIL}\W*$", re.IGNORECASE)
#: The same asked in a message's first sentence, another after it: "whats the supplier id for baltic pack? need it
#: for a PO".
_DETAIL_OF_FIRST = re.compile(rf"^[^?.!]*?{_DETAIL}\s*[?.!]\s", re.IGNORECASE)
_DETAIL_IS = re.compile(r"\b(?:what|which|whats|what's)\s+([\w-]+)\s+(?:is|does|do|did)\s+"
                        r"([\w'’-]+(?:\s+[\w'’-]+){0,2}?)"
                        r"(?:\s+(?:on|in|at|sit|sits|work|works|have|has|use|uses)){0,2}\W*$", re.IGNORECASE)
#: Part of a name or title said as such: "anyone called chloe", "a supplier named baltic pack", "with designer in
#: their title", "whose title mentions designer".
_PART = re.compile(r"\b(?:someone|somebody|anyone|anybody|person|people|guy|girl|lady|woman|man|colleague|employee"
                   r"|supplier|vendor|company|firm|one|a|an)\b[^.?!,]{0,30}?\b(?:called|named)\s+"
                   r"([\w'’-]+(?:\s+[\w'’-]+){0,2}?)"
                   r"(?:\s+(?:in|on|at|from|working|who|that)\b.*)?\W*$"
                   r"|\bwith\s+([\w'’-]+(?:\s+[\w'’-]+){0,2}?)\s+in\s+(?:their|his|her|its|the)\s+"
                   r"(?:job\s+)?(?:title|name)\b"
                   r"|\bwhose\s+(?:job\s+)?(?:title|name)\s+(?:mentions|contains|includes|has|says)\s+"
                   r"([\w'’-]+(?:\s+[\w'’-]+){0,2}?)\W*$", re.IGNORECASE)
#: A state asked of a name: "is baltic pack still suspended?", "is kessler on probation", "is sofia in finance".
_STATE = re.compile(r"^\W*(?:is|are)\s+(.+?)\W*$", re.IGNORECASE)
#: Words between a name and the state asked of it.
_BEFORE_A_STATE = frozenset({"still", "already", "now", "currently", "on", "in"})
#: A message that goes on to another name: "and kessler?", "what about priya", "same for lars eriksen pls".
_NEXT = re.compile(r"^\W*(?:(?:ok|okay|hmm|thanks|thx|cool)\W+)?(?:and|what about|how about|same for|also|now)\s+"
                   r"(?:for\s+|with\s+)?(.+?)(?:\s+(?:pls|please|plz|too|then))?\W*$", re.IGNORECASE)
_WORD = re.compile(r"^[^\W\d_]+(?:['’-][^\W\d_]{2,})*$")
#: How many words a name may have.
MOST_WORDS = 3
#: How many words before "'s" are read as the name.
OWNER_WORDS = 2


def name_argument(schema: Mapping[str, Any]) -> str | None:
    """The argument of an operation's schema that takes part of a record's name: a string with no fixed values,
    pattern or format named "name", "query", "q" or "search" whose description (if any) speaks of a name, or any
    such string whose description does; None when the operation has none."""
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, Mapping) or prop.get("type") != "string" or \
                any(key in prop for key in ("enum", "const", "pattern", "format", "$ref")):
            continue
        description = str(prop.get("description") or "").casefold()
        if re.search(r"\bnames?\b", description) or name in ("name", "query", "q", "search") and not description:
            return name
    return None


def searched_name(request: str, schema: Mapping[str, Any], operation_words: Collection[str] = ()) -> str | None:
    """The name `request` looks up with the operation of `schema` (see the module), as written; None when it
    names none. `operation_words` are words the operation is called by ("staff", "directory"), which no name has."""
    text = " ".join(request.split())
    candidates = [ordered] if (ordered := _ordered(text, operation_words)) is not None else []
    if match := _WHO.match(text):
        candidates.append(match.group(1))
    details = _DETAILS | {part for name in (schema.get("properties") or {}) for part in name.casefold().split("_")}
    for match in _POSSESSIVE.finditer(text):
        if match.group(2).casefold() in details:
            # the words just before it: "i emailed lars eriksen's team" names "lars eriksen"
            candidates.append(" ".join(_after_the_asking(match.group(1)).split()[-OWNER_WORDS:]))
    for match in (_DETAIL_OF.search(text), _DETAIL_OF_FIRST.search(text)):
        if match and match.group(1).casefold() in details - _COUNTED:
            candidates.append(match.group(2))
    if (match := _DETAIL_IS.search(text)) and match.group(1).casefold() in details:
        candidates.append(match.group(2))
    if match := _STATE.match(text):
        candidates += _before_a_state(match.group(1).split(), _choice_words(schema))
    part = _PART.search(text)
    said = [group for group in part.groups() if group] if part else []
    # said as part of a name or title, a word of a role is one: "whose title mentions manager"
    return _a_name(candidates, schema, operation_words) or _a_name(said, schema, operation_words, _SENTENCE_WORDS)


def ordered_name(request: str, schema: Mapping[str, Any], tool: str) -> str | None:
    """The name `request` orders looked up with a look-up verb ("ok and can you find noah fischer for me?"), as
    written; None where it orders none (`searched_name`'s other readings, such as "who is ...", ask rather than
    order)."""
    words = own_words(tool)
    ordered = _ordered(" ".join(request.split()), words)
    return _a_name([ordered], schema, words) if ordered is not None else None


def _ordered(text: str, operation_words: Collection[str]) -> str | None:
    """What `text` orders looked up after a look-up verb ("find noah fischer for me?": "noah fischer"), less the
    operation's own words; None without such a verb."""
    match = _VERB.match(text)
    return _before_the_operation(match.group(1), operation_words) if match else None


def next_name(request: str, schema: Mapping[str, Any], tool: str) -> str | None:
    """The name a follow-up of a look-up by name goes on to ("and kessler?" after one for baltic pack), as
    written; None when it names none (`searched_name`'s test of a name)."""
    match = _NEXT.match(" ".join(request.split()))
    return _a_name([match.group(1)], schema, own_words(tool)) if match else None


def asked_states(arguments: Mapping[str, Any], tool: str, schema: Mapping[str, Any], request: str) -> list[str]:
    """The arguments of a look-up by name that filter on the state `request` asks of the name ("is baltic pack
    still suspended?": status suspended): the state is the answer's, and filtered on, a "no" would find nothing."""
    match = _STATE.match(" ".join(request.split()))
    if match is None or name_argument(schema) is None or searched_name(request, schema, own_words(tool)) is None:
        return []
    words = [word.casefold().strip("?!.,") for word in match.group(1).split()]
    return [name for name, value in arguments.items() if isinstance(value, str) and value.casefold() in words
            and value in ((schema.get("properties") or {}).get(name) or {}).get("enum", ())]


def _a_name(candidates: list[str], schema: Mapping[str, Any], operation_words: Collection[str],
            not_a_name: Collection[str] = ()) -> str | None:
    """The first of `candidates` that is a name (see the module): one to MOST_WORDS words of letters, none a word
    that only builds the sentence or the operation's own (or one of `not_a_name`, where given), not only values of
    its choices."""
    values = _choice_words(schema)
    not_a_name = not_a_name or _NOT_A_NAME
    for candidate in candidates:
        words = candidate.split()
        if 0 < len(words) <= MOST_WORDS and all(_WORD.match(word) for word in words) and \
                not any(word.casefold() in not_a_name or word.casefold() in operation_words for word in words) and \
                not all(word.casefold() in values for word in words):
            return candidate
    return None


def _before_a_state(words: list[str], values: set[str]) -> list[str]:
    """The words before a state the operation's choices name, one to MOST_WORDS of them: "baltic pack" of "baltic
    pack still suspended"."""
    for count in range(1, min(MOST_WORDS, len(words) - 1) + 1):
        rest = [word.casefold() for word in words[count:]]
        while len(rest) > 1 and rest[0] in _BEFORE_A_STATE:
            rest.pop(0)
        if rest[0].strip("?!.,") in values:
            return [" ".join(words[:count])]
    return []


def _choice_words(schema: Mapping[str, Any]) -> set[str]:
    """The words of the values of the operation's choices, in lower case ("on_probation": on, probation)."""
    return {word.casefold() for prop in (schema.get("properties") or {}).values() if isinstance(prop, Mapping)
            for value in prop.get("enum") or () for word in re.split(r"[\s_-]+", str(value))}


def _before_the_operation(text: str, operation_words: Collection[str]) -> str:
    """`text` less the few words after the name that say where to look, one of them the operation's own: "sofia in
    the staff directory" -> "sofia"; and less the operation's own words before the name: "supplier kessler" ->
    "kessler"."""
    words = text.split()
    own = next((index + 1 for index in range(min(2, len(words) - 1)) if words[index].casefold() in operation_words
                and all(word.casefold() in ("the", "a", "our") for word in words[:index])), 0)
    words = words[own:]
    for index, word in enumerate(words):
        rest = [other.casefold() for other in words[index + 1:]]
        if word.casefold() in ("in", "on", "from") and len(rest) <= MOST_WORDS and set(rest) & set(operation_words):
            return " ".join(words[:index])
    return " ".join(words)


def _after_the_asking(text: str) -> str:
    """`text` less the asking words before the name: "whats sofia rossi" -> "sofia rossi"."""
    words = text.split()
    while words and words[0].casefold() in _ASKING:
        words.pop(0)
    return " ".join(words)


def own_words(tool: str) -> frozenset[str]:
    """The words a look-up is called by, from its name split where the case changes ("api.searchDirectory":
    search, directory), singular and plural."""
    words = {part.casefold() for part in re.findall(r"[A-Z]?[a-z]+", tool.removeprefix("api."))}
    return frozenset(words | {word[:-1] for word in words if word.endswith("s")} | {f"{word}s" for word in words})


def name_lookup(candidates: Mapping[str, float], schemas: Mapping[str, Mapping[str, Any]], reads: Collection[str],
                request: str) -> tuple[str, str] | None:
    """The look-up of records by name (`name_argument`) that `request` names a record for, the classifier's
    likeliest of them (`candidates`: tool -> probability), and the name; None where the request names none."""
    for tool in sorted(candidates, key=candidates.__getitem__, reverse=True):
        if tool in reads and tool in schemas and name_argument(schemas[tool]) is not None:
            name = searched_name(request, schemas[tool], own_words(tool))
            if name is not None:
                return tool, name
    return None


def a_choice_somewhere(name: str, schemas: Mapping[str, Mapping[str, Any]]) -> bool:
    """Whether a word of `name` is a value of a choice of any of `schemas` ("nordline", a carrier): a record of
    another kind, which that kind's own list names."""
    values = set().union(*(_choice_words(schema) for schema in schemas.values()))
    return any(word.casefold() in values for word in name.split())


def named_arguments(arguments: Mapping[str, Any], tool: str, schema: Mapping[str, Any], request: str) -> dict[str, str]:
    """The name argument a look-up call should take from `request` where the call leaves it out, copies the
    request around the name ("sofia's phone extension" for "sofia") or writes another text where the request
    orders the name looked up ("can you find noah fischer for me? was told he's the one for payroll"): {argument:
    name}, else {}."""
    argument = name_argument(schema)
    name = searched_name(request, schema, own_words(tool)) if argument is not None else None
    if argument is None or name is None:
        return {}
    written = arguments.get(argument)
    words = set(name.casefold().split())
    if written is None or isinstance(written, str) and words < set(re.findall(r"[^\W\d_]+", written.casefold())):
        return {argument: name}
    if isinstance(written, str) and written.casefold().split() != name.casefold().split() and \
            ordered_name(request, schema, tool) == name:  # "find noah fischer for me? was told he's ..."
        return {argument: name}
    return {}
