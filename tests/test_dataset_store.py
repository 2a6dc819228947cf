"""Datasets in the console: uploads checked row by row (JSONL, JSON, CSV), saved folders, listing, and
rated conversations exported as training records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.events import FinalAnswer, Timings
from assistant.store import ConversationStore
from finetune.dataset_store import (
    check_name,
    check_upload,
    feedback_dataset_records,
    list_datasets,
    preview_rows,
    read_dataset,
    save_dataset,
)


def jsonl(*rows) -> bytes:
    return "\n".join(row if isinstance(row, str) else json.dumps(row) for row in rows).encode()


def test_good_rows_become_records_and_every_bad_row_is_named_by_line():
    content = jsonl(
        {"instruction": "Say hi", "output": "Hi!"},
        {"instruction": "Add", "input": "2 and 3", "output": "5"},
        "{not json",
        {"instruction": "Empty answer", "output": "   "},
        {"instruction": 3, "output": "x"},
    )
    check = check_upload("mine.jsonl", content)
    assert check.shape == "alpaca" and not check.ok
    assert [r.messages[0]["content"] for r in check.records] == ["Say hi", "Add\n\n2 and 3"]
    assert [e.line for e in check.errors] == [3, 4, 5]
    assert "not valid JSON" in check.errors[0].message
    assert "does not end with an assistant reply" in check.errors[1].message
    assert "'instruction' is int" in check.errors[2].message


def test_a_bad_row_among_the_first_ones_does_not_hide_the_others():
    good = {"instruction": "Say hi", "output": "Hi!"}
    content = jsonl({"question": "Who?"}, good, {"conversations": [{"from": "human", "value": "x"}]}, good,
                    {"instruction": "No answer"}, good, [1, 2], good)
    check = check_upload("mixed.jsonl", content)
    assert check.shape == "alpaca" and len(check.records) == 4
    assert [e.line for e in check.errors] == [1, 3, 5, 7]
    unreadable = check_upload("broken.jsonl",
                              jsonl({"question": "Who?"}, "{not json", {"instruction": "x", "output": "y"}))
    assert [e.line for e in unreadable.errors] == [1, 2]  # in file order, whatever found them
    assert "found an object with 'question'" in check.errors[0].message
    assert "expected an Alpaca row" in check.errors[1].message and "a alpaca" not in check.errors[1].message
    assert "found a JSON list" in check.errors[3].message
    nothing_known = check_upload("odd.jsonl", jsonl({"q": 1}, {"q": 2}))
    assert nothing_known.shape is None and len(nothing_known.errors) == 1 and "expected a JSON object" in \
        nothing_known.errors[0].message


def test_csv_columns_map_to_questions_and_answers():
    content = b"question,answer\nWhat is the VPN?,Use the Northwind VPN.\n,\nWho approves leave?,\n"
    check = check_upload("faq.csv", content)
    assert [r.user_text for r in check.records] == ["What is the VPN?"]
    assert [(e.line, "assistant reply" in e.message) for e in check.errors] == [(4, True)]
    bad = check_upload("faq.csv", b"q,a\nx,y\n")
    assert bad.errors[0].line == 1 and "expected columns" in bad.errors[0].message


def test_calls_of_unknown_tools_and_wrong_files_are_rejected():
    row = {"messages": [
        {"role": "user", "content": "Book it"},
        {"role": "assistant", "content": "", "tool_calls": [
            {"id": "call_0", "type": "function", "function": {"name": "api.launchRocket", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "call_0", "name": "api.launchRocket", "content": "{}"},
        {"role": "assistant", "content": "Done."}]}
    check = check_upload("calls.jsonl", jsonl(row), known_tools={"calculator"})
    assert check.errors[0].line == 1 and "api.launchRocket" in check.errors[0].message
    assert check_upload("calls.jsonl", jsonl(row), known_tools={"api.launchRocket"}).ok
    assert "upload .jsonl" in check_upload("notes.txt", b"x").errors[0].message
    assert "no rows" in check_upload("empty.jsonl", b"\n\n").errors[0].message
    assert check_upload("list.json", b'[{"instruction": "a", "output": "b"}]').ok


def test_a_saved_dataset_is_split_listed_and_previewed(tmp_path: Path):
    rows = [{"instruction": f"Question {i}", "output": f"Answer {i}"} for i in range(30)]
    check = check_upload("many.jsonl", jsonl(*rows))
    info = save_dataset(check.records, tmp_path / "datasets" / "many", eval_fraction=0.2, origin={"file": "many.jsonl"})
    assert info.train_records + info.eval_records == 30 and info.eval_records > 0 and len(info.fingerprint) == 64
    report = json.loads((tmp_path / "datasets" / "many" / "report.json").read_text())
    assert report["origin"] == {"file": "many.jsonl"}
    listed = list_datasets(tmp_path)
    assert listed[0].name == "many" and listed[-1].name.startswith("smoke")
    assert preview_rows(read_dataset(info.path))[0][0] == "instructions"
    with pytest.raises(FileExistsError):
        save_dataset(check.records, tmp_path / "datasets" / "many")


def test_names_must_be_plain_folder_names():
    assert check_name("demo-v2.1") == "demo-v2.1"
    for bad in ("", "../up", "a b", "x" * 65):
        with pytest.raises(ValueError):
            check_name(bad)


def test_rated_conversations_export_as_records(tmp_path: Path):
    store = ConversationStore(tmp_path / "conversations.db")
    conversation = store.start_conversation("sam", "q")
    timings = Timings(1, 1, 0, 0.1, 0.0, 0.2)
    ids = []
    for question in ("What is 2+2?", "Where is the office?", "Unrated?"):
        final = FinalAnswer("some answer", [], [], [{"role": "assistant", "content": "some answer"}], timings,
                            "end_of_turn")
        ids.append(store.log_turn(conversation, question, final, "test"))
    store.add_feedback(ids[0], "sam", 1)
    store.add_feedback(ids[1], "sam", -1, "Oslo, Storgata 1.")
    records = feedback_dataset_records(tmp_path / "conversations.db")
    assert [r.messages[-1]["content"] for r in records] == ["some answer", "Oslo, Storgata 1."]
    only = feedback_dataset_records(tmp_path / "conversations.db", {ids[1]})
    assert [r.user_text for r in only] == ["Where is the office?"]
