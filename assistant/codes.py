"""Codes a conversation writes out, and the argument schema that keeps a call's ids to them.

A code is a token that mixes digits with other characters: an id (SHP-207391, E1006), a date, a time. The
small model writes an id it was never given as readily as one it was: asked for "600 SKU-18830", it wrote
order lines for SKU-18831, SKU-18832 and on until its arguments ran out; asked to book a door "for
PO-119045", it wrote `"reference": "SHP-123222"`. A wrong id reads or changes the wrong record, so where the
conversation states ids of a property's kind, `narrowed_schema` turns that property's pattern into the list
of those ids, and the argument grammar admits nothing else; an array of records keyed by such an id (order
lines by SKU) holds at most one record per stated id.

An e-mail address is kept to the ones the conversation writes the same way (a property of format email): the
model ran on in "buyer_email": "harborfreight.example.com}}.replace{..." until its arguments ran out.

A property whose description lists its ids ("the sites today are: WH-01, WH-02, ...") takes one of those where
the conversation states none of its kind: the model had written WH-30 for Rotterdam. Which one a name means is
read from the catalog's example requests, which write the ids beside their names ("venlo WH-04"): "free inbound
slots at venlo on thursday?" is WH-04 (`named_id_arguments`), where the model had taken WH-01, the first listed.

An id's pattern names a letter every id carries (`^SHP-[0-9]{6}$`, `^E\\d{4}$`); a pattern of character
classes only (a truck plate's `^[A-Z0-9-]{4,10}$`, a time's) fits codes of every kind and is left alone. A
property of a kind the conversation states no id of keeps its pattern.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

#: A written-out value: letters, digits and the joiners of codes, dates and times, not ending in a joiner.
CODE_TOKEN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9:/._-]*[A-Za-z0-9])?")
#: An e-mail address as written.
EMAIL_ADDRESS = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")


def is_code(token: str) -> bool:
    """Digits together with other characters: an id, a date, a time; never a bare number or a word."""
    return any(c.isdigit() for c in token) and not token.replace(".", "").replace(",", "").isdigit()


def value_shape(spec: dict[str, Any]) -> str | None:
    """What a string property's values look like, when the schema says it: its pattern, or the date format."""
    if spec.get("type") not in (None, "string") or "enum" in spec:
        return None
    if isinstance(spec.get("pattern"), str):
        return "pattern:" + spec["pattern"]
    return "format:date" if spec.get("format") == "date" else None


def fits(shape: str, token: str) -> bool:
    """Whether `token` has `shape` (a `value_shape`)."""
    kind, _, rule = shape.partition(":")
    if kind == "format":
        return re.fullmatch(r"\d{4}-\d{2}-\d{2}", token) is not None and as_date(token) is not None
    try:
        return re.fullmatch(rule, token) is not None
    except re.error:
        return False  # a pattern Python's re does not read (JSON Schema's is ECMA 262): not filled


def stated_codes(texts: Iterable[str]) -> list[str]:
    """The codes `texts` write out, in order, each once."""
    return list(dict.fromkeys(token for text in texts for token in CODE_TOKEN.findall(text) if is_code(token)))


def stated_addresses(texts: Iterable[str]) -> list[str]:
    """The e-mail addresses `texts` write out, in order, each once."""
    return list(dict.fromkeys(address for text in texts for address in EMAIL_ADDRESS.findall(text)))


def id_pattern(pattern: str) -> bool:
    """Whether `pattern` is an id's: outside its escapes and character classes it names a letter."""
    bare = re.sub(r"\[(?:\\.|[^\]])*\]", "", re.sub(r"\\.", "", pattern))
    return re.search(r"[A-Za-z]", re.sub(r"\{[^}]*\}|\(\?[^)]*\)", "", bare)) is not None


def narrowed_schema(schema: dict[str, Any], codes: list[str], listed: bool = False) -> dict[str, Any]:
    """`schema` with each string property of an id's pattern that some of `codes` fit (as written, or in
    capitals: "shp-207455" is SHP-207455), or else, where `listed`, some of the codes its description lists (the
    call's grammar; not whether a request names a property's id), taking those codes only, as an enum, each
    e-mail property (format email) the e-mail addresses among `codes` where there are some, and each array of
    objects keyed by such an id property (a required one) holding at most as many items as it has codes.
    `schema` itself where nothing narrows."""
    return _narrowed(schema, codes, [code for code in codes if EMAIL_ADDRESS.fullmatch(code)], listed)[0]


def _narrowed(spec: Any, codes: list[str], addresses: list[str], listed: bool) -> tuple[Any, int | None]:
    """(`spec` narrowed, how many values it was narrowed to: None when it was not)."""
    if not isinstance(spec, dict):
        return spec, None
    pattern = spec.get("pattern")
    if isinstance(pattern, str) and "enum" not in spec and _takes_strings(spec) and id_pattern(pattern):
        ids = _fitting(pattern, codes) or listed and listed_ids(spec)
        if not ids:
            return spec, None
        return {**{key: value for key, value in spec.items() if key != "pattern"}, "enum": ids}, len(ids)
    if spec.get("format") == "email" and "enum" not in spec and _takes_strings(spec) and addresses:
        return {**spec, "enum": addresses}, None
    narrowed = dict(spec)
    if isinstance(spec.get("properties"), dict):
        counts = {}
        properties = {}
        for name, sub in spec["properties"].items():
            properties[name], counts[name] = _narrowed(sub, codes, addresses, listed)
        narrowed["properties"] = properties
        keys = [counts[name] for name in spec.get("required") or [] if counts.get(name) is not None]
        if keys:  # a record keyed by a stated id: one per id
            return narrowed, min(keys)
    if isinstance(spec.get("items"), dict):
        narrowed["items"], keys = _narrowed(spec["items"], codes, addresses, listed)
        if keys is not None and spec.get("type") == "array":
            narrowed["maxItems"] = max(min(spec.get("maxItems", keys), keys), spec.get("minItems", 0))
    return narrowed, None


def listed_ids(spec: dict[str, Any]) -> list[str]:
    """The ids of its pattern that a property's description lists ("the sites today are: WH-01, WH-02, WH-03,
    WH-04 or WH-05"); none where it names fewer than two: "an employee id, e.g. E1007" gives an example, not the
    ids there are, and the model had written E1007 for whoever was asked about."""
    pattern = spec.get("pattern")
    ids = _fitting(pattern, stated_codes([str(spec.get("description") or "")])) if isinstance(pattern, str) else []
    return ids if len(ids) >= 2 else []


#: How often a name must stand next to one listed id, and next to no other, in the catalog's example requests for
#: it to be that id's name: "venlo WH-04" and "Venlo (WH-04)" 14 times in Harbor's, "from WH-01" next to three ids.
NAME_SEEN = 3


def named_ids(spec: dict[str, Any], examples: Iterable[str]) -> dict[str, str]:
    """The names of a property's listed ids (`listed_ids`) as the catalog's example requests write them beside
    the id ("gdansk WH-05", "Venlo (WH-04)", "WH-02 (antwerp)"): a word of four letters or more seen NAME_SEEN
    times or more next to one id and never next to another, in lower case, to that id."""
    ids = listed_ids(spec)
    if not ids:
        return {}
    spelled = {code.casefold(): code for code in ids}
    either = "|".join(map(re.escape, ids))
    seen: dict[str, dict[str, int]] = {}
    for text in examples:
        pairs = [(found.group(1), found.group(2)) for found in
                 re.finditer(rf"\b([A-Za-z]{{4,}})\s*[(,:]?\s*({either})\b", text, re.IGNORECASE)]
        pairs += [(found.group(2), found.group(1)) for found in
                  re.finditer(rf"\b({either})\s*\(\s*([A-Za-z]{{4,}})\s*\)", text, re.IGNORECASE)]
        for word, code in pairs:
            counts = seen.setdefault(word.casefold(), {})
            counts[spelled[code.casefold()]] = counts.get(spelled[code.casefold()], 0) + 1
    return {word: next(iter(counts)) for word, counts in seen.items()
            if len(counts) == 1 and sum(counts.values()) >= NAME_SEEN}


def named_id_arguments(arguments: dict[str, Any], schema: dict[str, Any], request: str,
                       examples: Iterable[str]) -> dict[str, str]:
    """The properties with listed ids that `request` names by one name of `named_ids` and writes no id for, set
    to that name's id where the call left them out or wrote another: "what's below reorder point in rotterdam"
    is WH-01, "and in venlo?" WH-04; the model had taken the first id listed."""
    examples = list(examples)
    found = {}
    for name, spec in (schema.get("properties") or {}).items():
        names = named_ids(spec, examples) if isinstance(spec, dict) else {}
        if not names or _fitting(spec["pattern"], stated_codes([request])):
            continue
        meant = {code for word, code in names.items() if re.search(rf"\b{re.escape(word)}\b", request, re.IGNORECASE)}
        if len(meant) == 1 and arguments.get(name) not in meant:
            found[name] = meant.pop()
    return found


def _takes_strings(spec: dict[str, Any]) -> bool:
    kind = spec.get("type", "string")
    return kind == "string" or isinstance(kind, list) and "string" in kind


def _fitting(pattern: str, codes: list[str]) -> list[str]:
    ids = (fitting_code("pattern:" + pattern, code) for code in codes)
    return list(dict.fromkeys(code for code in ids if code is not None))


def fitting_code(shape: str, code: str) -> str | None:
    """`code` as a value of `shape` takes it: as written, or in capitals for an id's pattern ("shp-207455" is
    SHP-207455; "18th" is no truck plate 18TH); None when it fits neither way."""
    if fits(shape, code):
        return code
    upper = shape.startswith("pattern:") and id_pattern(shape.removeprefix("pattern:")) and fits(shape, code.upper())
    return code.upper() if upper else None


def as_date(value: Any) -> date | None:
    """`value` read as an ISO date; None when it is not one."""
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def record_number(name: str, spec: Any) -> bool:
    """Whether property `name` (schema `spec`) is a record's number: an integer `id` or `..._id`."""
    return isinstance(spec, dict) and (name == "id" or name.endswith("_id")) and spec.get("type") == "integer"


def _id_code(spec: Any) -> bool:
    """Whether a property takes a code of an id's pattern (E1006, SHP-204518)."""
    return isinstance(spec, dict) and isinstance(spec.get("pattern"), str) and _takes_strings(spec) \
        and id_pattern(spec["pattern"])


def record_ids(schema: dict[str, Any]) -> list[str]:
    """The required properties of `schema` that name a record or a person by id, as `unstated_record_id` checks
    them: a record number (`record_number`) or a code of an id's pattern."""
    properties = schema.get("properties") or {}
    return [name for name in schema.get("required") or ()
            if record_number(name, properties.get(name)) or _id_code(properties.get(name))]


def record_word(name: str) -> str:
    """What an id property names, in words: "request" for `request_id`, "organizer" for `organizer_id`."""
    return name.removesuffix("_id").replace("_", " ") or "record"


def unstated_record_id(arguments: dict[str, Any], schema: dict[str, Any], said: str) -> str | None:
    """The required id of `schema` whose value in `arguments` no text of `said` (the conversation's messages and
    tool results) writes: the record a change would be made to, or the person it would be made for, picked by
    nobody. Two kinds are checked:
    - a record number, a property `id` or `..._id` of type integer ("ok then close it" after a list that found
      no tickets: `ticket_id` 12). A number is written standing alone or after a sign ("#4103", "no.506"), not as
      part of another code (E1006);
    - a code of an id's pattern (`^E\\d{4}$`): "book zephyr tomorrow 10-11" was sent with `organizer_id` E2038,
      a person nobody named. The code is written as a word of its own in any case, or listed by the property's
      own description (`listed_ids`: "the sites today are: WH-01, WH-02 ...").
    None when every such id was written."""
    properties = schema.get("properties") or {}
    for name in record_ids(schema):
        spec, value = properties[name], arguments.get(name)
        if record_number(name, spec):
            if isinstance(value, int) and re.search(rf"(?<![\w,])(?<!\d\.){value}(?!\d|[.,]\d)", said) is None:
                return name
        elif isinstance(value, str) and not _writes(said, value) and value not in listed_ids(spec):
            return name
    return None


def _writes(text: str, code: str) -> bool:
    """Whether `text` writes `code` as a word of its own, in any case."""
    return re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text, re.IGNORECASE) is not None


def is_id(name: str, spec: Any) -> bool:
    """Whether a property names a record by its id: "ticket_id", "employee_id", "slot_id"."""
    return isinstance(spec, dict) and spec.get("type") in ("string", "integer") and re.search(r"_id$", name) is not None


def id_shape(code: str) -> str:
    """"E1003" -> "e9999", "SKU-10442" -> "sku-99999": an id's letters and its number of digits, its kind."""
    return re.sub(r"\d", "9", code.casefold())
