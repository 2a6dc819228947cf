"""What one round of shared decoding costs on llama.cpp: what a turn waits on while others decode beside it.

One `LlamaCppContext` laid out as a served one (`assistant.runtime`: the 8 default decoders dealt round one
context per core, each context's sequences decoding together on its own thread(s)); each of its sequences holds
`held` tokens, and the script times a round of every sequence's next token, a round where one of them also
writes a share of prompt ids (`--shares`; the served one is `_ROUND`) beside the others' next tokens, and one sequence's next token alone, for
several lengths held. Rounds are timed with the other contexts idle (median of a few).

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

from assistant.llama_backend import _ROUND, LlamaCppContext, _Feed, cpu_cores  # noqa: E402
from assistant.pool import MAX_DEFAULT_ENGINES  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gguf", type=Path, required=True, help="the served GGUF file")
    parser.add_argument("--held", type=int, nargs="+", default=[100, 600, 1200, 1800])
    parser.add_argument("--shares", type=int, nargs="+", default=sorted({_ROUND, 128}),
                        help="prompt ids one sequence writes beside the others' next tokens (the served share: "
                             f"{_ROUND})")
    args = parser.parse_args()
    contexts = min(MAX_DEFAULT_ENGINES, cpu_cores())  # as assistant.runtime deals the default decoders
    sequences = -(-MAX_DEFAULT_ENGINES // contexts)
    threads = max(1, cpu_cores() // contexts)
    context = LlamaCppContext(args.gguf, n_ctx=max(args.held) + 2 * max(args.shares), sequences=sequences,
                              n_threads=threads)
    rng = random.Random(0)

    def ids(n: int) -> list[int]:
        return [rng.randrange(100, context.vocab_size - 100) for _ in range(n)]

    def timed(feeds: list[_Feed]) -> float:
        started = time.perf_counter()
        context._decode_round(feeds)
        return time.perf_counter() - started

    print(f"one llama.cpp context of {contexts}: {sequences} sequences, {threads} thread(s), {args.gguf.name}")
    shared = "".join(f"{f'{sequences - 1} next + {share} prompt':>20}" for share in args.shares)
    print(f"  {'held':>6} {f'{sequences} next tokens':>15}{shared} {'1 next alone':>14}")
    try:
        for held in args.held:
            for sequence in range(sequences):
                llama_cpp.llama_memory_seq_rm(context._memory, sequence, -1, -1)
                context.decode(sequence, 0, ids(held))
            everyone = [timed([_Feed(s, held + i, ids(1)) for s in range(sequences)]) for i in range(5)]
            with_prompt = []
            for share in args.shares:
                times = []
                for _ in range(3):
                    for sequence in range(sequences):
                        llama_cpp.llama_memory_seq_rm(context._memory, sequence, held + 5, -1)
                    times.append(timed([_Feed(s, held + 5, ids(1)) for s in range(sequences - 1)]
                                       + [_Feed(sequences - 1, held + 5, ids(share))]))
                with_prompt.append(statistics.median(times))
            alone = []
            for i in range(5):
                llama_cpp.llama_memory_seq_rm(context._memory, 0, held + 6 + i, -1)
                alone.append(timed([_Feed(0, held + 6 + i, ids(1))]))
            print(f"  {held:>6} {statistics.median(everyone) * 1000:>12.1f} ms"
                  + "".join(f"{t * 1000:>17.1f} ms" for t in with_prompt)
                  + f" {statistics.median(alone) * 1000:>11.1f} ms")
    finally:
        context.close()


if __name__ == "__main__":
    main()
