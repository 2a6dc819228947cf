"""The web app in a real browser: `assistant serve` as a user starts it, driven with Playwright and Debian's
Chromium, on the real embedded model, the real SQLite log and the demo API on loopback.

The untrained model rarely picks a tool by itself, so the chat's tool picker starts the answer with one
(as `assistant ask --tool` does); the arguments are still the model's own. Screenshots of every page go to
tests/output/screenshots/ (not committed) for a person to look at.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from assistant.config import DEMO_CATALOG, DEMO_DOCS
from assistant.demo import api as demo_api
from assistant.passwords import hash_password
from tools.catalog import load_catalog
from ui.chat import AUTOMATIC

pytestmark = pytest.mark.slow
playwright = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path(os.environ.get("ASSISTANT_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = Path(__file__).resolve().parent / "output" / "screenshots"
USERS = {"ada": ("admin", "ada-secret"), "sam": ("staff", "sam-secret")}
SLOW = 240_000  # ms: a turn or a training job on 2 cores shared with other work

if not CHROMIUM.exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(smollm2_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """`assistant serve` in a child process, with two users, the demo API and a fresh state directory."""
    root = tmp_path_factory.mktemp("web")
    demo = demo_api.start_in_background("127.0.0.1", 0, root / "demo.db")
    config = {
        "model": {"path": str(smollm2_folder), "engines": 1},  # one engine: who waits for whom is visible
        "generation": {"max_new_tokens": 192, "max_argument_tokens": 160},
        "tools": {"catalog": {"path": str(DEMO_CATALOG), "base_url": demo.url}, "retrieval": {"docs": str(DEMO_DOCS)}},
        "start_demo_api": False,
    }
    with serving(root, config) as url:
        SHOTS.mkdir(parents=True, exist_ok=True)
        yield {"url": url, "home": root / "home", "demo": demo}
    demo.stop()


@contextlib.contextmanager
def serving(root: Path, config: dict) -> Iterator[str]:
    """`assistant serve` on `config` (its users and a free port added) in a child process; yields its URL."""
    port = free_port()
    config = {**config, "serve": {"port": port, "approval_timeout_s": 120,
                                  "users": [{"name": name, "role": role, "password_hash": hash_password(password)}
                                            for name, (role, password) in USERS.items()]}}
    (root / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    log = (root / "serve.log").open("w")
    child = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--config", str(root / "config.yaml"),
                              "--home", str(root / "home")], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        assert child.poll() is None, (root / "serve.log").read_text()
        try:
            if httpx.get(f"{url}/healthz", timeout=2, trust_env=False).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(1)
    else:
        pytest.fail("the web app did not start: " + (root / "serve.log").read_text()[-2000:])
    try:
        yield url
    finally:
        child.terminate()
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a page still connected keeps uvicorn's graceful shutdown waiting
            child.kill()
            child.wait(timeout=30)


@pytest.fixture(scope="module")
def browser(server) -> Iterator:
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def outside_requests() -> list[str]:
    """Every request any page made to a host other than this machine's loopback."""
    return []


def log_in(browser, server: dict, name: str, outside: list[str], shot: str | None = None):
    context = browser.new_context(viewport={"width": 1400, "height": 950})
    context.on("request", lambda r: None if r.url.startswith(("http://127.0.0.1", "data:", "blob:"))
               else outside.append(r.url))
    page = context.new_page()
    page.goto(server["url"] + "/")
    page.wait_for_selector("#username")
    if shot:
        page.screenshot(path=str(SHOTS / shot))
    page.fill("#username", name)
    page.fill("#password", USERS[name][1])
    page.click("button[type=submit]")
    page.wait_for_selector("#chatbot", timeout=60_000)
    page.wait_for_selector(f"#app-header >> text={name}")
    return page


def ask(page, question: str, tool: str) -> None:
    page.click("#tool-pick input")
    page.get_by_role("option", name=tool, exact=True).click()
    page.fill("#question textarea", question)
    page.keyboard.press("Enter")


def turns(server: dict) -> list[dict]:
    with sqlite3.connect(server["home"] / "conversations.db") as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute("SELECT t.*, c.user FROM turns t JOIN conversations c "
                                                "ON c.id = t.conversation_id ORDER BY t.id")]


def wait_for(check, timeout_s: float = 30.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError("timed out waiting")


def test_staff_calculator_question_shows_the_tool_step_and_answer_and_is_rated(browser, server, outside_requests):
    page = log_in(browser, server, "sam", outside_requests, shot="login.png")
    page.screenshot(path=str(SHOTS / "chat-empty.png"))
    ask(page, "What is 17% of 2340?", "calculator")
    step = page.locator("#chatbot").get_by_text("Calculator:", exact=False).first
    step.wait_for(timeout=SLOW)
    page.wait_for_selector("#turn-note >> text=tokens/s", timeout=SLOW)
    (turn,) = wait_for(lambda: turns(server))
    assert turn["user"] == "sam" and json.loads(turn["tool_calls"])[0]["tool"] == "calculator"
    answer = page.locator("#chatbot .message-row").last
    assert turn["answer"][:20] in answer.inner_text()
    step.click()  # the collapsed step opens to show the arguments and the result
    page.locator("#chatbot").get_by_text("Arguments").first.wait_for()
    page.wait_for_timeout(500)
    page.screenshot(path=str(SHOTS / "chat-calculator.png"))

    page.locator("#chatbot button[aria-label='Like']").last.click()
    row = wait_for(lambda: _feedback(server, turn["id"]))
    assert (row["rating"], row["user"], row["correction"]) == (1, "sam", None)

    page.click("#correction")  # suggest a better answer, tied to the same turn
    page.fill("#correction-text textarea", "17% of 2340 is 397.8.")
    page.click("#save-correction")
    row = wait_for(lambda: (r := _feedback(server, turn["id"])) and r["correction"] and r)
    assert (row["rating"], row["correction"]) == (-1, "17% of 2340 is 397.8.")


def _feedback(server: dict, turn_id: int) -> dict | None:
    with sqlite3.connect(server["home"] / "conversations.db") as db:
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT * FROM feedback WHERE turn_id = ? ORDER BY id DESC LIMIT 1", (turn_id,)).fetchone()
    return dict(row) if row else None


def test_staff_confirms_a_side_effecting_call_before_it_is_sent(browser, server, outside_requests):
    page = log_in(browser, server, "sam", outside_requests)
    ask(page, "Book room Bora tomorrow 10:00-11:00 for E1009.", "api.bookMeetingRoom")
    page.get_by_text("Confirm this change?").wait_for(timeout=SLOW)
    assert page.get_by_text("waiting for your confirmation").count() >= 1
    assert duplicate_ids(page) == []  # the confirmation box is one element
    page.screenshot(path=str(SHOTS / "chat-confirm.png"))
    before = len(turns(server))
    page.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_selector("#turn-note >> text=tokens/s", timeout=SLOW)
    turn = wait_for(lambda: len(turns(server)) > before and turns(server)[-1])
    (call,) = json.loads(turn["tool_calls"])
    # Sent: the demo API answered (a booking, or its own error for the model's made-up room), not declined.
    assert call["tool"] == "api.bookMeetingRoom" and call["status"] in ("ran", "failed")
    assert call["status"] == "ran" or call["error"].startswith("HTTP 4")
    page.screenshot(path=str(SHOTS / "chat-sent.png"))


def test_chat_history_reopens_starts_new_and_deletes(browser, server, outside_requests):
    page = log_in(browser, server, "sam", outside_requests)
    history = page.locator("#history label")
    wait_for(lambda: history.count() == 2)
    page.click("#new-chat")
    assert page.locator("#chatbot .message-row").count() == 0
    assert page.locator("#delete-chat").is_hidden()  # no chat open: nothing to delete
    history.filter(has_text="17% of 2340").click()
    page.locator("#chatbot").get_by_text("What is 17% of 2340?").wait_for()
    # the reopened answer reads as it streamed: the tool step, then the reply written after it
    reopened = page.locator("#chatbot .message-row").last.inner_text()
    answer = turns(server)[0]["answer"].strip() or "(no answer)"
    assert reopened.index("Calculator:") < reopened.index(answer[:20]), reopened
    # the thumb sam left shows again: liked, then a better answer suggested, which counts as a dislike
    page.locator("#chatbot button[aria-label='Disliked']").wait_for()
    assert page.locator("#chatbot button[aria-label='Liked']").count() == 0
    page.screenshot(path=str(SHOTS / "chat-history.png"))
    history.filter(has_text="Book room Bora").click()
    page.locator("#chatbot").get_by_text("Book room Bora tomorrow").wait_for()
    questions: list[str] = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.click("#delete-chat")  # asked first; cancelled: nothing is deleted
    wait_for(lambda: questions)
    page.wait_for_timeout(1000)
    assert "Delete this chat" in questions[0] and history.count() == 2
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#delete-chat")
    wait_for(lambda: history.count() == 1)
    assert [t["question"] for t in turns(server)] == ["What is 17% of 2340?"]
    assert page.locator("#delete-chat").is_hidden()


def test_a_turn_behind_another_persons_says_it_is_queued_and_how_long_it_waited(browser, server, outside_requests):
    first, second = (log_in(browser, server, name, outside_requests) for name in ("ada", "sam"))
    # ada's turn holds the only engine for seconds: a story runs on to max_new_tokens, where a calculation's reply
    # after its call ends in a fraction of a second, often before sam's question is in
    story = "Write a long story about a lighthouse keeper and his cat."
    ask(first, story, AUTOMATIC)
    reply = first.locator("#chatbot .message-row").last
    wait_for(lambda: story not in reply.inner_text() and len(reply.inner_text()) > 20, timeout_s=SLOW / 1000)
    ask(second, "What is 3% of 700?", "calculator")
    second.wait_for_selector("#turn-note >> text=Queued", timeout=30_000)
    second.screenshot(path=str(SHOTS / "chat-queued.png"))
    second.wait_for_selector("#turn-note >> text=tokens/s", timeout=SLOW)
    assert "waited" in second.locator("#turn-note").inner_text()


def test_a_waiting_confirmation_holds_up_nobody_and_is_declined_when_its_page_closes(browser, server,
                                                                                     outside_requests):
    booker, other = (log_in(browser, server, name, outside_requests) for name in ("ada", "sam"))
    ask(booker, "Book room Bora tomorrow 14:00-15:00 for E1009.", "api.bookMeetingRoom")
    booker.get_by_text("Confirm this change?").wait_for(timeout=SLOW)
    ask(other, "What is 4% of 500?", "calculator")
    # answered on the server's only engine while ada's confirmation waits (the timeout is 120 s)
    other.wait_for_selector("#turn-note >> text=tokens/s", timeout=SLOW)
    assert "waited" not in other.locator("#turn-note").inner_text()
    closed = time.monotonic()
    booker.context.close()
    turn = wait_for(lambda: next((t for t in turns(server) if t["question"].startswith("Book room Bora tomorrow 14")),
                                 None), timeout_s=60)
    assert time.monotonic() - closed < 60
    (call,) = json.loads(turn["tool_calls"])
    assert call["status"] == "declined" and call["error"].startswith("not sent: the person left the page"), call


def duplicate_ids(page) -> list[str]:
    return page.evaluate("""() => {
        const ids = [...document.querySelectorAll('[id]')].map(e => e.id).filter(id => id);
        return ids.filter((id, i) => ids.indexOf(id) !== i);
    }""")


def test_the_pages_render_cleanly_at_desktop_and_phone_width(browser, server, outside_requests):
    icon = httpx.get(server["url"] + "/favicon.ico", trust_env=False)  # asked for by the login page, logged out
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    page = log_in(browser, server, "sam", outside_requests)
    assert duplicate_ids(page) == []
    # bold text and its capitals in one font: the system's, which has every weight
    fonts = page.evaluate("""() => [...document.querySelectorAll('.app-title, #chatbot strong, button')]
        .map(e => getComputedStyle(e).fontFamily.split(',')[0].trim())""")
    assert fonts and set(fonts) == {"system-ui"}, fonts
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    phone.add_cookies(page.context.cookies())
    small = phone.new_page()
    small.goto(server["url"] + "/")
    small.wait_for_selector("#chatbot")
    small.wait_for_timeout(1000)
    assert small.locator("#chatbot").bounding_box()["y"] < 844 / 2  # the chat comes first, the history below
    small.screenshot(path=str(SHOTS / "chat-phone.png"))
    phone.close()


def test_staff_cannot_reach_the_console(browser, server, outside_requests):
    page = log_in(browser, server, "sam", outside_requests)
    assert page.get_by_text("Console", exact=True).count() == 0
    response = page.goto(server["url"] + "/console/")
    assert response.status == 403 and "for admins" in page.content()
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    for method, path in [("GET", "/console/config"), ("GET", "/console/gradio_api/info"),
                         ("POST", "/console/gradio_api/queue/join"), ("POST", "/console/gradio_api/upload")]:
        answer = httpx.request(method, server["url"] + path, cookies=cookies, json={}, trust_env=False)
        assert answer.status_code == 403, (path, answer.status_code)
    assert httpx.get(server["url"] + "/config", trust_env=False).status_code == 401  # no session at all


def test_admin_trains_a_tiny_adapter_and_watches_it_finish(browser, server, outside_requests):
    page = log_in(browser, server, "ada", outside_requests)
    page.screenshot(path=str(SHOTS / "chat-admin.png"))
    page.get_by_text("Console", exact=True).click()
    page.wait_for_selector("#tab-playground-button, button[role=tab]")
    page.screenshot(path=str(SHOTS / "console-playground.png"))

    # an upload with bad rows among the first ones lists every one of them, by line
    page.get_by_role("tab", name="Datasets").click()
    bad = server["home"].parent / "mixed.jsonl"
    good = json.dumps({"instruction": "Say hi", "output": "Hi!"})
    bad.write_text("\n".join([json.dumps({"question": "Who?"}), good, "{not json", good,
                              json.dumps({"instruction": "No answer"}), good]) + "\n", encoding="utf-8")
    page.locator("#ds-file input[type=file]").set_input_files(str(bad))
    page.wait_for_function("document.querySelector('#ds-summary').innerText.includes('3 with problems')",
                           timeout=60_000)
    errors = page.locator("#ds-errors").inner_text()
    for problem in ("found an object with 'question'", "not valid JSON", "expected an Alpaca row"):
        assert problem in errors, errors
    page.screenshot(path=str(SHOTS / "console-datasets-upload.png"), full_page=True)

    page.get_by_role("tab", name="Training").click()
    page.wait_for_selector("#tr-yaml .cm-content")
    _choose(page, "#tr-base", "serving model")  # the converted folder: no second GGUF conversion
    _choose(page, "#tr-dataset", "smoke")
    page.fill("#tr-name textarea", "web-smoke")
    page.click("#tr-yaml .cm-content")
    page.keyboard.press("Control+A")
    page.keyboard.insert_text("model:\n  device: cpu\ndata:\n  max_seq_len: 512\nlora:\n  r: 4\n  alpha: 8\n"
                              "optim:\n  max_steps: 2\n  batch_size: 4\n  warmup_ratio: 0.0\n"
                              "output:\n  save_steps: 2\n  logging_steps: 1\n")
    page.click("#tr-validate")
    page.get_by_text("Valid:").wait_for()
    page.click("#tr-start")
    page.get_by_text("Queued job 1").wait_for()
    page.get_by_text("Job 1 · web-smoke: running").wait_for(timeout=30_000)
    page.reload()  # the job goes on and stays visible
    page.get_by_role("tab", name="Training").click()
    page.get_by_text("Job 1 · web-smoke: succeeded").wait_for(timeout=SLOW)
    page.wait_for_timeout(2500)  # one more tick draws the final loss curve
    page.screenshot(path=str(SHOTS / "console-training.png"), full_page=True)
    assert "throughput:" in page.locator("#tr-log textarea").input_value()  # the log's tail: the run's last line
    assert (server["home"] / "adapters" / "web-smoke" / "adapter_config.json").is_file()

    page.get_by_role("tab", name="Adapters").click()
    page.wait_for_function("document.querySelector('#ad-pick input').value.includes('web-smoke')")
    page.click("#ad-promote")
    page.locator("#ad-serving").get_by_text("web-smoke").first.wait_for(timeout=60_000)
    page.screenshot(path=str(SHOTS / "console-adapters.png"), full_page=True)
    # Roll back past the first promotion: the default serves again (the base model, for this config's model),
    # and the same adapter can be promoted once more.
    serving_text = "document.querySelector('#ad-serving').innerText"
    page.click("#ad-rollback")
    page.wait_for_function(f"{serving_text}.includes('Serving: the default, the base model')", timeout=60_000)
    page.wait_for_function(f"{serving_text}.includes('answering now: the base model')", timeout=60_000)
    page.screenshot(path=str(SHOTS / "console-adapters-rollback.png"), full_page=True)
    page.click("#ad-promote")
    page.wait_for_function(f"{serving_text}.includes('answering now: web-smoke')", timeout=60_000)
    for tab in ("Datasets", "Tools"):
        page.get_by_role("tab", name=tab).click()
        page.wait_for_timeout(1500)
        page.screenshot(path=str(SHOTS / f"console-{tab.lower()}.png"), full_page=True)


def test_admin_adds_an_example_request_to_an_uploaded_catalogs_operation(browser, server, outside_requests):
    page = log_in(browser, server, "ada", outside_requests)
    page.goto(server["url"] + "/console/")
    page.get_by_role("tab", name="Tools").click()
    page.locator("#tl-catalog input[type=file]").set_input_files(str(DEMO_CATALOG))
    page.wait_for_function("document.querySelector('#tl-catalog-result').innerText.includes('saved as')")
    _choose(page, "#tl-ex-catalog", "catalogs/catalog.yaml")
    page.click("#tl-ex-operation input")
    page.get_by_role("option", name="searchDirectory", exact=True).click()
    text = page.locator("#tl-ex-text textarea")
    page.wait_for_function("document.querySelector('#tl-ex-text textarea').value.includes('staff directory')")
    text.fill(text.input_value() + "\nwho runs the Finance team")
    page.click("#tl-ex-save")
    page.wait_for_function("document.querySelector('#tl-ex-result').innerText.includes('for searchDirectory')")
    page.screenshot(path=str(SHOTS / "console-tools-examples.png"), full_page=True)
    with load_catalog(server["home"] / "catalogs" / "catalog.yaml") as edited, load_catalog(DEMO_CATALOG) as shipped:
        examples = {op.operation_id: op.examples for op in edited.operations}
        assert examples["searchDirectory"][-1] == "who runs the Finance team"
        assert examples == {op.operation_id: op.examples for op in shipped.operations} | {
            "searchDirectory": (*next(op.examples for op in shipped.operations
                                     if op.operation_id == "searchDirectory"), "who runs the Finance team")}


def test_admin_finds_the_rated_answer_in_the_feedback_tab(browser, server, outside_requests):
    page = log_in(browser, server, "ada", outside_requests)
    page.goto(server["url"] + "/console/")
    page.get_by_role("tab", name="Feedback").click()
    # sam's suggested answer (innerText skips the table's hidden measuring copy of each cell)
    page.wait_for_function("document.querySelector('#fb-table').innerText.includes('17% of 2340 is 397.8.')")
    page.screenshot(path=str(SHOTS / "console-feedback.png"), full_page=True)


def _choose(page, dropdown: str, text: str) -> None:
    page.click(f"{dropdown} input")
    page.get_by_role("option").filter(has_text=text).first.click()


def test_an_admin_rolls_back_to_the_shipped_demo_adapter_and_forward_again(browser, smollm2_folder, tmp_path_factory,
                                                                          outside_requests):
    """The embedded defaults, where the shipped demo adapter serves: promote a registry adapter, roll back to the
    demo adapter in the console, promote again."""
    import shutil

    from assistant.adapters import DEFAULT_ADAPTER

    root = tmp_path_factory.mktemp("web-shipped")
    (root / "home" / "models").mkdir(parents=True)
    # the embedded model's converted folder, where a fresh state directory would convert it (no second conversion)
    (root / "home" / "models" / smollm2_folder.name).symlink_to(smollm2_folder)
    shutil.copytree(DEFAULT_ADAPTER, root / "home" / "adapters" / "demo-copy")  # the same tools, from the registry
    demo = demo_api.start_in_background("127.0.0.1", 0, root / "demo.db")
    config = {"generation": {"max_new_tokens": 32}, "tools": {"catalog": {"base_url": demo.url}},
              "start_demo_api": False}
    serving_text = "document.querySelector('#ad-serving').innerText"
    try:
        with serving(root, config) as url:
            page = log_in(browser, {"url": url}, "ada", outside_requests)
            # a config naming only users and the demo API's address keeps the demo tools
            page.click("#tool-pick input")
            page.get_by_role("option", name="api.getEmployee", exact=True).wait_for()
            page.get_by_role("option", name="search", exact=True).wait_for()
            page.keyboard.press("Escape")
            page.goto(url + "/console/")
            page.get_by_role("tab", name="Adapters").click()
            page.wait_for_function(f"{serving_text}.includes('the default, the shipped demo adapter (demo)')")
            page.wait_for_function(f"{serving_text}.includes('answering now: demo')")
            page.wait_for_function("document.querySelector('#ad-pick input').value.includes('demo-copy')")
            page.click("#ad-promote")
            page.wait_for_function(f"{serving_text}.includes('answering now: demo-copy')", timeout=SLOW)
            page.click("#ad-rollback")
            page.wait_for_function(f"{serving_text}.includes('Serving: the default, the shipped demo adapter')",
                                   timeout=SLOW)
            page.wait_for_function(f"{serving_text}.includes('answering now: demo ')"
                                   f" || {serving_text}.endsWith('answering now: demo')", timeout=SLOW)
            page.screenshot(path=str(SHOTS / "console-adapters-shipped-rollback.png"), full_page=True)
            assert page.locator(".toast-body.error").count() == 0  # no red Error badge anywhere
            page.click("#ad-promote")
            page.wait_for_function(f"{serving_text}.includes('answering now: demo-copy')", timeout=SLOW)
            page.context.close()  # its open connections would hold the server's shutdown
    finally:
        demo.stop()


def test_no_page_asked_anything_of_another_host(outside_requests):
    assert outside_requests == []

