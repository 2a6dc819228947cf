"""The decoder pool: leases go to the decoder holding the longest prefix, grow lazily to the pool's size, and
wait when every decoder is leased."""

from __future__ import annotations

import threading

import pytest
import torch

from assistant.decoding import shared_prefix
from assistant.kv_states import MIN_SHIFTED_RUN
from assistant.pool import MAX_DEFAULT_ENGINES, DecoderPool, default_pool_size


class Held:
    """A decoder that only remembers what it holds."""

    vocab_size = 8

    def __init__(self) -> None:
        self.held: list[int] = []

    def start(self, token_ids: list[int]) -> torch.Tensor:
        self.held = list(token_ids)
        return torch.zeros(self.vocab_size)

    def feed(self, token_ids: list[int]) -> torch.Tensor:
        self.held += token_ids
        return torch.zeros(self.vocab_size)


def test_shared_prefix_leaves_the_last_id_to_be_fed_again():
    assert shared_prefix([1, 2, 3], [1, 2, 4]) == 2
    assert shared_prefix([1, 2, 3], [1, 2, 3]) == 2  # all held: the last one is fed again for its logits
    assert shared_prefix([1, 2], [1, 2, 3, 4]) == 2
    assert shared_prefix([], [5]) == 0 and shared_prefix([5], [6]) == 0


def test_a_lease_goes_to_the_decoder_holding_the_longest_prefix():
    made: list[Held] = []
    pool = DecoderPool(lambda: made.append(Held()) or made[-1], size=3)
    a, b = pool.lease([1, 2, 3]), pool.lease([7, 8])
    a.start([1, 2, 3, 4]), b.start([7, 8, 9])
    pool.give_back(a), pool.give_back(b)
    assert pool.lease([7, 8, 9, 10]) is b and pool.lease([1, 2, 3, 5]) is a  # a's last turn ended otherwise
    assert len(made) == 2  # nobody needed a third


def test_a_conversation_sharing_only_the_system_prompt_is_left_to_its_own_person_while_the_pool_can_grow():
    made: list[Held] = []
    pool = DecoderPool(lambda: made.append(Held()) or made[-1], size=2)
    system = [1, 2]
    ada = pool.lease(system + [3])
    ada.start(system + [3, 4, 5, 6])
    pool.give_back(ada)
    sam = pool.lease(system + [7])
    assert sam is not ada and len(made) == 2
    sam.start(system + [7, 8])
    pool.give_back(sam)
    assert pool.lease(system + [3, 4, 5, 6, 9]) is ada and pool.lease(system + [10]) is sam  # full: taken


def test_a_sequence_nothing_shares_gets_a_new_decoder_until_the_pool_is_full():
    made: list[Held] = []
    pool = DecoderPool(lambda: made.append(Held()) or made[-1], size=2)
    first = pool.lease([1])
    first.start([1, 2])
    pool.give_back(first)
    second = pool.lease([9])  # `first` holds [1, 2]: keep it for its conversation, make another
    assert second is not first and len(made) == 2 and pool.leased == 1
    assert pool.lease([9]) is first  # full: the free one is taken, whatever it holds
    assert pool.try_lease([1]) is None and pool.leased == 2


def test_a_lease_waits_for_a_decoder_to_come_back():
    pool = DecoderPool(Held, size=1)
    only = pool.lease([1])
    got: list[Held] = []
    waiter = threading.Thread(target=lambda: got.append(pool.lease([2])), daemon=True)
    waiter.start()
    waiter.join(timeout=0.2)
    assert got == [] and waiter.is_alive()
    pool.give_back(only)
    waiter.join(timeout=5)
    assert got == [only]


def test_a_pool_needs_a_decoder_and_sizes_itself_from_the_cores():
    with pytest.raises(ValueError, match="at least one"):
        DecoderPool(Held, size=0)
    assert default_pool_size(2) == 2 and default_pool_size(1) == 1
    assert default_pool_size(64) == MAX_DEFAULT_ENGINES
    assert DecoderPool.of(only := Held()).lease([1]) is only


class Shifting(Held):
    """A decoder that can move held tokens back over dropped ones."""

    shifts = True


def test_a_chat_that_left_its_oldest_turns_out_goes_back_to_the_decoder_holding_its_later_ones():
    made: list[Held] = []
    pool = DecoderPool(lambda: made.append(Shifting()) or made[-1], size=2)
    system, old, later = [1, 2], list(range(10, 40)), list(range(100, 100 + MIN_SHIFTED_RUN))
    ada = pool.lease(system + old)
    ada.start(system + old + later)
    pool.give_back(ada)
    # the prompt now leaves `old` out: Ada's decoder holds her later turns, so it is hers, not a new one's
    assert pool.lease(system + later + [7]) is ada and len(made) == 1
    # a decoder that cannot move them holds only the system prompt of that prompt: a new decoder is taken
    made.clear()
    pool = DecoderPool(lambda: made.append(Held()) or made[-1], size=2)
    sam = pool.lease(system + old)
    sam.start(system + old + later)
    pool.give_back(sam)
    assert pool.lease(system + later + [7]) is not sam and len(made) == 2


def test_warming_makes_every_decoder_hold_the_prompt_opening_and_new_chats_take_those_first():
    made: list[Held] = []
    pool = DecoderPool(lambda: made.append(Held()) or made[-1], size=3)
    system = [1, 2, 3]
    ada = pool.lease(system + [4])
    ada.start(system + [4, 5, 6])
    pool.give_back(ada)
    assert pool.warm(system) == 2 and len(made) == 3  # the decoders not made yet, not Ada's
    assert ada.held == system + [4, 5, 6] and all(decoder.held == system for decoder in made[1:])
    # a new chat reuses the system prompt on any of them: it takes a warm one, not the one holding Ada's chat
    sam, kim = pool.lease(system + [7]), pool.lease(system + [8])
    assert ada not in (sam, kim) and pool.lease(system + [4, 5, 6, 9]) is ada
    pool.give_back(sam)
    assert pool.warm(system) == 0  # nothing free holds nothing


def test_a_turn_waits_for_a_decoder_that_is_warming():
    class Slow(Held):
        def __init__(self, gate: threading.Event) -> None:
            super().__init__()
            self.gate = gate

        def start(self, token_ids: list[int]) -> torch.Tensor:
            self.gate.wait(timeout=5)
            return super().start(token_ids)

    gate = threading.Event()
    pool = DecoderPool(lambda: Slow(gate), size=2)
    warming = threading.Thread(target=pool.warm, args=([1, 2],), daemon=True)
    warming.start()
    warming.join(timeout=0.2)
    assert warming.is_alive() and pool.try_lease([1, 2, 3]) is None  # both are computing the opening
    gate.set()
    warming.join(timeout=5)
    assert pool.lease([1, 2, 3]).held == [1, 2]
