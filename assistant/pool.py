"""A pool of decoders over one model, so that several people's turns decode at once.

A turn leases a decoder for as long as it computes and gives it back while it waits on something that is not
the model (a person's approval). Decoders hold the KV state of the last sequence they computed; a lease goes to
the free decoder reusing the most of the turn's tokens (`assistant.kv_states.reuse`) when that is mostly what
it holds, else to a new decoder while the pool may grow, so a conversation's next turn, or a turn resuming after
an approval, usually finds its own KV state still there and computes only what is new, and does not take
another conversation's state that only shares its system prompt. A served pool is warmed before its first turn
(`DecoderPool.warm`): every decoder is made and holds the system prompt, so the first turns of a morning, or
after a new adapter is swapped in, compute only their own messages.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from assistant.decoding import Decoder
from assistant.kv_states import Reuse, reuse

#: Engines a default pool has at most: beyond this, turns on a CPU only slow each other down.
MAX_DEFAULT_ENGINES = 8


def default_pool_size(cpus: int | None = None) -> int:
    """Engines for this machine: one per CPU core the process may use (two turns computing on one core only
    take turns), at most MAX_DEFAULT_ENGINES. A decoder's own memory is its KV cache (SmolLM2-135M: about 46 KB a
    token at fp32, 94 MB for a full 2,048-token context), the weights are shared."""
    if cpus is None:
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cpus, MAX_DEFAULT_ENGINES))


class DecoderPool:
    """`size` decoders made by `make`, leased one per turn."""

    def __init__(self, make: Callable[[], Decoder], size: int):
        if size < 1:
            raise ValueError(f"a decoder pool needs at least one decoder, not {size}")
        self._make = make
        self.size = size
        first = make()  # made now: the engine needs the vocabulary size, and a broken factory fails here
        self.vocab_size: int = first.vocab_size
        self._free: list[Decoder] = [first]  # least recently given back first
        self._made = 1
        self._changed = threading.Condition()

    @classmethod
    def of(cls, decoder: Decoder) -> DecoderPool:
        """A pool of exactly this one decoder."""
        return cls(lambda: decoder, 1)

    def try_lease(self, token_ids: list[int]) -> Decoder | None:
        """A free decoder for a sequence starting with `token_ids` (the one holding the longest prefix of it),
        or None when every decoder is leased."""
        with self._changed:
            return self._take(token_ids)

    def lease(self, token_ids: list[int]) -> Decoder:
        """As `try_lease`, waiting for a decoder to be given back when all are leased."""
        with self._changed:
            while True:
                decoder = self._take(token_ids)
                if decoder is not None:
                    return decoder
                self._changed.wait()

    def give_back(self, decoder: Decoder) -> None:
        """Return a leased decoder; it keeps its KV state for whoever leases it next."""
        with self._changed:
            self._free.append(decoder)
            self._changed.notify()

    def warm(self, token_ids: list[int]) -> int:
        """Make the decoders not made yet and have every free one that holds nothing compute `token_ids` (the
        prompt every conversation starts with: the system message), all at once so that a backend decoding
        sequences together computes them in shared rounds; return how many were warmed.

        Without this the first turn on each decoder computes the system prompt itself, and when many people
        ask at once (a server just started, or a new adapter swapped in) their first turns compute it side by
        side, on cores their prompts also need. The decoders are leased while they compute, so a turn that
        comes meanwhile waits for one rather than sharing it."""
        with self._changed:
            while self._made < self.size:
                self._made += 1
                self._free.append(self._make())
            empty = [decoder for decoder in self._free if not decoder.held]
            self._free = [decoder for decoder in self._free if decoder.held]
        try:
            if empty:
                with ThreadPoolExecutor(len(empty), thread_name_prefix="warm") as workers:
                    list(workers.map(lambda decoder: decoder.start(token_ids), empty))
        finally:
            with self._changed:
                self._free.extend(empty)
                self._changed.notify_all()
        return len(empty)

    @property
    def leased(self) -> int:
        """Decoders leased right now."""
        with self._changed:
            return self._made - len(self._free)

    def _take(self, token_ids: list[int]) -> Decoder | None:
        if self._free:
            reuses = [_reuse(decoder, token_ids) for decoder in self._free]
            # the most reused, and of those the one whose taking loses the fewest tokens of another conversation
            # (a decoder holding only the system prompt before one holding someone's chat)
            best = max(range(len(self._free)),
                       key=lambda i: (reuses[i].reused, reuses[i].own - len(self._free[i].held)))
            if self._made >= self.size or 2 * reuses[best].own > len(self._free[best].held):
                return self._free.pop(best)
            empty = next((i for i, decoder in enumerate(self._free) if not decoder.held), None)
            if empty is not None:
                return self._free.pop(empty)
        if self._made < self.size:  # what the free decoders hold is others': a new one costs no one theirs
            self._made += 1
            return self._make()
        return None


def _reuse(decoder: Decoder, token_ids: list[int]) -> Reuse:
    """How `decoder` would reuse what it holds for `token_ids`. A decoder holding mostly that (`Reuse.own` more
    than half of what it holds) holds that conversation (its last turn, which may end differently from how the
    next turn's prompt renders it, or its later turns where the prompt has left the oldest out), not another one
    that only starts with the same system prompt, whose person would lose it. Decoders that can move held tokens
    (llama.cpp's context shift) say so with a true `shifts`."""
    return reuse(decoder.held, token_ids, getattr(decoder, "shifts", False))
