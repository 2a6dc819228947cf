"""Messages labelled by hand teach the tool router beside the build's records: read from the evaluation sets'
formats, named by file and line when a line is none, and listed in a training config relative to its folder.

The bag-of-words embedder of tests/test_router.py stands in for the sentence embedder.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.config import ConfigError
from assistant.router import NO_CALL
from finetune.router_fit import Example, RouterDataError, fit_router, read_labelled, router_examples
from finetune.train import load_train_config
from tests.test_router import HELD_OUT, PASSAGES, TOOLS, TRAIN, Named, bag_of_words


def write_lines(path: Path, rows: list[object]) -> Path:
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n\n", encoding="utf-8")
    return path


def test_each_line_is_labelled_as_the_evaluation_sets_write_it(tmp_path: Path):
    tools = write_lines(tmp_path / "tools.jsonl", [
        {"q": "ticket 4101 pls", "tool": "getTicket", "args": {"id": 4101}},
        {"q": "ticket 4102?", "tool": "api.getTicket"},
        {"q": "thanks, 4101 is sorted", "tool": None, "args": {}},
        {"q": "17% of 2340", "tool": "calculator"},
        {"q": "leave policy?", "tool": "search"},
    ])
    docs = write_lines(tmp_path / "docs.jsonl",
                       [{"q": "how many leave days", "keywords": ["25"], "source": "leave.md"}])
    calc = write_lines(tmp_path / "calc.jsonl", [{"q": "12 boxes of 8, how many", "answer": 96}])
    assert read_labelled([tools, docs, calc]) == [
        Example("ticket 4101 pls", "api.getTicket"), Example("ticket 4102?", "api.getTicket"),
        Example("thanks, 4101 is sorted", NO_CALL), Example("17% of 2340", "calculator"),
        Example("leave policy?", "search"), Example("how many leave days", "search"),
        Example("12 boxes of 8, how many", "calculator")]
    assert read_labelled([tmp_path / "*.jsonl"]) == read_labelled([calc, docs, tools])  # a glob, in name order


@pytest.mark.parametrize(("line", "message"), [
    ("{not json", "tools.jsonl:2: not JSON"),
    ('{"tool": null}', "tools.jsonl:2: a labelled message is an object with its text in `q`"),
    ('["q"]', "tools.jsonl:2: a labelled message is an object"),
    ('{"q": "hello", "args": {}}', "tools.jsonl:2: a labelled message has `tool`"),
    ('{"q": "hello", "tool": 3}', "tools.jsonl:2: `tool` is an operationId"),
])
def test_a_line_that_is_no_labelled_message_is_named_by_file_and_line(tmp_path: Path, line: str, message: str):
    path = tmp_path / "tools.jsonl"
    path.write_text('{"q": "hi", "tool": null}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(RouterDataError) as error:
        read_labelled([path])
    assert message in str(error.value)


def test_a_file_or_glob_that_finds_nothing_is_named(tmp_path: Path):
    for missing in (tmp_path / "gone.jsonl", tmp_path / "eval*" / "tools.jsonl"):
        with pytest.raises(RouterDataError, match="no file at"):
            read_labelled([missing])


def test_labelled_chat_on_a_tools_subject_turns_its_verdict_to_no_call():
    chat = "ticket party on friday, bring cake"
    tools = {tool.name for tool in TOOLS}
    before = fit_router(TRAIN, HELD_OUT, TOOLS, PASSAGES, bag_of_words)
    assert before.route([chat], tools).tool == "api.getTicket"
    labelled = [Example(text, NO_CALL) for text in (
        "the ticket party is on friday", "cake for the party on friday", "bring cake friday", "party friday!")]
    after = fit_router(TRAIN, HELD_OUT, TOOLS, PASSAGES, bag_of_words, labelled=labelled)
    assert not after.route([chat], tools).call
    assert after.route(["status of ticket 4110"], tools).tool == "api.getTicket"
    assert after.report["examples"][NO_CALL] == before.report["examples"][NO_CALL] + len(labelled)


def test_labelled_messages_of_a_tool_the_engine_lacks_are_left_out():
    labelled = [Example("book room Zephyr", "api.bookRoom"), Example("hi", NO_CALL), Example("4+4", "calculator")]
    examples = router_examples([], TOOLS, [], near_misses=False, labelled=labelled)
    assert Example("book room Zephyr", "api.bookRoom") not in examples
    assert {Example("hi", NO_CALL), Example("4+4", "calculator")} <= set(examples)


def test_a_training_config_lists_labelled_files_relative_to_its_folder(tmp_path: Path):
    for folder in ("cfg", "sets"):
        (tmp_path / folder).mkdir()
    write_lines(tmp_path / "sets" / "a.jsonl", [{"q": "hi", "tool": None}])
    path = tmp_path / "cfg" / "t.yaml"
    path.write_text("data: {router_examples: [../sets/a.jsonl, '../sets/*.jsonl']}\noutput: {dir: out}\n",
                    encoding="utf-8")
    config = load_train_config(path)
    assert config.data.router_examples == [tmp_path / "sets" / "a.jsonl", tmp_path / "sets" / "*.jsonl"]
    path.write_text("data: {router_examples: [../sets/b.jsonl]}\noutput: {dir: out}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="data.router_examples: no file at .*b.jsonl"):
        load_train_config(path)


def test_a_labelled_message_an_example_holds_already_is_not_counted_twice():
    ticket = Named("api.getTicket", "Get one IT ticket by its number.")
    ticket.examples = ("status of ticket 4101?",)
    labelled = [Example("Status of  ticket 4101?", "api.getTicket"), Example("ticket 4102 pls", "api.getTicket"),
                Example("thanks!", NO_CALL), Example("Thanks!", NO_CALL), Example("status of ticket 4101?", NO_CALL)]
    examples = router_examples([], [ticket], [], near_misses=False, labelled=labelled)
    assert examples == [Example(ticket.description, "api.getTicket"),
                        Example("status of ticket 4101?", "api.getTicket"), Example("ticket 4102 pls", "api.getTicket"),
                        Example("thanks!", NO_CALL), Example("status of ticket 4101?", NO_CALL)]


def test_a_retrain_from_the_default_config_fits_on_the_labelled_files_its_parents_router_was_fitted_on(
        tmp_path: Path, caplog):
    from assistant.config import load_config
    from finetune.retrain import retrain_train_config

    (tmp_path / "sets").mkdir()
    kept = write_lines(tmp_path / "sets" / "a.jsonl", [{"q": "hi", "tool": None}])
    pattern, gone = str(tmp_path / "sets" / "*.jsonl"), str(tmp_path / "gone.jsonl")
    parent = tmp_path / "parent"
    parent.mkdir()
    (parent / "router.json").write_text(json.dumps({"report": {"labelled": [str(kept), pattern, gone]}}))
    config = load_config(None)
    with caplog.at_level("WARNING"):
        train_config = retrain_train_config(config, tmp_path / "data", tmp_path / "out", parent)
    assert train_config.data.router_examples == [kept, Path(pattern)]
    assert gone in caplog.text
    assert retrain_train_config(config, tmp_path / "data", tmp_path / "out", None).data.router_examples == []
