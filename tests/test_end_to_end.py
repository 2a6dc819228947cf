"""The real embedded SmolLM2 through the whole runtime: each toolken path, the log, and the CLI.

The base model is not trained on the toolkens yet, so each path is entered by forcing its toolken; the
arguments are the model's own, decoded under the tool's grammar, and the tools are the real ones (the
calculator, Chroma over the demo handbook, the demo API over HTTP on loopback).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml

from assistant.config import DEMO_CATALOG, DEMO_DOCS, parse_config
from assistant.demo import api as demo_api
from assistant.events import FinalAnswer, Sources, ToolCall, ToolOutcome, TurnLogged
from assistant.result_answers import describe_result
from assistant.runtime import Assistant

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory):
    server = demo_api.start_in_background("127.0.0.1", 0, tmp_path_factory.mktemp("demo") / "demo.db")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def config_data(smollm2_folder: Path, demo_server) -> dict:
    return {
        "model": {"path": str(smollm2_folder)},
        "generation": {"max_new_tokens": 40, "max_argument_tokens": 24},
        "tools": {
            "catalog": {"path": str(DEMO_CATALOG), "base_url": demo_server.url},
            "retrieval": {"docs": str(DEMO_DOCS)},
        },
        "start_demo_api": False,
    }


@pytest.fixture(scope="module")
def assistant(config_data: dict, tmp_path_factory: pytest.TempPathFactory):
    app = Assistant(parse_config(config_data), tmp_path_factory.mktemp("home"))
    yield app
    app.close()


def turn(assistant: Assistant, question: str, budget: int = 40, arguments: int = 24, **kwargs) -> tuple[list, FinalAnswer]:
    """One turn with small token budgets: the untrained model's output is checked for shape, not quality."""
    generation = assistant.config.generation.model_copy(
        update={"max_new_tokens": budget, "max_argument_tokens": arguments})
    events = list(assistant.ask(question, generation=generation, **kwargs))
    return events, next(e for e in events if isinstance(e, FinalAnswer))


def outcome_of(events: list) -> ToolOutcome:
    return next(e for e in events if isinstance(e, ToolOutcome))


def test_start_up_ingests_the_handbook_and_registers_every_tool(assistant: Assistant):
    report = assistant.ingest_report
    assert report is not None and len(report.added) >= 8 and not report.skipped
    names = [tool.name for tool in assistant.tools]
    assert names[:2] == ["calculator", "search"] and "api.createLeaveRequest" in names
    assert assistant.loaded.registry.names == names


def test_plain_turn_is_answered_and_logged(assistant: Assistant):
    events, final = turn(assistant, "Hello! Please greet me in one short sentence.")
    assert final.answer
    logged = next(e for e in events if isinstance(e, TurnLogged))
    (record,) = assistant.store.turns(logged.conversation_id)
    assert record.id == logged.turn_id and record.answer == final.answer
    assert record.timings["sampled_tokens"] == final.timings.sampled_tokens > 0


def test_follow_up_turn_sees_the_conversation(assistant: Assistant):
    first, _ = turn(assistant, "My name is Ingrid.")
    conversation = next(e for e in first if isinstance(e, TurnLogged)).conversation_id
    second, _ = turn(assistant, "What is my name?", conversation_id=conversation)
    assert len(assistant.store.turns(conversation)) == 2
    assert next(e for e in second if isinstance(e, TurnLogged)).conversation_id == conversation


def test_calculator_toolken_path(assistant: Assistant):
    events, final = turn(assistant, "What is 12 times 7?", force_tool="calculator")
    outcome = outcome_of(events)
    assert outcome.tool == "calculator"
    if outcome.status == "ran":  # the untrained model may write a valid expression …
        assert "result" in outcome.result
    else:  # … or not; either way the failure went back to the model as data
        assert outcome.status in ("failed", "invalid") and outcome.error
    assert [m["role"] for m in final.messages][:2] == ["assistant", "tool"]
    assert final.messages[0]["content"].startswith("<tool:calculator>")


def test_search_toolken_path_cites_handbook_sources(assistant: Assistant):
    # The untrained model fills the query string until its 120-character cap closes it.
    events, final = turn(assistant, "How many days of annual leave do I get?", budget=200, arguments=160,
                         force_tool="search")
    outcome = outcome_of(events)
    assert outcome.status == "ran" and outcome.result, outcome.error
    handbook = {path.name for path in DEMO_DOCS.iterdir()}
    assert final.sources and set(final.sources) <= handbook
    assert next(e for e in events if isinstance(e, Sources)).sources == final.sources


def test_api_get_toolken_path_reaches_the_real_service(assistant: Assistant):
    events, _ = turn(assistant, "Show me employee E1005.", force_tool="api.getEmployee")
    call = next(e for e in events if isinstance(e, ToolCall))
    outcome = outcome_of(events)
    assert re.fullmatch(r"E\d{4}", call.arguments["employee_id"])  # the grammar enforces the pattern
    assert call.plan["method"] == "GET" and call.plan["url"].endswith(call.arguments["employee_id"])
    # Sent for real: either the employee, or the service's own 404 for an unknown id.
    assert (outcome.status == "ran" and outcome.result["status"] == 200) or outcome.error.startswith("HTTP 404")


def bookings(server) -> int:
    rooms = httpx.get(f"{server.url}/rooms", trust_env=False).json()
    items = rooms["rooms"] if isinstance(rooms, dict) else rooms
    total = 0
    for room in items:
        data = httpx.get(f"{server.url}/rooms/{room['id']}/bookings", trust_env=False).json()
        total += len(data["bookings"] if isinstance(data, dict) else data)
    return total


def test_side_effecting_call_is_not_sent_without_approval(assistant: Assistant, demo_server):
    before = bookings(demo_server)
    events, _ = turn(assistant, "Book room Bora tomorrow 10:00-11:00.", force_tool="api.bookMeetingRoom")
    for call in (e for e in events if isinstance(e, ToolCall)):  # present when the arguments completed
        assert call.side_effects and call.plan["method"] == "POST"
    assert outcome_of(events).status in ("declined", "invalid")
    assert bookings(demo_server) == before


def test_approved_side_effecting_call_is_sent(assistant: Assistant, demo_server):
    asked: list[ToolCall] = []
    events, _ = turn(assistant, "Book room Bora tomorrow 10:00-11:00.", force_tool="api.bookMeetingRoom",
                     approve=lambda call: asked.append(call) or True)
    outcome = outcome_of(events)
    if outcome.status != "invalid":  # complete arguments: the request went out and the service answered
        assert asked and (outcome.status == "ran" or outcome.error.startswith("HTTP 4"))


def test_an_answer_after_a_call_that_ran_is_written_from_its_result(assistant: Assistant):
    question = "who is the manager of E1019?"
    events, answer = turn(assistant, question, force_tool="api.getEmployee")
    outcome = outcome_of(events)
    assert outcome.status == "ran", outcome.error
    operation = next(tool.operation for tool in assistant.tools if tool.name == "api.getEmployee")
    assert answer.answer == describe_result(operation, outcome.result["body"], question)
    assert answer.answer.startswith("Ingrid Larsen (E1019): manager id E1005, manager Mei Lin Zhou, ")


def test_dry_run_plans_api_calls_without_sending(assistant: Assistant):
    events, _ = turn(assistant, "Show me employee E1005.", force_tool="api.getEmployee", dry_run=True)
    outcome = outcome_of(events)
    assert outcome.status == "planned"
    assert outcome.result["planned"]["method"] == "GET" and "/employees/E" in outcome.result["planned"]["url"]


# -- the command line, as a user runs it ------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_config(config_data: dict, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "config.yaml"
    path.write_text(yaml.safe_dump(config_data), encoding="utf-8")
    return path


def run_cli(*args: str, home: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "ASSISTANT_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], input=stdin, capture_output=True,
                          text=True, env=env, timeout=300)


def test_ask_json_prints_exactly_one_object(cli_config: Path, tmp_path: Path):
    result = run_cli("ask", "What is 2 + 2?", "--json", "--tool", "calculator", "--config", str(cli_config), home=tmp_path)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert set(answer) == {"answer", "tool_calls", "sources"}
    assert answer["tool_calls"][0]["tool"] == "calculator"
    assert set(answer["tool_calls"][0]) == {"tool", "arguments", "result", "error"}


def test_chat_answers_and_exits_like_the_readme_main_command(cli_config: Path, tmp_path: Path):
    result = run_cli("chat", "--config", str(cli_config), home=tmp_path, stdin="Hello!\n/exit\n")
    assert result.returncode == 0, result.stderr
    assert "assistant> " in result.stdout and "tools." in result.stdout
    assert (tmp_path / "conversations.db").is_file()
    # only what is the user's business: no library warnings, progress bars or tracebacks (-v shows them)
    for noise in ("Warning", "warn", "it/s]", "Traceback"):
        assert noise not in result.stderr, result.stderr


def test_cli_names_a_bad_config_key(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("generation:\n  temprature: 0.3\n")
    result = run_cli("ask", "hi", "--config", str(bad), home=tmp_path)
    assert result.returncode == 2 and "generation.temprature: unknown key" in result.stderr


def test_ingest_command_is_idempotent(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "parking.md").write_text("# Parking\n\nVisitors park in bay P7 behind the loading dock.\n")
    first = run_cli("ingest", str(docs), home=tmp_path / "home")
    second = run_cli("ingest", str(docs), home=tmp_path / "home")
    assert first.returncode == 0 and "1 added" in first.stdout, first.stderr
    assert "1 unchanged" in second.stdout and "0 added" in second.stdout


def test_demo_api_command_serves_the_catalog(tmp_path: Path):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "ASSISTANT_HOME": str(tmp_path)}
    process = subprocess.Popen([sys.executable, "-m", "assistant.cli", "demo-api", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            if demo_api.is_serving(url):
                break
            process.wait(timeout=0.1) if process.poll() is not None else __import__("time").sleep(0.1)
        assert demo_api.is_serving(url)
        assert httpx.get(f"{url}/employees/E1001", trust_env=False).json()["id"] == "E1001"
    finally:
        process.terminate()
        process.wait(timeout=10)
