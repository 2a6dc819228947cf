"""API responses for training conversations: the documented success response of each operation, and
bodies synthesised from its schema that repeat the call's arguments where a field shares their name.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from finetune.builders.values import PERSON_NAMES, PLACE_NAMES, sample_value, schema_types, text_pool, valid


@dataclass(frozen=True)
class ResponseDoc:
    """An operation's documented success response: its status code and body schema (None: undocumented)."""

    status: int
    schema: dict[str, Any] | None


_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def response_docs(document: dict[str, Any]) -> dict[str, ResponseDoc]:
    """Each operation's first success (2xx) response in a parsed OpenAPI document, by operationId.

    The JSON body schema has its local `$ref`s replaced by their targets (a reference back into itself
    becomes `{}`, any value); a response without a JSON body has schema None.
    """
    docs: dict[str, ResponseDoc] = {}
    for item in (document.get("paths") or {}).values():
        for method in _HTTP_METHODS:
            operation = _resolve(document, item.get(method)) if isinstance(item, dict) else None
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            responses = {str(code): value for code, value in (operation.get("responses") or {}).items()}
            success = sorted(code for code in responses if code.startswith("2") and code.isdigit())
            if not success:
                continue
            response = _resolve(document, responses[success[0]]) or {}
            content = response.get("content") or {}
            media = next((value for kind, value in content.items() if "json" in kind), None)
            schema = _inline(document, media["schema"]) if media and "schema" in media else None
            docs[operation["operationId"]] = ResponseDoc(int(success[0]), schema)
    return docs


def _resolve(document: dict[str, Any], node: Any) -> Any:
    """`node`, or the target of its local `$ref` (followed until it is not a reference)."""
    for _ in range(32):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/")):
            return node
        target: Any = document
        for part in node["$ref"][2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, dict) else None
        siblings = {key: value for key, value in node.items() if key != "$ref"}
        node = {**target, **siblings} if isinstance(target, dict) else target
    return node


def _inline(document: dict[str, Any], node: Any, refs: tuple[str, ...] = ()) -> Any:
    if isinstance(node, list):
        return [_inline(document, item, refs) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        if ref in refs or not ref.startswith("#/"):
            return {}
        return _inline(document, _resolve(document, node), (*refs, ref))
    return {key: _inline(document, value, refs) for key, value in node.items()}


def synthesize(
    schema: dict[str, Any] | None,
    rng: random.Random,
    today: date,
    echo: dict[str, Any],
    topic: str = "",
    path: tuple[str, ...] = (),
) -> Any:
    """A response body for `schema` that repeats the call's arguments (`echo`) where a field shares a name.

    The `id` of the top-level object (or of a wrapped `request` for a `request_id` argument) is the id
    argument. Lists hold 0 to 3 items, `count`-like fields count the list beside them, and `total_x` sums
    the items' `*_x` fields, so an answer built from the body is consistent with it. `path` is the keys
    leading here ("[]" for a list item).
    """
    if not schema:
        return dict(echo)
    schema = _merge_all_of(schema)
    for combinator in ("oneOf", "anyOf"):
        if combinator in schema:
            branches = [b for b in schema[combinator] if "null" not in schema_types(b)] or schema[combinator]
            return synthesize(branches[0], rng, today, echo, topic, path)
    echoed = _echoed(schema, echo, path)
    if echoed is not None:
        return echoed
    key = path[-1] if path else ""
    types = schema_types(schema)
    if "null" in types and (len(types) == 1 or rng.random() < 0.25):
        return None
    kind = types[0] if types else "string"
    if kind == "object":
        return _synthesize_object(schema, rng, today, echo, topic, path)
    if kind == "array":
        count = 0 if rng.random() < 0.1 else rng.randint(1, 3)
        return [synthesize(schema.get("items", {}), rng, today, echo, topic, (*path, "[]")) for _ in range(count)]
    if kind == "string" and "enum" not in schema and "pattern" not in schema and "format" not in schema:
        if key.endswith("_id") and any(word in key for word in _PERSON_WORDS):
            return _id_like(echo, rng)
        return _response_text(key, rng, topic)
    if kind == "integer" and "minimum" not in schema and "maximum" not in schema:
        return rng.randint(100, 9999) if key == "id" or key.endswith("_id") else rng.randint(0, 25)
    return sample_value(key, schema, rng, today, topic)


def _id_like(echo: dict[str, Any], rng: random.Random) -> str:
    """A person id shaped like the id arguments of the call ("E1007" -> "E4821"), else four digits."""
    shapes = [value for name, value in echo.items() if name.endswith("_id") and isinstance(value, str)]
    shape = shapes[0] if shapes else "0000"
    return re.sub(r"\d", lambda _: str(rng.randint(0, 9)), shape)


def _echoed(schema: dict[str, Any], echo: dict[str, Any], path: tuple[str, ...]) -> Any | None:
    """The argument this field repeats, if any (None when it repeats none)."""
    if not path:
        return None
    key = path[-1]
    if key in echo and valid(echo[key], schema):
        return echo[key]
    if key == "id" and len(path) <= 2:
        owner = path[0] if len(path) == 2 else None
        candidates = [value for name, value in echo.items() if name.endswith("_id") and valid(value, schema)
                      and (owner is None or name == f"{owner}_id")]
        if len(candidates) == 1:
            return candidates[0]
    return None


def _merge_all_of(schema: dict[str, Any]) -> dict[str, Any]:
    if "allOf" not in schema:
        return schema
    merged: dict[str, Any] = {key: value for key, value in schema.items() if key != "allOf"}
    merged.setdefault("type", "object")
    properties, required = dict(merged.get("properties", {})), list(merged.get("required", []))
    for part in schema["allOf"]:
        part = _merge_all_of(part)
        properties.update(part.get("properties", {}))
        required += [name for name in part.get("required", []) if name not in required]
    merged["properties"], merged["required"] = properties, required
    return merged


def _synthesize_object(
    schema: dict[str, Any], rng: random.Random, today: date, echo: dict[str, Any], topic: str,
    path: tuple[str, ...],
) -> dict[str, Any]:
    properties = schema.get("properties", {})
    required = set(schema.get("required", properties))
    body = {
        name: synthesize(sub, rng, today, echo, topic, (*path, name))
        for name, sub in properties.items()
        if name in required or rng.random() < 0.5
    }
    if isinstance(body.get("id"), str) and "pattern" not in properties.get("id", {}):
        label = body.get("name") or body.get("title")
        if isinstance(label, str):
            body["id"] = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")  # "Bora" -> "bora"
    for first, second in (("start", "end"), ("from", "to")):
        for name in body:
            other = second + name[len(first) :]
            if name.startswith(first + "_") and isinstance(body[name], str) and isinstance(body.get(other), str):
                body[name], body[other] = sorted([body[name], body[other]])
    lists = [value for value in body.values() if isinstance(value, list)]
    for name in body:
        if name in ("count", "total_count", "size") and len(lists) == 1:
            body[name] = len(lists[0])
        elif name.startswith("total_") and len(lists) == 1:
            suffix = name[len("total") :]
            amounts = [item[field] for item in lists[0] if isinstance(item, dict) for field in item
                       if field.endswith(suffix) and isinstance(item[field], (int, float))]
            body[name] = round(sum(amounts), 2)
    return body


_PERSON_WORDS = ("employee", "person", "organizer", "requester", "manager", "assignee", "owner", "user")


def _response_text(key: str, rng: random.Random, topic: str) -> str:
    if key == "name" or key.endswith("_name"):
        place = not any(word in key for word in _PERSON_WORDS) and "room" in (key + topic).lower()
        return rng.choice(PLACE_NAMES if place else PERSON_NAMES)
    return rng.choice(text_pool(key or "description", topic))
