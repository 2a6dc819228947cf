"""Hand-written requests added to a catalog's x-examples: appended per operation in the sets' order, duplicates and
other tools' lines left out, at most MAX_EXAMPLES, the file's comments and layout kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from finetune.catalog_examples import add_examples, main, read_requests
from tools.catalog import load_catalog
from tools.openapi import MAX_EXAMPLES

CATALOG = """# a small catalog: its comments stay
openapi: 3.0.3
info: {title: Desk, version: "1"}
servers: [{url: "http://127.0.0.1:9"}]
paths:
  /tickets/{id}:
    get:
      operationId: getTicket
      summary: Get one ticket
      x-examples:
        - "ticket 4101?"
        # the first one written by hand
      description: Return one IT ticket by its number.
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
      responses: {"200": {description: ok}}
    delete:
      operationId: closeTicket
      summary: Close a ticket
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
      responses: {"200": {description: ok}}
"""


def write_set(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_requests_are_appended_to_their_operations_and_the_file_keeps_its_layout(tmp_path: Path):
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(CATALOG, encoding="utf-8")
    sets = write_set(tmp_path / "tools.jsonl", [
        {"q": "is 4104  sorted yet", "tool": "getTicket"},
        {"q": "Ticket 4101?", "tool": "getTicket"},  # listed already
        {"q": "thanks, 4104 works again", "tool": None},  # no call: no operation's example
        {"q": "what is 3 + 4", "tool": "calculator"},  # not an operation of the catalog
        {"q": "pls close 4103, fixed", "tool": "api.closeTicket"},
        {"q": "is 4104 sorted yet", "tool": "getTicket"},  # a duplicate
    ])
    added = add_examples(catalog, [sets], "from the desk's sets")
    assert added == {"getTicket": ["is 4104 sorted yet"], "closeTicket": ["pls close 4103, fixed"]}
    examples = {operation.operation_id: operation.examples for operation in load_catalog(catalog).operations}
    assert examples == {"getTicket": ("ticket 4101?", "is 4104 sorted yet"), "closeTicket": ("pls close 4103, fixed",)}
    text = catalog.read_text(encoding="utf-8")
    assert text.startswith("# a small catalog: its comments stay") and "# the first one written by hand" in text
    assert text.count("# from the desk's sets") == 2
    assert add_examples(catalog, [sets], "again") == {} and catalog.read_text(encoding="utf-8") == text


def test_an_operation_takes_at_most_max_examples(tmp_path: Path):
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(CATALOG, encoding="utf-8")
    sets = write_set(tmp_path / "tools.jsonl", [{"q": f"ticket {4000 + n} pls", "tool": "getTicket"}
                                                for n in range(MAX_EXAMPLES + 5)])
    added = add_examples(catalog, [sets], "many")
    assert len(added["getTicket"]) == MAX_EXAMPLES - 1  # one listed already
    assert len(load_catalog(catalog).operations[0].examples) == MAX_EXAMPLES


def test_a_bad_line_is_named_and_nothing_is_written(tmp_path: Path, capsys):
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(CATALOG, encoding="utf-8")
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"q": "ticket 4104", "tool": "getTicket"}\n{"question": "no q"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken.jsonl, line 2: q: Field required"):
        read_requests([broken])
    with pytest.raises(ValueError, match="broken.jsonl, line 2"):
        main([str(catalog), str(broken)])
    assert catalog.read_text(encoding="utf-8") == CATALOG
    fine = write_set(tmp_path / "fine.jsonl", [{"q": "ticket 4104", "tool": "getTicket"}])
    assert main([str(catalog), str(fine)]) == 0
    assert "1 examples added to 1 operations" in capsys.readouterr().out


def test_the_shipped_catalogs_read_back_with_their_examples():
    from assistant.paths import DATA_DIR

    for path in (DATA_DIR / "demo" / "catalog.yaml", DATA_DIR / "examples" / "harbor" / "catalog.yaml"):
        operations = load_catalog(path).operations
        assert all(3 <= len(operation.examples) <= MAX_EXAMPLES for operation in operations)
        assert sum(len(operation.examples) for operation in operations) > 300  # the development sets' requests
