"""The nightly (or any cron-like) retrain, started by the server on a schedule with APScheduler.

`assistant serve` calls `start_retrain_schedule` once. Each run is `assistant retrain` in a child process at a
lower CPU priority (as console training jobs run in a process of their own), so training never shares the
serving process's memory or interpreter and serving keeps the cores first; the scheduler's worker thread waits
for it, one run at a time (a run still going when the next is due makes that one skip). A promotion reaches
the serving engine through the pointer file (`Assistant.reload_adapter_if_changed`).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import yaml
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from assistant.config import AssistantConfig

log = logging.getLogger(__name__)

JOB_ID = "retrain"
Retrain = Callable[[AssistantConfig, Path], object]
#: Files of the scheduled runs, in `<home>/retrain/`: the config the child reads, the log it appends to.
SCHEDULED_CONFIG = "scheduled-config.yaml"
SCHEDULED_LOG = "scheduled.log"
#: How much lower than the server's the child's CPU priority is (`nice`).
RETRAIN_NICENESS = 10


def scheduled_retrain(config: AssistantConfig, home: Path) -> int | None:
    """One scheduled run as `assistant retrain` in a child process at lower priority; returns its exit code
    (None when it could not start). Its output goes to `<home>/retrain/scheduled.log`; failures are logged,
    never raised into the server."""
    folder = Path(home) / "retrain"
    folder.mkdir(parents=True, exist_ok=True)
    config_path = folder / SCHEDULED_CONFIG
    # The serving process's config as it runs (the command line's overrides included), for the child to read.
    config_path.write_text(yaml.safe_dump(config.model_dump(mode="json"), sort_keys=False), encoding="utf-8")
    command = [sys.executable, "-m", "assistant.cli", "retrain", "--trigger", "schedule", "--config",
               str(config_path), "--home", str(home)]
    with (folder / SCHEDULED_LOG).open("ab") as out:
        try:
            child = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   preexec_fn=_lower_priority, check=False,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1"})
        except OSError as exc:
            log.error("scheduled retrain could not start: %s", exc)
            return None
    if child.returncode == 0:
        log.info("scheduled retrain finished; its report is in %s", folder / SCHEDULED_LOG)
    else:
        log.error("scheduled retrain ended with exit code %d; the serving adapter is unchanged (see %s)",
                  child.returncode, folder / SCHEDULED_LOG)
    return child.returncode


def _lower_priority() -> None:
    """Run in the child before it starts: serving turns get the cores first."""
    os.nice(RETRAIN_NICENESS)


def start_retrain_schedule(
    config: AssistantConfig, home: Path, retrain: Retrain = scheduled_retrain
) -> BackgroundScheduler | None:
    """Start a background scheduler that runs `retrain(config, home)` on `config.retrain.schedule`; None
    when no schedule is set. Call `.shutdown()` on the result when the server stops."""
    schedule = config.retrain.schedule
    if schedule is None:
        return None
    scheduler = BackgroundScheduler(daemon=True)
    scheduler.add_job(retrain, CronTrigger.from_crontab(schedule), args=(config, Path(home)), id=JOB_ID,
                      name=f"retrain ({schedule})", max_instances=1, coalesce=True, misfire_grace_time=3600)
    scheduler.start()
    log.info("retrain scheduled at %r; next run %s", schedule, scheduler.get_job(JOB_ID).next_run_time)
    return scheduler
