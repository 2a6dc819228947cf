"""The fine-tuning loop from the command line: build-data, train, eval, as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from assistant.config import DATA_DIR

pytestmark = pytest.mark.slow


def run_cli(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "ASSISTANT_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True,
                          env=env, timeout=900)


def test_build_data_train_and_eval_from_the_command_line(tmp_path: Path, smollm2_folder: Path):
    home = tmp_path / "home"
    built = run_cli("build-data", "--output", str(tmp_path / "data"), "--per-operation", "1", "--calculator", "2",
                    "--no-call", "0", home=home)
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "data" / "train.jsonl").stat().st_size > 0 and "fingerprint" in built.stdout

    smoke = yaml.safe_load((DATA_DIR / "train" / "tiny-smoke.yaml").read_text())
    smoke["model"]["path"] = str(smollm2_folder)
    smoke["data"]["dir"] = str(DATA_DIR / "train" / "smoke")
    smoke["optim"]["max_steps"] = 2
    smoke["output"]["dir"] = str(tmp_path / "adapter")
    smoke["tools"] = {"catalog": {"path": str(DATA_DIR / "demo" / "catalog.yaml")},
                      "retrieval": {"docs": str(DATA_DIR / "demo" / "handbook")}}
    config = tmp_path / "train.yaml"
    config.write_text(yaml.safe_dump(smoke))
    trained = run_cli("train", str(config), home=home)
    assert trained.returncode == 0, trained.stderr
    assert "adapter written to" in trained.stdout and "lora" in trained.stdout
    assert (tmp_path / "adapter" / "toolkens.json").is_file()
    assert "tool router fitted" in trained.stdout and (tmp_path / "adapter" / "router.json").is_file()
    router = json.loads((tmp_path / "adapter" / "router.json").read_text())
    assert "calculator" in router["labels"] and "(none)" in router["labels"]

    refit = run_cli("fit-router", str(tmp_path / "adapter"), "--data", str(DATA_DIR / "train" / "smoke"), home=home)
    assert refit.returncode == 0, refit.stderr
    assert "router written to" in refit.stdout and "threshold" in refit.stdout
    missing = run_cli("fit-router", str(tmp_path / "adapter"), "--data", str(tmp_path / "nowhere"), home=home)
    assert missing.returncode != 0 and "no train.jsonl" in missing.stderr

    questions = tmp_path / "tools.jsonl"
    questions.write_text(json.dumps({"q": "What is 6 times 7?", "tool": "calculator", "args": {}}) + "\n"
                         + json.dumps({"q": "And 6 times 8?", "tool": "calculator", "args": {}}) + "\n")
    evaluated = run_cli("eval", "--model", str(smollm2_folder), "--adapter", str(tmp_path / "adapter"),
                        "--tools", str(questions), "--max-new-tokens", "8", "--chat-turns", "2",
                        "--out", str(tmp_path / "eval"), home=home)
    assert evaluated.returncode == 0, evaluated.stderr
    metrics = json.loads((tmp_path / "eval" / "metrics.json").read_text())
    assert metrics["n"]["tools"] == 2 and metrics["chat_turns"] == 2 and "selection_accuracy" in json.dumps(metrics)
