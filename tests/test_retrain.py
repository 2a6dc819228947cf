"""The closed loop: rated conversations in the real log -> scrubbed, versioned data -> an adapter trained on
CPU -> a gate over real evaluations -> promoted or rejected; a killed run loses and swaps nothing.

The logic (which feedback is new, scrubbing, the mix, the decision, the config, the schedule) is tested on its
own first; then one scenario runs the whole loop on the 2-layer cut of SmolLM2 with a budget of a few steps.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.config import DATA_DIR, ConfigError, load_config, parse_config
from assistant.events import FinalAnswer, Timings, ToolOutcome
from assistant.store import ConversationStore
from finetune.builders.feedback import FeedbackTurn
from finetune.gate import decide, flatten
from finetune.records import Record
from finetune.retrain_config import DEFAULT_PII_PATTERNS, DEFAULT_TOLERANCE, RetrainConfig
from finetune.retrain_data import (
    Watermark,
    compile_patterns,
    mix,
    scrub_record,
    scrub_text,
    split_feedback,
    tool_queries,
)

SMOKE = DATA_DIR / "train" / "smoke"

# -- which feedback a run takes ------------------------------------------------------------------------------


def turn(feedback_id: int, rating: int, correction: str | None = None) -> FeedbackTurn:
    return FeedbackTurn(feedback_id, [{"role": "user", "content": f"q{feedback_id}"},
                                      {"role": "assistant", "content": "a"}], rating, correction, feedback_id)


def test_feedback_is_split_by_the_last_run_and_the_last_promotion():
    turns = [turn(1, 1), turn(2, 1), turn(3, -1, "better"), turn(4, -1), turn(5, 1), turn(6, 0)]
    split = split_feedback(turns, Watermark(last_run=3, last_promoted=1))
    assert [t.feedback_id for t in split.new] == [5]  # 4 and 6 are new but teach nothing
    assert split.ignored_new == 2 and split.newest_id == 6
    assert [t.feedback_id for t in split.pending] == [2, 3, 5]  # 2 and 3 ran, but their run was rejected
    assert [t.feedback_id for t in split.earlier] == [1]
    assert split_feedback(turns, Watermark(6, 6)).new == []


# -- personal data ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, scrubbed", [
    ("Mail jan.de.vries@northwind.example today", "Mail [EMAIL] today"),
    ("Call +31 20 555 1234 or (555) 123-4567 or +31205551234.", "Call [PHONE] or [PHONE] or [PHONE]."),
    ("Card 4111 1111 1111 1111, SSN 123-45-6789", "Card [CARD], SSN [SSN]"),
    ("Account 123456789012 and IBAN NL91 ABNA 0417 1643 00", "Account [ID_NUMBER] and IBAN [IBAN]"),
    # What staff ask the calculator and the APIs stays as it is.
    ("What is 12 times 7? Add 1250 and 980, then 0.15*240.", None),
    ("Book Aurora on 2025-03-03 at 10:00 for E1011; pay 1,234,567.89 EUR", None),
])
def test_default_patterns_scrub_personal_data_in_any_order(text: str, scrubbed: str | None):
    for order in (list(DEFAULT_PII_PATTERNS), sorted(DEFAULT_PII_PATTERNS), list(reversed(DEFAULT_PII_PATTERNS))):
        patterns = compile_patterns({name: DEFAULT_PII_PATTERNS[name] for name in order})
        assert scrub_text(text, patterns) == (scrubbed or text)


def test_scrubbing_a_record_keeps_its_call_arguments_valid_json_and_counts_matches():
    patterns = compile_patterns({**DEFAULT_PII_PATTERNS, "badge": r"\bB-\d{4}\b"})
    call = {"id": "call_0", "type": "function",
            "function": {"name": "api.sendMail", "arguments": json.dumps({"to": "ann@corp.example", "badge": "B-1234",
                                                                          "account": 123456789012, "count": 3})}}
    record = Record("feedback", "api.sendMail", [
        {"role": "user", "content": "Mail ann@corp.example about badge B-1234"},
        {"role": "assistant", "content": "", "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "call_0", "name": "api.sendMail",
         "content": '{"sent_to": "ann@corp.example"}'},
        {"role": "assistant", "content": "Sent."},
    ])
    counts: Counter[str] = Counter()
    clean = scrub_record(record, patterns, counts)
    assert clean.messages[0]["content"] == "Mail [EMAIL] about badge [BADGE]"
    arguments = json.loads(clean.messages[1]["tool_calls"][0]["function"]["arguments"])
    assert arguments == {"to": "[EMAIL]", "badge": "[BADGE]", "account": "[ID_NUMBER]", "count": 3}
    assert clean.messages[2]["content"] == '{"sent_to": "[EMAIL]"}'
    assert counts == {"email": 3, "badge": 2, "id_number": 1}
    assert record.messages[0]["content"].startswith("Mail ann@")  # the input is left as it was


# -- the mix and the eval items ----------------------------------------------------------------------------


def _record(text: str, tool: str | None = None) -> Record:
    return Record("feedback", tool, [{"role": "user", "content": text}, {"role": "assistant", "content": "ok"}])


def test_the_mix_keeps_every_feedback_record_and_samples_the_base_data():
    feedback = [_record(f"f{i}") for i in range(3)]
    base = [_record(f"b{i}") for i in range(20)] + [feedback[0]]
    mixed = mix(feedback, base, per_feedback=2.0, seed=1)
    assert {r.id for r in feedback} <= {r.id for r in mixed}
    assert len(mixed) in (8, 9) and len({r.id for r in mixed}) == len(mixed)  # a duplicate is kept once
    assert [r.id for r in mix(feedback, base, 2.0, seed=1)] == [r.id for r in mixed]
    assert len(mix(feedback, base[:2], per_feedback=5.0, seed=1)) == 5  # all the base there is


def test_tool_queries_name_the_call_a_good_answer_made():
    called = Record("feedback", "api.getLeaveBalance", [
        {"role": "user", "content": "Leave of E1011?"},
        {"role": "assistant", "content": "", "tool_calls": [{"id": "call_0", "type": "function", "function": {
            "name": "api.getLeaveBalance", "arguments": '{"employee_id": "E1011"}'}}]},
        {"role": "tool", "tool_call_id": "call_0", "name": "api.getLeaveBalance", "content": "{}"},
        {"role": "assistant", "content": "12 days."}])
    assert tool_queries([called, _record("Hi")]) == [
        {"q": "Leave of E1011?", "tool": "getLeaveBalance", "args": {"employee_id": "E1011"}},
        {"q": "Hi", "tool": None, "args": {}}]


# -- the decision ---------------------------------------------------------------------------------------------


def gate_config(**changes: Any) -> RetrainConfig:
    return RetrainConfig.model_validate({"tolerance": {"fixed.loss": 0.05, "fixed.tools.selection_accuracy": 0.02,
                                                       "regression.loss": 0.05}, **changes})


PARENT = {"fixed.loss": 2.0, "fixed.tools.selection_accuracy": 0.60, "feedback.loss": 3.0}


def test_the_gate_promotes_only_what_is_better_on_feedback_and_not_worse_elsewhere():
    better = decide(PARENT, {"fixed.loss": 2.04, "fixed.tools.selection_accuracy": 0.59, "feedback.loss": 1.5},
                    gate_config())
    assert better.passed and better.reason.startswith("better on feedback.loss (3 -> 1.5)")
    assert "2 tracked metric(s)" in better.reason  # regression.loss: an empty set, reported, not gated
    assert next(c for c in better.checks if c.metric == "regression.loss").note == "empty set"

    forgot = decide(PARENT, {"fixed.loss": 2.3, "fixed.tools.selection_accuracy": 0.5, "feedback.loss": 1.5},
                    gate_config())
    assert not forgot.passed
    assert forgot.reason == ("fixed.loss worse by 0.3 (2 -> 2.3; tolerance 0.05); fixed.tools.selection_accuracy "
                             "worse by 0.1 (0.6 -> 0.5; tolerance 0.02)")

    learned_nothing = decide(PARENT, {**PARENT}, gate_config())
    assert not learned_nothing.passed and learned_nothing.reason == "not better on feedback.loss (3 -> 3)"
    assert not decide(PARENT, {**PARENT, "feedback.loss": 2.95}, gate_config(min_improvement=0.1)).passed
    diverged = decide(PARENT, {**PARENT, "fixed.loss": math.nan, "feedback.loss": 1.0}, gate_config())
    assert not diverged.passed and "fixed.loss worse by inf" in diverged.reason
    unmeasured = decide({"fixed.loss": 2.0}, {"fixed.loss": 1.0}, gate_config())
    assert not unmeasured.passed and "feedback.loss was not measured" in unmeasured.reason


def test_a_tracked_metric_unmeasured_on_a_set_that_has_items_fails_the_gate():
    """The regression set holds records, but its loss could not be measured (none fit, say): no pass."""
    parent = {**PARENT, "regression.records": 4.0}
    candidate = {"fixed.loss": 2.0, "fixed.tools.selection_accuracy": 0.6, "feedback.loss": 1.0,
                 "regression.records": 4.0}
    decision = decide(parent, candidate, gate_config())
    assert not decision.passed
    assert decision.reason == ("regression.loss was not measured, so the candidate cannot be shown to be no worse")


def test_flatten_names_every_figure_by_its_dotted_path():
    tools = {"selection_accuracy": 0.5, "per_tool": {"x": {"f1": 1}}}
    measured = {"fixed": {"loss": 2.0, "records": 3, "tools": tools},
                "feedback": {"loss": None}}
    assert flatten(measured) == {"fixed.loss": 2.0, "fixed.records": 3.0, "fixed.tools.selection_accuracy": 0.5,
                                 "fixed.tools.per_tool.x.f1": 1.0}


# -- config and schedule --------------------------------------------------------------------------------------


@pytest.mark.parametrize("section, message", [
    ({"schedule": "every night"}, "not a cron line"),
    ({"pii_patterns": {"bad": "("}}, "pii_patterns.bad: not a valid regex"),
    ({"tolerance": {"loss": 0.1}}, "loss: a metric is <set>.loss"),
    ({"improve_on": "training.loss"}, "training.loss: a metric is"),
    ({"tolerance": {"fixed.loss": -1}}, "must not be negative"),
    ({"min_feedbak": 3}, "retrain.min_feedbak: unknown key"),
])
def test_bad_retrain_sections_are_named(section: dict, message: str):
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        parse_config({"retrain": section})


def test_the_schedule_runs_the_retrain_in_the_background_at_its_cron_times(tmp_path: Path):
    from finetune.schedule import JOB_ID, start_retrain_schedule

    assert start_retrain_schedule(parse_config({}), tmp_path) is None  # no schedule: nothing starts
    ran = threading.Event()
    calls: list[tuple] = []
    config = parse_config({"retrain": {"schedule": "30 2 * * *"}})
    scheduler = start_retrain_schedule(config, tmp_path, retrain=lambda *args: calls.append(args) or ran.set())
    try:
        job = scheduler.get_job(JOB_ID)
        assert (job.next_run_time.hour, job.next_run_time.minute) == (2, 30)
        assert job.max_instances == 1
        job.modify(next_run_time=datetime.now(job.next_run_time.tzinfo))  # due now
        assert ran.wait(10)
        assert calls == [(config, tmp_path)]
    finally:
        scheduler.shutdown(wait=False)


def test_a_scheduled_run_is_assistant_retrain_in_a_child_process_at_lower_priority(tmp_path: Path):
    from filelock import FileLock

    from finetune.retrain import LOCK_FILE, RETRAIN_DIR
    from finetune.schedule import RETRAIN_NICENESS, SCHEDULED_LOG, _lower_priority, scheduled_retrain

    config = parse_config({"retrain": {"schedule": "30 2 * * *", "min_feedback": 3}})
    assert scheduled_retrain(config, tmp_path) == 0
    log = (tmp_path / RETRAIN_DIR / SCHEDULED_LOG).read_text()
    assert "nothing new since the last run: not retraining" in log
    # the child read the server's own config, overrides included
    assert load_config(tmp_path / RETRAIN_DIR / "scheduled-config.yaml").retrain.min_feedback == 3
    with FileLock(str(tmp_path / RETRAIN_DIR / LOCK_FILE)):  # a run still going: the child says so and fails
        assert scheduled_retrain(config, tmp_path) == 2
    assert "another retrain is running" in (tmp_path / RETRAIN_DIR / SCHEDULED_LOG).read_text()
    niceness = subprocess.run([sys.executable, "-c", "import os; print(os.nice(0))"], preexec_fn=_lower_priority,
                              capture_output=True, text=True, check=True).stdout
    assert int(niceness) == min(os.nice(0) + RETRAIN_NICENESS, 19)  # 19: the lowest priority there is


def test_a_second_run_is_refused_while_one_holds_the_lock(tmp_path: Path):
    from filelock import FileLock

    from finetune.retrain import LOCK_FILE, RETRAIN_DIR, RetrainBusy, run_retrain

    (tmp_path / RETRAIN_DIR).mkdir()
    with FileLock(str(tmp_path / RETRAIN_DIR / LOCK_FILE)):
        with pytest.raises(RetrainBusy, match="another retrain is running"):
            run_retrain(parse_config({}), tmp_path, trigger="test")
    outcome = run_retrain(parse_config({}), tmp_path, trigger="test")  # the lock is free again
    assert outcome.status == "nothing-new" and outcome.message == "nothing new since the last run: not retraining"


# -- the whole loop, on a real log and real training ------------------------------------------------------


def final(answer: str, call: dict[str, Any] | None = None, result: Any = None) -> FinalAnswer:
    messages: list[dict[str, Any]] = []
    outcomes = []
    if call is not None:
        payload = {"expression": call["expression"], "result": str(result), "numeric": float(result)}
        messages += [{"role": "assistant", "content": f"<tool:calculator>{json.dumps(call)}"},
                     {"role": "tool", "content": json.dumps({"result": payload}), "name": "calculator"}]
        outcomes.append(ToolOutcome("calculator", call, "ran", payload))
    messages.append({"role": "assistant", "content": answer})
    return FinalAnswer(answer, outcomes, [], messages, Timings(10, 5, 3, 0.1, 0.01, 0.3), "end_of_turn")


EMAIL = "finance@northwind.example"
FIRST_FEEDBACK = [  # question, logged answer, call, result, rating, correction
    ("What is 23 times 4?", "23 × 4 = 92.", {"expression": "23*4"}, 92, 1, None),
    ("How much is 12% of 250?", "It is 25.", {"expression": "0.12*250"}, 30, -1, "12% of 250 is 30."),
    ("Who handles expense claims?", "I don't know.", None, None, -1,
     f"Finance does: write to {EMAIL} or call +31 20 555 1234."),
    ("Thanks, that's all.", "You're welcome!", None, None, 1, None),
    ("What is 7 plus 35?", "7 + 35 = 42.", {"expression": "7+35"}, 42, 1, None),
    ("Tell me a joke.", "No.", None, None, -1, None),  # teaches nothing: ignored
]
SECOND_FEEDBACK = [
    ("What is 15 times 3?", "15 × 3 = 45.", {"expression": "15*3"}, 45, 1, None),
    ("Where is the IT helpdesk?", "Downstairs.", None, None, -1, "Room 2.14, or mail helpdesk@northwind.example."),
    ("Subtract 17 from 100.", "100 - 17 = 83.", {"expression": "100-17"}, 83, 1, None),
]


def log_feedback(store: ConversationStore, rows: list[tuple]) -> None:
    conversation = store.start_conversation("ann", "work")
    for question, answer, call, result, rating, correction in rows:
        turn_id = store.log_turn(conversation, question, final(answer, call, result), "smollm2")
        store.add_feedback(turn_id, "ann", rating, correction)


def snapshot(home: Path) -> dict[str, Any]:
    """Everything a retrain may change once it finishes, and the log it must never change."""
    def names(folder: Path) -> list[str]:
        return sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) if folder.is_dir() else []

    pointer, state = home / "adapters" / "serving.json", home / "retrain" / "state.json"
    db = sqlite3.connect(home / "conversations.db")
    try:
        tables = {table: db.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
                  for table in ("conversations", "turns", "feedback")}
    finally:
        db.close()
    return {"pointer": pointer.read_text() if pointer.is_file() else None, "adapters": names(home / "adapters"),
            "datasets": names(home / "datasets"), "state": state.read_text() if state.is_file() else None, "db": tables}


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(json.loads(json.dumps(data, default=str))), encoding="utf-8")
    return path


def cli(*args: str) -> tuple[int, str]:
    from assistant.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


@pytest.fixture(scope="module")
def loop(
    smollm2_two_layers: Path, tmp_path_factory: pytest.TempPathFactory, single_torch_thread: None
) -> dict[str, Any]:
    """One state directory through the loop: dry run, too little feedback, a run killed mid-training, a run
    that promotes, a run with nothing new, and, after more feedback, a deliberately worse candidate."""
    from finetune.retrain import run_retrain

    root = tmp_path_factory.mktemp("loop")
    home = root / "home"
    store = ConversationStore(home / "conversations.db")
    log_feedback(store, FIRST_FEEDBACK)

    base = root / "base"  # the base dataset: the smoke records (the search one aside: no search tool here)
    base.mkdir()
    (base / "train.jsonl").write_text("".join(line + "\n" for line in (SMOKE / "train.jsonl").read_text().splitlines()
                                              if '"tool": "search"' not in line))
    (base / "eval.jsonl").write_text((SMOKE / "eval.jsonl").read_text())
    eval_dir = root / "eval"  # the fixed eval set
    eval_dir.mkdir()
    (eval_dir / "tools.jsonl").write_text("".join(json.dumps(row) + "\n" for row in [
        {"q": "What is 9 times 8?", "tool": "calculator", "args": {"expression": "9*8"}},
        {"q": "How many sick days does E1011 have left?", "tool": "getLeaveBalance", "args": {"employee_id": "E1011"}},
        {"q": "Good morning!", "tool": None, "args": {}}]))
    (eval_dir / "calc.jsonl").write_text(json.dumps({"q": "What is 9 times 8?", "answer": 72}) + "\n")

    def train_yaml(name: str, save_steps: int = 1000, **optim: Any) -> Path:
        return write_yaml(root / f"{name}.yaml", {
            "data": {"max_seq_len": 384}, "lora": {"r": 8, "alpha": 16, "dropout": 0.0},
            "optim": {"batch_size": 2, "learning_rate": 3e-3, "warmup_ratio": 0.0,
                      "lr_scheduler": "constant_with_warmup", **optim},
            "output": {"dir": "unused", "save_steps": save_steps, "logging_steps": 1}})

    def assistant_yaml(name: str, train_config: Path, **retrain: Any) -> Path:
        return write_yaml(root / f"{name}-config.yaml", {
            "model": {"path": smollm2_two_layers, "device": "cpu"},
            "tools": {"catalog": {"path": DATA_DIR / "demo" / "catalog.yaml"}, "retrieval": {"enabled": False}},
            "start_demo_api": False,
            "retrain": {"min_feedback": 3, "base_data": base, "base_per_feedback": 2.0, "train_config": train_config,
                        "max_steps": 4, "eval_dir": eval_dir, "eval_limit": 6, "eval_max_new_tokens": 8,
                        "tolerance": tracked, **retrain}})

    # The default tolerances less the documents metric: this eval set has no document questions, and a tracked
    # metric that cannot be measured fails the gate.
    tracked = {key: value for key, value in DEFAULT_TOLERANCE.items() if ".documents." not in key}

    good = assistant_yaml("good", train_yaml("good"))
    result: dict[str, Any] = {"home": home, "store": store}
    result["dry"] = cli("retrain", "--dry-run", "--config", str(good), "--home", str(home))
    strict = assistant_yaml("strict", train_yaml("good"), min_feedback=50)
    result["too_little"] = cli("retrain", "--config", str(strict), "--home", str(home))
    result["before"] = snapshot(home)

    # Killed mid-training: a long budget, a checkpoint every step; SIGKILL once the first one is written.
    long_run = assistant_yaml("long", train_yaml("long", save_steps=1), max_steps=500)
    env = {**os.environ, "ASSISTANT_HOME": str(home), "OMP_NUM_THREADS": "1"}
    with (root / "killed.log").open("w") as output:
        child = subprocess.Popen([sys.executable, "-m", "assistant.cli", "retrain", "--config", str(long_run)],
                                 stdout=output, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        try:
            deadline = time.monotonic() + 300
            checkpoint = ".staging-*/adapter/checkpoints/checkpoint-*/adapter_model.safetensors"
            while not list((home / "retrain").glob(checkpoint)):
                assert child.poll() is None, (root / "killed.log").read_text()
                assert time.monotonic() < deadline, "the retrain never reached its first checkpoint"
                time.sleep(0.5)
        finally:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGKILL)  # the child and the calculator worker it started
            child.wait(30)
    result["killed_returncode"] = child.returncode
    result["after_kill"] = snapshot(home)
    result["left_staging"] = [p.name for p in (home / "retrain").glob(".staging-*")]

    lines: list[str] = []
    with contextlib.redirect_stdout(io.StringIO()):
        result["promoted"] = run_retrain(load_config(good), home, trigger="test", say=lines.append)
    result["promoted_lines"] = lines
    result["after_promotion"] = snapshot(home)
    result["nothing_new"] = cli("retrain", "--config", str(good), "--home", str(home))

    # More feedback; a candidate trained at a learning rate that wrecks the weights.
    log_feedback(store, SECOND_FEEDBACK)
    worse = assistant_yaml("worse", train_yaml("worse", learning_rate=0.5, toolken_learning_rate=0.5), max_steps=3)
    with contextlib.redirect_stdout(io.StringIO()):
        result["rejected"] = run_retrain(load_config(worse), home, trigger="test")
    result["after_rejection"] = snapshot(home)
    return result


def test_a_dry_run_or_too_little_feedback_changes_nothing(loop):
    code, out = loop["dry"]
    assert code == 0 and out.startswith("dry run: 5 new and 5 pending feedback turn(s) (scrubbed: 1 email, 1 phone)")
    assert "training from the base model" in out
    code, out = loop["too_little"]
    assert code == 0 and "too little new feedback: 5 rated-up or corrected turn(s)" in out
    assert "min_feedback is 50: not retraining" in out
    before = loop["before"]
    assert before["pointer"] is None and before["state"] is None
    assert before["adapters"] == [] and before["datasets"] == []


def test_a_dry_run_counts_feedback_given_twice_once_and_no_base_data_as_none(tmp_path: Path):
    """The same answer rated up again is one training record: the summary counts the mix, it does not
    subtract (which printed "4 training records with -12 from the base data")."""
    from assistant.config import default_config
    from finetune.retrain import run_retrain

    home = tmp_path / "home"
    store = ConversationStore(home / "conversations.db")
    log_feedback(store, [(f"What is {n} plus {n}?", f"It is {2 * n}.", None, None, 1, None) for n in range(6)] * 4)

    outcome = run_retrain(default_config(), home, trigger="test", dry_run=True)

    assert outcome.status == "dry-run", outcome.message
    assert "24 pending feedback turn(s)" in outcome.message
    counts = re.search(r"(\d+) training records: (\d+) from feedback and 0 from the base data \(none\);",
                       outcome.message)
    assert counts is not None, outcome.message
    assert counts[1] == counts[2] and 0 < int(counts[1]) <= 6


def test_a_killed_retrain_loses_and_swaps_nothing_and_the_next_run_starts_cleanly(loop):
    assert loop["killed_returncode"] == -signal.SIGKILL
    assert loop["after_kill"] == loop["before"]  # pointer, adapters, datasets, watermark and the log as they were
    assert len(loop["left_staging"]) == 1  # it was killed mid-training
    assert loop["promoted_lines"][0] == f"removing {loop['left_staging'][0]}, left by a run that did not finish"
    assert not list((loop["home"] / "retrain").glob(".staging-*"))
    assert loop["promoted"].status == "promoted", loop["promoted"].message


def test_the_gate_promotes_a_real_improvement_with_its_lineage(loop):
    home, outcome = loop["home"], loop["promoted"]
    assert outcome.status == "promoted", outcome.message
    feedback = next(c for c in outcome.decision.checks if c.metric == "feedback.loss")
    assert feedback.candidate < feedback.parent  # it learned the new feedback
    assert all(check.ok for check in outcome.decision.checks)

    after = loop["after_promotion"]
    assert json.loads(after["pointer"])["serving"] == outcome.adapter
    assert after["adapters"] == [outcome.adapter, "serving.json"] and after["datasets"] == [outcome.dataset_version]
    assert after["db"] == loop["before"]["db"]  # the log is only read
    state = json.loads(after["state"])
    assert state["last_run_feedback_id"] == state["last_promoted_feedback_id"] == 6

    from assistant.adapters import AdapterRegistry

    info = AdapterRegistry(home).serving()
    assert info.name == outcome.adapter and info.status == "serving"
    assert info.reason.startswith("better on feedback.loss")
    lineage = info.lineage
    assert lineage["parent"] is None and lineage["trigger"] == "test"
    assert lineage["dataset_version"] == outcome.dataset_version and len(lineage["dataset_fingerprint"]) == 64
    assert lineage["config"]["retrain"]["max_steps"] == 4 and lineage["config"]["train"]["optim"]["max_steps"] == 4
    assert lineage["feedback"]["turns"] == 5
    assert info.metrics["training"]["steps"] == 4
    assert info.metrics["evaluation"]["feedback"]["loss"] == feedback.candidate
    assert info.metrics["gate"]["passed"] is True and not (info.path / "checkpoints").exists()

    dataset = home / "datasets" / outcome.dataset_version
    report = json.loads((dataset / "report.json").read_text())
    # 2 of the 5 held back for the gate; 2 base records per trained one
    assert report["feedback"] == 5 and report["held_back"] == 2 and report["base"] == 6
    assert report["scrubbed"] == {"email": 1, "phone": 1}
    assert report["eval"] == 3 and info.metrics["training"]["eval_loss"] < info.metrics["training"]["eval_loss_before"]
    assert lineage["dataset_fingerprint"] == report["fingerprint"]
    trained = (dataset / "train.jsonl").read_text()
    assert EMAIL not in trained and "[EMAIL]" in trained and "+31 20" not in trained
    held = (dataset / "held_back.jsonl").read_text()
    assert len(held.splitlines()) == 2 and not set(held.splitlines()) & set(trained.splitlines())
    # a correction keeps the turn's tool call, whichever side it landed on
    both = trained + held
    assert "12% of 250 is 30." in both and '"arguments": "{\\"expression\\": \\"0.12*250\\"}"' in both
    assert json.loads((info.path / "dataset.json").read_text())["folder"] == str(dataset)  # moved with it


def test_nothing_new_says_so_and_stops(loop):
    code, out = loop["nothing_new"]
    assert code == 0 and out.strip() == "nothing new since the last run: not retraining"


def test_the_gate_rejects_a_worse_candidate_and_keeps_it_with_the_reason(loop):
    home, outcome = loop["home"], loop["rejected"]
    assert outcome.status == "rejected", outcome.message
    assert "fixed.loss worse by" in outcome.decision.reason
    after, before = loop["after_rejection"], loop["after_promotion"]
    assert after["pointer"] == before["pointer"]  # a rejection leaves the serving pointer as it was
    assert json.loads(after["pointer"])["serving"] == loop["promoted"].adapter  # still serving
    assert after["adapters"] == sorted([loop["promoted"].adapter, outcome.adapter, "serving.json"])

    from assistant.adapters import AdapterRegistry

    rejected = AdapterRegistry(home).get(outcome.adapter)
    assert rejected.status == "rejected" and rejected.reason == outcome.decision.reason
    assert rejected.lineage["parent"] == loop["promoted"].adapter  # trained on from the serving adapter
    assert rejected.lineage["config"]["train"]["model"]["adapter"] == str(home / "adapters" / loop["promoted"].adapter)
    # The first feedback, all five turns (the two held back then too), is now the regression set, measured on the
    # adapter that served since; the promotion's feedback figure covered the two held back only.
    regression = next(c for c in outcome.decision.checks if c.metric == "regression.loss")
    learned = next(c for c in loop["promoted"].decision.checks if c.metric == "feedback.loss")
    assert regression.parent is not None and math.isfinite(regression.parent) and regression.parent != learned.candidate
    assert json.loads((Path(rejected.lineage["dataset"]) / "report.json").read_text())["regression"] == 5
    state = json.loads(after["state"])
    assert state["last_run_feedback_id"] == 9 and state["last_promoted_feedback_id"] == 6  # kept for the next try


def test_held_back_feedback_is_a_stable_quarter_never_trained_on():
    from finetune.records import Record
    from finetune.retrain_data import held_back

    records = [Record("feedback", None, [{"role": "user", "content": f"question {i}"},
                                         {"role": "assistant", "content": f"answer {i}"}]) for i in range(20)]
    held = held_back(records, 0.25)
    assert len(held) == 5 and held == held_back(list(reversed(records)), 0.25)[::-1]
    assert held_back(records[:1], 0.25) == [] and len(held_back(records[:2], 0.25)) == 1
    assert held_back(records, 0.0) == []
