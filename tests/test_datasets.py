"""The dataset builders: records that validate, that the engine's format can hold, and that are reproducible."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from assistant.chat_format import arguments_json, parse_call, to_toolken_messages
from finetune.build_data import read_chunks
from finetune.builders.patterns import UnsupportedSchema, pattern_value
from finetune.builders.phrasing import mentions
from finetune.datasets import (
    DatasetFormatError,
    FeedbackTurn,
    Record,
    calculator_records,
    catalog_records,
    detect_format,
    feedback_records,
    instruction_records,
    no_call_records,
    report,
    response_docs,
    retrieval_records,
    split_and_dedupe,
)
from finetune.records import read_jsonl, record_id, write_jsonl
from tools.catalog import load_catalog
from tools.retrieval import SearchTool

CATALOG = Path(__file__).resolve().parents[1] / "data" / "demo" / "catalog.yaml"
HANDBOOK = Path(__file__).resolve().parents[1] / "data" / "demo" / "handbook"
TODAY = date(2025, 3, 3)


@pytest.fixture(scope="module")
def operations():
    return load_catalog(CATALOG).operations


@pytest.fixture(scope="module")
def responses():
    return response_docs(yaml.safe_load(CATALOG.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def catalog(operations, responses) -> list[Record]:
    return catalog_records(operations, random.Random(7), 12, today=TODAY, responses=responses)


@pytest.fixture(scope="module")
def chunks():
    return read_chunks(HANDBOOK, 800, 120)


def _call(record: Record) -> dict[str, Any]:
    return next(m for m in record.messages if m.get("tool_calls"))["tool_calls"][0]


def _scalars(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in _scalars(item)]
    if isinstance(value, list):
        return [s for item in value for s in _scalars(item)]
    return [value]


def _assert_engine_format(record: Record, schemas: dict[str, dict[str, Any]]) -> None:
    """The record converts to toolken messages and the call parses back to the same arguments."""
    toolken = to_toolken_messages(record.messages, schemas)
    calls = [parse_call(m["content"]) for m in toolken if m["role"] == "assistant"]
    calls = [c for c in calls if c is not None]
    if record.tool is None:
        assert calls == []
        return
    arguments = json.loads(_call(record)["function"]["arguments"])
    assert [(c.tool, c.arguments) for c in calls] == [(record.tool, arguments)]
    call_text = next(m["content"] for m in toolken if m["role"] == "assistant" and "<tool:" in m["content"])
    assert call_text.endswith(arguments_json(arguments, schemas.get(record.tool)))


# -- catalog -----------------------------------------------------------------------------------------


def test_catalog_covers_every_operation_with_balanced_counts(operations, catalog):
    counts = Counter(record.tool for record in catalog)
    assert set(counts) == {f"api.{op.operation_id}" for op in operations}
    assert set(counts.values()) == {12}
    assert {record.source for record in catalog} == {"catalog"}


def test_catalog_arguments_validate_and_appear_in_the_request(operations, catalog):
    schemas = {f"api.{op.operation_id}": op.parameters for op in operations}
    for record in catalog:
        arguments = json.loads(_call(record)["function"]["arguments"])
        validator = jsonschema.Draft202012Validator(schemas[record.tool], format_checker=jsonschema.FormatChecker())
        validator.validate(arguments)
        question = record.messages[-4]["content"]  # the request the call answers (earlier turns come before)
        for name, value in arguments.items():
            assert mentions(question, name, value), (question, name, value)
        # the JSON text is what the grammar writes: schema order, ", " and ": "
        assert _call(record)["function"]["arguments"] == arguments_json(arguments, schemas[record.tool])


def test_catalog_conversations_use_the_result_in_the_final_answer(catalog):
    answered = 0
    for record in catalog:
        user, call, tool, final = record.messages[-4:]
        assert (user["role"], call["role"], tool["role"], final["role"]) == ("user", "assistant", "tool", "assistant")
        assert tool["tool_call_id"] == call["tool_calls"][0]["id"] == "call_0" and tool["name"] == record.tool
        payload = json.loads(tool["content"])
        if "error" in payload:
            assert "could not find" in final["content"]
            continue
        body = payload["result"]["body"]
        assert payload["result"]["status"] in (200, 201)
        shown = [str(v) for v in _scalars(body)
                 if isinstance(v, (str, int)) and not isinstance(v, bool) and len(str(v)) > 2]
        if shown:
            assert any(value in final["content"] for value in shown), (body, final["content"])
            answered += 1
    assert answered > len(catalog) * 0.8


def test_some_catalog_requests_follow_an_earlier_exchange(catalog):
    follow_ups = [record for record in catalog if len(record.messages) == 6]
    assert 0 < len(follow_ups) < len(catalog) / 3
    for record in follow_ups:
        earlier_question, earlier_answer = record.messages[:2]
        assert earlier_question["role"] == "user" and earlier_answer["role"] == "assistant"
        assert set(earlier_answer) == {"role", "content"} and earlier_answer["content"]  # text only, as logged


def test_catalog_dates_ranges_and_ids_look_real(catalog):
    for record in catalog:
        arguments = json.loads(_call(record)["function"]["arguments"])
        for first, second in (("start_date", "end_date"), ("start_time", "end_time"), ("from_date", "to_date")):
            if first in arguments and second in arguments:
                assert arguments[first] <= arguments[second]
        if "room_id" in arguments:
            assert arguments["room_id"] in {"mistral", "sirocco", "zephyr", "bora", "chinook", "foehn", "monsoon"}


def test_response_docs_resolve_refs_and_all_of(responses):
    employee = responses["getEmployee"]
    assert employee.status == 200 and "allOf" in employee.schema
    assert "$ref" not in json.dumps(employee.schema)
    assert responses["createTicket"].status == 201


def test_every_record_converts_to_the_engine_format(operations, catalog, chunks, calculator):
    schemas = {f"api.{op.operation_id}": op.parameters for op in operations}
    schemas["search"] = SearchTool.parameters
    records = [*catalog, *retrieval_records(chunks[:10], random.Random(1)),
               *calculator_records(random.Random(1), 5, calculator)]
    for record in records:
        _assert_engine_format(record, schemas)


def test_same_seed_same_records_and_another_seed_differs(operations, responses):
    def build(seed: int) -> list[str]:
        made = catalog_records(operations, random.Random(seed), 3, today=TODAY, responses=responses)
        return [record.id for record in made]

    assert build(3) == build(3)
    assert build(3) != build(4)


def test_pattern_values_match_and_unsupported_patterns_name_the_field():
    rng = random.Random(0)
    for pattern in (r"^E\d{4}$", r"^([01]\d|2[0-3]):(00|15|30|45)$", r"^[A-Z]{2}-\d{3,5}$", r"^(?:ab|cd)+x?$"):
        for _ in range(20):
            assert jsonschema.Draft202012Validator({"pattern": pattern}).is_valid(pattern_value(pattern, rng))
    with pytest.raises(UnsupportedSchema, match="'code'.*not supported"):
        pattern_value(r"^(?=E)\w+$", rng, "code")


def test_free_text_for_a_topic_the_builtin_pools_do_not_know_comes_from_the_description():
    from finetune.builders.values import sample_value

    schema = {"type": "string", "description": 'What was damaged, e.g. "Two cartons crushed on the bottom layer".'}
    rng = random.Random(1)
    # a warehouse damage report is none of the demo office topics: no expense or meeting text in it
    damage = {sample_value("description", schema, rng, TODAY, "File a damage report at a warehouse")
              for _ in range(30)}
    assert damage == {"Two cartons crushed on the bottom layer"}
    # an expense claim is: its pool mixes with the example
    expense = {sample_value("description", schema, rng, TODAY, "Submit an expense claim") for _ in range(30)}
    assert len(expense) > 3 and "Two cartons crushed on the bottom layer" in expense


# -- calculator ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def calculator():
    from tools.calculator import Calculator

    with Calculator() as tool:
        yield tool.call


def test_calculator_records_state_the_real_calculators_exact_result(calculator):
    records = calculator_records(random.Random(5), 25, calculator)
    assert len(records) == 25 and {r.tool for r in records} == {"calculator"}
    for record in records:
        expression = json.loads(_call(record)["function"]["arguments"])["expression"]
        value = json.loads(record.messages[2]["content"])["result"]
        assert value["expression"] == expression
        assert value["text"] in record.messages[3]["content"]
        assert record.meta["answer"] == pytest.approx(value["numeric"])


def test_every_calculator_problem_kind_is_computable_and_its_answer_ends_on_the_value(calculator):
    """The calculator accepts each kind's expression, and the answer's last number is the result (the figure
    evaluation reads): "after the 20% discount" at the end of a sentence once made every right answer wrong."""
    from finetune.builders.calculator import PROBLEMS
    from finetune.metrics import last_number, number_matches

    for kind in PROBLEMS:
        rng = random.Random(kind.__name__)
        for _ in range(30):
            problem = kind(rng)
            result = calculator({"expression": problem.expression})
            assert result.ok, (kind.__name__, problem.expression, result.error)
            answer = problem.answer.format(v=result.value["text"])
            assert number_matches(last_number(answer), result.value["numeric"], 1e-3), (kind.__name__, answer)


def test_calculator_kinds_are_drawn_by_their_weight(calculator):
    """Discounts have three shares and percent-of questions one: the records show it."""
    records = calculator_records(random.Random(3), 700, calculator)
    answers = [record.messages[-1]["content"] for record in records]
    discounts = sum(answer.startswith("After the ") for answer in answers)
    percents = sum(re.search(r"% of \d+ is", answer) is not None for answer in answers)
    assert discounts >= 2 * percents > 0


def test_calculator_records_are_reproducible(calculator):
    def build(seed: int) -> list[str]:
        return [record.id for record in calculator_records(random.Random(seed), 6, calculator)]

    assert build(1) == build(1) != build(2)


# -- retrieval ----------------------------------------------------------------------------------------


def test_retrieval_answers_are_grounded_in_the_chunk_and_cite_its_file(chunks):
    records = retrieval_records(chunks, random.Random(2), per_chunk=2, max_tool_result_chars=100_000)
    assert len(records) >= len(chunks)
    words = {}
    for c in chunks:
        words.setdefault((c.source, c.heading), set()).update(re.findall(r"\w+", c.text.lower()))
    for record in records:
        question, call, tool, final = record.messages
        top = json.loads(tool["content"])["result"][0]  # the chunk the question is about comes first
        name = Path(top["source"]).name
        assert final["content"].endswith(f"(source: {name})")
        assert record.meta["source"] == name and record.meta["keywords"]
        answer = final["content"].removesuffix(f" (source: {name})")
        answer = re.sub(r"^According to the [^,]+, ", "", answer)
        used = re.findall(r"\w+", answer.lower())
        grounded = [w for w in used if w in words[(top["source"], top["heading"])]]
        assert len(grounded) >= 0.9 * len(used), answer


def test_retrieval_searches_for_the_question_as_asked(chunks):
    # One learnable query form: the model copies the question; it cannot guess a heading it has not seen.
    for record in retrieval_records(chunks, random.Random(4), per_chunk=2):
        question, call = record.messages[0]["content"], record.messages[1]["tool_calls"][0]["function"]
        assert json.loads(call["arguments"]) == {"query": question.rstrip("?.!")}


def test_retrieval_tool_message_is_what_search_tool_returns(chunks):
    from tools.retrieval import Hit

    class Store:  # stands in for the Chroma store: returns the passages the record holds
        def search(self, query: str, k: int | None = None) -> list[Hit]:
            return [Hit(p["source"], p["heading"], p["text"], p["score"], 0) for p in passages]

    passages: list[dict[str, Any]] = []
    records = retrieval_records(chunks[:12], random.Random(3), per_chunk=1)
    full = retrieval_records(chunks[:12], random.Random(3), per_chunk=1, max_tool_result_chars=100_000)
    for short, long in zip(records, full):
        passages = json.loads(long.messages[2]["content"])["result"]
        query = json.loads(short.messages[1]["tool_calls"][0]["function"]["arguments"])
        assert SearchTool(Store()).call(query).to_message(1500) == short.messages[2]["content"]


# -- no call ------------------------------------------------------------------------------------------


def test_no_call_replies_come_from_the_reply_function_and_variants_fill_the_count():
    seen: list[list[dict[str, Any]]] = []

    def reply(messages: list[dict[str, Any]]) -> str:
        seen.append(messages)
        return "" if messages[-1]["content"] == "Silent?" else f"reply to {messages[-1]['content']}"

    prompts = ["Hello!", "What is an expense report?", "Silent?"]
    records = no_call_records(prompts, reply, random.Random(0), n=8)
    assert len(seen) == 8 and len({m[-1]["content"] for m in seen}) == 8
    assert all(r.tool is None and r.source == "no_call" for r in records)
    assert all(r.messages[1]["content"] == f"reply to {r.messages[0]['content']}" for r in records)
    assert len(no_call_records(prompts, reply, random.Random(0), n=2)) <= 2


def test_no_call_prompt_file_is_large_and_diverse():
    from finetune.build_data import NO_CALL_PROMPTS, read_prompts

    prompts = read_prompts(NO_CALL_PROMPTS)
    assert len(prompts) >= 120 and len(set(prompts)) == len(prompts)


# -- instructions -------------------------------------------------------------------------------------


ALPACA = {"instruction": "Summarise this.", "input": "A long text.", "output": "A summary."}
SHAREGPT = {"conversations": [{"from": "system", "value": "Be brief."}, {"from": "human", "value": "Hi"},
                              {"from": "gpt", "value": "Hello!"}]}
MESSAGES = {"messages": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}]}


@pytest.mark.parametrize(("row", "shape"), [(ALPACA, "alpaca"), (SHAREGPT, "sharegpt"), (MESSAGES, "messages")])
def test_instruction_formats_are_detected_and_converted(row, shape):
    rows = [(1, row), (2, row)]
    assert detect_format(rows, "mine.jsonl") == shape
    records = instruction_records(rows, "mine.jsonl")
    assert records[0].source == "instructions"
    assert records[0].messages[0]["role"] == "user" and records[0].messages[-1]["role"] == "assistant"
    assert all(m["role"] != "system" for m in records[0].messages)


def test_instruction_alpaca_input_follows_the_instruction():
    record = instruction_records([(1, ALPACA)], "a.jsonl")[0]
    assert record.messages[0]["content"] == "Summarise this.\n\nA long text."


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([(1, {"prompt": "x", "completion": "y"})], r"f\.jsonl, line 1: expected a JSON object in Alpaca"),
        ([(1, ALPACA), (4, MESSAGES)],
         r"f\.jsonl, line 4: a messages row in a file whose first rows are Alpaca rows; expected an Alpaca row"),
        ([(1, ALPACA)] * 6 + [(9, {"text": "x"})], r"f\.jsonl, line 9: expected an Alpaca row"),
        ([(1, {"conversations": [{"from": "human", "value": "hi"}]})], r"line 1: the conversation does not end"),
        ([(3, {"conversations": [{"from": "wizard", "value": "hi"}]})], r"line 3: conversations\[0\] is from 'wizard'"),
        ([], r"f\.jsonl: no rows"),
    ],
)
def test_instruction_errors_name_the_file_line_and_expectation(rows, message):
    with pytest.raises(DatasetFormatError, match=message):
        instruction_records(rows, "f.jsonl")


# -- feedback -----------------------------------------------------------------------------------------


def test_feedback_keeps_rated_up_turns_and_replaces_corrected_answers():
    call = '<tool:calculator>{"expression": "2+2"}'
    messages = [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": call},
                {"role": "tool", "content": '{"result": 4}', "name": "calculator"},
                {"role": "assistant", "content": "5"}]
    turns = [FeedbackTurn(1, messages, 1, None), FeedbackTurn(2, messages, -1, "It is 4."),
             FeedbackTurn(3, messages, -1, None), FeedbackTurn(4, messages, 0, "  ")]
    up, corrected = feedback_records(turns)
    assert up.tool == "calculator" and up.messages[1]["tool_calls"][0]["function"]["name"] == "calculator"
    assert corrected.messages == [*up.messages[:-1], {"role": "assistant", "content": "It is 4."}]


def test_a_corrected_turn_keeps_its_tool_calls():
    """A correction fixes the answer; the call that found it stays, or the model would learn to answer
    calculations without the calculator."""
    call = '<tool:calculator>{"expression": "17*3"}'
    messages = [{"role": "user", "content": "17 times 3?"}, {"role": "assistant", "content": call},
                {"role": "tool", "content": '{"result": 51}', "name": "calculator"},
                {"role": "assistant", "content": "It is 61."}]
    (corrected,) = feedback_records([FeedbackTurn(7, messages, -1, "17 × 3 = 51.")])
    assert corrected.tool == "calculator"
    assert [m["role"] for m in corrected.messages] == ["user", "assistant", "tool", "assistant"]
    assert corrected.messages[1]["tool_calls"][0]["function"] == {"name": "calculator",
                                                                  "arguments": '{"expression": "17*3"}'}
    assert corrected.messages[-1] == {"role": "assistant", "content": "17 × 3 = 51."}
    # A turn cut off after the tool result gets the correction as its reply.
    (cut,) = feedback_records([FeedbackTurn(8, messages[:3], -1, "51.")])
    assert cut.messages[2]["role"] == "tool" and cut.messages[-1] == {"role": "assistant", "content": "51."}


# -- records, split, report ---------------------------------------------------------------------------


def _record(text: str, tool: str | None = None) -> Record:
    return Record("no_call", tool, [{"role": "user", "content": text}, {"role": "assistant", "content": "ok"}])


def test_record_ids_hash_the_canonical_messages_and_round_trip_through_jsonl(tmp_path: Path):
    record = _record("Hi")
    reordered = [{key: message[key] for key in reversed(list(message))} for message in record.messages]
    assert record.id == record_id(reordered) and len(record.id) == 16
    write_jsonl(tmp_path / "r.jsonl", [record])
    line = json.loads((tmp_path / "r.jsonl").read_text())
    assert list(line) == ["id", "source", "tool", "messages"]
    assert read_jsonl(tmp_path / "r.jsonl") == [record]


def test_split_is_stable_when_records_are_added():
    base = [_record(f"question {i}") for i in range(300)]
    train, evaluation = split_and_dedupe(base, seed=1, eval_fraction=0.2)
    assert 30 < len(evaluation) < 90
    more_train, more_eval = split_and_dedupe(base + [_record(f"new {i}") for i in range(100)], 1, 0.2)
    assert {r.id for r in evaluation} <= {r.id for r in more_eval}
    assert {r.id for r in train} <= {r.id for r in more_train}
    other = split_and_dedupe(base, seed=2, eval_fraction=0.2)[1]
    assert {r.id for r in other} != {r.id for r in evaluation}


def test_split_keeps_a_question_on_its_side_when_its_answer_changes():
    # A rebuilt dataset with a fixed answer template must not move questions an adapter was evaluated on
    # into training (or the other way round), whichever answer the rebuild wrote.
    questions = [f"question {i}" for i in range(300)]
    first = split_and_dedupe([_record(q) for q in questions], seed=1, eval_fraction=0.2)[1]
    rewritten = [Record("no_call", None, [{"role": "user", "content": q}, {"role": "assistant", "content": "new"}])
                 for q in questions]
    second = split_and_dedupe(rewritten, seed=1, eval_fraction=0.2)[1]
    assert 30 < len(first) < 90
    assert [r.user_text for r in first] == [r.user_text for r in second]
    assert {r.id for r in first}.isdisjoint({r.id for r in second})


def test_dedupe_by_id_and_by_normalised_user_text_and_tool():
    searched = Record("retrieval", "search", [{"role": "user", "content": "What is VAT?"},
                                              {"role": "assistant", "content": "Value added tax."}])
    records = [_record("What is VAT?"), _record("What is VAT?"), _record("  what is   vat "), searched,
               _record("What is a VPN?")]
    train, evaluation = split_and_dedupe(records, seed=0, eval_fraction=0.0)
    assert evaluation == []
    assert [(r.user_text, r.tool) for r in train] == [("What is VAT?", None), ("What is VAT?", "search"),
                                                        ("What is a VPN?", None)]


def test_report_counts_sources_and_tools_per_split():
    train = [_record("a"), _record("b", "search"), Record("calculator", "calculator", [])]
    counts = report(train, [_record("c", "search")])
    assert counts.by_source == {"no_call": {"train": 2, "eval": 1}, "calculator": {"train": 1, "eval": 0}}
    assert counts.by_tool["search"] == {"train": 1, "eval": 1} and counts.by_tool["(none)"]["train"] == 1
    table = counts.table()
    assert "no_call" in table and "total" in table and table.splitlines()[0].split() == ["source", "train", "eval"]


def test_every_figure_of_a_calculator_expression_is_stated_in_its_question():
    """What the engine allows a calculator expression (`assistant.figures`) is what the training data shows:
    no example teaches a figure the question does not state."""
    from assistant.figures import StatedFigures
    from finetune.builders.calculator import PROBLEMS

    for kind in PROBLEMS:
        rng = random.Random(kind.__name__)
        for _ in range(30):
            problem = kind(rng)
            figures = StatedFigures.of([problem.question])
            assert figures.allows(problem.expression), (kind.__name__, problem.question, problem.expression)
