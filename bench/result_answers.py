"""Answers to questions whose answer is in one API result, with the calls sent (about 3 minutes).

Run:
  python bench/result_answers.py                  # the embedded defaults: shipped demo adapter, demo API
  python bench/result_answers.py --home DIR       # a state directory of your own (default: a fresh one)

Each question of data/demo/eval/results/questions.jsonl (a development set) is asked once with the answer written
from the result (`generation.describe_api_results`, the default) and once with the model writing it, on the same
assistant, whose read-only calls go to the demo API on loopback. An answer is right when it states every string
the question expects (case aside). The eval and test sets plan API calls and send none, so this is the only
figure for what staff read after a look-up. Prints each answer and the count right per setting.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.config import load_config
from assistant.events import FinalAnswer
from assistant.runtime import Assistant

QUESTIONS = REPO / "data" / "demo" / "eval" / "results" / "questions.jsonl"
SETTINGS = {"written from the result": True, "the model's own": False}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, help="state directory (default: a fresh one under /tmp)")
    args = parser.parse_args(argv)
    items = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    served = Assistant(load_config(None), args.home or Path(tempfile.mkdtemp(prefix="result-answers-")))
    right = dict.fromkeys(SETTINGS, 0)
    try:
        for item in items:
            print(f"\n{item['q']}  (expects {', '.join(item['expect'])})")
            for setting, describe in SETTINGS.items():
                generation = served.config.generation.model_copy(update={"describe_api_results": describe})
                answer = next(event for event in served.ask(item["q"], generation=generation)
                              if isinstance(event, FinalAnswer))
                ok = all(expected.casefold() in answer.answer.casefold() for expected in item["expect"])
                right[setting] += ok
                calls = ", ".join(f"{call.tool} {json.dumps(call.arguments)}" for call in answer.tool_calls) or "none"
                print(f"  [{'right' if ok else 'wrong'}] {setting}: {answer.answer[:300]!r}  (calls: {calls})")
    finally:
        served.close()
    print()
    for setting, count in right.items():
        print(f"{setting:>24}: {count} of {len(items)} right ({count / len(items):.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
