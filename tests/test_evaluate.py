"""`assistant eval`: the scoring rules, the evaluator over a scripted engine, the shipped demo eval set,
and one short run of the real embedded model through `run_eval`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from assistant.config import DEMO_CATALOG, DEMO_DOCS, GenerationConfig, parse_config
from assistant.store import ConversationStore
from assistant.events import Event, FinalAnswer, Sources, TextDelta, Timings, ToolCall, ToolOutcome
from finetune import metrics
from finetune.evaluate import (
    DEMO_EVAL_FILES,
    Chat,
    DocQuestion,
    EvalConfig,
    EvalFormatError,
    EvalSets,
    ForeignDocuments,
    NumberQuestion,
    ToolQuery,
    evaluate,
    files_today,
    load_sets,
    read_funcqa,
    read_jsonl,
    run_eval,
)
from finetune.metrics import NO_CALL, ToolScore

# ----------------------------------------------------------------------------------------------------
# Tool selection and arguments


def test_tool_label_names_operations_without_the_api_prefix():
    assert metrics.tool_label("api.createTicket") == "createTicket"
    assert metrics.tool_label("calculator") == "calculator"
    assert metrics.tool_label(None) == NO_CALL


@pytest.mark.parametrize(
    ("expected", "predicted", "equal"),
    [
        ("Sofia", "  sofia ", True),
        ("Locked out of the CRM", "locked  out of the crm", True),
        ("Sofia", "Sofie", False),
        (10, 10.0, True),
        (42.5, 42.50000000001, True),
        (42.5, 42.6, False),
        (True, 1, False),
        (False, 0.0, False),
        (True, True, True),
        ("4102", 4102, False),
        (None, None, True),
        (None, "", False),
        (["a", 1], ["A ", 1.0], True),
        (["a", 1], [1, "a"], False),
        ({"x": "Y"}, {"x": "y"}, True),
        ({"x": 1}, {"x": 1, "z": 2}, False),
    ],
)
def test_values_are_compared_after_normalisation(expected, predicted, equal):
    assert metrics.values_equal(expected, predicted) is equal


def test_argument_matches_checks_each_expected_argument_with_schema_defaults():
    expected = {"requester_id": "E1007", "title": "Keyboard not working", "priority": "normal"}
    predicted = {"requester_id": "e1007", "title": "Keyboard broken", "category": "hardware"}
    matches = metrics.argument_matches(expected, predicted, defaults={"priority": "normal"})
    # priority left out counts as its default; the extra category is not an expected argument
    assert matches == {"requester_id": True, "title": False, "priority": True}
    assert metrics.argument_matches({"limit": 5}, {}) == {"limit": False}


def test_whole_call_match_rejects_extra_arguments_except_defaults():
    expected = {"ticket_id": 4106, "status": "in_progress"}
    assert metrics.arguments_equal(expected, {"ticket_id": 4106.0, "status": "In_Progress"})
    assert not metrics.arguments_equal(expected, {"ticket_id": 4106, "status": "in_progress", "note": "x"})
    assert not metrics.arguments_equal(expected, {"ticket_id": 4106})
    defaults = {"limit": 20}
    assert metrics.arguments_equal({"status": "open"}, {"status": "open", "limit": 20}, defaults)
    assert not metrics.arguments_equal({"status": "open"}, {"status": "open", "limit": 5}, defaults)


def test_score_tool_query_right_tool_wrong_tool_and_no_call():
    right = metrics.score_tool_query("getTicket", {"ticket_id": 4102}, "api.getTicket", {"ticket_id": 4102})
    assert right == ToolScore("getTicket", "getTicket", {"ticket_id": True}, True) and right.selected
    wrong = metrics.score_tool_query("getTicket", {"ticket_id": 4102}, "api.listTickets", {})
    assert wrong == ToolScore("getTicket", "listTickets", {"ticket_id": False}, False) and not wrong.selected
    missed = metrics.score_tool_query("getTicket", {"ticket_id": 4102}, None, {})
    assert missed.predicted == NO_CALL and missed.arguments == {"ticket_id": False}
    quiet = metrics.score_tool_query(None, {}, None, {})
    assert quiet.selected and quiet.arguments == {} and not quiet.call_exact
    assert not metrics.score_tool_query(None, {}, "calculator", {"expression": "1"}).selected


def test_per_class_precision_recall_f1_treats_no_call_as_a_class():
    pairs = [("a", "a"), ("a", NO_CALL), ("b", "a"), (NO_CALL, NO_CALL), (NO_CALL, "b")]
    table = metrics.per_class_prf(pairs)
    assert table["a"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2, "predicted": 2}
    assert table["b"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1, "predicted": 1}
    assert table[NO_CALL] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2, "predicted": 2}
    only_predicted = metrics.per_class_prf([("a", "c")])["c"]
    assert only_predicted["recall"] == 0.0 and only_predicted["support"] == 0 and only_predicted["predicted"] == 1


def test_tool_metrics_aggregate_by_their_definitions():
    scores = [
        metrics.score_tool_query("getTicket", {"ticket_id": 1}, "api.getTicket", {"ticket_id": 1}),  # exact
        metrics.score_tool_query("createTicket", {"requester_id": "E1001", "title": "VPN"}, "api.createTicket",
                                 {"requester_id": "E1001", "title": "No VPN"}),  # 1 of 2 arguments
        metrics.score_tool_query("getTicket", {"ticket_id": 2}, None, {}),  # missed call
        metrics.score_tool_query(None, {}, None, {}),  # right: no call
        metrics.score_tool_query(None, {}, "calculator", {"expression": "2"}),  # false call
    ]
    result = metrics.tool_metrics(scores)
    assert result["n"] == 5
    assert result["selection_accuracy"] == pytest.approx(3 / 5)
    assert result["no_call_accuracy"] == 0.5 and result["false_call_rate"] == 0.5
    assert result["call_rate"] == pytest.approx(3 / 5)
    assert result["argument_accuracy"] == pytest.approx(2 / 4)  # 1 + 1 of 1 + 2 + 1 expected arguments
    assert result["argument_accuracy_given_tool"] == pytest.approx(2 / 3)
    assert result["call_exact_match"] == pytest.approx(1 / 3)
    assert result["call_exact_match_given_tool"] == 0.5
    assert result["per_argument"]["createTicket.title"] == {"accuracy": 0.0, "n": 1}
    assert set(result["per_tool"]) == {"getTicket", "createTicket", "calculator", NO_CALL}
    # macro F1 over the expected classes: getTicket 2/3 (P 1, R 1/2), createTicket 1, no call 1/2 (P 1/2, R 1/2)
    assert result["macro_f1"] == pytest.approx((2 / 3 + 1 + 1 / 2) / 3)


def test_rates_over_nothing_are_none_not_zero():
    result = metrics.tool_metrics([metrics.score_tool_query("getTicket", {}, "api.getTicket", {})])
    assert result["no_call_accuracy"] is None and result["argument_accuracy"] is None


# ----------------------------------------------------------------------------------------------------
# Numbers


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("The answer is 42.", 42.0),
        ("17 × 23 = 391", 391.0),
        ("The total is €1,511.29 including VAT.", 1511.29),
        ("EUR 24,000 in total", 24000.0),
        ("That is 1,048,576.", 1048576.0),
        ("It comes to 0.5", 0.5),
        ("about .25 of it", 0.25),
        ("One third is 1/3", 1 / 3),
        ("x = 22/7", 22 / 7),
        ("It is 1.2e-5 metres", 1.2e-5),
        ("Avogadro: 6.022E+23", 6.022e23),
        ("roughly 3.2 × 10^5 people", 3.2e5),
        ("roughly 3.2 x 10^-4", 3.2e-4),
        ("The result is -5.", -5.0),
        ("(−7)", -7.0),
        ("5-3 leaves 2", 2.0),
        ("from 5-3", 3.0),
        ("E1005 has 12 days left", 12.0),
        ("It grew 15%", 15.0),
        ("It grew 0.5 percent", 0.5),
        ("**5627.54** euros", 5627.54),
        ("It costs 42.32 euros. Let me know if you need anything else.", 42.32),
    ],
)
def test_last_number_reads_the_final_figure(text, value):
    number = metrics.last_number(text)
    assert number is not None and number.value == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize("text", ["", "No idea, sorry.", "ask E-mail", "1/0"])
def test_last_number_is_none_without_a_number(text):
    assert metrics.last_number(text) is None


def test_percent_is_flagged_and_matches_as_a_fraction_too():
    number = metrics.last_number("It is 39.36%.")
    assert number.percent and number.text == "39.36%"
    assert metrics.number_matches(number, 39.36, 1e-6) and metrics.number_matches(number, 0.3936, 1e-6)
    assert not metrics.number_matches(metrics.last_number("39.36"), 0.3936, 1e-3)


def test_number_matches_uses_a_relative_tolerance():
    close = metrics.last_number("0.39361")
    assert metrics.number_matches(close, 0.3936, 1e-3) and not metrics.number_matches(close, 0.3936, 1e-6)
    assert metrics.number_matches(metrics.last_number("5627.54"), 5627.54405, 1e-6)
    assert metrics.number_matches(metrics.last_number("0"), 0.0, 1e-3)
    assert not metrics.number_matches(metrics.last_number("0.0001"), 0.0, 1e-3)
    assert not metrics.number_matches(None, 1.0, 1e-3)


def test_number_metrics():
    scores = [
        metrics.score_number_answer("It is 391.", 391, True, 1e-6, 1e-3),
        metrics.score_number_answer("About 0.39361", 0.3936, False, 1e-6, 1e-3),
        metrics.score_number_answer("I cannot tell.", 7, False, 1e-6, 1e-3),
    ]
    assert scores[1].predicted == 0.39361 and scores[2].predicted is None
    result = metrics.number_metrics(scores)
    assert result["exact_accuracy"] == pytest.approx(1 / 3) and result["tolerance_accuracy"] == pytest.approx(2 / 3)
    assert result["calculator_call_rate"] == pytest.approx(1 / 3) and result["no_number_rate"] == pytest.approx(1 / 3)


# ----------------------------------------------------------------------------------------------------
# Documents


def test_keywords_match_whole_words_ignoring_case_and_spacing():
    assert metrics.keyword_found("You get **25 days** a year.", "25")
    assert not metrics.keyword_found("You get 250 days.", "25")
    assert metrics.keyword_found("the hotel budget is eur  180 per night", "EUR 180")
    assert metrics.keyword_found("Use NorthGate's app", "NorthGate")
    assert metrics.keyword_found("It is 8%.", "8%") and not metrics.keyword_found("It is 18%.", "8%")
    assert metrics.keyword_found("policy NW-TRV-2291.", "NW-TRV-2291")


def test_keywords_all_or_any():
    answer = "Report it within one hour."
    assert metrics.keywords_found(answer, ["one hour", "1 hour"], any_=True)
    assert not metrics.keywords_found(answer, ["one hour", "1 hour"], any_=False)
    assert metrics.keywords_found(answer, ["REPORT", "hour"])


def test_citation_in_text_and_retrieval_are_separate():
    answer = "You get 25 days (leave_policy.md)."
    assert metrics.cited_in_text(answer, "leave_policy.md")
    assert not metrics.cited_in_text("You get 25 days.", "leave_policy.md")
    assert metrics.retrieved(["policies/leave_policy.md", "benefits.md"], "leave_policy.md")
    assert not metrics.retrieved(["benefits.md"], "leave_policy.md")
    score = metrics.score_doc_answer("You get 25 days.", ["leave_policy.md"], ["25"], False, "leave_policy.md", True)
    assert score == metrics.DocScore(keywords=True, cited_in_text=False, retrieved=True, search_called=True)
    result = metrics.doc_metrics([score, metrics.DocScore(True, True, False, False)])
    assert result["keyword_accuracy"] == 1.0 and result["cited_in_text_rate"] == 0.5
    assert result["retrieved_rate"] == 0.5 and result["grounded_accuracy"] == 0.5 and result["search_call_rate"] == 0.5


# ----------------------------------------------------------------------------------------------------
# Files and configuration


def test_eval_files_are_read_with_the_line_named_on_errors(tmp_path: Path):
    good = tmp_path / "tools.jsonl"
    good.write_text('{"q": "Hi", "tool": null}\n\n{"q": "Ticket 1?", "tool": "getTicket", "args": {"ticket_id": 1}}\n')
    assert read_jsonl(good, ToolQuery) == [ToolQuery(q="Hi", tool=None), ToolQuery(q="Ticket 1?", tool="getTicket",
                                                                                   args={"ticket_id": 1})]
    bad = tmp_path / "docs.jsonl"
    bad.write_text('{"q": "a", "keywords": ["x"], "source": "a.md"}\n{"q": "b", "keywords": [], "source": "a.md"}\n')
    with pytest.raises(EvalFormatError, match=r"docs.jsonl, line 2: keywords"):
        read_jsonl(bad, DocQuestion)
    extra = tmp_path / "calc.jsonl"
    extra.write_text('{"q": "1+1?", "answer": 2, "unit": "m"}\n')
    with pytest.raises(EvalFormatError, match="line 1: unit"):
        read_jsonl(extra, NumberQuestion)


def test_funcqa_is_read_in_its_own_format(tmp_path: Path):
    path = tmp_path / "funcqa.json"
    path.write_text(json.dumps([{"question": "2^3?", "answer": 8, "func": "<power>(2, 3)=8"}]))
    assert read_funcqa(path) == [NumberQuestion(q="2^3?", answer=8)]
    path.write_text('{"not": "a list"}')
    with pytest.raises(EvalFormatError):
        read_funcqa(path)


def test_no_files_means_the_shipped_demo_set():
    sets = load_sets()
    assert len(sets.tools) >= 40 and len(sets.calc) >= 20 and len(sets.docs) >= 15 and not sets.funcqa


def test_eval_config_rejects_unknown_keys_and_bad_generation_overrides():
    assert EvalConfig(limit=2, generation={"max_new_tokens": 32}).generation == {"max_new_tokens": 32}
    with pytest.raises(ValueError, match="limt"):
        EvalConfig.model_validate({"limt": 2})
    with pytest.raises(ValueError, match="max_tokens"):
        EvalConfig(generation={"max_tokens": 32})
    with pytest.raises(ValueError, match="max_new_tokens"):
        EvalConfig(generation={"max_new_tokens": 0})


# ----------------------------------------------------------------------------------------------------
# The evaluator over a scripted engine


class FakeTool:
    def __init__(self, parameters: dict[str, Any]):
        self.parameters = parameters


def timings() -> Timings:
    return Timings(prompt_tokens=10, sampled_tokens=5, forced_tokens=0, first_token_s=0.1, tools_s=0.0, total_s=0.2)


def answer_with(text: str, outcomes: list[ToolOutcome] = (), sources: list[str] = ()) -> list[Event]:
    events: list[Event] = [TextDelta(text)]
    if sources:
        events.append(Sources(list(sources)))
    messages = [{"role": "assistant", "content": text}]
    return events + [timings(), FinalAnswer(text, list(outcomes), list(sources), messages, timings(), "end_of_turn")]


def call(tool: str, arguments: dict[str, Any], status: str, result: Any = None, sources=()) -> list[Event]:
    return [ToolCall(tool, arguments, tool.startswith("api."), {"tool": tool}),
            ToolOutcome(tool, arguments, status, result, sources=list(sources))]


class ScriptedEngine:
    """Stands in for `Engine`: yields the events scripted for each question and records how it was asked."""

    def __init__(self, script: dict[str, list[Event]]):
        self.script = script
        self.generation = GenerationConfig(max_new_tokens=256)
        self.tools = {"api.listTickets": FakeTool({"properties": {"limit": {"type": "integer", "default": 20},
                                                                  "status": {"type": "string"}}}),
                      "api.createTicket": FakeTool({"properties": {"requester_id": {"type": "string"}}})}
        self.turns: list[dict[str, Any]] = []

    def run_turn(self, messages, *, approve=None, dry_run=False, force_tool=None, generation=None,
                 today=None) -> Iterator[Event]:
        self.turns.append({"messages": messages, "approve": approve, "dry_run": dry_run, "force_tool": force_tool,
                           "generation": generation, "today": today})
        yield from self.script[messages[-1]["content"]]


@pytest.fixture
def scripted() -> tuple[ScriptedEngine, EvalSets]:
    open_tickets = call("api.listTickets", {"status": "open", "limit": 20}, "planned")
    abandoned = [ToolOutcome("api.createTicket", {}, "invalid", error="the arguments ran past 8 tokens")]
    script = {
        "Open tickets?": open_tickets + answer_with("Planned.", [open_tickets[1]]),
        "New ticket for E1001.": abandoned + answer_with("Sorry.", abandoned),
        "Hi!": answer_with("Hello!"),
        "Thanks.": call("calculator", {"expression": "1"}, "ran") + answer_with("1"),
        "17*23?": call("calculator", {"expression": "17*23"}, "ran", {"result": "391"}) + answer_with("It is 391."),
        "1/3?": answer_with("About 0.333"),
        "Leave days?": call("search", {"query": "leave"}, "ran", sources=["leave_policy.md"])
        + answer_with("You get 25 days.", sources=["leave_policy.md"]),
        "Gift limit?": answer_with("Up to EUR 50, see code_of_conduct.txt."),
        "Cube of 1.31?": answer_with("2.248091"),
    }
    sets = EvalSets(
        tools=[ToolQuery(q="Open tickets?", tool="listTickets", args={"status": "open"}),
               ToolQuery(q="New ticket for E1001.", tool="createTicket", args={"requester_id": "E1001"}),
               ToolQuery(q="Hi!", tool=None), ToolQuery(q="Thanks.", tool=None)],
        calc=[NumberQuestion(q="17*23?", answer=391), NumberQuestion(q="1/3?", answer=1 / 3)],
        docs=[DocQuestion(q="Leave days?", keywords=["25"], source="leave_policy.md"),
              DocQuestion(q="Gift limit?", keywords=["EUR 50", "50 euros"], any=True, source="code_of_conduct.txt")],
        funcqa=[NumberQuestion(q="Cube of 1.31?", answer=2.2481)],
    )
    return ScriptedEngine(script), sets


def test_every_turn_is_a_fresh_dry_run_with_the_generation_overrides(scripted):
    engine, sets = scripted
    evaluate(engine, sets, EvalConfig(generation={"max_new_tokens": 48, "toolken_bias": 1.5}))
    assert len(engine.turns) == 9
    for turn in engine.turns:
        assert turn["dry_run"] is True and turn["approve"] is None and turn["force_tool"] is None
        assert turn["messages"] == [{"role": "user", "content": turn["messages"][0]["content"]}]
        assert turn["generation"].max_new_tokens == 48 and turn["generation"].toolken_bias == 1.5
        assert turn["generation"].repetition_penalty == engine.generation.repetition_penalty


def test_metrics_come_from_the_turn_events(scripted):
    engine, sets = scripted
    report = evaluate(engine, sets)
    tools, calc, docs, funcqa = (report.metrics[k] for k in ("tools", "calculator", "documents", "funcqa"))
    # the planned listTickets call matches once its schema default `limit` counts as left out; the abandoned
    # createTicket call still selected the right tool (with no arguments)
    assert tools["selection_accuracy"] == 0.75 and tools["no_call_accuracy"] == 0.5
    assert tools["call_exact_match"] == 0.5 and tools["per_argument"]["createTicket.requester_id"]["accuracy"] == 0.0
    assert calc["exact_accuracy"] == 0.5 and calc["calculator_call_rate"] == 0.5
    assert docs["keyword_accuracy"] == 1.0 and docs["retrieved_rate"] == 0.5 and docs["cited_in_text_rate"] == 0.5
    assert docs["search_call_rate"] == 0.5
    assert funcqa["accuracy"] == 1.0 and funcqa["exact_accuracy"] == 0.0 and funcqa["calculator_call_rate"] == 0.0
    assert report.metrics["n"] == {"tools": 4, "calc": 2, "docs": 2, "funcqa": 1}
    assert report.metrics["model"] is None and report.metrics["elapsed_s"] >= 0
    first = report.predictions[0]
    assert first["set"] == "tools" and first["predicted_tool"] == "api.listTickets"
    assert first["calls"] == [{"tool": "api.listTickets", "arguments": {"status": "open", "limit": 20},
                               "status": "planned", "result": None, "error": None}]
    assert report.predictions[1]["calls"][0]["status"] == "invalid"
    # "Gift limit?" states EUR 50 with no search; the planned call and the honest "Sorry." state nothing unsourced
    assert tools["fabrication_rate"] == 0.0 and docs["fabrication_rate"] == 0.5 and docs["fabricated"] == 1
    gift = next(row for row in report.predictions if row["q"] == "Gift limit?")
    assert gift["fabricated"] == ["number '50'"]


def test_items_asked_in_chats_follow_the_ones_before_them_and_the_answers_given(scripted):
    engine, sets = scripted
    report = evaluate(engine, sets, EvalConfig(chat_turns=3, sets=["tools"]))
    asked = [turn["messages"] for turn in engine.turns]
    assert asked[0] == [{"role": "user", "content": "Open tickets?"}]
    assert asked[2] == [{"role": "user", "content": "Open tickets?"}, {"role": "assistant", "content": "Planned."},
                        {"role": "user", "content": "New ticket for E1001."},
                        {"role": "assistant", "content": "Sorry."}, {"role": "user", "content": "Hi!"}]
    assert asked[3] == [{"role": "user", "content": "Thanks."}]  # the fourth item starts the second chat
    assert report.metrics["chat_turns"] == 3 and report.metrics["tools"]["selection_accuracy"] == 0.75


def test_written_chats_go_on_from_their_own_earlier_messages_and_score_their_follow_ups_apart(scripted):
    engine, sets = scripted
    sets.chats = [
        Chat(turns=[ToolQuery(q="Open tickets?", tool="listTickets", args={"status": "open"}),
                    ToolQuery(q="Thanks.", tool=None)]),
        Chat(turns=[ToolQuery(q="Hi!", tool=None),
                    ToolQuery(q="New ticket for E1001.", tool="createTicket", args={"requester_id": "E1001"}),
                    ToolQuery(q="Open tickets?", tool=None)]),
    ]
    report = evaluate(engine, sets, EvalConfig(sets=["chats"], chat_turns=4))  # chat_turns: not for written chats
    asked = [turn["messages"] for turn in engine.turns]
    assert asked[1] == [{"role": "user", "content": "Open tickets?"}, {"role": "assistant", "content": "Planned."},
                        {"role": "user", "content": "Thanks."}]
    assert asked[2] == [{"role": "user", "content": "Hi!"}]  # the second chat starts afresh
    assert len(asked[4]) == 5
    chats = report.metrics["chats"]
    # Only API calls count: the calculator called on "Thanks." is no miss, the planned listTickets where none is
    # wanted is; the new ticket lost its argument. Right: 4 messages of 5, 1 chat of 2.
    assert chats["n"] == 5 and chats["selection_accuracy"] == 0.8 and chats["follow_up_n"] == 3
    assert chats["follow_up_selection_accuracy"] == 2 / 3 and chats["follow_up_call_exact_match"] == 0.0
    assert chats["follow_up_no_call_accuracy"] == 0.5 and chats["chats_all_right"] == 0.5
    assert [(row["chat"], row["turn"]) for row in report.predictions] == [(0, 0), (0, 1), (1, 0), (1, 1), (1, 2)]
    assert report.predictions[1]["predicted_tool"] is None and report.predictions[1]["calls"][0]["tool"] == "calculator"
    assert "follow_up_call_exact_match" in report.table()


def test_a_chat_needs_two_messages(tmp_path: Path):
    path = tmp_path / "chats.jsonl"
    path.write_text(json.dumps({"turns": [{"q": "Hi!", "tool": None, "args": {}}]}) + "\n", encoding="utf-8")
    with pytest.raises(EvalFormatError, match="line 1: turns"):
        load_sets(chats=path)


def test_a_test_sets_date_reaches_every_turn(scripted):
    from datetime import date

    engine, sets = scripted
    evaluate(engine, sets, EvalConfig(today=date(2026, 3, 2)))
    assert {turn["today"] for turn in engine.turns} == {date(2026, 3, 2)}


def test_limit_and_set_choice(scripted):
    engine, sets = scripted
    report = evaluate(engine, sets, EvalConfig(limit=1, sets=["calc", "docs"]))
    assert report.metrics["n"] == {"calc": 1, "docs": 1}
    assert report.metrics["tools"] is None and report.metrics["funcqa"] is None
    assert [row["set"] for row in report.predictions] == ["calc", "docs"]


def test_a_tool_query_naming_a_tool_the_engine_lacks_is_an_error(scripted):
    engine, sets = scripted
    sets.tools.append(ToolQuery(q="Typo?", tool="getTikcet", args={}))
    with pytest.raises(EvalFormatError, match="getTikcet"):
        evaluate(engine, sets)
    assert engine.turns == []


def test_report_writes_metrics_and_predictions_and_prints_a_table(scripted, tmp_path: Path):
    engine, sets = scripted
    report = evaluate(engine, sets)
    paths = report.write(tmp_path / "out")
    assert json.loads(paths["metrics"].read_text()) == json.loads(json.dumps(report.metrics))
    rows = [json.loads(line) for line in paths["predictions"].read_text().splitlines()]
    assert len(rows) == 9 and {row["set"] for row in rows} == {"tools", "calc", "docs", "funcqa"}
    table = report.table()
    for heading in ("tools (4 items", "calculator (2 items", "documents (2 items", "funcqa (1 items", "per tool"):
        assert heading in table
    assert "selection_accuracy" in table and "listTickets" in table



def test_report_written_into_an_adapter_folder_keeps_the_training_figures(scripted, tmp_path: Path):
    engine, sets = scripted
    report = evaluate(engine, sets)
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    training = {"method": "lora", "steps": 8, "tokens_per_second": 150.0}
    (adapter / "metrics.json").write_text(json.dumps({"training": training, "evaluation": None}))
    report.write(adapter)
    written = json.loads((adapter / "metrics.json").read_text())
    assert written["training"] == training
    assert written["evaluation"] == json.loads(json.dumps(report.metrics))


# ----------------------------------------------------------------------------------------------------
# The shipped demo eval set


def rows(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in DEMO_EVAL_FILES[name].read_text(encoding="utf-8").splitlines()]


def test_demo_tool_queries_name_real_tools_with_valid_arguments():
    from tools.calculator import Calculator
    from tools.catalog import load_catalog
    from tools.retrieval import SearchTool

    schemas = {op.operation_id: op.parameters for op in load_catalog(DEMO_CATALOG).operations}
    schemas |= {"calculator": Calculator.parameters, "search": SearchTool.parameters}
    items = rows("tools")
    for item in items:
        assert set(item) == {"q", "tool", "args"}, item
        if item["tool"] is None:
            assert item["args"] == {}
            continue
        assert item["tool"] in schemas, item
        validator = jsonschema.Draft202012Validator(schemas[item["tool"]], format_checker=jsonschema.FormatChecker())
        assert not list(validator.iter_errors(item["args"])), item
    used = {item["tool"] for item in items}
    assert used >= set(schemas), f"no query for {set(schemas) - used}"
    assert len(items) >= 40 and sum(item["tool"] is None for item in items) >= 10
    assert len({item["q"] for item in items}) == len(items)


def test_demo_calculator_questions():
    items = rows("calc")
    assert len(items) >= 20 and all(set(item) == {"q", "answer"} for item in items)
    assert all(isinstance(item["answer"], int | float) for item in items)


def test_demo_document_questions_cite_real_files_whose_text_has_the_keywords():
    items = rows("docs")
    assert len(items) >= 15
    for item in items:
        path = DEMO_DOCS / item["source"]
        assert path.is_file(), item
        assert metrics.keywords_found(path.read_text(encoding="utf-8"), item["keywords"]), item
    assert len({item["source"] for item in items}) == len(list(DEMO_DOCS.iterdir()))


def test_demo_questions_are_not_in_the_no_call_training_prompts():
    prompts = (DEMO_DOCS.parents[1] / "no_call_prompts.txt").read_text(encoding="utf-8").splitlines()
    asked = {row["q"] for name in ("tools", "calc", "docs") for row in rows(name)}
    assert not asked & {line.strip() for line in prompts}


# ----------------------------------------------------------------------------------------------------
# The real embedded model


@pytest.mark.slow
def test_run_eval_with_the_embedded_model(smollm2_folder: Path, tmp_path: Path):
    funcqa = tmp_path / "funcqa.json"
    funcqa.write_text(json.dumps([
        {"question": "What is 2 to the power of 5?", "answer": 32, "func": "<power>(2, 5)=32"},
        {"question": "What is 9 times 7?", "answer": 63, "func": "<multiply>(9, 7)=63"},
    ]))
    config = parse_config({
        "model": {"path": str(smollm2_folder)},
        # nothing listens there: a call that was sent instead of planned would fail
        "tools": {"catalog": {"path": str(DEMO_CATALOG), "base_url": "http://127.0.0.1:9"},
                  "retrieval": {"docs": str(DEMO_DOCS)}},
    })
    eval_config = EvalConfig(limit=2, generation={"max_new_tokens": 24})
    report = run_eval(config, tmp_path / "home", funcqa=funcqa, eval_config=eval_config)
    assert report.metrics["n"] == {"tools": 2, "calc": 2, "docs": 2, "funcqa": 2}
    assert set(report.metrics) >= {"tools", "calculator", "documents", "funcqa", "n", "model", "adapter", "elapsed_s"}
    assert report.metrics["model"] and report.metrics["adapter"] is None
    assert report.metrics["generation"]["max_new_tokens"] == 24
    assert 0.0 <= report.metrics["tools"]["selection_accuracy"] <= 1.0
    assert len(report.predictions) == 8
    for row in report.predictions:
        assert all(c["status"] != "ran" for c in row["calls"] if c["tool"].startswith("api."))
        assert row["stop_reason"] in ("end_of_turn", "max_new_tokens")
    # eval turns go to the engine, not through Assistant.ask: nothing lands in the conversation log
    assert ConversationStore(tmp_path / "home" / "conversations.db").conversations("cli") == []


@pytest.mark.slow
def test_a_test_set_is_refused_on_a_store_holding_another_folders_documents(smollm2_folder: Path, tmp_path: Path):
    from finetune.evaluate import refuse_foreign_documents
    from tools.retrieval import DocumentStore

    home, other = tmp_path / "home", tmp_path / "other"
    other.mkdir()
    (other / "canteen.md").write_text("# Canteen\n\nLunch is served from 12:00 to 14:00 on weekdays.\n")
    config = parse_config({"model": {"path": str(smollm2_folder)},
                           "tools": {"catalog": {"path": str(DEMO_CATALOG)}, "retrieval": {"docs": str(DEMO_DOCS)}}})
    store = DocumentStore(config.tools.retrieval, home / "chroma")
    store.ingest(DEMO_DOCS)
    store.ingest(other)  # what `assistant ingest` of a second folder leaves: the test set's searches would find it

    with pytest.raises(ForeignDocuments, match=r"holds 1 document\(s\) that are not in .*\(canteen\.md\).*--prune"):
        run_eval(config, home, test_set="demo")
    store.ingest(DEMO_DOCS, prune=True)  # what the message says to do
    refuse_foreign_documents(config, home)


def test_fabrication_counts_claims_only_where_no_call_produced_them():
    from finetune.metrics import fabricated_claims, fabrication_metrics

    invented = fabricated_claims("Which IT tickets are open?", "I found 15 tickets: ...", produced=False)
    from_tool = fabricated_claims("Which IT tickets are open?", "I found 15 tickets: ...", produced=True)
    honest = fabricated_claims("Which IT tickets are open?", "I can't see the ticket list.", produced=False)
    assert invented and from_tool == [] and honest == []
    assert fabrication_metrics([invented, from_tool, honest]) == {"fabrication_rate": 1 / 3, "fabricated": 1}


def test_what_a_failed_call_said_is_not_a_fabrication():
    from finetune.metrics import fabricated_claims

    error = '[null, "the arguments ran past 128 tokens"]'
    assert fabricated_claims("order 500 units", "The call failed: the arguments ran past 128 tokens.", False, error) == []
    assert fabricated_claims("order 500 units", "I found 3 orders.", False, error)


def test_eval_files_take_today_from_the_manifest_beside_them(tmp_path: Path):
    written = tmp_path / "chats"
    written.mkdir()
    (written / "chats.jsonl").write_text("", encoding="utf-8")
    (written / "manifest.json").write_text('{"today": "2026-03-02", "sha256": {}}', encoding="utf-8")
    loose = tmp_path / "tools.jsonl"
    loose.write_text("", encoding="utf-8")
    assert files_today([written / "chats.jsonl", loose]) == date(2026, 3, 2)
    assert files_today([loose]) is None  # the day it runs
    other = tmp_path / "other"
    other.mkdir()
    (other / "tools.jsonl").write_text("", encoding="utf-8")
    (other / "manifest.json").write_text('{"today": "2026-06-15", "sha256": {}}', encoding="utf-8")
    with pytest.raises(EvalFormatError, match="different days"):
        files_today([written / "chats.jsonl", other / "tools.jsonl"])
    (other / "manifest.json").write_text('{"today": "someday", "sha256": {}}', encoding="utf-8")
    with pytest.raises(EvalFormatError, match="manifest.json"):
        files_today([other / "tools.jsonl"])
