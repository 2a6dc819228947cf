"""What one round of shared decoding costs on llama.cpp: what a turn waits on while others decode beside it.

Eight sequences of one `LlamaCppContext` (the served layout) each hold `held` tokens; the script times a round of
everyone's next token, a round where one of them also writes a share of prompt ids (`_ROUND`, 128) beside the
other seven's next tokens, and one sequence's next token alone, for several lengths held. Rounds are timed alone
(median of a few), on the cores the server would use.

Run:  python bench/llama_rounds.py --gguf PATH   (the served file: a state directory's models/gguf/*.gguf)
Needs a quiet machine.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import llama_cpp

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.llama_backend import _ROUND, LlamaCppContext, _Feed  # noqa: E402

SEQUENCES = 8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gguf", type=Path, required=True, help="the served GGUF file")
    parser.add_argument("--held", type=int, nargs="+", default=[100, 600, 1200, 1800])
    args = parser.parse_args()
    context = LlamaCppContext(args.gguf, n_ctx=max(args.held) + 2 * _ROUND, sequences=SEQUENCES)
    rng = random.Random(0)

    def ids(n: int) -> list[int]:
        return [rng.randrange(100, context.vocab_size - 100) for _ in range(n)]

    def timed(feeds: list[_Feed]) -> float:
        started = time.perf_counter()
        context._decode_round(feeds)
        return time.perf_counter() - started

    print(f"one llama.cpp context, {SEQUENCES} sequences, {args.gguf.name}")
    print(f"  {'held':>6} {'8 next tokens':>15} {f'7 next + {_ROUND} prompt':>20} {'1 next alone':>14}")
    try:
        for held in args.held:
            for sequence in range(SEQUENCES):
                llama_cpp.llama_memory_seq_rm(context._memory, sequence, -1, -1)
                context.decode(sequence, 0, ids(held))
            everyone = [timed([_Feed(s, held + i, ids(1)) for s in range(SEQUENCES)]) for i in range(5)]
            with_prompt = []
            for _ in range(3):
                for sequence in range(SEQUENCES):
                    llama_cpp.llama_memory_seq_rm(context._memory, sequence, held + 5, -1)
                with_prompt.append(timed([_Feed(s, held + 5, ids(1)) for s in range(SEQUENCES - 1)]
                                         + [_Feed(SEQUENCES - 1, held + 5, ids(_ROUND))]))
            alone = []
            for i in range(5):
                llama_cpp.llama_memory_seq_rm(context._memory, 0, held + 6 + i, -1)
                alone.append(timed([_Feed(0, held + 6 + i, ids(1))]))
            print(f"  {held:>6} {statistics.median(everyone) * 1000:>12.1f} ms "
                  f"{statistics.median(with_prompt) * 1000:>17.1f} ms {statistics.median(alone) * 1000:>11.1f} ms")
    finally:
        context.close()


if __name__ == "__main__":
    main()
