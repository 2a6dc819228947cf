"""KV states of conversations put aside in RAM, so that a conversation whose decoder went to someone else
restores its history instead of computing it again.

A pool has fewer decoders than a company has people talking to it. When a lease gives a decoder holding one
conversation to another, the first one's state (its token ids and the backend's copy of their keys and values)
goes here; that conversation's next turn takes it back into whichever decoder it gets. Copying the state of
700 tokens of SmolLM2-135M (16 MB at F16) out and back takes about 12 ms; computing them again takes 2.5 s on
one core. The least recently put aside go first once the store is over its budget.

A long chat leaves its oldest turns out of the prompt half a budget at a time (`assistant.context_window`): the
next prompt is the system prompt and the later turns, which a decoder still holds, further along. A backend that
can move held keys and values (llama.cpp's context shift, as llama.cpp's own server does it) drops the old turns
and moves the later ones back into place (`reuse`), instead of computing some 900 tokens again (about 4 s on a
core shared with other people's turns). The moved keys and values were computed with the dropped turns before
them, so the turn after a shift reads them as they were, not as a fresh computation would write them.
"""

from __future__ import annotations

import mmap
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count

from assistant.decoding import shared_prefix

#: Held tokens of a chat's later turns that must line up with a start's after a drop for moving them to pay,
#: rather than computing them again: a few turns' worth, not a common phrase.
MIN_SHIFTED_RUN = 64


@dataclass(frozen=True)
class Reuse:
    """How a decoder's held tokens come to hold the start of a prompt: the first `keep` stay where they are, the
    `drop` after them go (the oldest turns a long chat leaves out) and the `run` after those move back into their
    place; what follows is computed."""

    keep: int
    drop: int = 0
    run: int = 0

    @property
    def reused(self) -> int:
        """Tokens of the prompt held without computing them."""
        return self.keep + self.run

    @property
    def own(self) -> int:
        """Held tokens that are the prompt's own conversation: the reused ones and the old turns it left out."""
        return self.keep + self.drop + self.run


def reuse(held: list[int], token_ids: list[int], shifts: bool) -> Reuse:
    """How a decoder holding `held` best reuses it for `token_ids`: its shared prefix and, where the decoder
    `shifts`, after that prefix the longest run of at least MIN_SHIFTED_RUN held tokens that `token_ids` goes on
    with (the last id is always fed again, for its logits)."""
    keep = shared_prefix(held, token_ids)
    best = Reuse(keep)
    limit = len(token_ids) - 1 - keep
    if not shifts or limit < MIN_SHIFTED_RUN:
        return best
    opening = token_ids[keep : keep + MIN_SHIFTED_RUN]
    for start in range(keep + 1, len(held) - MIN_SHIFTED_RUN + 1):
        if held[start] != opening[0] or held[start : start + MIN_SHIFTED_RUN] != opening:
            continue
        run = MIN_SHIFTED_RUN
        while run < limit and start + run < len(held) and held[start + run] == token_ids[keep + run]:
            run += 1
        if run > best.run:
            best = Reuse(keep, start - keep, run)
    return best


@dataclass(frozen=True)
class SavedState:
    """A sequence's token ids and the backend's bytes of their KV state."""

    token_ids: list[int]
    data: mmap.mmap | bytearray


class SavedStates:
    """Saved KV states, `budget_bytes` of them at most, the least recently saved dropped first."""

    def __init__(self, budget_bytes: int):
        self.budget_bytes = budget_bytes
        self._states: OrderedDict[int, SavedState] = OrderedDict()
        self._keys = count()
        self._bytes = 0
        self._lock = threading.Lock()

    def put(self, state: SavedState) -> None:
        """Keep `state`, dropping the oldest ones past the budget (a state larger than the budget is not kept)."""
        if len(state.data) > self.budget_bytes:
            return
        with self._lock:
            self._states[next(self._keys)] = state
            self._bytes += len(state.data)
            while self._bytes > self.budget_bytes:
                _, dropped = self._states.popitem(last=False)
                self._bytes -= len(dropped.data)

    def take(self, token_ids: list[int], more_than: int,
             reused: Callable[[list[int], list[int]], int] = shared_prefix) -> SavedState | None:
        """Remove and return the state of which `token_ids` reuses the most tokens (`reused(held, token_ids)`: by
        default their shared prefix), if that is more than `more_than` tokens (what the taker holds already,
        plus what restoring is worth); else None."""
        with self._lock:
            best, longest = None, more_than
            for key, state in self._states.items():
                shared = reused(state.token_ids, token_ids)
                if shared > longest:
                    best, longest = key, shared
            if best is None:
                return None
            state = self._states.pop(best)
            self._bytes -= len(state.data)
            return state

    @property
    def size_bytes(self) -> int:
        """Bytes of the states kept now."""
        with self._lock:
            return self._bytes
