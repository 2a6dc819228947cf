"""The tool prior: fitted on the development sets' messages (never a test set's), saved as plain numbers, refused
with another embedder, and weighed last by the router, where only a message that asks for the call in words keeps
a call the prior reads as chat.

A bag-of-words embedder stands in for the sentence embedder, except in the check of the shipped file.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from assistant.paths import DATA_DIR
from assistant.router import (
    NO_CALL,
    PROBE_TEXT,
    SAME_EMBEDDER,
    TOOL_PRIOR_FLOOR,
    ToolRouter,
)
from assistant.tool_prior import (
    TOOL_PRIOR_FILE,
    PriorMismatch,
    ToolPrior,
    load_tool_prior,
)
from finetune.tool_prior_fit import (
    Message,
    development_files,
    fit_prior,
    fit_prior_from_files,
    read_messages,
)
from tests.test_router import bag_of_words

REQUESTS = ["cancel leave request 508", "show ticket 4101", "book room zephyr friday", "what is 12 times 7",
            "status of shipment SHP-205001", "list open tickets", "how many days of leave do i get"]
CHAT = ["thanks that was great", "we ended up in zephyr yesterday, worked fine", "lol who packed this",
        "early shift done see you tomorrow", "tell me a joke", "ugh mondays"]


def messages(company: str = "demo") -> list[Message]:
    return [*(Message(text, True, company) for text in REQUESTS), *(Message(text, False, company) for text in CHAT)]


def test_a_fitted_prior_tells_requests_from_chat_and_reports_what_it_read():
    prior = fit_prior(messages("demo") + messages("harbor"), bag_of_words)
    wants = prior.probability(np.asarray(bag_of_words(["cancel ticket 4101", "thanks, worked fine"])))
    assert wants[0] > 0.5 > wants[1]
    assert prior.report["messages"] == 2 * (len(REQUESTS) + len(CHAT)) and prior.report["want_none"] == 2 * len(CHAT)
    assert set(prior.report["transfer_auc"]) == {"demo", "harbor"}  # each company under the other's prior
    assert set(fit_prior(messages(), bag_of_words).report["transfer_auc"]) == set()  # one company: nothing to say
    with pytest.raises(ValueError, match="want none"):
        fit_prior([message for message in messages() if message.wants_tool], bag_of_words)


def test_a_saved_prior_is_numbers_and_loads_only_with_its_embedder(tmp_path: Path, caplog):
    prior = fit_prior(messages(), bag_of_words)
    path = prior.save(tmp_path / "router" / "tool_prior.json")
    assert set(json.loads(path.read_text())) == {"version", "coef", "intercept", "probe", "report"}
    probe = np.asarray(bag_of_words([PROBE_TEXT])[0], dtype=np.float32)
    loaded = load_tool_prior(probe, SAME_EMBEDDER, path)
    vectors = np.asarray(bag_of_words(["show ticket 4101", "ugh mondays"]))
    assert loaded is not None and loaded.probability(vectors) == pytest.approx(prior.probability(vectors), abs=1e-4)
    assert load_tool_prior(probe, SAME_EMBEDDER, tmp_path / "none.json") is None
    with caplog.at_level(logging.WARNING):  # another embedder: its weights mean nothing there
        other = np.asarray(bag_of_words([PROBE_TEXT], salt=5)[0], dtype=np.float32)
        assert load_tool_prior(other, SAME_EMBEDDER, path) is None
    assert "another sentence embedder" in caplog.text
    path.write_text('{"version": 1, "coef": [1.0]}')
    with pytest.raises(PriorMismatch, match="not a tool prior file"):
        load_tool_prior(probe, SAME_EMBEDDER, path)
    path.write_text('{"version": 9}')
    with pytest.raises(PriorMismatch, match="version 9"):
        load_tool_prior(probe, SAME_EMBEDDER, path)


def test_the_fit_reads_development_sets_and_never_a_test_set(tmp_path: Path):
    for folder in ("demo/eval", "demo/eval/desk", "demo/test", "examples/harbor/eval_x", "examples/harbor/test"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / "tools.jsonl").write_text('{"q": "thanks!", "tool": null}\n{"q": "x", "tool": "api.a"}\n')
    (tmp_path / "demo/eval/calc_a.jsonl").write_text('{"q": "what is 2 + 2", "answer": 4}\n\n')
    files = development_files(tmp_path)
    named = {company: [str(path.relative_to(tmp_path)) for path in paths] for company, paths in files.items()}
    assert named == {"demo": ["demo/eval/calc_a.jsonl", "demo/eval/desk/tools.jsonl", "demo/eval/tools.jsonl"],
                     "harbor": ["examples/harbor/eval_x/tools.jsonl"]}
    assert development_files(tmp_path, leave_out=["/desk/"])["demo"] == [tmp_path / "demo/eval/calc_a.jsonl",
                                                                          tmp_path / "demo/eval/tools.jsonl"]
    assert [m.wants_tool for m in read_messages(tmp_path / "demo/eval/tools.jsonl", "demo")] == [False, True]
    assert [m.wants_tool for m in read_messages(tmp_path / "demo/eval/calc_a.jsonl", "demo")] == [True]
    prior = fit_prior_from_files(files, bag_of_words, tmp_path)
    assert sorted(prior.report["files"]) == sorted(path for paths in named.values() for path in paths)
    (tmp_path / "demo/eval/tools.jsonl").write_text('{"question": "no q"}\n')
    with pytest.raises(ValueError, match=r"tools.jsonl, line 1: q: Field required"):
        read_messages(tmp_path / "demo/eval/tools.jsonl", "demo")


def test_the_shipped_prior_was_fitted_on_the_development_sets_as_they_are():
    report = json.loads(TOOL_PRIOR_FILE.read_text())["report"]
    fitted = {path: digest for path, digest in report["files"].items()}
    current = {str(path.relative_to(DATA_DIR)): hashlib.sha256(path.read_bytes()).hexdigest()
               for paths in development_files().values() for path in paths}
    assert fitted == current  # a development set added or changed: refit with `python -m finetune.tool_prior_fit`
    assert not any("test" in Path(path).parts for path in fitted)
    assert min(report["transfer_auc"].values()) > 0.9  # one company's messages tell the other's apart


SCHEMAS = {
    "api.cancelLeaveRequest": {"type": "object", "required": ["request_id"],
                               "properties": {"request_id": {"type": "integer"}}},
    "api.listRoomBookings": {"type": "object", "required": ["room"],
                             "properties": {"room": {"type": "string", "enum": ["zephyr", "bora", "mistral"]},
                                            "date": {"type": "string", "format": "date"}}},
}
SCHEMAS["api.updateTicketStatus"] = {"type": "object", "required": ["ticket_id", "status"], "properties": {
    "ticket_id": {"type": "integer"}, "status": {"type": "string", "enum": ["open", "resolved", "closed"]}}}
CHANGES, READS = {"api.cancelLeaveRequest", "api.updateTicketStatus"}, {"api.listRoomBookings"}


def weighed(tool: str, wants: float) -> ToolRouter:
    """A router that calls `tool` on every text (probability 0.9), with a prior that gives every text `wants`."""
    labels, probabilities = [NO_CALL, tool], [0.05, 0.9]
    if tool != "search":
        labels, probabilities = [*labels, "search"], [*probabilities, 0.05]
    intercept = np.log(np.asarray(probabilities, dtype=np.float32))
    prior = ToolPrior(np.zeros(2, dtype=np.float32), float(np.log(wants / (1 - wants))),
                      np.asarray([1.0, 0.0], dtype=np.float32))
    return ToolRouter(labels, np.zeros((len(labels), 2), dtype=np.float32), intercept, 0.5, np.asarray([1.0, 0.0]),
                      embed=lambda texts: [[1.0, 0.0] for _ in texts], prior=prior)


@pytest.mark.parametrize(
    ("request_text", "tool", "call"),
    [
        ("we ended up doing the retro in zephyr yesterday instead, worked fine", "api.listRoomBookings", False),
        ("fix my grammar: 'i has cancel the leave request 506 because the plan are change'", "api.cancelLeaveRequest",
         False),  # the verb is the quoted text's
        ("cancel request 508 please, the trip got moved to autumn", "api.cancelLeaveRequest", True),  # its verb
        ("who's got bora tomorrow? we always seem to clash", "api.listRoomBookings", True),  # a question to a look-up
        ("4109 is fixed, replaced the docking station. mark it resolved", "api.updateTicketStatus", True),  # the state
        ("is 4109 resolved yet? they replaced the docking station", "api.updateTicketStatus", False),  # asked after
    ],
)
def test_a_call_the_prior_reads_as_chat_opens_only_when_the_message_asks_for_it_in_words(
        request_text: str, tool: str, call: bool):
    router = weighed(tool, wants=TOOL_PRIOR_FLOOR / 2)
    route = router.route([request_text], {tool, "search"}, schemas=SCHEMAS, today=date(2026, 6, 10),
                         changes=CHANGES, reads=READS)
    assert route.call == call and route.tool == tool
    assert ("wants no tool" in route.reason) == (not call) and route.settled == (not call)
    served = {"schemas": SCHEMAS, "today": date(2026, 6, 10), "changes": CHANGES, "reads": READS}
    kept = [weighed(tool, wants=min(0.99, TOOL_PRIOR_FLOOR * 1.5)).route([request_text], {tool, "search"}, **served),
            router.route([request_text], {tool, "search"}, **served, prior=False),
            router.route([request_text], {tool, "search"}, **served, checks=False)]
    assert all(route.call for route in kept)  # above the floor, or the prior (or every check) off


@pytest.mark.parametrize(
    ("request_text", "passage", "call"),
    [
        ("for whoever takes over: PO-118377 unloaded at 13:30, paperwork is on the desk", 0.43, False),
        ("from which day of being sick do i need a doctors note", 0.60, True),  # as near as a handbook question's
        ("if i refer a mate and they get hired do i get anything for it?", 0.42, True),  # a question, near enough
        ("handover late shift: 3 trucks still on the yard, door 5 leveller sticks", 0.47, False),
    ],
)
def test_a_search_the_prior_reads_as_chat_stays_where_the_documents_come_near(
        request_text: str, passage: float, call: bool):
    route = weighed("search", wants=TOOL_PRIOR_FLOOR / 2).route([request_text], {"search"},
                                                                  nearest_passage=lambda vector: passage)
    assert route.call == call and route.tool == "search"
    assert ("wants no tool" in route.reason) == (not call)
