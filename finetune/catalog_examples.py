"""Requests written down by hand, added to a catalog's `x-examples`: what the tool router learns from most.

Run: `python -m finetune.catalog_examples CATALOG.yaml SET.jsonl [SET.jsonl ...]`, then refit the router
(`assistant fit-router ADAPTER`, seconds).

Each line of a set is `{"q": message, "tool": operationId or null, ...}` (the development sets' format; a
corrected conversation exported from the console has the same two keys). Every request whose operation the
catalog has is appended to that operation's `x-examples`, after the ones it lists, in the sets' order; a request
it lists already (whitespace aside) is skipped, and so is every one past the catalog's MAX_EXAMPLES for an
operation. No-call lines and other tools' lines are not examples of an operation and are left out. The file is
edited as text, so its comments and layout stay; an operation without `x-examples` gets the key after its
`operationId`. The result is read back as the catalog loader reads it before it is written.

The shipped catalogs' `x-examples` hold their development sets' requests this way; README says what they were
worth on the test sets.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from tools.catalog import load_catalog
from tools.openapi import EXAMPLES_KEY, MAX_EXAMPLE_CHARS, MAX_EXAMPLES

#: An operation's id line in the catalog's YAML, with its indentation.
_OPERATION_ID = re.compile(r"^(?P<indent>\s*)operationId:\s*['\"]?(?P<id>[\w.-]+)['\"]?\s*$")


def read_requests(paths: Iterable[Path]) -> list[tuple[str, str]]:
    """(operationId, request) per request line of the sets at `paths`, in order, read as evaluation reads a tools
    set (`finetune.evaluate.read_jsonl`, which names a bad line)."""
    # evaluation loads the engine: imported only when sets are read
    from finetune.evaluate import ToolQuery, read_jsonl

    return [(item.tool.removeprefix("api."), " ".join(item.q.split()))
            for path in paths for item in read_jsonl(Path(path), ToolQuery) if item.tool]

def added_examples(catalog: Path, requests: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    """Per operation of `catalog`, the requests that would be appended to its `x-examples` (see the module)."""
    operations = {operation.operation_id: operation for operation in load_catalog(catalog).operations}
    added: dict[str, list[str]] = {}
    for operation_id, text in requests:
        operation = operations.get(operation_id)
        if operation is None or not text or len(text) > MAX_EXAMPLE_CHARS:
            continue
        listed = {" ".join(example.split()).casefold() for example in operation.examples}
        new = added.setdefault(operation_id, [])
        if text.casefold() not in listed | {example.casefold() for example in new} and \
                len(operation.examples) + len(new) < MAX_EXAMPLES:
            new.append(text)
    return {operation_id: texts for operation_id, texts in added.items() if texts}


def with_examples(text: str, added: dict[str, list[str]], note: str) -> str:
    """The catalog YAML `text` with `added` appended to each operation's `x-examples` list, under a comment
    line `note`."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        out.append(line)
        index += 1
        match = _OPERATION_ID.match(line)
        if match is None or match.group("id") not in added:
            continue
        indent = match.group("indent")
        # the operation's keys follow at its indentation, until a line less indented (the next method or path)
        end = next((i for i in range(index, len(lines)) if lines[i].strip() and _indent(lines[i]) < len(indent)),
                   len(lines))
        key = next((i for i in range(index, end) if lines[i].strip() == f"{EXAMPLES_KEY}:" and
                    _indent(lines[i]) == len(indent)), None)
        items = [f"{indent}  - {json.dumps(example, ensure_ascii=False)}\n" for example in added[match.group("id")]]
        comment = f"{indent}  # {note}\n"
        if key is None:
            out += [f"{indent}{EXAMPLES_KEY}:\n", comment, *items]
            continue
        last = key + 1  # past the list's items (and comments among them)
        while last < end and _indent(lines[last]) > len(indent) and lines[last].lstrip().startswith(("- ", "#")):
            last += 1
        out += [*lines[index:last], comment, *items]
        index = last
    return "".join(out)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def add_examples(catalog: Path, sets: Sequence[Path], note: str) -> dict[str, list[str]]:
    """Append the requests of `sets` to `catalog`'s `x-examples` in place (checked by loading the result first);
    returns what was added per operation."""
    added = added_examples(catalog, read_requests(sets))
    if not added:
        return added
    text = with_examples(catalog.read_text(encoding="utf-8"), added, note)
    with tempfile.TemporaryDirectory() as folder:
        trial = Path(folder) / catalog.name
        trial.write_text(text, encoding="utf-8")
        loaded = {operation.operation_id: operation.examples for operation in load_catalog(trial).operations}
        before = {operation.operation_id: operation.examples for operation in load_catalog(catalog).operations}
        for operation_id, texts in added.items():
            if loaded[operation_id] != (*before[operation_id], *texts):
                raise ValueError(f"{catalog}: the examples of {operation_id} did not read back as written")
    catalog.write_text(text, encoding="utf-8")
    return added


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("catalog", type=Path, help="the OpenAPI file to add examples to")
    parser.add_argument("sets", type=Path, nargs="+", help="JSONL files of {q, tool} lines")
    parser.add_argument("--note", default="requests written by hand (finetune.catalog_examples)",
                        help="the comment line above each operation's added examples")
    args = parser.parse_args(argv)
    added = add_examples(args.catalog, args.sets, args.note)
    print(f"{args.catalog}: {sum(map(len, added.values()))} examples added to {len(added)} operations")
    for operation_id, texts in added.items():
        print(f"  {operation_id}: {len(texts)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
