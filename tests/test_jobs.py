"""The training job queue: one child process at a time, persisted in SQLite, cancellable, found again by a
new app process. The child here is a short Python script standing in for `assistant train`."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
import yaml

from ui.jobs import JobError, JobQueue, read_log, train_command

SCRIPT = """
import sys, time, pathlib
config = pathlib.Path(sys.argv[1])
mode = config.read_text().split("mode: ")[1].split()[0]
print("started", config.parent.name, flush=True)
if mode == "sleep":
    time.sleep(60)
print("loss 0.5", flush=True)
sys.exit(3 if mode == "fail" else 0)
"""


def fake_train(config: Path, home: Path) -> list[str]:
    return [sys.executable, "-c", SCRIPT, str(config)]


def wait_until(queue: JobQueue, job_id: int, status: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        queue.poll()
        if queue.get(job_id).status == status:
            return
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} is {queue.get(job_id).status}, not {status}")


def submit(queue: JobQueue, name: str, mode: str):
    return queue.submit(name, {"mode": mode}, queue.home / "adapters" / name, "ada")


def test_jobs_run_one_at_a_time_in_order_and_record_how_they_ended(tmp_path: Path):
    queue = JobQueue(tmp_path, fake_train)
    first, second = submit(queue, "a", "ok"), submit(queue, "b", "fail")
    assert [job.status for job in queue.jobs()] == ["queued", "queued"]
    assert yaml.safe_load(first.config_path.read_text()) == {"mode": "ok"}
    assert "assistant train" in first.config_path.read_text()  # the header says how to rerun it

    assert queue.poll().id == first.id
    assert queue.get(second.id).status == "queued"  # never two at once
    wait_until(queue, first.id, "succeeded")
    wait_until(queue, second.id, "failed")
    done = queue.get(second.id)
    assert done.returncode == 3 and "exit code 3" in done.error and "loss 0.5" in done.error
    assert "started 1" in read_log(queue.get(first.id).log_path)
    assert done.elapsed_s() > 0 and done.finished


def test_cancel_stops_a_running_job_and_drops_a_queued_one(tmp_path: Path):
    queue = JobQueue(tmp_path, fake_train)
    running, waiting = submit(queue, "a", "sleep"), submit(queue, "b", "ok")
    queue.poll()
    assert queue.cancel(waiting.id).status == "cancelled"
    started = time.monotonic()
    assert queue.cancel(running.id).status == "cancelled"
    assert time.monotonic() - started < 10
    assert queue.poll() is None  # nothing left to run: the cancelled job did not come back
    with pytest.raises(JobError, match="already cancelled"):
        queue.cancel(running.id)


def test_a_name_cannot_be_queued_twice_and_unknown_jobs_are_named(tmp_path: Path):
    queue = JobQueue(tmp_path, fake_train)
    submit(queue, "a", "sleep")
    with pytest.raises(JobError, match="already queued or running"):
        submit(queue, "a", "ok")
    with pytest.raises(JobError, match="no job 99"):
        queue.get(99)
    queue.cancel(1)


def test_a_new_queue_object_finds_a_job_started_by_an_earlier_one(tmp_path: Path):
    """What an app restart looks like: the job's child lives on and the new process follows it by pid."""
    first_app = JobQueue(tmp_path, fake_train)
    job = submit(first_app, "a", "ok")
    first_app.poll()
    second_app = JobQueue(tmp_path, fake_train)
    assert second_app.get(job.id).status == "running"
    wait_until(second_app, job.id, "succeeded")  # read from the exit-code file the first process wrote
    assert second_app.get(job.id).returncode == 0


def test_the_real_command_is_assistant_train_with_the_state_directory(tmp_path: Path):
    command = train_command(tmp_path / "train.yaml", tmp_path)
    assert command[1:] == ["-m", "assistant.cli", "train", str(tmp_path / "train.yaml"), "--home", str(tmp_path)]
