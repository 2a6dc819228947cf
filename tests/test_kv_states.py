"""States put aside: the longest shared prefix is taken back (once), and the oldest go past the budget."""

from __future__ import annotations

from assistant.kv_states import SavedState, SavedStates


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
