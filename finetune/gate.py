"""The gate a retrained adapter passes before it serves.

The candidate and the serving adapter (its parent) are measured on the same sets, each set with the same
two kinds of figure:

- `loss`: the mean negative log-likelihood per learned token of the set's records, the tokens the engine
  samples (`finetune.tokenize`), so it scores exactly what training teaches; lower is better.
- the `assistant eval` metrics (`finetune.evaluate`), from real dry-run turns of the serving engine.

The sets: `fixed` (the fixed eval files, and the base dataset's held-out records), `regression` (earlier
good answers from staff feedback) and `feedback` (this run's new feedback). `decide` is a pure function of
the two measurements and the configured tolerances.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import torch

from assistant.config import AssistantConfig
from assistant.model import LoadedModel
from assistant.tables import figure
from finetune.evaluate import SECTIONS, EvalConfig, EvalSets, ToolQuery, evaluate
from finetune.retrain_config import RETRAIN_SETS, RetrainConfig
from tools.base import Tool

Measurement = dict[str, dict[str, Any]]  # set -> {"loss", "records", section -> metrics}


@dataclass
class GateSets:
    """What both models are measured on: per set, eval items and records for the loss."""

    fixed: EvalSets = field(default_factory=EvalSets)
    fixed_records: list[dict[str, Any]] = field(default_factory=list)
    regression: list[dict[str, Any]] = field(default_factory=list)
    feedback: list[dict[str, Any]] = field(default_factory=list)

    def items(self) -> dict[str, tuple[EvalSets, list[dict[str, Any]]]]:
        """Per set: the eval items and the loss records. The tool queries of the regression and feedback
        sets come from their records: the call each good answer made, or none."""
        from finetune.records import Record
        from finetune.retrain_data import tool_queries

        def queries(records: list[dict[str, Any]]) -> EvalSets:
            rows = tool_queries(Record(r.get("source", "feedback"), r.get("tool"), r["messages"]) for r in records)
            return EvalSets(tools=[ToolQuery.model_validate(row) for row in rows])

        return {"fixed": (self.fixed, self.fixed_records), "regression": (queries(self.regression), self.regression),
                "feedback": (queries(self.feedback), self.feedback)}


def measure(
    loaded: LoadedModel,
    tools: list[Tool],
    config: AssistantConfig,
    sets: GateSets,
    *,
    max_seq_len: int,
    eval_config: EvalConfig,
    progress: Callable[[str], None] | None = None,
) -> Measurement:
    """Every set's loss and eval metrics for one loaded model (and adapter), through the serving engine
    built as `config` builds it."""
    from assistant.chat_format import ChatFormat
    from assistant.decoding import CausalLMDecoder
    from assistant.engine import Engine
    from assistant.runtime import adapter_router
    from tools.retrieval import Embedder

    chat = ChatFormat(loaded.tokenizer)
    embedder = Embedder(config.tools.retrieval.embedder)
    router = adapter_router(loaded.adapter, embedder.embed, embedder.words)
    engine = Engine(CausalLMDecoder(loaded.model), chat, loaded.registry, tools, config.generation,
                    config.system_prompt, config.model.max_context_tokens, router=router)
    result: Measurement = {}
    for name, (items, records) in sets.items().items():
        records = records[: eval_config.limit]
        section: dict[str, Any] = {"records": len(records)}
        section["loss"] = record_loss(loaded.model, chat, records, config.system_prompt, tools, max_seq_len)
        if any(getattr(items, attr) for attr in ("tools", "calc", "docs", "funcqa")):
            report = evaluate(engine, items, eval_config, progress)
            section.update({key: value for key in SECTIONS.values() if (value := report.metrics.get(key))})
        result[name] = section
    return result


@torch.no_grad()
def record_loss(
    model: torch.nn.Module, chat: Any, records: list[dict[str, Any]], system_prompt: str, tools: list[Any],
    max_seq_len: int,
) -> float | None:
    """Mean negative log-likelihood per learned token of `records` (None when none fits `max_seq_len`)."""
    from finetune.tokenize import IGNORE, tokenize_split

    if not records:
        return None
    split = tokenize_split(chat, records, system_prompt, tools, max_seq_len)
    device = next(model.parameters()).device
    total, count = 0.0, 0
    for example in split.examples:
        ids = torch.tensor([example.input_ids], device=device)
        labels = torch.tensor(example.labels[1:], device=device)  # (seq - 1,): token t+1 scored at t
        logits = model(input_ids=ids).logits[0, :-1].float()  # (seq - 1, vocab)
        total += float(torch.nn.functional.cross_entropy(logits, labels, ignore_index=IGNORE, reduction="sum"))
        count += int((labels != IGNORE).sum())
    return total / count if count else None


def flatten(measured: Measurement) -> dict[str, float]:
    """`{"fixed.loss": …, "fixed.tools.selection_accuracy": …}`: every number, by its dotted path."""
    flat: dict[str, float] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}.{key}", item)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            flat[prefix] = float(value)

    for name in RETRAIN_SETS:
        walk(name, measured.get(name, {}))
    return flat


# ----------------------------------------------------------------------------------------------------
# The decision


@dataclass(frozen=True)
class Check:
    """One metric compared: how much worse the candidate is (negative: better) and whether that is allowed."""

    metric: str
    parent: float | None
    candidate: float | None
    worse_by: float | None
    allowed: float | None  # the tolerance; None for the improvement check
    ok: bool
    note: str = ""


@dataclass(frozen=True)
class GateDecision:
    """Promote or not, the one-line reason, and every check behind it."""

    passed: bool
    reason: str
    checks: list[Check]

    def to_json(self) -> dict[str, Any]:
        return {"passed": self.passed, "reason": self.reason, "checks": [asdict(check) for check in self.checks]}


def lower_is_better(metric: str) -> bool:
    """Losses fall as a model gets better; every other tracked figure is a rate that rises."""
    return metric.rsplit(".", 1)[-1].endswith("loss")


def worse_by(metric: str, parent: float, candidate: float) -> float:
    """How much worse `candidate` is than `parent` on `metric`, in its units (NaN counts as infinitely worse)."""
    if math.isnan(candidate):
        return math.inf
    return candidate - parent if lower_is_better(metric) else parent - candidate


def decide(parent: dict[str, float], candidate: dict[str, float], config: RetrainConfig) -> GateDecision:
    """Pass when no tracked metric (`config.tolerance`) is worse beyond its tolerance and the candidate beats
    the parent on `config.improve_on` by more than `config.min_improvement`.

    A tracked metric on a set with nothing in it for either model (the regression set before any promotion) is
    reported and not gated; one that either model lacks on a set that has items fails: an unmeasured figure
    cannot show the candidate is no worse. The improvement metric must always be measured."""
    checks: list[Check] = []
    for metric, allowed in config.tolerance.items():
        before, after = parent.get(metric), candidate.get(metric)
        if before is None or after is None:
            empty = _empty_set(metric, parent) and _empty_set(metric, candidate)
            checks.append(Check(metric, before, after, None, allowed, empty, "empty set" if empty else "not measured"))
            continue
        by = worse_by(metric, before, after)
        checks.append(Check(metric, before, after, by, allowed, by <= allowed + 1e-12))
    metric = config.improve_on
    before, after = parent.get(metric), candidate.get(metric)
    if before is None or after is None:
        improvement = Check(metric, before, after, None, None, False, "not measured")
    else:
        by = worse_by(metric, before, after)
        improvement = Check(metric, before, after, by, None, -by > config.min_improvement)
    checks.append(improvement)
    failed = [check for check in checks if not check.ok]
    if not failed:
        tracked = sum(1 for check in checks[:-1] if check.note != "empty set")
        reason = (f"better on {metric} ({figure(before, '.4g')} -> {figure(after, '.4g')}) and within tolerance on "
                  f"{tracked} tracked metric(s)")
        return GateDecision(True, reason, checks)
    return GateDecision(False, "; ".join(_failure(check, config.min_improvement) for check in failed), checks)


def _empty_set(metric: str, measured: dict[str, float]) -> bool:
    """The metric's set held no records and no eval items for this model."""
    name = metric.split(".", 1)[0]
    return not any(value for key, value in measured.items()
                   if key.startswith(f"{name}.") and (key == f"{name}.records" or key.endswith(".n")))


def _failure(check: Check, min_improvement: float) -> str:
    if check.note == "not measured" and check.allowed is None:
        return f"{check.metric} was not measured, so an improvement cannot be shown"
    if check.note == "not measured":
        return f"{check.metric} was not measured, so the candidate cannot be shown to be no worse"
    change = f"{figure(check.parent, '.4g')} -> {figure(check.candidate, '.4g')}"
    if check.allowed is None:
        needed = f" by more than {min_improvement:g}" if min_improvement else ""
        return f"not better on {check.metric}{needed} ({change})"
    return f"{check.metric} worse by {figure(check.worse_by, '.4g')} ({change}; tolerance {check.allowed:g})"


