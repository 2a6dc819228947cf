"""Bad input gets one line and a non-zero exit, checked before slow work; bugs keep their traceback;
background failures are logged; a turn that fails leaves no conversation behind (issue 17, "Errors").

The command-line cases run `python -m assistant.cli` as a user would and load no model.
"""

from __future__ import annotations

import io
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant import cli
from assistant.config import ConfigError
from assistant.events import FinalAnswer, TextDelta, Timings, ToolCall, ToolOutcome, TurnLogged
from ui.jobs import JobQueue

REPO = Path(__file__).resolve().parents[2]

CATALOG_WITH_A_FILE_SERVER = """\
openapi: 3.1.0
info: {title: Files, version: "1"}
servers: [{url: "file:///etc/"}]
paths:
  /hostname:
    get:
      operationId: readHostname
      summary: Read the host name.
      responses: {"200": {description: ok}}
"""


def assistant_cli(*argv: str, home: Path, timeout: float = 180) -> subprocess.CompletedProcess:
    """Run the CLI in a fresh interpreter with its state under `home`."""
    env = {**os.environ, "ASSISTANT_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    return subprocess.run([sys.executable, "-m", "assistant.cli", *argv], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL, check=False)


def assert_one_line_error(result: subprocess.CompletedProcess, *words: str) -> str:
    """Exit code 2 and exactly one line on stderr, `error: ...`, holding each of `words`; returns the line."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert result.returncode == cli.EXIT_USAGE, result.stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


# -- bad files and arguments: one line, before anything slow --------------------------------------------


def test_a_config_that_is_not_utf8_is_one_line(tmp_path: Path):
    config = tmp_path / "config.yaml"
    config.write_bytes(b"model:\n  path: \xff\xfe\n")
    assert_one_line_error(assistant_cli("ask", "q", "--config", str(config), home=tmp_path / "home"),
                          str(config), "not UTF-8")


def test_a_yaml_syntax_error_is_one_line_with_line_and_column(tmp_path: Path):
    config = tmp_path / "config.yaml"
    config.write_text("model:\n  path: [a\n  x: 1\n", encoding="utf-8")
    assert_one_line_error(assistant_cli("ask", "q", "--config", str(config), home=tmp_path / "home"),
                          f"{config}: 3:4: not valid YAML", "expected ',' or ']'")


def test_training_on_a_binary_file_is_one_line(tmp_path: Path):
    binary = tmp_path / "ls"
    binary.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)))
    assert_one_line_error(assistant_cli("train", str(binary), home=tmp_path / "home"), "not UTF-8")


def test_a_state_directory_that_is_a_file_is_one_line(tmp_path: Path):
    in_the_way = tmp_path / "home"
    in_the_way.write_text("not a folder", encoding="utf-8")
    assert_one_line_error(assistant_cli("adapters", "list", "--home", str(in_the_way), home=tmp_path),
                          "is a file, not a folder")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
@pytest.mark.parametrize("home", ["/proc", "/proc/assistant-state"])
def test_a_state_directory_nothing_can_be_written_in_is_one_line(tmp_path: Path, home: str):
    assert_one_line_error(assistant_cli("adapters", "list", "--home", home, home=tmp_path),
                          f"cannot write in the state directory {home}")


@pytest.mark.parametrize("question", ["", "   "])
def test_an_empty_question_is_one_line_before_the_assistant_starts(tmp_path: Path, question: str):
    home = tmp_path / "home"
    assert_one_line_error(assistant_cli("ask", question, home=home), "the question is empty")
    assert not (home / "conversations.db").exists() and not (home / "chroma").exists()


@pytest.mark.parametrize("name, text, words", [
    ("catalog.yaml", CATALOG_WITH_A_FILE_SERVER, ["no absolute server URL", "file:///etc/"]),
    ("deep.json", '{"openapi": "3.1.0", "info": {"title": "x", "version": "1"}, "paths": {}, "x-deep": '
     + "[" * 100_000 + "]" * 100_000 + "}", ["nested deeper than"]),
], ids=["file-server", "nested-100000-deep"])
def test_a_catalog_that_will_not_load_is_refused_before_the_ingest(tmp_path: Path, name: str, text: str,
                                                                   words: list[str]):
    catalog = tmp_path / name
    catalog.write_text(text, encoding="utf-8")
    home = tmp_path / "home"
    assert_one_line_error(assistant_cli("ask", "q", "--catalog", str(catalog), home=home), *words)
    assert not (home / "chroma").exists() and not (home / "models").exists()


@pytest.mark.parametrize("files, words", [
    ({}, "has no adapter_config.json"),
    ({"adapter_config.json": "{}"}, "has no toolkens.json"),
])
def test_a_bad_adapter_is_refused_before_the_ingest_and_the_model(tmp_path: Path, files: dict, words: str):
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    for name, text in files.items():
        (adapter / name).write_text(text, encoding="utf-8")
    home = tmp_path / "home"
    assert_one_line_error(assistant_cli("ask", "q", "--adapter", str(adapter), home=home), words)
    assert not (home / "chroma").exists() and not (home / "models").exists()  # no ingest, no GGUF conversion


# -- the demo API's port ------------------------------------------------------------------------------------


@pytest.mark.parametrize("port", ["99999", "0", "-1", "http"])
def test_demo_api_refuses_a_port_outside_1_to_65535(tmp_path: Path, port: str):
    result = assistant_cli("demo-api", "--port", port, home=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "argument --port:" in result.stderr.strip().splitlines()[-1]


def test_demo_api_on_a_taken_port_is_one_line(tmp_path: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        assert_one_line_error(assistant_cli("demo-api", "--port", str(port), home=tmp_path),
                              f"127.0.0.1:{port}", "already using that port")


def test_demo_api_says_the_port_it_really_listens_on(tmp_path: Path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "ASSISTANT_HOME": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen([sys.executable, "-m", "assistant.cli", "demo-api", "--port", str(port)], cwd=REPO,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not _answers(f"http://127.0.0.1:{port}/health"):
            assert server.poll() is None and time.monotonic() < deadline, "the demo API did not start"
            time.sleep(0.2)
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)
    assert stderr.splitlines()[0].startswith(f"demo API on http://127.0.0.1:{port} ")


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1, trust_env=False).status_code == 200
    except httpx.HTTPError:
        return False


# -- bugs keep their traceback, deliberate errors are one line ---------------------------------------------


def test_a_key_error_is_a_bug_with_its_traceback_not_an_error_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    def broken(args) -> int:
        return {}["x"]

    monkeypatch.setattr(cli, "_run_adapters_list", broken)
    with pytest.raises(KeyError):
        cli.main(["adapters", "list", "--home", str(tmp_path)])


def test_a_deliberate_error_is_one_line(monkeypatch: pytest.MonkeyPatch, capsys, tmp_path: Path):
    def refused(args) -> int:
        raise ConfigError("a problem\n  stated on two lines")

    monkeypatch.setattr(cli, "_run_adapters_list", refused)
    assert cli.main(["adapters", "list", "--home", str(tmp_path)]) == cli.EXIT_USAGE
    assert capsys.readouterr().err == "error: a problem stated on two lines\n"


def test_recognising_user_errors_imports_nothing_heavy(tmp_path: Path):
    # the config's retrain section (finetune.retrain_config, pydantic only) is the one piece of finetune it reads
    code = ("import sys; from assistant.cli import main; main(['adapters', 'list']); "
            "print(sorted(m for m in sys.modules if m in ('torch', 'transformers', 'assistant.engine') or "
            "m.startswith('finetune.') and m != 'finetune.retrain_config'))")
    env = {**os.environ, "ASSISTANT_HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
                            check=False, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stderr


# -- what the model and the user are told about calls that were not sent ------------------------------------


def test_a_dry_run_answer_is_marked_as_not_sent():
    planned = ToolOutcome("api.bookMeetingRoom", {"room_id": "bora"}, "planned",
                          result={"sent": False, "planned": {"method": "POST", "url": "http://x/rooms"}})
    events = [ToolCall("api.bookMeetingRoom", {"room_id": "bora"}, True, {}), planned, TextDelta("Done.")]
    out = io.StringIO()
    cli._print_turn(events, out)
    assert "[planned, NOT sent]" in out.getvalue()
    assert out.getvalue().rstrip().endswith("(dry run: 1 API call planned, none sent)")


# -- background failures are logged --------------------------------------------------------------------------


def test_the_job_poller_logs_a_failure_once_and_keeps_polling(tmp_path: Path, monkeypatch, caplog):
    queue = JobQueue(tmp_path)
    polls: list[float] = []
    healthy = False

    def poll():
        polls.append(time.monotonic())
        if not healthy:
            raise RuntimeError("database is locked")

    monkeypatch.setattr(queue, "poll", poll)
    caplog.set_level(logging.INFO, logger="ui.jobs")
    stop = queue.run_in_background(interval_s=0.01)
    try:
        _wait_for(lambda: len(polls) >= 5)
        healthy = True
        _wait_for(lambda: any("works again" in r.getMessage() for r in caplog.records))
    finally:
        stop.set()
    failures = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(failures) == 1 and failures[0].exc_info is not None  # with its traceback, not once per tick
    assert "database is locked" in caplog.text


def _wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


# -- no empty conversations from failed turns ---------------------------------------------------------------


class ScriptedEngine:
    """Stands in for the engine: a few words, then `failure` raised, or the final answer."""

    def __init__(self, failure: BaseException | None = None, at_start: bool = False):
        self.failure = failure
        self.at_start = at_start

    def run_turn(self, messages: list[dict], **kwargs) -> Iterator:
        if self.failure is not None and self.at_start:
            raise self.failure
        yield TextDelta("Twenty")
        if self.failure is not None:
            raise self.failure
        timings = Timings(prompt_tokens=10, sampled_tokens=3, forced_tokens=0, first_token_s=0.1, tools_s=0.0,
                          total_s=0.2)
        yield FinalAnswer("Twenty-five days.", [], [], [{"role": "assistant", "content": "Twenty-five days."}],
                          timings, "end_of_turn")


def assistant_over(engine: ScriptedEngine, tmp_path: Path):
    """An Assistant with only what `ask` touches: the config, the log and an engine (no model, no tools)."""
    from assistant.config import AssistantConfig
    from assistant.runtime import Assistant, Serving
    from assistant.store import ConversationStore

    assistant = Assistant.__new__(Assistant)
    assistant.config = AssistantConfig()
    assistant.store = ConversationStore(tmp_path / "conversations.db")
    assistant._serving = Serving(loaded=None, engine=engine, name="scripted")
    assistant.reload_adapter_if_changed = lambda: False
    return assistant


@pytest.mark.parametrize("failure, at_start", [
    (KeyboardInterrupt(), False),  # Ctrl-C (or the reader gone) halfway through the answer
    (RuntimeError("the model crashed"), False),
    (ValueError("refused before the first token"), True),
])
def test_a_turn_that_fails_leaves_no_conversation(tmp_path: Path, failure: BaseException, at_start: bool):
    assistant = assistant_over(ScriptedEngine(failure, at_start), tmp_path)
    with pytest.raises(type(failure)):
        list(assistant.ask("How much leave do I have?", user="ann"))
    assert assistant.store.conversations("ann") == []


def test_a_finished_turn_starts_its_conversation_and_the_next_continues_it(tmp_path: Path):
    assistant = assistant_over(ScriptedEngine(), tmp_path)
    first = [e for e in assistant.ask("How much leave do I have?", user="ann") if isinstance(e, TurnLogged)][0]
    second = [e for e in assistant.ask("And next year?", conversation_id=first.conversation_id, user="ann")
              if isinstance(e, TurnLogged)][0]
    assert second.conversation_id == first.conversation_id
    [conversation] = assistant.store.conversations("ann")
    assert conversation["title"] == "How much leave do I have?"
    assert [t.question for t in assistant.store.turns(first.conversation_id)] == ["How much leave do I have?",
                                                                                   "And next year?"]


def test_an_empty_question_is_refused_when_asked_not_when_read(tmp_path: Path):
    from assistant.runtime import EmptyQuestion

    assistant = assistant_over(ScriptedEngine(), tmp_path)
    with pytest.raises(EmptyQuestion):
        assistant.ask(" \n ")  # raised by the call itself, before a turn or a conversation exists
    assert assistant.store.conversations("cli") == []
