"""Latency through the web app: time to first token and to the full answer, as a person in the browser sees it.

Starts `assistant serve` (a fresh state directory, a bench user, the demo API on loopback), logs in with
Debian's Chromium through Playwright, asks a calculator question and a document question, each twice over:
with the tool picker on "automatic" (the model decides; the untrained base model answers in words) and with
the question's tool picked (the answer starts with that tool's call, as `assistant ask --tool` does). It
prints, per question and mode, the median over the repeats of:

  web first    Enter pressed -> the model's first output on the page: reply text, or the tool step with the
               model's call in it (the "writing the call" placeholder shown at once does not count)
  web full     Enter pressed -> the finished answer on the page (its timing line shown)
  engine first the engine's own time to its first sampled token (from the conversation log), the baseline
  engine full  the engine's own time for the whole turn

A tool call is shown once its arguments are complete, so with a tool "web first" includes writing them.
The gap between web full and engine full is what the app adds (queue, streaming, rendering).
Run:  python bench/web_latency.py [--repeats 3] [--model FOLDER_OR_GGUF]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.config import DEMO_CATALOG, DEMO_DOCS  # noqa: E402
from assistant.demo import api as demo_api  # noqa: E402
from assistant.passwords import hash_password  # noqa: E402

QUESTIONS = [("calculator", "What is 17% of 2340?", "calculator"),
             ("document", "How many days of annual leave do I get?", "search")]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
#: Stamps, in page time, when the chat first shows the model's own output for a new answer.
OBSERVER = """() => {
  window.__firstAnswer = null;
  const chat = document.querySelector('#chatbot');
  new MutationObserver((_, observer) => {
    const rows = chat.querySelectorAll('.bot-row');
    const text = rows.length ? rows[rows.length - 1].innerText.replace('writing the call', '').trim() : '';
    if (text && !/^Calculator:$|^Handbook search:$/.test(text)) {
      window.__firstAnswer = performance.now(); observer.disconnect();
    }
  }).observe(chat, {childList: true, subtree: true, characterData: true});
}"""
AUTOMATIC = "Tool: automatic"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--model", type=Path, help="model folder or .gguf (default: the embedded SmolLM2)")
    parser.add_argument("--max-new-tokens", type=int, default=256)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="web-latency-") as scratch:
        root = Path(scratch)
        demo = demo_api.start_in_background("127.0.0.1", 0, root / "demo.db")
        url, child = start_app(root, demo.url, args)
        try:
            rows = measure(url, root / "home", args.repeats)
        finally:
            child.terminate()
            child.wait(timeout=30)
            demo.stop()
    print(f"\nweb app latency, median of {args.repeats} (seconds; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs)")
    print(f"{'question':<24}{'web first':>11}{'web full':>10}{'engine first':>14}{'engine full':>13}{'tokens':>8}")
    for name, web_first, web_full, engine_first, engine_full, tokens in rows:
        print(f"{name:<24}{web_first:>11.2f}{web_full:>10.2f}{engine_first:>14.2f}{engine_full:>13.2f}{tokens:>8.0f}")


def start_app(root: Path, demo_url: str, args: argparse.Namespace) -> tuple[str, subprocess.Popen]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = {
        "model": {"path": str(args.model) if args.model else None},
        "generation": {"max_new_tokens": args.max_new_tokens},
        "tools": {"catalog": {"path": str(DEMO_CATALOG), "base_url": demo_url}, "retrieval": {"docs": str(DEMO_DOCS)}},
        "start_demo_api": False,
        "serve": {"port": port, "users": [{"name": "bench", "role": "staff", "password_hash": hash_password("bench")}]},
    }
    (root / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    log = (root / "serve.log").open("w")
    child = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--config", str(root / "config.yaml"),
                              "--home", str(root / "home")], stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    while True:
        if child.poll() is not None:
            sys.exit("the app stopped:\n" + (root / "serve.log").read_text()[-3000:])
        try:
            if httpx.get(f"{url}/healthz", timeout=2, trust_env=False).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(1)
    print(f"app ready after {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return url, child


def measure(url: str, home: Path, repeats: int) -> list[tuple]:
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(url + "/")
        page.fill("#username", "bench")
        page.fill("#password", "bench")
        page.click("button[type=submit]")
        page.wait_for_selector("#chatbot", timeout=60_000)
        page.wait_for_timeout(1000)
        for (name, question, tool), mode in [(q, m) for q in QUESTIONS for m in ("automatic", "tool")]:
            firsts, fulls = [], []
            page.click("#tool-pick input")
            page.get_by_role("option", name=AUTOMATIC if mode == "automatic" else tool, exact=True).click()
            for _ in range(repeats + 1):  # the first turn of each kind warms up and is not counted
                page.click("#new-chat")
                page.wait_for_timeout(300)
                page.evaluate(OBSERVER)
                page.fill("#question textarea", question)
                start = page.evaluate("performance.now()")
                page.keyboard.press("Enter")
                page.wait_for_function("window.__firstAnswer !== null", timeout=600_000)
                page.locator("#turn-note").get_by_text("tokens/s").wait_for(timeout=600_000)
                end = page.evaluate("performance.now()")
                firsts.append((page.evaluate("window.__firstAnswer") - start) / 1000)
                fulls.append((end - start) / 1000)
            timings = engine_timings(home, question)[-repeats:]
            results.append((f"{name} ({mode if mode == 'automatic' else tool})", statistics.median(firsts[1:]), statistics.median(fulls[1:]),
                            statistics.median(t["first_token_s"] for t in timings),
                            statistics.median(t["total_s"] for t in timings),
                            statistics.median(t["sampled_tokens"] for t in timings)))
        browser.close()
    return results


def engine_timings(home: Path, question: str) -> list[dict]:
    with sqlite3.connect(home / "conversations.db") as db:
        rows = db.execute("SELECT timings FROM turns WHERE question = ? ORDER BY id", (question,)).fetchall()
    return [json.loads(row[0]) for row in rows]


if __name__ == "__main__":
    main()
