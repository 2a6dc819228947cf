"""The tool router: fitted on records, tool descriptions and passages; its threshold from the held-out split;
saved as plain numbers and refused with another embedder.

A bag-of-words embedder stands in for the sentence embedder, so every verdict follows from the words.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from assistant.router import (
    GENERAL_FLOOR,
    NO_CALL,
    ROUTER_FILE,
    RouterMismatch,
    ToolRouter,
    load_router,
    own_messages,
    router_texts,
)
from finetune.router_fit import (
    NEAR_MISSES,
    Example,
    RouterDataError,
    choose_threshold,
    fit_router,
    record_example,
    router_examples,
    worked_examples,
)
from tools.base import Tool, ToolResult

DIMENSION = 256


def bag_of_words(texts: Sequence[str], salt: int = 0) -> list[list[float]]:
    """Unit-length hashed word counts."""
    rows = []
    for text in texts:
        row = np.zeros(DIMENSION, dtype=np.float32)
        for word in re.findall(r"[a-z0-9]+", text.lower()):
            row[(zlib.crc32(word.encode()) + salt) % DIMENSION] += 1.0
        norm = np.linalg.norm(row)
        rows.append((row / norm if norm else row).tolist())
    return rows


class Named(Tool):
    parameters = {"type": "object", "properties": {}, "additionalProperties": False}

    def __init__(self, name: str, description: str) -> None:
        self.name, self.description = name, description

    def run(self, arguments: dict) -> ToolResult:
        return ToolResult(value=None)


TOOLS = [Named("calculator", "Evaluate an arithmetic expression."),
         Named("search", "Search the company handbook."),
         Named("api.getTicket", "Get one IT ticket by its number.")]


def record(question: str, tool: str | None) -> dict:
    """A training record as a JSONL row (no id: hand-written datasets need none)."""
    source = "no_call" if tool is None else "catalog"
    return {"source": source, "tool": tool,
            "messages": [{"role": "user", "content": question}, {"role": "assistant", "content": "ok"}]}


TRAIN = [
    *(record(f"what is {a} times {b}", "calculator") for a, b in [(3, 4), (12, 7), (9, 9), (5, 6)]),
    *(record(q, "api.getTicket") for q in ["show ticket 4101", "status of ticket 4102", "get IT ticket 4103",
                                           "what is happening with ticket 4104"]),
    *(record(q, None) for q in ["hello there", "thanks a lot", "tell me a joke", "good morning",
                                "write a poem about spring"]),
]
PASSAGES = ["Annual leave: staff get 25 days of annual leave per year.", "Expenses need a receipt above EUR 25."]
HELD_OUT = [record("multiply 8 times 3", "calculator"), record("ticket 4105 status", "api.getTicket"),
            record("hi, how are you", None), record("a joke please", None)]


@pytest.fixture(scope="module")
def router() -> ToolRouter:
    return fit_router(TRAIN, HELD_OUT, TOOLS, PASSAGES, bag_of_words)


def test_examples_are_records_descriptions_and_passages_for_search():
    examples = router_examples(TRAIN, TOOLS, PASSAGES)
    labels = [example.label for example in examples]
    assert labels.count(NO_CALL) == 5 and labels.count("calculator") == 5  # 4 records and the description
    assert labels.count("search") == 1 + len(PASSAGES)
    assert router_examples(TRAIN, TOOLS[:1], PASSAGES)[-1].label == "calculator"  # no search tool: no passages
    assert record_example(record("book room Zephyr", "api.bookRoom"), {"calculator"}) is None  # not served


def test_an_operations_example_requests_are_quoted_in_writing_requests_as_its_near_misses():
    ticket = Named("api.getTicket", "Get one IT ticket by its number.")
    ticket.examples = ("status of ticket 4101?", "whats going on with 4102", "ticket 4103 pls", "and 4104")
    examples = router_examples([], [ticket], [])
    near = [example for example in examples if example.label == NO_CALL]
    assert [example.text for example in near] == [template.format(example=quoted) for template, quoted
                                                  in zip(NEAR_MISSES, ticket.examples, strict=False)]
    assert len(near) == len(NEAR_MISSES) and all(ticket.examples[i] in near[i].text for i in range(len(near)))
    assert [e for e in examples if e.label == "api.getTicket"] == [
        Example(text, "api.getTicket") for text in (ticket.description, *ticket.examples)]
    assert not any(e.label == NO_CALL for e in router_examples([], [ticket], [], near_misses=False))


def test_fitted_router_routes_by_the_question(router: ToolRouter):
    tools = {tool.name for tool in TOOLS}
    assert router.route(["what is 14 times 3"], tools).tool == "calculator"
    assert router.route(["what is 14 times 3"], tools).call
    assert router.route(["status of ticket 4110"], tools).tool == "api.getTicket"
    assert router.route(["how many days of annual leave per year"], tools).tool == "search"
    assert not router.route(["good morning, thanks"], tools).call


def test_route_only_offers_the_tools_the_engine_has(router: ToolRouter):
    route = router.route(["status of ticket 4110"], {"calculator"})
    assert route.tool == "calculator"
    assert set(router.probabilities(["x"], {"search"})[0]) == {NO_CALL, "search"}
    assert sum(router.probabilities(["x"], {"search"})[0].values()) == pytest.approx(1.0)


def test_a_follow_up_is_read_with_the_question_before_it(router: ToolRouter):
    messages = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "status of ticket 4101"},
                {"role": "assistant", "content": "It is open."}, {"role": "user", "content": "and 4102?"}]
    assert router_texts(messages) == ["and 4102?", "status of ticket 4101\nand 4102?"]
    route = router.route(router_texts(messages), {tool.name for tool in TOOLS})
    assert route.call and route.tool == "api.getTicket"
    assert router_texts([{"role": "user", "content": "hi"}]) == ["hi"]


def test_a_message_that_says_what_it_wants_is_read_alone(router: ToolRouter):
    asked = [{"role": "user", "content": "status of ticket 4101"}, {"role": "assistant", "content": "It is open."}]
    own = "can you tell me a joke about computers, a short one please"
    assert router_texts([*asked, {"role": "user", "content": own}]) == [own]
    # one that goes on from the message before, or answers the assistant's question, is read with it
    same = "same for ticket 4102 and the one after it please"
    assert router_texts([*asked, {"role": "user", "content": same}])[1] == f"status of ticket 4101\n{same}"
    asking = [asked[0], {"role": "assistant", "content": "Which ticket do you mean?"}]
    answer = "the one my printer problem was filed under last week"
    assert len(router_texts([*asking, {"role": "user", "content": answer}])) == 2
    assert own_messages([*asked, {"role": "user", "content": own}]) == [{"role": "user", "content": own}]
    assert own_messages([*asked, {"role": "user", "content": "and 4102?"}])[0] == asked[0]
    assert own_messages([*asked, {"role": "user", "content": "what's 15% of that?"}])[0] == asked[0]
    # a few words are read with the message before, but stand on their own: "E1013 travel claims" is no follow-up
    short = {"role": "user", "content": "E1013 travel claims"}
    assert len(router_texts([*asked, short])) == 2 and own_messages([*asked, short]) == [short]
    # where the message alone asks for a call, the one before it does not choose another
    tools = {tool.name for tool in TOOLS}
    assert router.route(["what is 14 times 3", "status of ticket 4101\nwhat is 14 times 3"], tools).tool == \
        "calculator"


def test_the_calculator_is_not_offered_a_question_without_a_figure(router: ToolRouter):
    tools = {tool.name for tool in TOOLS}
    assert router.route(["what is times"], tools, checks=False).tool == "calculator"  # the classifier's pick
    route = router.route(["what is times"], tools)
    assert route.tool != "calculator" and route.reason == "no figure to calculate with"
    for figured in ("what is eight times nine", "what is 8 times 9", "what is half times a dozen"):
        assert router.route([figured], tools).tool == "calculator", figured
    assert router.route(["what is times"], {"calculator"}).tool == "calculator"  # the only tool stays
    # "one" that stands for a thing is no figure; one week is
    assert router.route(["what is times after the first one"], tools).reason == "no figure to calculate with"
    assert router.route(["what is times one week"], tools).tool == "calculator"


def test_a_nearer_document_passage_moves_an_operations_call_to_search(router: ToolRouter):
    tools = {tool.name for tool in TOOLS}
    # The exemplars are the operation's training questions; search and the calculator have none.
    assert sorted(router.exemplars) == ["api.getTicket"]
    assert sorted(router.exemplars["api.getTicket"]) == sorted(
        r["messages"][0]["content"] for r in TRAIN if r["tool"] == "api.getTicket")
    question = ["status of ticket 4110"]
    seen = []

    def passage(similarity: float):
        def nearest(vector: Sequence[float]) -> float:
            seen.append(np.asarray(vector))
            return similarity
        return nearest

    near = router.route(question, tools, nearest_passage=passage(0.99))
    assert near.tool == "search" and near.call and "document passage (0.99) is nearer" in near.reason
    np.testing.assert_allclose(seen[0], bag_of_words(question)[0], atol=1e-6)  # the question's own embedding
    assert router.route(question, tools, nearest_passage=passage(0.2)).tool == "api.getTicket"
    assert router.route(question, tools, nearest_passage=lambda vector: None).tool == "api.getTicket"
    assert router.route(question, tools - {"search"}, nearest_passage=passage(0.99)).tool == "api.getTicket"
    assert router.route(question, tools, nearest_passage=passage(0.99), checks=False).tool == "api.getTicket"
    # An example request served with the tool counts as much as a fitted one: this one is the question itself.
    served = router.route(question, tools, examples={"api.getTicket": question}, nearest_passage=passage(0.99))
    assert served.tool == "api.getTicket" and served.reason == ""
    # The calculator's questions name no documents' subject: its calls are never moved.
    assert router.route(["what is 14 times 3"], tools, nearest_passage=passage(1.0)).tool == "calculator"


TICKET_SCHEMAS = {
    "api.getTicket": {"type": "object", "required": ["ticket_id"],
                      "properties": {"ticket_id": {"type": "integer", "description": "The IT ticket's number."}}},
    "api.updateTicketStatus": {"type": "object", "required": ["ticket_id", "status"],
                               "properties": {"ticket_id": {"type": "integer", "description": "The ticket's number."},
                                              "status": {"type": "string", "enum": ["open", "resolved", "closed"]}}},
    "api.listTickets": {"type": "object", "properties": {"priority": {"type": "string", "enum": ["low", "high"]}}},
}


def rated(probabilities: dict[str, float]) -> ToolRouter:
    """A router whose classifier gives every text these probabilities (log-probabilities as intercepts)."""
    labels = [NO_CALL, *probabilities]
    p_none = 1 - sum(probabilities.values())
    intercept = np.log(np.asarray([p_none, *probabilities.values()], dtype=np.float32))
    return ToolRouter(labels, np.zeros((len(labels), 2), dtype=np.float32), intercept, 0.5,
                      np.asarray([1.0, 0.0], dtype=np.float32), embed=lambda texts: [[1.0, 0.0] for _ in texts])


@pytest.mark.parametrize(
    ("request_text", "tool"),
    [
        ("Close IT ticket 4104.", "api.updateTicketStatus"),  # the state to set: only the update takes it
        ("mark ticket 4106 as resolved", "api.updateTicketStatus"),
        ("Is ticket 4104 closed?", "api.getTicket"),  # a question reads a state, it sets none
        ("ticket 4104", "api.getTicket"),  # both take the same: the classifier's pick stands
    ],
)
def test_an_operation_that_takes_more_of_the_request_takes_the_call(request_text: str, tool: str):
    router = rated({"api.getTicket": 0.6, "api.updateTicketStatus": 0.15, "api.listTickets": 0.1})
    route = router.route([request_text], set(TICKET_SCHEMAS), schemas=TICKET_SCHEMAS)
    assert route.tool == tool
    assert (route.reason == f"{tool} takes more of what the request states than api.getTicket") == \
        (tool != "api.getTicket")
    assert router.route([request_text], set(TICKET_SCHEMAS)).tool == "api.getTicket"  # no schemas: no check


SLOT_SCHEMAS = {
    "api.bookDockSlot": {"type": "object", "required": ["warehouse_id", "date", "start_time"],
                         "properties": {"warehouse_id": {"type": "string", "pattern": "^WH-[0-9]{2}$"},
                                        "date": {"type": "string", "format": "date"},
                                        "start_time": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"}}},
    "api.cancelDockSlot": {"type": "object", "required": ["slot_id"],
                           "properties": {"slot_id": {"type": "integer", "description": "The booked slot's id."}}},
    "api.listDockSlots": {"type": "object", "required": ["warehouse_id", "date"],
                          "properties": {"warehouse_id": {"type": "string", "pattern": "^WH-[0-9]{2}$"},
                                         "date": {"type": "string", "format": "date"}}},
}


def test_between_two_changes_stating_as_much_the_one_making_up_less_takes_the_call():
    router = rated({"api.bookDockSlot": 0.6, "api.cancelDockSlot": 0.2, "api.listDockSlots": 0.1})
    changes = {"api.bookDockSlot", "api.cancelDockSlot"}
    # the day fits the booking and the slot the cancellation; a booking would make up its dock and time
    request = ["slot 8124 isnt needed anymore, we moved that truck to a later slot on thursday"]
    route = router.route(request, set(SLOT_SCHEMAS), schemas=SLOT_SCHEMAS, today=date(2026, 6, 10), changes=changes)
    assert route.tool == "api.cancelDockSlot"
    assert route.reason == "api.cancelDockSlot makes up less of what the request leaves unstated than api.bookDockSlot"
    assert router.route(request, set(SLOT_SCHEMAS), schemas=SLOT_SCHEMAS, today=date(2026, 6, 10)).tool == \
        "api.bookDockSlot"  # nothing named a change: the stated counts tie and the classifier's pick stands
    # a look-up needs less than the booking it lists for, and takes no booking's call for that
    booking = ["book WH-02 on friday"]
    assert router.route(booking, set(SLOT_SCHEMAS), schemas=SLOT_SCHEMAS, today=date(2026, 6, 10),
                        changes=changes).tool == "api.bookDockSlot"


def test_an_operation_rated_far_below_does_not_take_the_call():
    router = rated({"api.getTicket": 0.8, "api.updateTicketStatus": 0.05})
    assert router.route(["Close IT ticket 4104."], set(TICKET_SCHEMAS), schemas=TICKET_SCHEMAS).tool == \
        "api.getTicket"


def solved(question: str, expression: str, tool: str = "calculator") -> dict:
    """A training record of one call: question, call, result, answer."""
    call = {"id": "call_0", "type": "function", "function": {"name": tool, "arguments": json.dumps({"expression": expression})}}
    return {"source": tool, "tool": tool, "messages": [
        {"role": "user", "content": question}, {"role": "assistant", "content": "", "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "call_0", "name": tool, "content": '{"result": 1}'},
        {"role": "assistant", "content": "It is 1."}]}


def test_worked_examples_are_the_builds_single_calculator_calls(router: ToolRouter):
    records = [solved("what is 3 times 4", "3*4"), solved("split 90 euros between 3 people", "90/3"),
               solved("status of ticket 4101", "4101", tool="api.getTicket"), *TRAIN]
    kept = worked_examples(records, TOOLS)
    assert set(kept) == {"calculator"}  # the operation's call is not kept, nor records without a call
    assert sorted(conversation[0]["content"] for conversation in kept["calculator"]) == \
        ["split 90 euros between 3 people", "what is 3 times 4"]
    assert worked_examples(records, TOOLS) == kept  # a fixed sample
    assert worked_examples(records, [tool for tool in TOOLS if tool.name != "calculator"]) == {}


def test_the_worked_examples_nearest_the_question_come_last(router: ToolRouter, tmp_path: Path):
    conversations = [solved(q, "1")["messages"] for q in ["split the bill between people", "what is 3 times 4",
                                                          "what is 9 times 9 times 9"]]
    router.worked_examples = {"calculator": conversations}
    try:
        worked = router.worked_examples_for("calculator", "what is 9 times 2", 2)
        assert [m["content"] for m in worked if m["role"] == "user"] == ["what is 3 times 4", "what is 9 times 9 times 9"]
        assert len(worked) == 8  # two whole conversations
        assert router.worked_examples_for("calculator", "what is 9 times 2", 0) == []
        assert router.worked_examples_for("api.getTicket", "ticket 4101", 2) == []
        router.save(tmp_path)
        data = json.loads((tmp_path / ROUTER_FILE).read_text())
        data["worked_examples"]["calculator"][0] = "not messages"
        (tmp_path / ROUTER_FILE).write_text(json.dumps(data))
        with pytest.raises(RouterMismatch, match="worked example"):
            load_router(tmp_path, bag_of_words)
    finally:
        router.worked_examples = {}


def test_threshold_is_chosen_on_the_held_out_split(router: ToolRouter):
    report = router.report
    assert report["held_out"] == 4 and report["call_recall"] == 1.0 and report["no_call_accuracy"] == 1.0
    assert router.no_call_threshold == report["no_call_threshold"]
    # A held-out split of only calls: every threshold that calls them all is as good; the one nearest 0.5 wins
    # among those, and with no calls the router could still say "no call" when sure.
    threshold, only_calls = choose_threshold(router, [record_example(HELD_OUT[0], {"calculator"})], {"calculator"})
    assert only_calls["call_recall"] == 1.0 and only_calls["no_call_accuracy"] is None and 0.1 <= threshold <= 0.9
    assert choose_threshold(router, [], set()) == (0.5, {"held_out": 0})


def test_saved_router_is_numbers_and_loads_with_the_same_embedder(router: ToolRouter, tmp_path: Path):
    router.save(tmp_path)
    data = json.loads((tmp_path / ROUTER_FILE).read_text())
    assert set(data) == {"version", "labels", "no_call_threshold", "coef", "intercept", "probe", "report", "exemplars",
                         "worked_examples"}
    loaded = load_router(tmp_path, bag_of_words)
    assert loaded is not None and loaded.labels == router.labels and loaded.exemplars == router.exemplars
    assert loaded.worked_examples == router.worked_examples
    tools = {tool.name for tool in TOOLS}
    question = ["what is 14 times 3"]
    assert loaded.probabilities(question, tools)[0] == pytest.approx(router.probabilities(question, tools)[0], abs=1e-4)
    assert load_router(tmp_path / "nothing-here", bag_of_words) is None


def test_another_embedder_or_a_broken_file_is_refused(router: ToolRouter, tmp_path: Path):
    router.save(tmp_path)
    with pytest.raises(RouterMismatch, match="another sentence embedder"):
        load_router(tmp_path, lambda texts: bag_of_words(texts, salt=7))
    (tmp_path / ROUTER_FILE).write_text('{"version": 1, "labels": ["(none)"]}')
    with pytest.raises(RouterMismatch, match="not a router file"):
        load_router(tmp_path, bag_of_words)
    (tmp_path / ROUTER_FILE).write_text("{not json")
    with pytest.raises(RouterMismatch, match=ROUTER_FILE):
        load_router(tmp_path, bag_of_words)


def test_a_dataset_without_no_call_records_cannot_make_a_router():
    only_calls = [r for r in TRAIN if r["tool"] is not None]
    with pytest.raises(RouterDataError, match="without a call"):
        fit_router(only_calls, [], TOOLS, [], bag_of_words)


def test_serving_goes_on_without_a_router_it_cannot_use(router: ToolRouter, tmp_path: Path, caplog):
    from assistant.runtime import adapter_router

    assert adapter_router(tmp_path, bag_of_words) is None  # no router.json: the toolkens decide
    router.save(tmp_path)
    assert adapter_router(tmp_path, bag_of_words) is not None
    assert adapter_router(None, bag_of_words) is None and adapter_router(tmp_path, None) is None
    with caplog.at_level("WARNING"):
        assert adapter_router(tmp_path, lambda texts: bag_of_words(texts, salt=3)) is None
    assert "serving without the adapter's tool router" in caplog.text


STOCK_SCHEMAS = {
    "api.getStockLevels": {"type": "object", "required": ["warehouse_id"], "properties": {
        "warehouse_id": {"type": "string", "pattern": "^WH-[0-9]{2}$"},
        "sku": {"type": "string", "pattern": "^SKU-[0-9]{5}$"}}},
    "api.listWarehouses": {"type": "object", "properties": {"country": {"type": "string"}}},
    "calculator": {"type": "object", "required": ["expression"], "properties": {"expression": {"type": "string"}}},
}


def test_a_word_problem_that_names_a_record_by_its_id_goes_to_the_operation_that_takes_it():
    router = rated({"calculator": 0.6, "api.getStockLevels": 0.05, "api.listWarehouses": 0.1})
    route = router.route(["how many SKU-27714 do we have left in WH-05? customer wants 300"], set(STOCK_SCHEMAS),
                         schemas=STOCK_SCHEMAS)
    assert route.tool == "api.getStockLevels" and "no word problem" in route.reason
    # figures and no id: the word problem stays with the calculator
    assert router.route(["300 units at 4.20 each, what's the total?"], set(STOCK_SCHEMAS),
                        schemas=STOCK_SCHEMAS).tool == "calculator"


SHIPMENT_SCHEMAS = {
    "api.getShipment": {"type": "object", "required": ["shipment_id"],
                        "properties": {"shipment_id": {"type": "string", "pattern": "^SHP-[0-9]{6}$"}}},
    "api.updateShipment": {"type": "object", "required": ["shipment_id", "status"],
                           "properties": {"shipment_id": {"type": "string", "pattern": "^SHP-[0-9]{6}$"},
                                          "status": {"type": "string", "enum": ["delayed", "delivered"]}}},
    "api.createPurchaseOrder": {"type": "object", "required": ["supplier_id"],
                                "properties": {"supplier_id": {"type": "string", "pattern": "^SUP-[0-9]{4}$"}}},
}


@pytest.mark.parametrize(
    ("request_text", "tool"),
    [
        ("SHP-207391 delivered yet?", "api.getShipment"),  # asks: no status to set
        ("eta on shp-207455? customer keeps calling", "api.getShipment"),
        ("SHP-207391 got delivered, pls mark it", "api.updateShipment"),  # requests, and states the status
        ("can you mark SHP-207391 delivered?", "api.updateShipment"),
        ("any news on the shipment?", "api.getShipment"),  # the look-up lacks the id too, but no status to set
        ("any news, can you set it delayed?", "api.updateShipment"),  # requests
    ],
)
def test_a_question_does_not_change_a_record_by_arguments_it_does_not_state(request_text: str, tool: str):
    router = rated({"api.updateShipment": 0.5, "api.getShipment": 0.1, "api.createPurchaseOrder": 0.2})
    changes = {"api.updateShipment", "api.createPurchaseOrder"}
    route = router.route([request_text], set(SHIPMENT_SCHEMAS), schemas=SHIPMENT_SCHEMAS, changes=changes)
    assert route.tool == tool
    assert ("the request asks" in route.reason) == (tool == "api.getShipment")
    # without knowing which tools change records, the classifier's pick stands
    assert router.route([request_text], set(SHIPMENT_SCHEMAS), schemas=SHIPMENT_SCHEMAS).tool == "api.updateShipment"


def test_a_request_that_states_both_dates_of_a_leave_is_not_taken_for_a_look_up():
    schemas = {
        "api.getLeaveBalance": {"type": "object", "required": ["employee_id"], "properties": {
            "employee_id": {"type": "string", "pattern": "^E\\d{4}$"},
            "leave_type": {"type": "string", "enum": ["annual", "sick"]}}},
        "api.createLeaveRequest": {"type": "object", "required": ["employee_id", "leave_type", "start_date",
                                                                  "end_date"], "properties": {
            "employee_id": {"type": "string", "pattern": "^E\\d{4}$"},
            "leave_type": {"type": "string", "enum": ["annual", "sick"]},
            "start_date": {"type": "string", "format": "date"}, "end_date": {"type": "string", "format": "date"}}},
    }
    router = rated({"api.createLeaveRequest": 0.6, "api.getLeaveBalance": 0.25})
    request = ["monday to wednesday next week off? annual leave, E1010"]
    assert router.route(request, set(schemas), schemas=schemas, today=date(2026, 6, 10)).tool == \
        "api.createLeaveRequest"
    # without today the two dates are not read, and the balance takes more of what is left (the leave type)
    assert router.route(request, set(schemas), schemas=schemas).tool == "api.getLeaveBalance"


def test_a_question_is_not_moved_to_a_look_up_of_other_records():
    schemas = {**SHIPMENT_SCHEMAS, "api.listCarriers": {"type": "object", "properties": {}}}
    router = rated({"api.updateShipment": 0.5, "api.listCarriers": 0.3})
    route = router.route(["SHP-207391 delivered yet?"], set(schemas), schemas=schemas, changes={"api.updateShipment"})
    assert route.tool == "api.updateShipment"


@pytest.mark.parametrize(
    ("request_text", "call", "lists"),
    [
        ("thanks, the shipment update worked 👍", False, False),  # names the records, states nothing to change
        ("looking for a haulier that copes with late deliveries", False, True),
        ("help me write a polite email to a haulier about late deliveries", False, False),  # work on a text
        ("SHP-207391 got delivered, pls mark it", True, True),
        ("mark the shipment delivered", True, True),  # the state to set is stated: the model asks or writes the id
        ("update shipment 207391", True, True),  # a bare number may be the record's id
    ],
)
def test_a_change_the_request_states_nothing_of_opens_no_call(request_text: str, call: bool, lists: bool):
    router = rated({"api.updateShipment": 0.6})
    changes = {"api.updateShipment"}
    route = router.route([request_text], {"api.updateShipment"}, schemas=SHIPMENT_SCHEMAS, changes=changes)
    assert route.tool == "api.updateShipment" and route.call == call
    assert ("states none of what api.updateShipment needs" in route.reason) == (not call)
    # a look-up needing nothing written out still lists records, unless the message is thanks for them
    lister = {"api.listCarriers": {"type": "object", "properties": {"country": {"type": "string"}}}}
    assert rated({"api.listCarriers": 0.6}).route([request_text], set(lister), schemas=lister,
                                                  reads=set(lister)).call == lists


@pytest.mark.parametrize(("passage", "tool", "call"), [(0.6, "search", True), (0.3, "api.getTicket", False),
                                                       (None, "api.getTicket", False)])
def test_a_look_up_of_a_record_the_request_names_nothing_of_searches_or_opens_no_call(
        passage: float | None, tool: str, call: bool):
    router = rated({"api.getTicket": 0.6, "search": 0.1})
    reads = {"api.getTicket"}
    route = router.route(["response time for a high priority ticket?"], {"api.getTicket", "search"},
                         nearest_passage=lambda vector: passage, schemas=TICKET_SCHEMAS, reads=reads)
    assert (route.tool, route.call) == (tool, call) and "states none of what api.getTicket needs" in route.reason
    # a local tool computes what it is given; it reads no record
    assert router.route(["response time for a high priority ticket?"], {"api.getTicket", "search"},
                        nearest_passage=lambda vector: passage, schemas=TICKET_SCHEMAS).tool == "api.getTicket"
    # a record named in so many words, or a name that is an id ("foehn"), keeps the look-up
    assert router.route(["ticket 4104 response time?"], {"api.getTicket", "search"},
                        nearest_passage=lambda vector: passage, schemas=TICKET_SCHEMAS, reads=reads).tool == \
        "api.getTicket"
    rooms = {"api.getTicket": {"type": "object", "required": ["room_id"],
                               "properties": {"room_id": {"type": "string", "pattern": "^[a-z]+$"}}}}
    assert router.route(["foehn bookings"], {"api.getTicket", "search"}, nearest_passage=lambda vector: passage,
                        schemas=rooms, reads=reads).call
    # where the description lists the names there are, a request naming none of them states none
    listed = {"api.getTicket": {"type": "object", "required": ["room_id"], "properties": {"room_id": {
        "type": "string", "pattern": "^[a-z]+$", "description": "The room's id, its name: foehn, bora or zephyr."}}}}
    assert router.route(["foehn bookings"], {"api.getTicket", "search"}, nearest_passage=lambda vector: passage,
                        schemas=listed, reads=reads).call
    assert not router.route(["can you see my outlook calendar?"], {"api.getTicket"}, schemas=listed, reads=reads).call


@pytest.mark.parametrize(
    ("request_text", "passage", "call"),
    [
        ("from which day of being sick do i need a doctors note", 0.60, True),  # that near: the handbook's
        ("the coffee at the galley gets worse every week honestly", 0.52, False),  # nearer than a rule question
        ("what does demurrage mean", 0.60, False),  # a general question: GENERAL_FLOOR's rule, not this one
    ],
)
def test_a_request_the_classifier_would_answer_alone_searches_when_a_passage_is_that_near(
        request_text: str, passage: float, call: bool):
    router = rated({"search": 0.1, "api.getTicket": 0.05})  # no call at 0.85
    route = router.route([request_text], {"search", "api.getTicket"}, nearest_passage=lambda vector: passage)
    assert route.call == call and (route.tool == "search" or not call)
    assert ("as near as a handbook question's" in route.reason) == call


LEAVE_BALANCE = {"api.getLeaveBalance": {
    "type": "object", "required": ["employee_id"],
    "properties": {"employee_id": {"type": "string", "pattern": "^E[0-9]{4}$"},
                   "leave_type": {"type": "string", "enum": ["annual", "sick", "unpaid"]}}}}


@pytest.mark.parametrize(
    ("texts", "tool", "call"),
    [
        (["How many days of annual leave do I get per year?"], "search", True),  # whose balance? the handbook's
        (["How many annual leave days does E1007 have left?"], "api.getLeaveBalance", True),
        (["and sick days?", "annual leave left for E1007?\nand sick days?"], "api.getLeaveBalance", True),
    ],
)
def test_a_look_up_of_a_record_whose_id_nobody_wrote_reads_none_whatever_else_the_request_states(
        texts: list[str], tool: str, call: bool):
    route = rated({"api.getLeaveBalance": 0.6, "search": 0.1}).route(
        texts, {"api.getLeaveBalance", "search"}, nearest_passage=lambda vector: 0.6, schemas=LEAVE_BALANCE,
        reads={"api.getLeaveBalance"})
    assert (route.tool, route.call) == (tool, call)
    # far from the handbook, no call: the employee E2343 a call would read is made up
    far = rated({"api.getLeaveBalance": 0.6, "search": 0.1}).route(
        texts, {"api.getLeaveBalance", "search"}, nearest_passage=lambda vector: 0.2, schemas=LEAVE_BALANCE,
        reads={"api.getLeaveBalance"})
    assert far.call == (tool != "search")


def test_a_general_question_far_from_every_passage_needs_no_search():
    router = rated({"search": 0.6, "calculator": 0.1})
    tools = {"search", "calculator"}
    far = router.route(["what's FIFO vs FEFO in a warehouse?"], tools, nearest_passage=lambda vector: GENERAL_FLOOR - 0.1)
    assert far.tool == "search" and not far.call and "a general question" in far.reason
    assert router.route(["what's FIFO vs FEFO in a warehouse?"], tools,
                        nearest_passage=lambda vector: GENERAL_FLOOR + 0.1).call  # the handbook discusses it
    assert router.route(["what is the limit per claim?"], tools, nearest_passage=lambda vector: 0.1).call
    assert router.route(["what's FIFO vs FEFO in a warehouse?"], tools, nearest_passage=lambda vector: 0.1,
                        checks=False).call


@pytest.mark.parametrize(("request_text", "call"), [
    ("what does 2/10 net 30 mean on an invoice?", False),  # the figures are a term's
    ("what does 2/10 of 30 come to?", True),
    ("secret santa ideas under 20 euros? the draw is on the 18th", False),  # the figures bound the advice
    ("250 RSVPs, we usually get 12% no-shows, how many meals should we order", True),
])
def test_a_question_for_what_a_term_means_or_for_advice_computes_nothing(request_text: str, call: bool):
    route = rated({"calculator": 0.8}).route([request_text], {"calculator"})
    assert route.call == call and ("no calculation" in route.reason) == (not call)


def test_digits_inside_a_code_are_no_figure_to_calculate_with():
    router = rated({"calculator": 0.6, "search": 0.2})
    for coded in ("what is a 3PL company?", "is B2B the same as wholesale?", "manager of E1003?"):
        route = router.route([coded], {"calculator", "search"})
        assert route.tool == "search" and route.reason == "no figure to calculate with", coded
    for figured in ("68 km at 0.23 per km", "3 nights at 128eur", "1,240 eur plus 21%"):
        assert router.route([figured], {"calculator", "search"}).tool == "calculator", figured


@pytest.mark.parametrize(
    ("request_text", "call"),
    [
        ("ticket 4103 is fine now btw, new charger did the trick. nothing to do, just saying thx", False),
        ("yay my leave request 507 got approved!! portugal here i come", False),
        ("ticket 4103 is fine now, close it", True),  # an order: the update it names
        ("thanks! can you also close ticket 4103", True),
    ],
)
def test_news_or_thanks_that_asks_for_nothing_gets_no_call(request_text: str, call: bool):
    route = rated({"api.updateTicketStatus": 0.9}).route([request_text], {"api.updateTicketStatus"})
    assert route.call == call
    assert ("asks for nothing" in route.reason) == (not call)


@pytest.mark.parametrize(
    ("request_text", "call"),
    [
        ("just got back from the all-hands, the ceo's slides were actually funny for once", False),
        ("who is in marketing", True),  # a question
        ("pull up everyone in marketing", True),  # an order
        ("E1006 leave requests", True),  # names a record by its id
    ],
)
def test_a_look_up_rated_below_no_call_opens_only_where_the_message_asks_for_something(request_text: str, call: bool):
    route = rated({"api.searchDirectory": 0.3, "search": 0.25}).route(
        [request_text], {"api.searchDirectory", "search"}, reads={"api.searchDirectory"})
    assert route.call == call and route.tool == "api.searchDirectory"
    assert ("rated below no call" in route.reason) == (not call)


@pytest.mark.parametrize(
    ("request_text", "probabilities", "passage", "tool"),
    [
        # the classifier answers alone; a question about what staff may do, near a passage, searches
        ("when am i supposed to take the train rather than fly", {"search": 0.1, "api.listMeetingRooms": 0.05},
         0.40, "search"),
        ("when am i supposed to take the train rather than fly", {"search": 0.1, "api.listMeetingRooms": 0.05},
         0.30, None),  # no passage near: the documents do not say
        ("the coffee at the galley gets worse every week honestly", {"search": 0.1, "api.listMeetingRooms": 0.05},
         0.45, None),  # no rule asked after
        # the classifier names a look-up; what the company allows is the handbook's, unless a record is named
        ("are we allowed to have lunch in the meeting rooms? which ones", {"api.listMeetingRooms": 0.8, "search": 0.1},
         0.55, "search"),
        ("am i allowed to book room 4 for 3 hours", {"api.listMeetingRooms": 0.8, "search": 0.1},
         0.55, "api.listMeetingRooms"),
        # a rule's limit or approver asked, though the classifier named no call
        ("I have a PO of about 20k euros, who needs to approve it", {"search": 0.1, "api.listMeetingRooms": 0.05},
         0.40, "search"),
        ("I have a PO of about 20k euros, who needs to approve it", {"search": 0.1, "api.listMeetingRooms": 0.05},
         0.30, None),
        ("my PO of about 20k euros got approved this morning", {"search": 0.1, "api.listMeetingRooms": 0.05},
         0.40, None),  # news: no approver asked
    ],
)
def test_a_question_about_what_staff_may_or_must_do_searches_when_a_passage_is_near(
        request_text: str, probabilities: dict[str, float], passage: float, tool: str | None):
    route = rated(probabilities).route([request_text], set(probabilities), nearest_passage=lambda vector: passage)
    assert (route.tool if route.call else None) == tool
    assert ("may or must do" in route.reason) == (tool == "search")


@pytest.mark.parametrize(
    ("request_text", "tool"),
    [
        ("What's the maximum length of a single meeting room booking?", "search"),
        ("whats the longest i can keep a meeting room in one booking?", "search"),
        ("which meeting rooms have a screen?", "api.listMeetingRooms"),  # records asked for, no limit
        ("what's the max capacity of room 4?", "api.listMeetingRooms"),  # a record named
    ],
)
def test_a_question_about_a_rules_limit_searches_rather_than_reading_records(request_text: str, tool: str):
    router = rated({"api.listMeetingRooms": 0.8, "search": 0.1})
    route = router.route([request_text], {"api.listMeetingRooms", "search"}, nearest_passage=lambda vector: 0.5,
                         reads={"api.listMeetingRooms"})
    assert route.call and route.tool == tool


@pytest.mark.parametrize(
    ("question", "unknown", "call"),
    [
        ("what's dwell time in trucking?", ["dwell"], False),  # the documents never use the term
        ("pallet jack vs pallet truck, same thing?", ["jack", "same", "thing"], False),
        ("is a supplier the same thing as a vendor or is there a difference?", ["same", "thing", "differ"], True),
        ("how many carriers do we usually use?", ["usual"], True),  # no general question: a search
    ],
)
def test_a_general_question_about_a_term_the_documents_never_use_needs_no_search(
        question: str, unknown: list[str], call: bool):
    router = rated({"search": 0.8})
    route = router.route([question], {"search"}, nearest_passage=lambda vector: 0.6,
                         unknown_words=lambda text: unknown)
    assert route.call == call
    assert ("terms the documents never use" in route.reason) == (not call)
    # without the documents' words the check is off
    assert router.route([question], {"search"}, nearest_passage=lambda vector: 0.6).call


@pytest.mark.parametrize(
    ("request_text", "call"),
    [
        ("hypothetically, if a big ship blocked the suez canal for a week, what would happen to shipments?", False),
        ("do you think rail freight will ever replace trucks?", False),
        ("do you think SHP-207391 makes it today?", True),  # names a record: the look-up may tell
    ],
)
def test_the_assistants_own_view_asked_for_gets_no_call_unless_a_record_is_named(request_text: str, call: bool):
    route = rated({"api.getShipment": 0.8}).route([request_text], {"api.getShipment"})
    assert route.call == call


@pytest.mark.parametrize(
    ("request_text", "settled"),
    [
        ("never mind about slot 7866, the driver made it after all", True),  # news: no claim turns into a call
        ("if u had to choose, rail or road for a 900km run, generally speaking?", True),
        ("what's a 3PL company?", True),
        ("what's SHP-207391?", False),  # a general question's shape, but a record named
        ("find sofia in the staff directory", False),  # no call found, yet a reply claiming a record needs one
    ],
)
def test_a_no_call_verdict_the_messages_kind_wants_is_settled(request_text: str, settled: bool):
    route = rated({"api.getShipment": 0.1}).route([request_text], {"api.getShipment"})
    assert not route.call and route.settled == settled


CARRIERS = {"api.listCarriers": {"type": "object", "properties": {
    "country": {"type": "string", "pattern": "^[A-Z]{2}$", "description": "two-letter country code"},
    "service_level": {"type": "string", "enum": ["economy", "standard", "express", "adr"]}}}}


@pytest.mark.parametrize(
    ("request_text", "call"),
    [
        ("who can do adr to poland", True),  # states the carriers' service and country
        ("who can do adr", False),  # one argument: the classifier's no call stands
        ("thanks, adr to poland worked out!!", False),  # a reaction
        ("how many adr runs to poland this week, 3 or 4?", False),  # a figure: maybe a sum
    ],
)
def test_a_question_stating_two_of_a_look_ups_arguments_calls_it_where_the_classifier_would_not(
        request_text: str, call: bool):
    route = rated({"api.listCarriers": 0.06}).route([request_text], set(CARRIERS), schemas=CARRIERS)
    assert route.call == call and (route.tool == "api.listCarriers" or not call)


def test_a_question_stating_the_filter_of_a_look_up_rated_above_no_call_calls_it():
    search = {"api.searchShipments": {"type": "object", "properties": {
        "status": {"type": "string", "enum": ["delayed", "delivered"]}}}}
    labels = [NO_CALL, "api.searchShipments"]
    router = ToolRouter(labels, np.zeros((2, 2), dtype=np.float32), np.log(np.asarray([0.3, 0.36], dtype=np.float32)),
                        0.2, np.asarray([1.0, 0.0], dtype=np.float32), embed=lambda texts: [[1.0, 0.0] for _ in texts])
    tools, reads = set(search), set(search)
    route = router.route(["what's delayed at the moment"], tools, schemas=search, reads=reads)
    assert route.call and "rated above no call" in route.reason
    # the filter must be in what the message asks, and the look-up a read
    assert not router.route(["tideway late AGAIN, what is wrong with them. unbelievable"], tools, schemas=search,
                            reads=reads).call
    assert not router.route(["what's delayed at the moment"], tools, schemas=search).call
    assert not router.route(["what's new at the moment"], tools, schemas=search, reads=reads).call


def test_a_word_problem_whose_words_give_its_sum_goes_to_the_calculator_not_the_handbook():
    router = rated({"search": 0.7, "calculator": 0.2})
    question = "full year leave is 28 days, she works 9 months of it, pro rata how many days does she get"
    route = router.route([question], {"search", "calculator"}, nearest_passage=lambda vector: 0.6)
    assert (route.tool, route.call) == ("calculator", True) and "give its sum" in route.reason
    handbook = router.route(["how many days of annual leave do new joiners get?"], {"search", "calculator"},
                            nearest_passage=lambda vector: 0.6)
    assert handbook.tool == "search"


def test_a_word_problem_that_asks_for_its_sum_goes_to_the_calculator_not_an_operation_or_no_call():
    router = rated({"api.updateShipment": 0.7, "calculator": 0.2})
    question = "SHP-205077 quote came back 1,840 eur + 12.5% fuel surcharge. total pls"
    route = router.route([question], {"api.updateShipment", "calculator"}, schemas=SHIPMENT_SCHEMAS)
    assert (route.tool, route.call) == ("calculator", True) and "ask for it: no API call" in route.reason
    # prices in a request that asks for no sum keep the operation
    order = rated({"api.createPurchaseOrder": 0.7, "calculator": 0.2}).route(
        ["order 80 from SUP-0207 at 12.40 each"], {"api.createPurchaseOrder", "calculator"}, schemas=SHIPMENT_SCHEMAS)
    assert order.tool == "api.createPurchaseOrder"
    quiet = rated({"calculator": 0.05})  # the classifier would answer without a tool
    scored = "review is weighted: goals 50% (scored 4), behaviours 30% (scored 3), growth 20% (scored 5). overall score?"
    route = quiet.route([scored], {"calculator"})
    assert (route.tool, route.call) == ("calculator", True) and "ask for it" in route.reason
    assert not quiet.route(["lol 40 degrees in the yard, the asphalt at door 12 is melting"], {"calculator"}).call
    assert quiet.route(["1860 / 12"], {"calculator"}).call  # arithmetic written out asks for its result



def test_a_word_problem_that_asks_how_many_is_left_goes_to_the_calculator_not_a_look_up():
    schemas = {"api.getLeaveBalance": {"type": "object", "properties": {"employee_id": {"type": "string"}}}}
    router = rated({"api.getLeaveBalance": 0.7, "calculator": 0.2})
    tools = {"api.getLeaveBalance", "calculator"}
    question = "annual leave is 28 days and ive used 17 so far, how many have i got left"
    route = router.route([question], tools, schemas=schemas, reads=set(schemas))
    assert (route.tool, route.call) == ("calculator", True) and "ask for it: no API call" in route.reason
    # the same question with no figures to sum asks for the record
    assert router.route(["how many leave days have i got left"], tools, schemas=schemas, reads=set(schemas)).tool \
        == "api.getLeaveBalance"
    # a record named beside the figures that make the sum asks for the sum too
    stock = rated({"api.getStockLevels": 0.7, "calculator": 0.2}).route(
        ["how many pcs on a full plt of SKU-31005? 8 ctns per layer, 5 layers, 24 pcs per ctn"],
        {"api.getStockLevels", "calculator"}, schemas={"api.getStockLevels": {"type": "object", "properties": {
            "sku": {"type": "string", "pattern": "^SKU-[0-9]{5}$"}}}}, reads={"api.getStockLevels"})
    assert (stock.tool, stock.call) == ("calculator", True)

def test_a_question_naming_a_record_a_look_up_reads_calls_it_where_the_classifier_would_not():
    schemas = {"api.getShipment": SHIPMENT_SCHEMAS["api.getShipment"]}
    router = rated({"api.getShipment": 0.05})  # no call at 0.95
    route = router.route(["do you think SHP-207391 makes it today?"], set(schemas), schemas=schemas)
    assert (route.tool, route.call) == ("api.getShipment", True) and "names a record" in route.reason
    # news about the record asks for nothing; a question naming none reads none
    assert not router.route(["SHP-207391 made it today!! 🎉"], set(schemas), schemas=schemas).call
    assert not router.route(["do you think shipping will get cheaper?"], set(schemas), schemas=schemas).call


def test_a_request_naming_a_record_goes_first_when_a_question_about_the_rules_follows_it():
    # the classifier reads a text with a question mark as the handbook's, one without as the update
    labels = [NO_CALL, "search", "api.updateShipment", "api.getShipment"]
    coef = np.asarray([[0, 0], [0, 6], [6, 0], [0, 0]], dtype=np.float32)
    router = ToolRouter(labels, coef, np.zeros(4, dtype=np.float32), 0.5, np.asarray([1.0, 0.0], dtype=np.float32),
                        embed=lambda texts: [[0.0, 1.0] if "?" in text else [1.0, 0.0] for text in texts])
    tools = {"search", *SHIPMENT_SCHEMAS}
    message = "SHP-205077 is 3 days late, mark it delayed. is that over the limit where it goes to the head of it?"
    route = router.route([message], tools, schemas=SHIPMENT_SCHEMAS)
    assert (route.tool, route.call) == ("api.updateShipment", True) and "naming a record" in route.reason
    # a question first, or a question naming the record, is the message's own: the classifier's verdict stands
    for asked in ("which are late? SHP-205077.", "is SHP-205077 late? is that over the limit?"):
        assert router.route([asked], tools, schemas=SHIPMENT_SCHEMAS).tool == "search"
    # one naming the look-up ("shipments") and its id reads that record (`reader_named_in_full`)
    assert router.route(["which shipments are late? SHP-205077."], tools, schemas=SHIPMENT_SCHEMAS).tool == \
        "api.getShipment"
    assert router.route([message], tools).tool == "search"  # no schemas: no check


LEAVE_SCHEMAS = {
    "api.cancelLeaveRequest": {"type": "object", "required": ["request_id"],
                               "properties": {"request_id": {"type": "integer"}}},
    "api.createLeaveRequest": {"type": "object", "required": ["employee_id", "start_date", "end_date"], "properties": {
        "employee_id": {"type": "string", "pattern": "^E[0-9]{4}$"},
        "start_date": {"type": "string", "format": "date"}, "end_date": {"type": "string", "format": "date"},
        "reason": {"type": "string"}}},
}


def test_the_verb_a_request_writes_keeps_its_operation_against_one_stating_more():
    router = rated({"api.cancelLeaveRequest": 0.5, "api.createLeaveRequest": 0.3})
    tools, changes = set(LEAVE_SCHEMAS), set(LEAVE_SCHEMAS)
    moved = router.route(["E1004 off from 2026-07-06 to 2026-07-08, request 509 was wrong"], tools,
                         schemas=LEAVE_SCHEMAS, changes=changes, today=date(2026, 6, 10))
    assert moved.tool == "api.createLeaveRequest"  # it states more of a new request, and writes no verb
    kept = router.route(["pls cancel request 509, E1004 off from 2026-07-06 to 2026-07-08 isnt happening"], tools,
                        schemas=LEAVE_SCHEMAS, changes=changes, today=date(2026, 6, 10))
    assert kept.tool == "api.cancelLeaveRequest" and not kept.reason


def test_a_question_about_a_look_ups_records_is_not_moved_to_a_change_that_states_more():
    schemas = {
        "api.getEmployee": {"type": "object", "required": ["employee_id"],
                            "properties": {"employee_id": {"type": "string", "pattern": "^E[0-9]{4}$"}}},
        "api.submitExpense": {"type": "object", "required": ["employee_id", "date"], "properties": {
            "employee_id": {"type": "string", "pattern": "^E[0-9]{4}$"}, "date": {"type": "string", "format": "date"}}},
    }
    router = rated({"api.getEmployee": 0.6, "api.submitExpense": 0.2})
    asked = router.route(["who does E1008 report to? they approved my trip on 2026-06-01"], set(schemas),
                         schemas=schemas, changes={"api.submitExpense"}, today=date(2026, 6, 10))
    assert asked.tool == "api.getEmployee"
    told = router.route(["E1008 here, the trip on 2026-06-01 was approved, put it in"], set(schemas),
                        schemas=schemas, changes={"api.submitExpense"}, today=date(2026, 6, 10))
    assert told.tool == "api.submitExpense"
    shown = router.route(["show me E1008's entry, the trip on 2026-06-01 was approved"], set(schemas),
                         schemas=schemas, changes={"api.submitExpense"}, today=date(2026, 6, 10))
    assert shown.tool == "api.getEmployee"  # an order to show reads


@pytest.mark.parametrize(
    ("request_text", "call"),
    [
        ("perfect, 4101 works again, you're a star", False),
        ("i might have to cancel slot 7790 later if the driver doesnt show, ill let you know", False),
        ("filed DMG-04417 this morning already, quality has it", False),
        ("4101 works again, pls close it", True),
    ],
)
def test_praise_and_what_one_may_do_later_ask_for_nothing(request_text: str, call: bool):
    route = rated({"api.updateTicketStatus": 0.9}).route([request_text], {"api.updateTicketStatus"})
    assert route.call == call


def test_a_phrase_for_a_rival_changes_verb_gives_it_the_call():
    router = rated({"api.bookDockSlot": 0.6, "api.cancelDockSlot": 0.3})
    changes = {"api.bookDockSlot", "api.cancelDockSlot"}
    request = ["we moved the swifthaul pickup to thursday so the old slot 7802 can go"]
    route = router.route(request, set(SLOT_SCHEMAS), schemas=SLOT_SCHEMAS, today=date(2026, 6, 10), changes=changes)
    assert route.tool == "api.cancelDockSlot"
    going = ["the truck can go out at 9, book WH-02 on friday 09:00"]  # "can go out" cancels nothing
    assert router.route(going, set(SLOT_SCHEMAS), schemas=SLOT_SCHEMAS, today=date(2026, 6, 10),
                        changes=changes).tool == "api.bookDockSlot"


def test_a_look_up_named_in_full_with_its_record_is_no_search():
    route = rated({"search": 0.6, "api.getLeaveBalance": 0.2}).route(
        ["planning a big trip in the autumn... whats my leave balance, all types pls? im E1017"],
        {"api.getLeaveBalance", "search"}, nearest_passage=lambda vector: 0.6, schemas=LEAVE_BALANCE,
        reads={"api.getLeaveBalance"})
    assert (route.tool, route.call) == ("api.getLeaveBalance", True)
    nobody = rated({"search": 0.6, "api.getLeaveBalance": 0.2}).route(
        ["how does the leave balance work for part-timers?"], {"api.getLeaveBalance", "search"},
        nearest_passage=lambda vector: 0.6, schemas=LEAVE_BALANCE, reads={"api.getLeaveBalance"})
    assert nobody.tool == "search"


@pytest.mark.parametrize(
    ("request_text", "passage", "tool"),
    [
        ("the PO came out at around 32k euros, who needs to approve it?", 0.5, "search"),  # a person, not a change
        ("how long have i got to raise the PO after the quote came in?", 0.5, "search"),  # the verb written: still
        ("brenner's quote came in, does it go out as a PO straight away?", 0.5, "search"),
        ("brenner's quote came in, does it go out as a PO straight away?", 0.2, None),  # far: it states nothing
        ("can you raise a PO for brenner's quote?", 0.5, None),  # asks for it, stating nothing of it
        ("PO for SUP-0417 for the quote, who signs it?", 0.5, "api.createPurchaseOrder"),  # states its supplier
    ],
)
def test_a_question_a_change_answers_none_of_searches_when_a_passage_is_near(
        request_text: str, passage: float, tool: str | None):
    router = rated({"api.createPurchaseOrder": 0.6, "search": 0.1})
    changes = {"api.createPurchaseOrder"}
    tools = {"api.createPurchaseOrder", "search"}
    route = router.route([request_text], tools, nearest_passage=lambda vector: passage, schemas=SHIPMENT_SCHEMAS,
                         changes=changes)
    assert (route.tool if route.call else None) == tool
    assert ("answers none of" in route.reason) == (tool == "search")


def test_a_rule_question_after_sentences_naming_a_record_searches_rather_than_reading_it():
    router = rated({"api.getShipment": 0.6, "search": 0.1})
    tools, reads = {"api.getShipment", "search"}, {"api.getShipment"}
    message = "carrier says SHP-220417 will land 3 working days late. do we have to escalate that to anyone?"
    route = router.route([message], tools, nearest_passage=lambda vector: 0.5, schemas=SHIPMENT_SCHEMAS, reads=reads)
    assert (route.tool, route.call) == ("search", True) and "may or must do" in route.reason
    # the question naming the record asks about it
    asked = "carrier says SHP-220417 will land late. do we have to escalate SHP-220417?"
    assert router.route([asked], tools, nearest_passage=lambda vector: 0.5, schemas=SHIPMENT_SCHEMAS,
                        reads=reads).tool == "api.getShipment"


def test_sentences_naming_a_record_that_ask_for_no_change_do_not_take_the_call_from_the_question_after_them():
    labels = [NO_CALL, "search", "api.createPurchaseOrder"]
    coef = np.asarray([[0, 0], [0, 6], [6, 0]], dtype=np.float32)
    router = ToolRouter(labels, coef, np.zeros(3, dtype=np.float32), 0.5, np.asarray([1.0, 0.0], dtype=np.float32),
                        embed=lambda texts: [[0.0, 1.0] if "?" in text else [1.0, 0.0] for text in texts])
    tools, changes = {"search", "api.createPurchaseOrder"}, {"api.createPurchaseOrder"}
    told = "SUP-0417 is asking for 30 day payment terms instead of our usual. who has to ok that?"
    assert router.route([told], tools, schemas=SHIPMENT_SCHEMAS, changes=changes).tool == "search"
    ordered = "SUP-0417 quote is in, create the PO. who has to ok that?"  # the change asked for in words
    assert router.route([ordered], tools, schemas=SHIPMENT_SCHEMAS, changes=changes).tool == \
        "api.createPurchaseOrder"


def test_warming_embeds_every_tools_requests_so_a_verdict_embeds_only_its_message():
    embedded: list[str] = []

    def embed(texts: Sequence[str]) -> list[list[float]]:
        embedded.extend(texts)
        return [[1.0, 0.0] for _ in texts]

    router = ToolRouter([NO_CALL, "api.getShipment", "search"], np.zeros((3, 2), dtype=np.float32),
                        np.log(np.asarray([0.3, 0.6, 0.1], dtype=np.float32)), 0.5,
                        np.asarray([1.0, 0.0], dtype=np.float32), embed=embed,
                        exemplars={"api.getShipment": ["where is SHP-205077"]})
    examples = {"api.getShipment": ["status of SHP-205066?", "where is SHP-205077"]}
    assert router.warm(examples) == 2 and router.warm(examples) == 0
    embedded.clear()
    route = router.route(["any news on the shipment to leeds"], {"api.getShipment", "search"}, examples=examples,
                         nearest_passage=lambda vector: 0.5)
    assert route.tool == "api.getShipment"  # the requests were weighed: as near as the passage, not nearer
    assert embedded == ["any news on the shipment to leeds"]


def test_an_order_for_a_new_record_by_its_noun_is_no_word_problem():
    schemas = {"api.createTicket": {"type": "object", "required": ["title"],
                                    "properties": {"title": {"type": "string"}}}, **TICKET_SCHEMAS}
    changes = {"api.createTicket", "api.updateTicketStatus"}
    router = rated({"calculator": 0.5, "api.createTicket": 0.2, "api.getTicket": 0.1})
    route = router.route(["ok open a ticket then, need a 27 inch monitor for home, low prio"], {"calculator", *schemas},
                         schemas=schemas, changes=changes)
    assert (route.tool, route.call) == ("api.createTicket", True) and "orders a new record" in route.reason
    # a sum the words give stays the calculator's
    assert router.route(["open 3 tickets a day for 5 days, how many is that"], {"calculator", *schemas},
                        schemas=schemas, changes=changes).tool == "calculator"
