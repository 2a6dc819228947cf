"""Answers after API calls sent to the demo API: look-ups, and calls it refuses (about 6 minutes).

Run:
  python bench/result_answers.py                  # the embedded defaults: shipped demo adapter, demo API
  python bench/result_answers.py --home DIR       # a state directory of your own (default: a fresh one)

Each question of data/demo/eval/results/ (development sets: `questions.jsonl`, whose answer is in one read-only
call's result, and `failures.jsonl`, requests the demo API refuses or a person declines) is asked once with the
answer written from the call's outcome (`generation.describe_api_results`, the default) and once with the model
writing it, on the same assistant, whose calls go to the demo API on loopback; a request marked "approve" has its
side-effecting calls approved (true) or declined (false), others have nobody to ask. An answer is right when it
states every string the question expects (case aside). The eval and test sets plan API calls and send none, so
this is the only figure for what staff read after a call. Prints each answer and the count right per set and
setting. With a fresh state directory the demo API starts on a fresh database; the sets' dates are relative
("next tuesday") or years apart from today, and one booking is made so that the next request clashes with it.
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

SETS = REPO / "data" / "demo" / "eval" / "results"
SETTINGS = {"written from the outcome": True, "the model's own": False}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, help="state directory (default: a fresh one under /tmp)")
    args = parser.parse_args(argv)
    served = Assistant(load_config(None), args.home or Path(tempfile.mkdtemp(prefix="result-answers-")))
    right = {(name, setting): 0 for name in ("questions", "failures") for setting in SETTINGS}
    sizes = {}
    try:
        for name in ("questions", "failures"):
            items = [json.loads(line) for line in (SETS / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
                     if line.strip()]
            sizes[name] = len(items)
            for item in items:
                print(f"\n{item['q']}  (expects {', '.join(item['expect'])})")
                approve = None if "approve" not in item else lambda call, yes=item["approve"]: yes
                for setting, describe in SETTINGS.items():
                    generation = served.config.generation.model_copy(update={"describe_api_results": describe})
                    answer = next(event for event in served.ask(item["q"], approve=approve, generation=generation)
                                  if isinstance(event, FinalAnswer))
                    ok = all(expected.casefold() in answer.answer.casefold() for expected in item["expect"])
                    right[name, setting] += ok
                    calls = ", ".join(f"{call.tool} {json.dumps(call.arguments)}" for call in answer.tool_calls)
                    verdict = "right" if ok else "wrong"
                    print(f"  [{verdict}] {setting}: {answer.answer[:300]!r}  (calls: {calls or 'none'})")
    finally:
        served.close()
    print()
    for (name, setting), count in right.items():
        print(f"{name + '.jsonl':>16} {setting:>24}: {count} of {sizes[name]} right ({count / sizes[name]:.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
