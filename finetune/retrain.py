"""`assistant retrain`: the closed loop from staff feedback to the adapter that serves next.

One run: take the lock; read the feedback since the last promotion from the conversation log (read-only);
scrub personal data; write a dataset version that mixes it with the base training data; train a candidate
from the serving adapter (`finetune.train`); measure the candidate and the serving adapter on the fixed eval
set, the regression set of earlier good answers and the new feedback (`finetune.gate`); promote it, or keep
it marked rejected with the reason.

Everything is made in a staging folder under `<home>/retrain/` and moved into place, one rename each, only
once it is finished; the watermark (what feedback has been seen) is written last. A run killed at any point
leaves the serving pointer, the adapters, the dataset versions and the log as they were, and the next run
removes what it left and starts over. The lock is an OS file lock, which dies with its process, so a killed
run never blocks the next one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from filelock import FileLock, Timeout

from assistant.adapters import GATE_FILE, LINEAGE_FILE, AdapterRegistry, choose_adapter
from assistant.adapters import write_json_atomic
from assistant.config import AssistantConfig, ModelConfig
from finetune.builders.feedback import FeedbackTurn
from finetune.gate import GateDecision, GateSets, Measurement, decide, flatten, measure
from finetune.records import Record, write_jsonl
from finetune.retrain_data import (
    FeedbackSplit,
    Watermark,
    compile_patterns,
    held_back,
    mix,
    scrubbed_feedback,
    split_feedback,
)

log = logging.getLogger(__name__)

RETRAIN_DIR = "retrain"
DATASETS_DIR = "datasets"
STATE_FILE = "state.json"
LOCK_FILE = "retrain.lock"
STAGING_PREFIX = ".staging-"

Status = Literal["nothing-new", "too-little", "dry-run", "promoted", "rejected"]
Say = Callable[[str], None]


class RetrainBusy(RuntimeError):
    """Another retrain holds the lock."""


@dataclass
class RetrainOutcome:
    """What one run did, in one line (`message`) and in detail."""

    status: Status
    message: str
    adapter: str | None = None
    dataset_version: str | None = None
    decision: GateDecision | None = None


@dataclass
class Plan:
    """What a run would train on, read from the log and the base data."""

    watermark: Watermark
    split: FeedbackSplit
    feedback: list[Record]
    #: The part of `feedback` not trained on: the gate's feedback set, data the candidate has not seen.
    held_back: list[Record]
    regression: list[Record]
    base_train: list[Record]
    base_eval: list[Record]
    train: list[Record]
    scrubbed: Counter[str] = field(default_factory=Counter)
    base_data: Path | None = None
    parent: Path | None = None
    parent_name: str | None = None

    @property
    def base_count(self) -> int:
        """Base-data records in the training mix: those that are not feedback. Counted, not subtracted: the
        mix keeps a record once, so feedback given twice for the same turn is one training record."""
        feedback = {record.id for record in self.feedback}
        return sum(record.id not in feedback for record in self.train)

    def summary(self) -> str:
        scrubbed = ", ".join(f"{count} {name}" for name, count in self.scrubbed.items()) or "nothing"
        return (f"{len(self.split.new)} new and {len(self.feedback)} pending feedback turn(s) (scrubbed: {scrubbed}), "
                f"{len(self.held_back)} held back for the gate; "
                f"{len(self.train)} training records: {len(self.train) - self.base_count} from feedback and "
                f"{self.base_count} from the base data ({self.base_data or 'none'}); regression set of {len(self.regression)} earlier good answer(s); "
                f"training from {self.parent_name or 'the base model'}")


def run_retrain(
    config: AssistantConfig, home: Path, *, trigger: str, force: bool = False, dry_run: bool = False,
    say: Say | None = None,
) -> RetrainOutcome:
    """One retrain with the configured `retrain:` section; `trigger` says who or what started it (lineage).

    `force` trains on any pending feedback, fewer than `min_feedback` included; `dry_run` says what would be
    trained and changes nothing. Raises RetrainBusy when another run holds the lock.
    """
    say = say or _say
    home = Path(home).resolve()
    root = home / RETRAIN_DIR
    if dry_run:  # reads only: no lock, and a running retrain's staging folder is left alone
        plan = plan_retrain(config, home, read_watermark(root))
        stop = _nothing_to_do(plan, config, force)
        return stop or RetrainOutcome("dry-run", f"dry run: {plan.summary()}")
    root.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(root / LOCK_FILE))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise RetrainBusy(f"another retrain is running (lock {root / LOCK_FILE})") from None
    try:
        _remove_leftovers(root, say)
        plan = plan_retrain(config, home, read_watermark(root))
        stop = _nothing_to_do(plan, config, force)
        if stop is not None:
            return stop
        say(plan.summary())
        return _train_and_gate(config, home, plan, trigger, say)
    finally:
        lock.release()


def plan_retrain(config: AssistantConfig, home: Path, watermark: Watermark) -> Plan:
    """Read the feedback and the base data, scrub, mix: everything a run trains and measures on."""
    from finetune.build_data import read_feedback

    retrain = config.retrain
    database = home / "conversations.db"
    turns = read_feedback(database) if database.is_file() else []
    split = split_feedback(turns, watermark)
    patterns = compile_patterns(retrain.pii_patterns)
    scrubbed: Counter[str] = Counter()
    feedback = scrubbed_feedback(split.pending, patterns, scrubbed)
    newest_first = sorted(split.earlier, key=lambda turn: turn.feedback_id, reverse=True)
    regression = scrubbed_feedback(newest_first, patterns)
    base_data = retrain.base_data or (home / "data" if (home / "data" / "train.jsonl").is_file() else None)
    base_train = read_base(base_data / "train.jsonl") if base_data is not None else []
    base_eval = read_base(base_data / "eval.jsonl") if base_data is not None else []
    registry = AdapterRegistry(home)
    parent = choose_adapter(config.model.adapter, registry, config)
    serving = registry.serving()
    parent_name = serving.name if serving is not None and serving.path == parent else (str(parent) if parent else None)
    held = held_back(feedback, retrain.feedback_holdout)
    trained = [record for record in feedback if record not in held]
    return Plan(watermark, split, feedback, held, regression, base_train, base_eval,
                mix(trained, base_train, retrain.base_per_feedback, retrain.seed), scrubbed, base_data, parent,
                parent_name)


def _nothing_to_do(plan: Plan, config: AssistantConfig, force: bool) -> RetrainOutcome | None:
    """The outcome of a run that stops before training, or None when it goes on."""
    split = plan.split
    if not split.new and not (force and plan.feedback):
        ignored = f" ({split.ignored_new} new rating(s), none rated up or corrected)" if split.ignored_new else ""
        return RetrainOutcome("nothing-new", f"nothing new since the last run{ignored}: not retraining")
    if not plan.feedback:
        return RetrainOutcome("nothing-new", "no rated-up or corrected turn since the last promotion: not retraining")
    if len(plan.feedback) < config.retrain.min_feedback and not force:
        return RetrainOutcome(
            "too-little",
            f"too little new feedback: {len(plan.feedback)} rated-up or corrected turn(s) since the last promotion, "
            f"retrain.min_feedback is {config.retrain.min_feedback}: not retraining (--force trains anyway)",
        )
    return None


# ----------------------------------------------------------------------------------------------------
# Training, gate, promotion


def _train_and_gate(config: AssistantConfig, home: Path, plan: Plan, trigger: str, say: Say) -> RetrainOutcome:
    from finetune.evaluate import EvalConfig
    from finetune.train import train

    root = home / RETRAIN_DIR
    started = datetime.now(timezone.utc)
    stamp = started.strftime("%Y%m%d-%H%M%S")
    staging = root / f"{STAGING_PREFIX}{stamp}-{os.getpid()}"
    dataset_dir, adapter_dir = staging / "dataset", staging / "adapter"
    fingerprint = write_dataset(dataset_dir, plan)
    version = f"{stamp}-{fingerprint[:8]}"
    name = f"retrain-{stamp}"
    say(f"dataset version {version}: {len(plan.train)} training records")

    train_config = retrain_train_config(config, dataset_dir, adapter_dir, plan.parent)
    result = train(train_config, home)
    shutil.rmtree(adapter_dir / "checkpoints", ignore_errors=True)  # a new run starts over, never resumes

    sets = GateSets(fixed=_fixed_sets(config), fixed_records=[r.to_json() for r in plan.base_eval],
                    regression=[r.to_json() for r in plan.regression], feedback=[r.to_json() for r in plan.held_back])
    eval_config = EvalConfig(limit=config.retrain.eval_limit,
                             generation={"max_new_tokens": config.retrain.eval_max_new_tokens})
    say(f"measuring {plan.parent_name or 'the base model'} and the candidate")
    parent_metrics = _measure(config, home, plan.parent, sets, eval_config, train_config.data.max_seq_len)
    candidate_metrics = _measure(config, home, adapter_dir, sets, eval_config, train_config.data.max_seq_len)
    decision = decide(flatten(parent_metrics), flatten(candidate_metrics), config.retrain)
    say(("passed: " if decision.passed else "rejected: ") + decision.reason)

    finished = datetime.now(timezone.utc).isoformat(timespec="seconds")
    lineage = {
        "name": name, "created": started.isoformat(timespec="seconds"), "trigger": trigger,
        "parent": plan.parent_name, "parent_path": str(plan.parent) if plan.parent else None,
        "dataset_version": version, "dataset_fingerprint": fingerprint,
        "dataset": str(home / DATASETS_DIR / version),
        "feedback": {"turns": len(plan.feedback), "turn_ids": [t.turn_id for t in plan.split.pending],
                     "newest_feedback_id": max(t.feedback_id for t in plan.split.pending)},
        "config": {"retrain": config.retrain.model_dump(mode="json"),
                   "train": train_config.model_dump(mode="json")},
    }
    _write_adapter_records(adapter_dir, lineage, decision, parent_metrics, candidate_metrics, finished)

    # Into place: the dataset, then the finished adapter (each one rename), then the pointer, then the state.
    datasets = home / DATASETS_DIR
    datasets.mkdir(parents=True, exist_ok=True)
    final_dataset, final_adapter = datasets / version, home / "adapters" / name
    _relocate(adapter_dir, {str(dataset_dir): str(final_dataset), str(adapter_dir): str(final_adapter)})
    os.rename(dataset_dir, final_dataset)
    final_adapter.parent.mkdir(parents=True, exist_ok=True)
    os.rename(adapter_dir, final_adapter)
    registry = AdapterRegistry(home)
    if decision.passed:
        registry.promote(name, by=f"retrain ({trigger})")
        if config.model.adapter is not None:
            say(f"note: model.adapter pins {config.model.adapter}; {name} serves once that setting is removed")
    # Feedback that arrived during the run is newer than what the plan saw: the next run takes it.
    seen = max(plan.watermark.last_run, plan.split.newest_id)
    watermark = Watermark(last_run=seen, last_promoted=seen if decision.passed else plan.watermark.last_promoted)
    write_state(root, watermark, {"at": finished, "adapter": name, "decision": "promoted" if decision.passed
                                  else "rejected", "trigger": trigger, "train_steps": result.steps})
    shutil.rmtree(staging, ignore_errors=True)
    status: Status = "promoted" if decision.passed else "rejected"
    return RetrainOutcome(status, f"{name} {status}: {decision.reason}", name, version, decision)


def retrain_train_config(config: AssistantConfig, dataset_dir: Path, output_dir: Path, parent: Path | None):
    """The training config of a retrain: `retrain.train_config` (or the defaults) with the assistant's model,
    system prompt and tools, the run's dataset and output folder, the parent adapter and the step budget. With
    the defaults, the router is fitted on the labelled messages the parent's was (`data.router_examples`)."""
    from finetune.router_fit import fitted_labelled
    from finetune.train import load_train_config, parse_train_config

    retrain = config.retrain
    overrides: dict[str, dict[str, Any]] = {
        "model": {"path": config.model.path, "adapter": parent, "device": config.model.device,
                  "system_prompt": config.system_prompt},
        "data": {"dir": dataset_dir},
        "output": {"dir": output_dir, "resume": False},
        "tools": config.tools.model_dump(),
    }
    if retrain.max_steps is not None:
        overrides["optim"] = {"max_steps": retrain.max_steps}
    if retrain.train_config is not None:
        return load_train_config(retrain.train_config, overrides)
    overrides["data"]["router_examples"] = fitted_labelled(parent)
    return parse_train_config(overrides, source="retrain training config")


def _measure(config: AssistantConfig, home: Path, adapter: Path | None, sets: GateSets, eval_config, max_seq_len: int
             ) -> Measurement:
    """Load the model with `adapter` and measure it; the model is freed before the next one loads."""
    from assistant.model import load_model
    from tools.registry import build_tools

    tools = build_tools(config.tools, home)
    try:
        model_config = ModelConfig.model_validate({**config.model.model_dump(), "adapter": adapter})
        loaded = load_model(model_config, tools, home / "models")
        return measure(loaded, tools, config, sets, max_seq_len=max_seq_len, eval_config=eval_config)
    finally:
        for tool in tools:
            tool.close()


def _fixed_sets(config: AssistantConfig):
    """The fixed eval files in `retrain.eval_dir` that exist."""
    from finetune.evaluate import DocQuestion, EvalSets, NumberQuestion, ToolQuery, read_jsonl as read_items

    folder = config.retrain.eval_dir
    files = {"tools": ("tools.jsonl", ToolQuery), "calc": ("calc.jsonl", NumberQuestion),
             "docs": ("docs.jsonl", DocQuestion)}
    return EvalSets(**{key: read_items(folder / file, model) if (folder / file).is_file() else []
                       for key, (file, model) in files.items()})


def _write_adapter_records(adapter_dir: Path, lineage: dict[str, Any], decision: GateDecision,
                           parent: Measurement, candidate: Measurement, at: str) -> None:
    metrics_path = adapter_dir / "metrics.json"
    metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
    metrics["evaluation"] = candidate
    metrics["gate"] = {"parent": lineage["parent"], "parent_evaluation": parent, **decision.to_json()}
    metrics_path.write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (adapter_dir / LINEAGE_FILE).write_text(json.dumps(lineage, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    gate = {"decision": "passed" if decision.passed else "rejected", "reason": decision.reason, "at": at}
    (adapter_dir / GATE_FILE).write_text(json.dumps(gate, indent=2) + "\n", encoding="utf-8")


def _relocate(adapter_dir: Path, moves: dict[str, str]) -> None:
    """Point the adapter's own records (train_config.yaml, dataset.json) at where its files end up."""
    for file in ("train_config.yaml", "dataset.json"):
        path = adapter_dir / file
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            for old, new in moves.items():
                text = text.replace(old, new)
            path.write_text(text, encoding="utf-8")


# ----------------------------------------------------------------------------------------------------
# Files: the dataset version, the watermark, leftovers


def write_dataset(folder: Path, plan: Plan) -> str:
    """The dataset version: train.jsonl (the mix), eval.jsonl (the base data's held-out records: training
    reports its loss on them before and after), feedback.jsonl, regression.jsonl and report.json; returns the
    fingerprint, the sha256 of train.jsonl."""
    folder.mkdir(parents=True, exist_ok=True)
    write_jsonl(folder / "train.jsonl", plan.train)
    write_jsonl(folder / "feedback.jsonl", plan.feedback)
    write_jsonl(folder / "held_back.jsonl", plan.held_back)
    write_jsonl(folder / "regression.jsonl", plan.regression)
    write_jsonl(folder / "eval.jsonl", plan.base_eval)
    fingerprint = hashlib.sha256((folder / "train.jsonl").read_bytes()).hexdigest()
    report = {
        "fingerprint": fingerprint,
        "train": len(plan.train),
        "feedback": len(plan.feedback),
        "held_back": len(plan.held_back),
        "base": plan.base_count,
        "regression": len(plan.regression),
        "eval": len(plan.base_eval),
        "base_data": str(plan.base_data) if plan.base_data else None,
        "scrubbed": dict(plan.scrubbed),
        "feedback_turns": [_turn_summary(turn) for turn in plan.split.pending],
        "watermark_before": vars(plan.watermark),
    }
    (folder / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return fingerprint


def read_base(path: Path) -> list[Record]:
    """The records of a base dataset file as the trainer reads them (ids are recomputed from the messages);
    none when the file is missing."""
    from finetune.tokenize import read_records

    if not path.is_file():
        return []
    return [Record(row.get("source", "instructions"), row.get("tool"), row["messages"]) for row in read_records(path)]


def _turn_summary(turn: FeedbackTurn) -> dict[str, Any]:
    return {"turn_id": turn.turn_id, "feedback_id": turn.feedback_id, "rating": turn.rating,
            "corrected": bool(turn.correction and turn.correction.strip())}


def read_watermark(root: Path) -> Watermark:
    """How far earlier runs got; the start when no run has finished."""
    path = Path(root) / STATE_FILE
    if not path.is_file():
        return Watermark()
    state = json.loads(path.read_text(encoding="utf-8"))
    return Watermark(int(state.get("last_run_feedback_id", 0)), int(state.get("last_promoted_feedback_id", 0)))


def write_state(root: Path, watermark: Watermark, last_run: dict[str, Any]) -> None:
    write_json_atomic(Path(root) / STATE_FILE, {"last_run_feedback_id": watermark.last_run,
                                                "last_promoted_feedback_id": watermark.last_promoted,
                                                "last_run": last_run})


def _remove_leftovers(root: Path, say: Say) -> None:
    """Staging folders of runs that were killed (the lock is held: no other run is using them)."""
    for leftover in sorted(root.glob(f"{STAGING_PREFIX}*")):
        say(f"removing {leftover.name}, left by a run that did not finish")
        shutil.rmtree(leftover, ignore_errors=True)


def _say(message: str) -> None:
    print(message, file=sys.stdout, flush=True)
    log.info(message)

