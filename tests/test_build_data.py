"""`build_data`: inputs read at the edges, the files it writes, the feedback reader and the base model's replies."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from assistant.config import ModelConfig
from assistant.events import FinalAnswer, Timings, ToolOutcome
from assistant.store import ConversationStore
from finetune.build_data import BuildDataConfig, build_data, cached_replies, default_reply_fn, read_feedback
from finetune.records import DatasetFormatError, read_json_rows, read_jsonl

TODAY = date(2025, 3, 3)


def _reply(messages: list[dict[str, Any]]) -> str:
    return f"(base model) {messages[-1]['content']}"


def _final(answer: str, call: dict[str, Any] | None = None) -> FinalAnswer:
    messages: list[dict[str, Any]] = []
    outcomes = []
    if call is not None:
        messages += [
            {"role": "assistant", "content": f"<tool:calculator>{json.dumps(call)}"},
            {"role": "tool", "content": '{"result": {"result": "4"}}', "name": "calculator"},
        ]
        outcomes.append(ToolOutcome("calculator", call, "ran", {"result": "4"}))
    messages.append({"role": "assistant", "content": answer})
    return FinalAnswer(answer, outcomes, [], messages, Timings(10, 5, 3, 0.1, 0.01, 0.3), "end_of_turn")


@pytest.fixture()
def conversations(tmp_path: Path) -> Path:
    """A real conversation log: one turn rated up, one corrected after a rating, one without feedback."""
    store = ConversationStore(tmp_path / "conversations.db")
    conversation = store.start_conversation("ann", "maths")
    good = store.log_turn(conversation, "What is 2+2?", _final("It is 4.", {"expression": "2+2"}), "smollm2")
    fixed = store.log_turn(conversation, "Capital of the Netherlands?", _final("Rotterdam."), "smollm2")
    store.log_turn(conversation, "Hello", _final("Hi!"), "smollm2")
    store.add_feedback(good, "ann", -1)
    time.sleep(0.01)
    store.add_feedback(good, "ann", 1)  # the latest feedback wins
    store.add_feedback(fixed, "ann", 1)
    time.sleep(0.01)
    store.add_feedback(fixed, "bob", -1, "Amsterdam is the capital; The Hague is the seat of government.")
    return tmp_path / "conversations.db"


def test_read_feedback_joins_turns_with_their_latest_feedback(conversations: Path):
    turns = read_feedback(conversations)
    assert [(t.rating, t.correction) for t in turns] == [
        (1, None), (-1, "Amsterdam is the capital; The Hague is the seat of government.")]
    assert turns[0].messages[0] == {"role": "user", "content": "What is 2+2?"}
    assert turns[0].messages[1]["content"].startswith("<tool:calculator>")


def test_build_data_writes_records_eval_files_and_report(tmp_path: Path, conversations: Path):
    instructions = tmp_path / "mine.jsonl"
    instructions.write_text(json.dumps({"instruction": "Say hi", "output": "Hi!"}) + "\n")
    config = BuildDataConfig(
        output=tmp_path / "out", today=TODAY, per_operation=3, calculator=8, no_call=6, per_chunk=1,
        eval_fraction=0.3, instructions=[instructions], conversations_db=conversations,
    )
    result = build_data(config, _reply, tmp_path)
    out = tmp_path / "out"
    train, evaluation = read_jsonl(out / "train.jsonl"), read_jsonl(out / "eval.jsonl")
    assert len(train) == result.counts.train and len(evaluation) == result.counts.eval
    assert result.fingerprint == hashlib.sha256((out / "train.jsonl").read_bytes()).hexdigest()
    written = json.loads((out / "report.json").read_text())
    assert written["fingerprint"] == result.fingerprint and written["config"]["seed"] == 0
    assert set(written["by_source"]) == {"catalog", "calculator", "retrieval", "no_call", "instructions", "feedback"}
    assert written["by_source"]["feedback"]["train"] + written["by_source"]["feedback"]["eval"] == 2
    no_call = [r for r in train + evaluation if r.source == "no_call"]
    assert no_call and all(r.messages[1]["content"].startswith("(base model) ") for r in no_call)

    rows = [json.loads(line) for line in (out / "eval_tools.jsonl").read_text().splitlines()]
    questions = {r.user_text: r for r in evaluation}
    assert rows and all(row["q"] in questions for row in rows)
    for row in rows:
        record = questions[row["q"]]
        expected = record.tool.removeprefix("api.") if record.tool else None
        assert row["tool"] == expected and not str(row["tool"]).startswith("api.")
    for line in (out / "eval_calc.jsonl").read_text().splitlines():
        row = json.loads(line)
        assert questions[row["q"]].source == "calculator" and isinstance(row["answer"], (int, float))
    for line in (out / "eval_docs.jsonl").read_text().splitlines():
        row = json.loads(line)
        assert set(row) == {"q", "keywords", "any", "source"} and row["source"].endswith(".md")


def test_build_data_is_reproducible_per_seed(tmp_path: Path):
    def fingerprint(seed: int, name: str) -> str:
        config = BuildDataConfig(output=tmp_path / name, today=TODAY, seed=seed, per_operation=2, calculator=0,
                                 no_call=0, per_chunk=1)
        return build_data(config, None, tmp_path).fingerprint

    assert fingerprint(1, "a") == fingerprint(1, "b")
    assert fingerprint(1, "a") != fingerprint(2, "c")


def test_a_rebuild_keeps_the_previous_datasets_split(tmp_path: Path):
    # An adapter trained on the first build and continued on the second must not be evaluated on questions it
    # trained on, even when the rebuild splits differently (here: a larger eval share).
    def eval_questions(eval_fraction: float, keep_split: bool) -> set[str]:
        config = BuildDataConfig(output=tmp_path / "data", today=TODAY, seed=1, per_operation=3, calculator=20,
                                 no_call=0, per_chunk=1, eval_fraction=eval_fraction, keep_split=keep_split)
        build_data(config, None, tmp_path)
        return {record.user_text for record in read_jsonl(tmp_path / "data" / "eval.jsonl")}

    first = eval_questions(0.1, keep_split=True)
    assert first and eval_questions(0.5, keep_split=True) == first
    assert len(eval_questions(0.5, keep_split=False)) > 2 * len(first)


def test_config_rejects_unknown_keys_missing_files_and_bad_fractions(tmp_path: Path):
    with pytest.raises(ValidationError, match="extra"):
        BuildDataConfig.model_validate({"per_op": 3})
    with pytest.raises(ValidationError, match="instructions\\[0\\].*does not exist"):
        BuildDataConfig(instructions=[tmp_path / "missing.jsonl"])
    with pytest.raises(ValidationError):
        BuildDataConfig(eval_fraction=1.0)
    with pytest.raises(ValueError, match="reply_fn"):
        build_data(BuildDataConfig(output=tmp_path, catalog=None, docs=None, calculator=0, no_call=2), None, tmp_path)


def test_read_json_rows_names_the_file_and_line_of_broken_json(tmp_path: Path):
    path = tmp_path / "data.jsonl"
    path.write_text('{"instruction": "a", "output": "b"}\n\n{"instruction": oops}\n')
    with pytest.raises(DatasetFormatError, match=r"data\.jsonl, line 3: not valid JSON"):
        read_json_rows(path)
    listed = tmp_path / "data.json"
    listed.write_text(json.dumps([{"instruction": "a", "output": "b"}]))
    assert read_json_rows(listed) == [(1, {"instruction": "a", "output": "b"})]
    listed.write_text(json.dumps({"instruction": "a"}))
    with pytest.raises(DatasetFormatError, match="must hold a list"):
        read_json_rows(listed)


@pytest.fixture()
def one_torch_thread() -> Iterator[None]:
    """On a shared 2-core machine that is busy, torch's second thread waits on a descheduled core and a
    12-token reply takes a minute instead of seconds; one thread keeps this test's time predictable."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.mark.slow
@pytest.mark.usefixtures("one_torch_thread")
def test_default_reply_fn_answers_with_the_embedded_model(smollm2_folder: Path, tmp_path: Path):
    reply = default_reply_fn(ModelConfig(path=smollm2_folder, device="cpu"), tmp_path, max_new_tokens=12)
    replies = [reply([{"role": "user", "content": prompt}]) for prompt in ("Hi!", "Thanks, that's all.")]
    assert all(isinstance(text, str) and text.strip() for text in replies)
    assert all("<tool:" not in text for text in replies)


def test_cached_replies_are_generated_once_per_model_and_conversation(tmp_path: Path):
    calls: list[str] = []

    def reply(messages: list[dict[str, Any]]) -> str:
        calls.append(messages[-1]["content"])
        return f"reply {len(calls)}"

    identity = {"model": "m", "system_prompt": "s"}
    first = cached_replies(reply, tmp_path, identity)
    hi = [{"role": "user", "content": "Hi!"}]
    assert first(hi) == "reply 1" and first(hi) == "reply 1"
    again = cached_replies(reply, tmp_path, identity)  # a later build, same model: read from the file
    assert again(hi) == "reply 1" and calls == ["Hi!"]
    other = cached_replies(reply, tmp_path, {**identity, "model": "another"})
    assert other(hi) == "reply 2"

    (cache_file,) = [f for f in tmp_path.iterdir() if "reply 1" in f.read_text()]
    with cache_file.open("a") as handle:
        handle.write('{"key": "cut sho')  # a build killed mid-write
    assert cached_replies(reply, tmp_path, identity)([{"role": "user", "content": "Bye"}]) == "reply 3"
    later = cached_replies(reply, tmp_path, identity)
    assert later(hi) == "reply 1" and later([{"role": "user", "content": "Bye"}]) == "reply 3"
    assert calls == ["Hi!", "Hi!", "Bye"]


def test_no_eval_record_has_a_sibling_in_train(tmp_path: Path):
    """Search examples split by chunk and answer, catalog calls by operation and argument values."""
    from finetune.build_data import collect_records
    from finetune.datasets import sibling_keys, split_and_dedupe

    config = BuildDataConfig(no_call=0, output=tmp_path / "data", today=TODAY, feedback=False, eval_fraction=0.2)
    records, _ = collect_records(config, None, tmp_path, TODAY)
    train, evaluation = split_and_dedupe(records, config.seed, config.eval_fraction)
    train_keys = {key for record in train for key in sibling_keys(record)}
    shared = [key for record in evaluation for key in sibling_keys(record) if key in train_keys]
    assert shared == []
    assert any(r.source == "retrieval" for r in evaluation) and any(r.source == "catalog" for r in evaluation)
    eval_answers = {r.messages[-1]["content"] for r in evaluation if r.source == "retrieval"}
    assert not eval_answers & {r.messages[-1]["content"] for r in train if r.source == "retrieval"}


def test_undescribed_operations_and_arguments_are_named_in_a_warning_and_still_build(tmp_path: Path, caplog):
    catalog = tmp_path / "bare.yaml"
    catalog.write_text("""
openapi: 3.1.0
info: {title: Bare, version: "1"}
servers: [{url: "http://127.0.0.1:9"}]
paths:
  /things/{thing_id}:
    get:
      operationId: getThing
      parameters:
        - {name: thing_id, in: path, required: true, schema: {type: string}}
      responses: {'200': {description: ok}}
  /widgets:
    get:
      operationId: listWidgets
      summary: List widgets
      parameters:
        - {name: colour, in: query, description: Only widgets of this colour., schema: {type: string}}
        - {name: size, in: query, schema: {type: integer}}
      responses: {'200': {description: ok}}
""", encoding="utf-8")
    config = BuildDataConfig(catalog=catalog, docs=None, calculator=0, no_call=0, per_operation=4,
                             output=tmp_path / "data", today=TODAY, feedback=False)
    with caplog.at_level("WARNING"):
        result = build_data(config, None, tmp_path)
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("getThing has no summary or description" in w for w in warnings)
    assert any("getThing: no description for thing_id" in w for w in warnings)
    assert any("listWidgets: no description for size" in w for w in warnings)
    assert not any("colour" in w for w in warnings)
    assert result.counts.by_tool.get("api.getThing") and result.counts.by_tool.get("api.listWidgets")
