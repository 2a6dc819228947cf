"""The nightly (or any cron-like) retrain inside the server process, with APScheduler.

`assistant serve` calls `start_retrain_schedule` once; the retrain runs on the scheduler's worker thread,
one at a time (a run still going when the next is due makes that one skip), and a promotion reaches the
serving engine through the pointer file (`Assistant.reload_adapter_if_changed`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from assistant.config import AssistantConfig

log = logging.getLogger(__name__)

JOB_ID = "retrain"
Retrain = Callable[[AssistantConfig, Path], object]


def scheduled_retrain(config: AssistantConfig, home: Path) -> object:
    """One scheduled run; its failures are logged, never raised into the server."""
    from finetune.retrain import RetrainBusy, run_retrain

    try:
        outcome = run_retrain(config, home, trigger="schedule", say=log.info)
    except RetrainBusy as exc:
        log.warning("scheduled retrain skipped: %s", exc)
        return None
    except Exception:
        log.exception("scheduled retrain failed; the serving adapter is unchanged")
        return None
    log.info("scheduled retrain: %s", outcome.message)
    return outcome


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
