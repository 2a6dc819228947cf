"""KV states of conversations put aside in RAM, so that a conversation whose decoder went to someone else
restores its history instead of computing it again.

A pool has fewer decoders than a company has people talking to it. When a lease gives a decoder holding one
conversation to another, the first one's state (its token ids and the backend's copy of their keys and values)
goes here; that conversation's next turn takes it back into whichever decoder it gets. Copying the state of
700 tokens of SmolLM2-135M (16 MB at F16) out and back takes about 12 ms; computing them again takes 2.5 s on
one core. The least recently put aside go first once the store is over its budget.
"""

from __future__ import annotations

import mmap
import threading
from collections import OrderedDict
from dataclasses import dataclass
from itertools import count

from assistant.decoding import shared_prefix


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

    def take(self, token_ids: list[int], more_than: int) -> SavedState | None:
        """Remove and return the state sharing the longest prefix with `token_ids`, if that is more than
        `more_than` tokens (what the taker holds already, plus what restoring is worth); else None."""
        with self._lock:
            best, longest = None, more_than
            for key, state in self._states.items():
                shared = shared_prefix(state.token_ids, token_ids)
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
