"""Keyword ranking of passages (BM25) and reciprocal rank fusion (tools/lexical.py)."""

from __future__ import annotations

import pytest

from tools.lexical import KeywordIndex, fuse, keywords

PASSAGES = {
    "intro": "This policy covers trips for customer visits, conferences and team events.",
    "insurance": "Travellers are covered by the company's travel insurance, policy number NW-TRV-2291.",
    "trains": "Take the train for trips under six hours; book flights through the travel desk.",
}


def test_keywords_leave_out_stop_words_and_case():
    assert keywords("What is the Policy number of THE travel insurance?") == ["policy", "number", "travel",
                                                                               "insurance"]
    assert keywords("NW-TRV-2291, 14:00") == ["nw", "trv", "2291", "14", "00"]


def test_the_passage_sharing_the_rarest_words_ranks_first():
    index = KeywordIndex(list(PASSAGES), list(PASSAGES.values()))
    assert index.rank("what is the policy number of the travel insurance", 3)[0] == "insurance"
    assert index.rank("flights", 3) == ["trains"]  # passages sharing no word are left out
    assert index.rank("what is the", 3) == []  # stop words only
    assert KeywordIndex([], []).rank("travel", 3) == []


def test_an_index_needs_one_id_per_passage():
    with pytest.raises(ValueError, match="2 ids for 1 passages"):
        KeywordIndex(["a", "b"], ["text"])


def test_fusion_rewards_agreement_between_rankings():
    assert fuse([["a", "b", "c"], ["b"]]) == ["b", "a", "c"]  # b: 1/61 + 1/60 beats a: 1/60
    assert fuse([["a", "b"], []]) == ["a", "b"]  # one ranking alone keeps its order
    assert fuse([["x"], ["y"]]) == ["x", "y"]  # a tie keeps the order first named
