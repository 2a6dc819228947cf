"""Training jobs: a queue that runs one `assistant train CONFIG` child process at a time.

The queue lives in SQLite (`<home>/jobs.db`) and each job in its folder `<home>/jobs/<id>/` (`train.yaml`,
`log.txt`, `exit-code`), so the web app can be reloaded or restarted and the browser closed while a job goes
on: the child runs in its own session and outlives the app, and a restarted app finds it again by its pid.
`poll()` moves the queue on (reaps the running job, starts the next one); the app calls it every second.
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

import yaml

log = logging.getLogger(__name__)

JOBS_DB = "jobs.db"
JOBS_DIR = "jobs"
CONFIG_FILE = "train.yaml"
LOG_FILE = "log.txt"
EXIT_FILE = "exit-code"

Status = Literal["queued", "running", "succeeded", "failed", "cancelled"]
FINISHED: tuple[Status, ...] = ("succeeded", "failed", "cancelled")

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL,      -- the adapter the job writes
    status       TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    submitted_by TEXT NOT NULL,
    output_dir   TEXT NOT NULL,
    created_at   REAL NOT NULL,
    started_at   REAL,
    finished_at  REAL,
    pid          INTEGER,
    returncode   INTEGER,
    error        TEXT
);
"""

#: Builds the child's command line from the job's config file and the state directory.
Command = Callable[[Path, Path], list[str]]


def train_command(config: Path, home: Path) -> list[str]:
    """`assistant train CONFIG --home HOME`, with the interpreter running this process."""
    return [sys.executable, "-m", "assistant.cli", "train", str(config), "--home", str(home)]


@dataclass(frozen=True)
class Job:
    """One training run as the queue knows it."""

    id: int
    name: str
    status: Status
    submitted_by: str
    output_dir: Path
    folder: Path
    created_at: float
    started_at: float | None
    finished_at: float | None
    pid: int | None
    returncode: int | None
    error: str | None

    @property
    def config_path(self) -> Path:
        return self.folder / CONFIG_FILE

    @property
    def log_path(self) -> Path:
        return self.folder / LOG_FILE

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def elapsed_s(self, now: float | None = None) -> float:
        """Seconds it has run (0 while queued)."""
        if self.started_at is None:
            return 0.0
        end = self.finished_at if self.finished_at is not None else (now or time.time())
        return max(0.0, end - self.started_at)


class JobError(ValueError):
    """A job that cannot be submitted or changed; the message says why."""


class JobQueue:
    """Training jobs in `<home>/jobs.db`; at most one runs at a time, in submission order."""

    def __init__(self, home: Path, command: Command = train_command,
                 on_success: Callable[[Job], None] | None = None):
        """`on_success(job)` runs once when a job succeeds (default: `record_lineage`)."""
        self.home = Path(home)
        self.command = command
        self.on_success = on_success or record_lineage
        self.db_path = self.home / JOBS_DB
        self._children: dict[int, subprocess.Popen] = {}  # jobs this process started, to reap them
        self._lock = threading.Lock()
        self.home.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(self.db_path, timeout=10) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
        db.close()

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.db_path, timeout=10, isolation_level=None)
        db.row_factory = sqlite3.Row
        try:
            db.execute("BEGIN IMMEDIATE")  # one writer at a time: two polls never start two jobs
            yield db
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    # -- what callers do ------------------------------------------------------------------------------

    def submit(self, name: str, config: dict, output_dir: Path, submitted_by: str) -> Job:
        """Queue a run of the training config `config` (a validated mapping) writing adapter `name`."""
        if any(job.name == name and not job.finished for job in self.jobs()):
            raise JobError(f"a job for {name!r} is already queued or running")
        with self._connect() as db:
            cursor = db.execute(
                "INSERT INTO jobs (name, status, submitted_by, output_dir, created_at) VALUES (?, 'queued', ?, ?, ?)",
                (name, submitted_by, str(output_dir), time.time()),
            )
            job_id = int(cursor.lastrowid)
        folder = self._folder(job_id)
        folder.mkdir(parents=True, exist_ok=True)
        header = f"# Training job {job_id} ({name}), submitted by {submitted_by}. Run by hand with:\n" \
                 f"#   assistant train {folder / CONFIG_FILE}\n"
        text = yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
        (folder / CONFIG_FILE).write_text(header + text, encoding="utf-8")
        return self.get(job_id)

    def cancel(self, job_id: int) -> Job:
        """Cancel a queued job, or stop a running one (its whole process group)."""
        job = self.get(job_id)
        if job.finished:
            raise JobError(f"job {job_id} has already {job.status}")
        with self._connect() as db:
            db.execute("UPDATE jobs SET status = 'cancelled', finished_at = ? WHERE id = ?", (time.time(), job_id))
        if job.status == "running" and job.pid is not None:
            _stop_group(job.pid)
            child = self._children.pop(job_id, None)
            if child is not None:
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    _stop_group(job.pid, signal.SIGKILL)
        return self.get(job_id)

    def jobs(self) -> list[Job]:
        """Every job, newest first."""
        with self._connect() as db:
            rows = db.execute("SELECT * FROM jobs ORDER BY id DESC").fetchall()
        return [self._job(row) for row in rows]

    def get(self, job_id: int) -> Job:
        with self._connect() as db:
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise JobError(f"no job {job_id}")
        return self._job(row)

    def running(self) -> Job | None:
        return next((job for job in self.jobs() if job.status == "running"), None)

    # -- moving the queue on ----------------------------------------------------------------------------

    def poll(self) -> Job | None:
        """Reap the running job if it ended, then start the oldest queued job if none runs; returns the
        running job, if any."""
        with self._lock:
            running = self.running()
            if running is not None and self._ended(running):
                self._finish(running)
                running = None
            if running is None:
                running = self._start_next()
            return running

    def run_in_background(self, interval_s: float = 1.0) -> threading.Event:
        """Poll every `interval_s` in a daemon thread; set the returned event to stop it."""
        stop = threading.Event()

        def loop() -> None:
            failing: str | None = None  # the failure last logged: one that repeats every tick is logged once
            while not stop.wait(interval_s):
                try:
                    self.poll()
                except Exception as exc:  # retried on the next tick: a locked database passes, a bug shows
                    if repr(exc) != failing:
                        log.exception("polling the training job queue in %s failed; retrying every %g s",
                                      self.home, interval_s)
                    failing = repr(exc)
                else:
                    if failing is not None:
                        log.warning("polling the training job queue in %s works again", self.home)
                    failing = None

        threading.Thread(target=loop, name="job-queue", daemon=True).start()
        return stop

    def _start_next(self) -> Job | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM jobs WHERE status = 'queued' ORDER BY id LIMIT 1").fetchone()
            if row is None:
                return None
            job = self._job(row)
            log = job.log_path.open("ab")
            try:
                child = subprocess.Popen(
                    _recording_exit(self.command(job.config_path, self.home), job.folder / EXIT_FILE),
                    stdout=log, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL, start_new_session=True, cwd=job.folder,
                    env={**os.environ, "PYTHONUNBUFFERED": "1"},
                )
            except OSError as exc:
                db.execute("UPDATE jobs SET status = 'failed', finished_at = ?, error = ? WHERE id = ?",
                           (time.time(), f"could not start: {exc}", job.id))
                return None
            finally:
                log.close()
            self._children[job.id] = child
            db.execute("UPDATE jobs SET status = 'running', started_at = ?, pid = ? WHERE id = ?",
                       (time.time(), child.pid, job.id))
        return self.get(job.id)

    def _ended(self, job: Job) -> bool:
        child = self._children.get(job.id)
        if child is not None:
            return child.poll() is not None
        return job.pid is None or not _alive(job.pid, job.config_path)  # started by an earlier app process

    def _finish(self, job: Job) -> None:
        self._children.pop(job.id, None)
        code = _read_exit(job.folder / EXIT_FILE)
        if code == 0:
            status, error = "succeeded", None
        elif code is None:
            status, error = "failed", "the training process ended without an exit code (the app was restarted)"
        else:
            status, error = "failed", f"exit code {code}: {_last_line(job.log_path)}"
        with self._connect() as db:
            changed = db.execute("UPDATE jobs SET status = ?, returncode = ?, finished_at = ?, error = ? "
                                 "WHERE id = ? AND status = 'running'", (status, code, time.time(), error, job.id))
        if changed.rowcount and status == "succeeded":
            self.on_success(self.get(job.id))

    def _folder(self, job_id: int) -> Path:
        return self.home / JOBS_DIR / str(job_id)

    def _job(self, row: sqlite3.Row) -> Job:
        return Job(
            id=row["id"], name=row["name"], status=row["status"], submitted_by=row["submitted_by"],
            output_dir=Path(row["output_dir"]), folder=self._folder(row["id"]), created_at=row["created_at"],
            started_at=row["started_at"], finished_at=row["finished_at"], pid=row["pid"],
            returncode=row["returncode"], error=row["error"],
        )


def record_lineage(job: Job) -> None:
    """Write the adapter's `lineage.json` (unless training wrote one): trained from the base model by a
    console job, on which dataset (folder and fingerprint) and with which config."""
    from assistant.adapters import LINEAGE_FILE, write_json_atomic

    target = job.output_dir / LINEAGE_FILE
    if not job.output_dir.is_dir() or target.exists():
        return
    config = yaml.safe_load(job.config_path.read_text(encoding="utf-8")) or {}
    try:
        dataset = json.loads((job.output_dir / "dataset.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        dataset = {}
    data_dir = (config.get("data") or {}).get("dir")
    write_json_atomic(target, {
        "name": job.name, "created": datetime.fromtimestamp(job.finished_at or time.time(), timezone.utc)
        .isoformat(timespec="seconds"), "trigger": f"console job {job.id} ({job.submitted_by})", "parent": None,
        "dataset_version": Path(data_dir).name if data_dir else None,
        "dataset_fingerprint": dataset.get("train_sha256"), "dataset": data_dir, "config": {"train": config},
    })


def _recording_exit(command: list[str], exit_file: Path) -> list[str]:
    """`command` under a shell that writes its exit code to `exit_file`, so the code survives the app (a
    restarted app reads it there); the shell's own command line still names the job's config."""
    script = f'"$@"; echo $? > {shlex.quote(str(exit_file))}'
    return ["/bin/sh", "-c", script, "job", *command]


def _read_exit(path: Path) -> int | None:
    try:
        return int(path.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None


def _alive(pid: int, config_path: Path) -> bool:
    """True when `pid` still runs this job (its command line names the job's config: pids get reused)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True  # no /proc: trust the pid
    return str(config_path).encode() in cmdline


def _stop_group(pid: int, how: signal.Signals = signal.SIGTERM) -> None:
    """Signal the job's process group (the trainer and anything it started)."""
    try:
        os.killpg(pid, how)
    except (ProcessLookupError, PermissionError):
        pass


def _last_line(path: Path, limit: int = 300) -> str:
    """The log's last non-empty line (progress-bar carriage returns split lines too), cut to `limit`."""
    lines = [line.strip() for line in read_log(path, 4000).replace("\r", "\n").splitlines() if line.strip()]
    return lines[-1][:limit] if lines else "(no output)"


def read_log(path: Path, max_chars: int = 20000) -> str:
    """The last `max_chars` characters of a job's log ('' before it has one)."""
    try:
        with Path(path).open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - max_chars * 4))
            return handle.read().decode("utf-8", errors="replace")[-max_chars:]
    except OSError:
        return ""
