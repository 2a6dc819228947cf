"""Many staff at once: simulated people asking through the real web app, beside the same load on a baseline.

Starts `assistant serve` (a fresh state directory, the demo API and handbook on loopback), logs in N people over
HTTP (the login form, then Gradio's own client with the session cookie, streaming every answer as a browser
does), and has each of them ask, read the answer, type the next question and ask again for the given time
(`--pace stress`: 2-5 s between an answer and the next question; `--pace staff`: the time a person takes to
read the answer and type the next question). Each person cycles
through plain questions, calculator questions, handbook questions, API look-ups and bookings; a booking asks
for confirmation, which the person gives after a moment or, one time in three, never gives (the page is
left waiting; the person's next question declines the call). The same load then runs on the baseline: the
project's code at `--baseline-rev` (by default the last commit before the engine pool, where one lock served
every turn and a turn waiting for confirmation held it), unpacked with `git archive`.

Printed per server: errors, time to first token (request sent -> the model's first output in the stream)
p50/p95 per kind of question, tokens/s per person (median of their turns' decode rates, from the
conversation log) and in all (sampled tokens of every turn / the run's wall time), turns answered, and the
server's peak resident memory; then, from the conversation log, where each kind's time went before its first
text was shown (router, waiting for a decoder, computing the prompt) and the slowest plain turns part by part.

Run:  python bench/serve_load.py [--users 8] [--minutes 5] [--baseline-rev REV] [--skip-baseline]
                                 [--engines N] [--backend torch|llama_cpp] [--gguf-quant q8_0|f16|f32]
                                 [--saved-states-mb MB] [--pace stress|staff]
Needs a quiet machine: everything else running on these cores is measured with it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.config import DEMO_CATALOG, DEMO_DOCS  # noqa: E402
from assistant.demo import api as demo_api  # noqa: E402
from assistant.passwords import hash_password  # noqa: E402

#: The commit before the engine pool: one lock for every turn, held through a pending confirmation.
SINGLE_LOCK_REV = "73f0db4"
AUTOMATIC = "Tool: automatic"
#: (kind, question, tool picked in the page); each person starts at a different place in the cycle.
CYCLE = [
    ("plain", "Hello! What can you help me with?", AUTOMATIC),
    ("calculator", "What is 17% of 2340?", "calculator"),
    ("document", "How many days of annual leave do I get per year?", "search"),
    ("plain", "Write a short thank-you note to a colleague.", AUTOMATIC),
    ("api", "Who is in the Finance department?", "api.searchDirectory"),
    ("booking", "Book room Bora tomorrow 10:00-11:00 for the design review.", "api.bookMeetingRoom"),
    ("calculator", "What is 12 times 37, minus 15?", "calculator"),
    ("plain", "Thanks, that helps.", AUTOMATIC),
    ("document", "What is the hotel budget per night on business trips?", "search"),
]
THINK_S = (2.0, 5.0)  # --pace stress: a person reads the answer, then types the next question, in 2-5 s
#: --pace staff: a person reads the answer at 250 words a minute and types the next question at 40 words (200
#: characters) a minute, each time within 20% either way: the usual figures for reading and typing on a screen.
READ_WORDS_S = 250 / 60
TYPE_CHARS_S = 200 / 60
CONFIRM_AFTER_S = 3.0
ABANDON_EVERY = 3  # every third booking is left unconfirmed
#: After the run's time is up, answers still streaming get this long; what is still unanswered then is counted.
GRACE_S = 60.0


@dataclass
class Turn:
    user: str
    kind: str
    question: str = ""
    answer: str = ""
    first_token_s: float | None = None
    error: str | None = None
    abandoned: bool = False


@dataclass
class Load:
    name: str
    turns: list[Turn] = field(default_factory=list)
    wall_s: float = 0.0
    peak_rss_mb: float = 0.0
    logged: list[dict] = field(default_factory=list)
    #: Per person, the question being answered now and when it was sent (absent: none in flight).
    asking: dict[str, tuple[str, float]] = field(default_factory=dict)
    ended_at: float = 0.0  # time.monotonic() when the run was cut off
    closed: bool = False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--baseline-rev", default=SINGLE_LOCK_REV, help="git revision of the baseline server")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--engines", type=int, help="model.engines for this tree's server (default: its own)")
    parser.add_argument("--backend", choices=["torch", "llama_cpp"], help="model.backend for this tree's server")
    parser.add_argument("--gguf-quant", choices=["q8_0", "f16", "f32"], help="model.gguf_quant for llama_cpp")
    parser.add_argument("--saved-states-mb", type=int, help="model.saved_states_mb for llama_cpp (0: none kept)")
    parser.add_argument("--shift-context", choices=["true", "false"], help="model.shift_context for llama_cpp")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pace", choices=["stress", "staff"], default="stress",
                        help="stress: 2-5 s between an answer and the next question; staff: the time to read the "
                             "answer and type the next question")
    parser.add_argument("--turns", type=Path, help="write each turn (person, kind, question, first token, answer) "
                                                   "to this JSONL file, to see which turns were slow")
    args = parser.parse_args()
    loads = []
    with tempfile.TemporaryDirectory(prefix="serve-load-") as scratch:
        root = Path(scratch)
        if not args.skip_baseline:
            baseline = unpack(args.baseline_rev, root / "baseline-src")
            loads.append(run_load(f"baseline {args.baseline_rev} (single lock)", baseline, root / "baseline", {},
                                  args))
        shift = {"true": True, "false": False}.get(args.shift_context)
        model = {key: value for key, value in (("engines", args.engines), ("backend", args.backend),
                                               ("gguf_quant", args.gguf_quant),
                                               ("saved_states_mb", args.saved_states_mb), ("shift_context", shift))
                 if value is not None}
        described = ", ".join(f"{key} {value}" for key, value in model.items())
        loads.append(run_load(f"this tree (engine pool{', ' + described if described else ''})", REPO,
                              root / "current", model, args))
    report(loads, args)
    if args.turns:
        with args.turns.open("w") as out:
            for load in loads:
                for turn in load.turns:
                    out.write(json.dumps({"server": load.name, **dataclasses.asdict(turn)}) + "\n")


def unpack(revision: str, target: Path) -> Path:
    """The project's files at `revision`, in `target`."""
    target.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", revision], check=True,
                             capture_output=True).stdout
    archive_path = target.parent / f"{revision}.tar"
    archive_path.write_bytes(archive)
    with tarfile.open(archive_path) as tar:
        tar.extractall(target, filter="data")
    return target


def run_load(name: str, source: Path, root: Path, model: dict, args: argparse.Namespace) -> Load:
    root.mkdir(parents=True)
    demo = demo_api.start_in_background("127.0.0.1", 0, root / "demo.db")
    users = [f"staff{i + 1}" for i in range(args.users)]
    url, child = start_app(source, root, demo.url, users, model)
    load = Load(name)
    try:
        stop = threading.Event()
        sampler = threading.Thread(target=sample_rss, args=(child.pid, load, stop), daemon=True)
        sampler.start()
        started = time.monotonic()
        deadline = started + args.minutes * 60
        people = [threading.Thread(target=person, args=(url, user, i, deadline, load, args.seed, args.pace), daemon=True)
                  for i, user in enumerate(users)]
        for thread in people:
            thread.start()
        for thread in people:  # daemons: one still waiting for its answer after the grace is counted, not awaited
            thread.join(timeout=max(0.0, deadline + GRACE_S - time.monotonic()))
        load.ended_at = time.monotonic()
        load.wall_s = load.ended_at - started
        load.closed = True  # what comes after the cut-off (the server stopping under a waiting person) is not counted
        stop.set()
        load.logged = logged_turns(root / "home")
    finally:
        child.terminate()
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
        demo.stop()
    return load


def start_app(source: Path, root: Path, demo_url: str, users: list[str], model: dict) -> tuple[str, subprocess.Popen]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = {
        "model": model,
        "tools": {"catalog": {"path": str(DEMO_CATALOG), "base_url": demo_url}, "retrieval": {"docs": str(DEMO_DOCS)}},
        "start_demo_api": False,
        "serve": {"port": port, "approval_timeout_s": 120.0,
                  "users": [{"name": user, "role": "staff", "password_hash": hash_password(user)} for user in users]},
    }
    (root / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    log = (root / "serve.log").open("w")
    environment = {**os.environ, "PYTHONPATH": str(source)}  # the baseline's packages before the installed tree's
    child = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--config", str(root / "config.yaml"),
                              "--home", str(root / "home")], stdout=log, stderr=subprocess.STDOUT, cwd=source,
                             env=environment)
    url = f"http://127.0.0.1:{port}"
    while True:
        if child.poll() is not None:
            sys.exit("the app stopped:\n" + (root / "serve.log").read_text()[-3000:])
        try:
            if httpx.get(f"{url}/healthz", timeout=2, trust_env=False).status_code == 200:
                return url, child
        except httpx.HTTPError:
            time.sleep(1)


def log_in(url: str, user: str):
    from gradio_client import Client

    # A person waits for the login page as long as for an answer: a busy server is slow, not down.
    with httpx.Client(trust_env=False, timeout=60.0) as http:
        response = http.post(f"{url}/login", data={"username": user, "password": user, "next": "/"})
        cookie = response.cookies.get("assistant_session")
    if not cookie:
        raise RuntimeError(f"{user} could not log in: HTTP {response.status_code}")
    return Client(url + "/", headers={"Cookie": f"assistant_session={cookie}"}, verbose=False)


def think_s(pace: str, answer: str, next_question: str, rng: random.Random) -> float:
    """How long a person takes between an answer and their next question at `pace`."""
    if pace == "stress":
        return rng.uniform(*THINK_S)
    return (len(answer.split()) / READ_WORDS_S + len(next_question) / TYPE_CHARS_S) * rng.uniform(0.8, 1.2)


def person(url: str, user: str, index: int, deadline: float, load: Load, seed: int, pace: str) -> None:
    """One member of staff: ask, read, ask again, until the deadline."""
    rng = random.Random(seed * 1000 + index)
    try:
        client = log_in(url, user)
    except Exception as exc:  # a server too busy to log someone in: an error of that run, not the bench's end
        load.turns.append(Turn(user, "log-in", error=f"could not log in: {type(exc).__name__}: {exc}"[:160]))
        return
    position, bookings = index % len(CYCLE), 0
    while time.monotonic() < deadline:
        kind, question, tool = CYCLE[position % len(CYCLE)]
        position += 1
        # every third booking, counted across people, so that even a short run leaves some waiting
        abandon = kind == "booking" and (index + (bookings := bookings + 1)) % ABANDON_EVERY == 0
        load.asking[user] = (kind, time.monotonic())
        turn = ask(client, user, kind, question, tool, abandon)
        if load.closed:
            return
        load.turns.append(turn)
        del load.asking[user]
        time.sleep(think_s(pace, turn.answer, CYCLE[position % len(CYCLE)][1], rng))


def ask(client, user: str, kind: str, question: str, tool: str, abandon: bool) -> Turn:
    """One question through the chat page's own endpoint, read as it streams."""
    turn = Turn(user, kind, question)
    sent = time.monotonic()
    try:
        job = client.submit(question, tool, [], api_name="/answer")
        baseline_text = None
        for outputs in frames(job):
            # The client returns the page's value outputs only (no layout, no state): the chat, the question
            # box, the confirmation text, the waiting call's approval id and the turn's note.
            if len(outputs) != 5:
                raise RuntimeError(f"the chat endpoint returned {len(outputs)} outputs, not the 5 this bench reads")
            messages, approval_id = outputs[0], outputs[3]
            text = turn.answer = answer_text(messages)
            if baseline_text is None:
                baseline_text = text  # the page's first frame: the question, and a placeholder for a picked tool
            elif turn.first_token_s is None and text != baseline_text:
                turn.first_token_s = time.monotonic() - sent
            if approval_id:
                if abandon:
                    turn.abandoned = True
                    return turn  # the page is left as it is; the next question declines the call
                time.sleep(CONFIRM_AFTER_S)
                client.predict(approval_id, api_name="/handler")
        outputs = job.outputs()
        if not outputs or "tokens/s" not in str(outputs[-1][-1]):
            turn.error = f"no answer: {str(outputs[-1][-1])[:80] if outputs else 'nothing streamed'}"
    except Exception as exc:  # an error page, a dropped stream: counted, and the person goes on
        turn.error = f"{type(exc).__name__}: {exc}"[:160]
    return turn


def frames(job) -> Iterator[tuple]:
    """The job's outputs as they arrive. gradio_client's own iterator sleeps while it holds the lock that its
    receiving thread stores frames under; this one sleeps outside it, so that polling never delays a frame."""
    seen = 0
    while True:
        finished = job.done()  # read before the outputs, so that the last frames are read after it finished
        outputs = job.outputs()
        while seen < len(outputs):
            yield outputs[seen]
            seen += 1
        if finished:
            return
        time.sleep(0.02)  # eight people polling share the server's cores: not every millisecond


def answer_text(messages: list) -> str:
    """Everything after the last question in the chat, as text."""
    last_user = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=-1)
    return json.dumps(messages[last_user + 1:], sort_keys=True)


def sample_rss(pid: int, load: Load, stop: threading.Event) -> None:
    status = Path(f"/proc/{pid}/status")
    while not stop.wait(1.0):
        try:
            line = next(line for line in status.read_text().splitlines() if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            return
        load.peak_rss_mb = max(load.peak_rss_mb, int(line.split()[1]) / 1024)


def logged_turns(home: Path) -> list[dict]:
    with sqlite3.connect(home / "conversations.db") as db:
        db.row_factory = sqlite3.Row
        rows = db.execute("SELECT c.user, t.position, t.question, t.timings FROM turns t "
                          "JOIN conversations c ON c.id = t.conversation_id")
        return [{"user": row["user"], "position": row["position"], "question": row["question"],
                 **json.loads(row["timings"])} for row in rows]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(loads: list[Load], args: argparse.Namespace) -> None:
    pace = (f"think {THINK_S[0]:g}-{THINK_S[1]:g} s" if args.pace == "stress" else
            f"staff pace (read {READ_WORDS_S * 60:.0f} words/min, type {TYPE_CHARS_S * 60:.0f} characters/min)")
    print(f"\nserve load: {args.users} people for {args.minutes:g} min each run, {pace} ({os.cpu_count()} CPUs)")
    for load in loads:
        errors = [turn for turn in load.turns if turn.error]
        print(f"\n{load.name}: {len(load.turns)} questions answered, {len(errors)} errors, "
              f"{sum(t.abandoned for t in load.turns)} bookings left unconfirmed, peak RSS {load.peak_rss_mb:.0f} MB")
        for user, (kind, sent) in sorted(load.asking.items()):
            print(f"  still unanswered at the end: {user}'s {kind} question, after {load.ended_at - sent:.0f} s")
        for turn in errors[:5]:
            print(f"  error ({turn.user}, {turn.kind}): {turn.error}")
        print(f"  {'first token (s)':<18}{'n':>5}{'p50':>8}{'p95':>8}")
        for kind in sorted({turn.kind for turn in load.turns}):
            firsts = [t.first_token_s for t in load.turns if t.kind == kind and t.first_token_s is not None]
            if firsts:
                print(f"  {kind:<18}{len(firsts):>5}{statistics.median(firsts):>8.2f}{percentile(firsts, 0.95):>8.2f}")
        rates: dict[str, list[float]] = {}
        for row in load.logged:
            decode_s = row["total_s"] - row["first_token_s"] - row["tools_s"]
            if decode_s > 0 and row["sampled_tokens"] > 1:
                rates.setdefault(row["user"], []).append(row["sampled_tokens"] / decode_s)
        per_user = [statistics.median(values) for values in rates.values()]
        total = sum(row["sampled_tokens"] for row in load.logged)
        if per_user:
            print(f"  tokens/s per person: median {statistics.median(per_user):.1f} (min {min(per_user):.1f}, "
                  f"max {max(per_user):.1f}); in all {total / load.wall_s:.1f} ({total} tokens in {load.wall_s:.0f} s, "
                  f"{len(load.logged)} turns logged)")
        report_server_side(load.logged)


#: The parts of a turn's time before its reply was shown, as the server logged them (assistant.events.Timings),
#: and the decoding between its prompt's logits and its first shown text, which `report_server_side` derives.
PARTS = [("route_s", "router"), ("wait_s", "wait"), ("prompt_computed", "computed"), ("prompt_s", "prompt"),
         ("decoding_s", "then"), ("shown_s", "shown")]


def report_server_side(logged: list[dict]) -> None:
    """Where the time before the first shown text went, per kind of question, as the server logged it: the
    router, waiting for a decoder, the prompt ids computed and the time that took (in rounds shared with other
    turns), and when the first text was shown; then the slowest plain turns part by part. The bench's own first
    token less the server's `shown` is the web app's share (queue, streaming). Trees before these timings were
    logged print nothing."""
    kinds = {question: kind for kind, question, _ in CYCLE}
    rows = [row for row in logged if "shown_s" in row and row.get("question") in kinds]
    if not rows:
        return
    for row in rows:  # from the prompt's logits to the first shown text: sampling, and openings held back
        row["decoding_s"] = None if row["shown_s"] is None else \
            row["shown_s"] - row["route_s"] - row["wait_s"] - row["prompt_s"]
    print(f"  server side, p50 / p95 ({', '.join(f'{label}: {key}' for key, label in PARTS)}):")
    print(f"  {'':<12}" + "".join(f"{label:>16}" for _, label in PARTS))
    for kind in sorted({kinds[row["question"]] for row in rows}):
        mine = [row for row in rows if kinds[row["question"]] == kind]
        cells = []
        for key, _ in PARTS:
            values = [row[key] for row in mine if row[key] is not None]
            cells.append(f"{statistics.median(values):.2f} / {percentile(values, 0.95):.2f}" if values else "-")
        print(f"  {kind:<12}" + "".join(f"{cell:>16}" for cell in cells))
    plain = sorted((row for row in rows if kinds[row["question"]] == "plain" and row["shown_s"] is not None),
                   key=lambda row: row["shown_s"], reverse=True)
    for row in plain[:5]:
        print(f"  slow plain: {row['user']} turn {row['position'] + 1}, prompt {row['prompt_tokens']} ids: "
              + ", ".join(f"{label} {row[key]:.2f}" if key != "prompt_computed" else f"{label} {row[key]}"
                          for key, label in PARTS))


if __name__ == "__main__":
    main()
