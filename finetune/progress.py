"""Training progress as JSON lines, for whoever watches a run from outside its process (the web console).

The trainer appends to `<output dir>/progress.jsonl`: a `begin` line with the step count, one `log` line per
logging step (step, loss, learning rate, epoch), an `eval` line per evaluation and an `end` line. A resumed
run appends to the same file; the reader keeps the latest value per step.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

PROGRESS_FILE = "progress.jsonl"


class ProgressLog(TrainerCallback):
    """A transformers callback that appends the run's progress to a JSON-lines file."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def _write(self, record: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps({**record, "time": round(time.time(), 3)}) + "\n")

    def on_train_begin(self, args, state, control, **kwargs):
        if state.is_world_process_zero:
            self._write({"event": "begin", "step": state.global_step, "max_steps": state.max_steps})

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not state.is_world_process_zero or not logs:
            return
        numbers = {key: value for key, value in logs.items() if isinstance(value, (int, float))}
        event = "eval" if any(key.startswith("eval_") for key in numbers) else "log"
        self._write({"event": event, "step": state.global_step, "max_steps": state.max_steps, **numbers})

    def on_train_end(self, args, state, control, **kwargs):
        if state.is_world_process_zero:
            self._write({"event": "end", "step": state.global_step, "max_steps": state.max_steps})


@dataclass
class Progress:
    """What a progress file says so far."""

    step: int = 0
    max_steps: int = 0
    #: (step, training loss), one per logging step, in step order.
    losses: list[tuple[int, float]] = field(default_factory=list)
    eval_losses: list[tuple[int, float]] = field(default_factory=list)
    ended: bool = False

    @property
    def fraction(self) -> float:
        return min(1.0, self.step / self.max_steps) if self.max_steps else 0.0


def read_progress(path: Path) -> Progress:
    """The progress recorded in `path` (an empty Progress before the run has written any)."""
    progress = Progress()
    losses: dict[int, float] = {}
    eval_losses: dict[int, float] = {}
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return progress
    for line in lines:
        try:
            record = json.loads(line)
        except json.JSONDecodeError:  # a line being written right now
            continue
        progress.step = max(progress.step, int(record.get("step", 0)))
        progress.max_steps = int(record.get("max_steps") or progress.max_steps)
        if record.get("event") in ("begin", "end"):  # a resumed run begins again after an earlier end
            progress.ended = record["event"] == "end"
        if "loss" in record:
            losses[int(record["step"])] = float(record["loss"])
        if "eval_loss" in record:
            eval_losses[int(record["step"])] = float(record["eval_loss"])
    progress.losses = sorted(losses.items())
    progress.eval_losses = sorted(eval_losses.items())
    return progress
