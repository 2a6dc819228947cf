"""States put aside: the longest shared prefix is taken back (once), and the oldest go past the budget."""

from __future__ import annotations

from assistant.kv_states import MIN_SHIFTED_RUN, Reuse, SavedState, SavedStates, reuse


def test_the_state_sharing_most_of_the_start_is_taken_back_once_and_only_when_worth_it():
    saved = SavedStates(budget_bytes=100)
    saved.put(SavedState([1, 2, 3, 4, 5], bytearray(b"x" * 10)))
    saved.put(SavedState([1, 2, 9], bytearray(b"y" * 10)))
    assert saved.take([7, 8], more_than=0) is None  # nothing shared
    assert saved.take([1, 2, 3, 4, 5, 6], more_than=5) is None  # shares 5, which is not more
    state = saved.take([1, 2, 3, 4, 5, 6], more_than=3)
    assert state is not None and state.data == bytearray(b"x" * 10)
    assert saved.take([1, 2, 3, 4, 5, 6], more_than=1).token_ids == [1, 2, 9]  # the first one is gone
    assert saved.size_bytes == 0


def test_the_oldest_states_go_past_the_budget_and_one_larger_than_it_is_not_kept():
    saved = SavedStates(budget_bytes=25)
    for first in (1, 2, 3):
        saved.put(SavedState([first, 0], bytearray(10)))
    assert saved.size_bytes == 20
    assert saved.take([1, 0, 5], more_than=0) is None and saved.take([3, 0, 5], more_than=0) is not None
    saved.put(SavedState([4, 0], bytearray(26)))
    assert saved.size_bytes == 10


def test_a_start_leaving_old_turns_out_reuses_the_later_ones_where_the_decoder_shifts():
    system, old, later = [1, 2], list(range(10, 40)), list(range(100, 100 + MIN_SHIFTED_RUN + 5))
    held = system + old + later + [8, 9]  # the last turn ends otherwise than the next prompt renders it
    start = system + later + [5, 6]
    assert reuse(held, start, shifts=True) == Reuse(keep=2, drop=30, run=len(later))
    assert reuse(held, start, shifts=True).own == len(held) - 2
    assert reuse(held, start, shifts=False) == Reuse(keep=2)
    # a run shorter than MIN_SHIFTED_RUN is computed again rather than moved
    short = system + old + later[: MIN_SHIFTED_RUN - 1]
    assert reuse(short, system + later + [5], shifts=True) == Reuse(keep=2)
    # the last id of the start is fed again for its logits, moved or not
    assert reuse(held, system + later, shifts=True).run == len(later) - 1


def test_a_state_put_aside_is_taken_back_by_what_the_taker_would_reuse_of_it():
    system, old, later = [1, 2], list(range(10, 40)), list(range(100, 100 + MIN_SHIFTED_RUN))
    saved = SavedStates(budget_bytes=100)
    saved.put(SavedState(system + old + later, bytearray(b"x" * 10)))
    start = system + later + [5]
    assert saved.take(start, more_than=2) is None  # by the shared prefix: only the system prompt
    state = saved.take(start, more_than=2, reused=lambda held, ids: reuse(held, ids, shifts=True).reused)
    assert state is not None and state.token_ids == system + old + later
