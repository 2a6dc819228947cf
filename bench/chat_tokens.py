"""What each turn of one long chat computes on llama.cpp: one person alone, the load bench's question cycle.

Run:
  python bench/chat_tokens.py               # 34 turns, a fresh state directory under /tmp
  python bench/chat_tokens.py --turns 50

The person asks bench/serve_load.py's cycle of questions (plain, calculator, handbook, look-up, booking) in one
conversation through `Assistant.ask` (dry runs), as the web app does, on the served model with one llama.cpp
engine. Per turn it prints the seconds taken, the tokens fed to the model (the first feed is the prompt's part
the sequence did not hold; the rest are the reply's and the tool results') and the context shifts made (tokens
kept, dropped and moved back: a chat that outgrew its prompt budget). It tells what a turn late in a chat costs
its own person; bench/serve_load.py tells what many people together wait.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant import llama_backend
from assistant.config import load_config
from assistant.events import TurnLogged
from assistant.runtime import Assistant
from bench.serve_load import CYCLE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=34, help="turns of the chat (default 34)")
    parser.add_argument("--home", type=Path, help="state directory (default: a fresh one under /tmp)")
    args = parser.parse_args(argv)

    fed: list[int] = []
    shifts: list[tuple[int, int, int]] = []
    decode, shift = llama_backend.LlamaCppContext.decode, llama_backend.LlamaCppContext.shift

    def counted_decode(context, sequence, position, token_ids):
        fed.append(len(token_ids))
        return decode(context, sequence, position, token_ids)

    def counted_shift(context, sequence, keep, drop, run):
        shifts.append((keep, drop, run))
        return shift(context, sequence, keep, drop, run)

    llama_backend.LlamaCppContext.decode = counted_decode
    llama_backend.LlamaCppContext.shift = counted_shift
    config = load_config(None)
    config = config.model_copy(update={"model": config.model.model_copy(update={"engines": 1,
                                                                                "backend": "llama_cpp"})})
    served = Assistant(config, args.home or Path(tempfile.mkdtemp(prefix="chat-tokens-")))
    conversation = None
    print("turn  seconds  first feed  fed in all  shifts (kept, dropped, moved)  question")
    try:
        for turn in range(args.turns):
            _, question, _ = CYCLE[turn % len(CYCLE)]
            fed.clear()
            shifts.clear()
            started = time.perf_counter()
            for event in served.ask(question, conversation_id=conversation, dry_run=True):
                if isinstance(event, TurnLogged):
                    conversation = event.conversation_id
            print(f"{turn:4d}  {time.perf_counter() - started:7.1f}  {(fed or [0])[0]:10d}  {sum(fed):10d}  "
                  f"{shifts or '-'!s:29}  {question[:40]}", flush=True)
    finally:
        served.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
