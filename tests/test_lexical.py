"""Keyword ranking of passages (BM25) and reciprocal rank fusion (tools/lexical.py)."""

from __future__ import annotations

import pytest

from tools.lexical import KeywordIndex, fuse, keywords

PASSAGES = {
    "intro": "This policy covers trips for customer visits, conferences and team events.",
    "insurance": "Travellers are covered by the company's travel insurance, policy number NW-TRV-2291.",
    "trains": "Take the train for trips under six hours; book flights through the travel desk.",
}


def test_keywords_leave_out_stop_words_and_case_and_are_stemmed():
    assert keywords("What is the Policy number of THE travel insurance?") == ["polici", "number", "travel",
                                                                               "insur"]
    assert keywords("NW-TRV-2291, 14:00") == ["nw", "trv", "2291", "14", "00"]
    # a word and its plural, a verb and its noun, meet
    assert keywords("replacements") == keywords("replacement") and keywords("approves") == keywords("approval")


def test_a_text_holds_the_share_of_the_questions_keyword_weight():
    index = KeywordIndex(list(PASSAGES), list(PASSAGES.values()))
    full, part, none = index.shares("travel insurance", ["The travel insurance.", "Insurance!", "Team events."])
    assert full == pytest.approx(1.0) and 0.0 < part < 1.0 and none == 0.0
    # words no passage holds weigh nothing either way; a query of none of them is held by nothing
    assert index.shares("travel insurance zeppelin", ["travel insurance"]) == [pytest.approx(1.0)]
    assert index.shares("zeppelin", ["zeppelin"]) == [0.0]
    assert KeywordIndex([], []).shares("travel", ["travel"]) == [0.0]


def test_the_passage_sharing_the_rarest_words_ranks_first():
    index = KeywordIndex(list(PASSAGES), list(PASSAGES.values()))
    assert index.rank("what is the policy number of the travel insurance", 3)[0] == "insurance"
    assert index.rank("flights", 3) == ["trains"]  # passages sharing no word are left out
    assert index.rank("what is the", 3) == []  # stop words only
    assert KeywordIndex([], []).rank("travel", 3) == []


def test_the_words_no_passage_holds_are_unknown():
    index = KeywordIndex(list(PASSAGES), list(PASSAGES.values()))
    assert index.unknown("is a zeppelin the same as a train?") == ["zeppelin", "same"]
    assert index.unknown("Trains and flights") == []  # stems meet: "trains" is "train", "flights" is "flight"
    assert KeywordIndex([], []).unknown("travel") == ["travel"]


def test_an_index_needs_one_id_per_passage():
    with pytest.raises(ValueError, match="2 ids for 1 passages"):
        KeywordIndex(["a", "b"], ["text"])


def test_fusion_rewards_agreement_between_rankings():
    assert fuse([["a", "b", "c"], ["b"]]) == ["b", "a", "c"]  # b: 1/61 + 1/60 beats a: 1/60
    assert fuse([["a", "b"], []]) == ["a", "b"]  # one ranking alone keeps its order
    assert fuse([["x"], ["y"]]) == ["x", "y"]  # a tie keeps the order first named
