"""The hand-written test sets: frozen, complete, valid against their catalogs, and apart from every build."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from assistant.config import DEMO_CATALOG, DEMO_DOCS, REPO_ROOT
from finetune.build_data import BuildDataConfig, build_data
from finetune.evaluate import TEST_SETS, EvalFormatError, EvalSets, ToolQuery, load_test_set
from finetune.metrics import normalise_text
from finetune.records import read_jsonl
from tools.catalog import load_catalog

HARBOR = REPO_ROOT / "data" / "examples" / "harbor"
CATALOGS = {"demo": DEMO_CATALOG, "harbor": HARBOR / "catalog.yaml"}
DOCS = {"demo": DEMO_DOCS, "harbor": HARBOR / "docs"}
#: The issue's minimum sizes: API requests, no-call questions, calculator and document questions.
MINIMUM = {"demo": (150, 40, 40, 40), "harbor": (120, 40, 20, 40)}


@pytest.mark.parametrize("name", sorted(TEST_SETS))
def test_each_test_set_is_frozen_and_as_large_as_asked(name: str):
    sets, today = load_test_set(name)
    api = [q for q in sets.tools if q.tool is not None]
    no_call = [q for q in sets.tools if q.tool is None]
    assert (len(api), len(no_call), len(sets.calc), len(sets.docs)) >= MINIMUM[name]
    assert all(len(x) >= m for x, m in zip((api, no_call, sets.calc, sets.docs), MINIMUM[name], strict=True))
    assert today == date(2026, 3, 2)
    questions = [normalise_text(q.q) for q in [*sets.tools, *sets.calc, *sets.docs]]
    assert len(questions) == len(set(questions)), "a question appears twice"
    follow_ups = [turn for chat in sets.chats for turn in chat.turns[1:]]
    assert len(sets.chats) >= 25 and len(follow_ups) >= 50
    assert sum(turn.tool is None for turn in follow_ups) >= 10, "follow-ups that want no call"


def test_an_edited_test_set_is_refused(tmp_path: Path):
    copy = tmp_path / "demo"
    shutil.copytree(TEST_SETS["demo"], copy)
    with (copy / "calc.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"q": "What is 1+1?", "answer": 2}) + "\n")
    with pytest.raises(EvalFormatError, match="calc.jsonl is not the frozen file"):
        load_test_set(copy)
    (copy / "manifest.json").unlink()
    with pytest.raises(EvalFormatError, match="no manifest.json"):
        load_test_set(copy)


@pytest.mark.parametrize("name", sorted(TEST_SETS))
def test_every_expected_call_is_valid_for_its_catalog(name: str):
    operations = {op.operation_id: op for op in load_catalog(CATALOGS[name]).operations}
    sets, _ = load_test_set(name)
    invalid = []
    for query in [*sets.tools, *(turn for chat in sets.chats for turn in chat.turns)]:
        if query.tool is None:
            continue
        validator = jsonschema.Draft202012Validator(operations[query.tool].parameters,
                                                    format_checker=jsonschema.FormatChecker())
        invalid += [(query.q, error.message) for error in validator.iter_errors(query.args)]
    assert invalid == []
    assert {q.tool for q in sets.tools} - {None} == set(operations), "every operation is asked for"


@pytest.mark.parametrize("name", sorted(TEST_SETS))
def test_no_test_question_is_in_a_build(name: str, tmp_path: Path):
    """A build (every source but the base model's replies) holds none of the test questions, and none of the
    test documents' keywords is trained with the same question."""
    config = BuildDataConfig(catalog=CATALOGS[name], docs=DOCS[name], no_call=0, output=tmp_path / "data",
                             today=date(2026, 3, 2), feedback=False)
    build_data(config, None, tmp_path)
    built = {normalise_text(m["content"]) for side in ("train", "eval")
             for record in read_jsonl(tmp_path / "data" / f"{side}.jsonl")
             for m in record.messages if m["role"] == "user"}
    sets, _ = load_test_set(name)
    leaked = [q.q for q in [*sets.tools, *sets.calc, *sets.docs, *chat_messages(sets)] if normalise_text(q.q) in built]
    assert leaked == []


@pytest.mark.parametrize("name", sorted(TEST_SETS))
def test_no_test_message_is_an_example_request_of_the_catalog(name: str):
    """The catalog's x-examples (what the tool router learns besides the build) hold none of the test messages.
    Examples written independently from the same catalog came within a sentence embedding's cosine 0.85 of a test
    message 41 times; those were taken out, and this keeps the plain repeats out."""
    examples = {normalise_text(example) for operation in load_catalog(CATALOGS[name]).operations
                for example in operation.examples}
    assert len(examples) >= 4 * len(load_catalog(CATALOGS[name]).operations)
    sets, _ = load_test_set(name)
    assert [q.q for q in [*sets.tools, *sets.calc, *sets.docs, *chat_messages(sets)]
            if normalise_text(q.q) in examples] == []


def chat_messages(sets: EvalSets) -> list[ToolQuery]:
    """Every message of the test set's written chats."""
    return [turn for chat in sets.chats for turn in chat.turns]


def test_no_builder_or_trainer_reads_the_test_sets():
    """The test folders are named only by evaluation (and the bench that prints their figures)."""
    pattern = re.compile(r"TEST_SETS|/test\b|\"test\"|'test'")
    readers = []
    for folder in ("finetune", "assistant", "tools", "ui"):
        for path in sorted((REPO_ROOT / folder).rglob("*.py")):
            if path.name != "evaluate.py" and pattern.search(path.read_text(encoding="utf-8")):
                readers.append(str(path.relative_to(REPO_ROOT)))
    assert readers == []
