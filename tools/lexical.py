"""Keyword ranking of the stored passages (BM25), its fusion with the embedding ranking, and the share of a
question's keywords a statement holds.

A sentence embedding ranks a document's opening paragraph ("This policy covers trips for customer visits,
...") above the passage that holds the asked-for figure ("the company's travel insurance, policy number
NW-TRV-2291"), because the opening is about the whole topic. The words the question shares with a passage
say which one holds the answer, and the small model answers from the first passage it is given. So a search
ranks by both: the embedding's candidates and BM25's, fused by reciprocal rank (Cormack et al., 2009), which
needs no calibration between the two scores.

Words are compared by their Snowball stems ("replacement" and "replacements", "approve" and "approval").
"""

from __future__ import annotations

import re
import threading
from collections.abc import Collection, Sequence

import snowballstemmer
from rank_bm25 import BM25Okapi

#: Words too common to say which passage answers ("what is the limit per claim" -> limit, claim).
STOP_WORDS = frozenset(
    "a an and are as at be by can could do does did for from had has have how i if in is it its may me must my "
    "of on or our should so than that the their them then there these they this to was we were what when where "
    "which who whom whose why will with would you your".split()
)
#: Reciprocal-rank constant: 1/(FUSION_K + rank); 60 is the paper's and the common default.
FUSION_K = 60
_WORD = re.compile(r"[^\W_]+")
# A Snowball stemmer keeps the word it works on in itself: one per thread.
_stemmers = threading.local()


def keywords(text: str) -> list[str]:
    """The words of `text` that BM25 weighs: lower case, letters and digits, stop words left out, stemmed."""
    return stems([word for word in _WORD.findall(text.casefold()) if word not in STOP_WORDS])


def stems(words: list[str]) -> list[str]:
    """The English (Snowball) stems of lower-case `words` ("conferencing", "conference": "confer")."""
    if not hasattr(_stemmers, "english"):
        _stemmers.english = snowballstemmer.stemmer("english")
    return _stemmers.english.stemWords(words)


class KeywordIndex:
    """BM25 over a fixed list of passages, identified by their ids."""

    def __init__(self, ids: Sequence[str], texts: Sequence[str]):
        if len(ids) != len(texts):
            raise ValueError(f"{len(ids)} ids for {len(texts)} passages")
        self.ids = list(ids)
        # BM25Okapi divides by the average passage length: an empty corpus has none.
        self._bm25 = BM25Okapi([keywords(text) or [""] for text in texts]) if self.ids else None

    def __len__(self) -> int:
        return len(self.ids)

    def rank(self, query: str, n: int) -> list[str]:
        """The ids of the `n` passages sharing the most weight of `query`'s keywords, best first; passages
        sharing none are left out."""
        terms = keywords(query)
        if self._bm25 is None or not terms:
            return []
        scores = self._bm25.get_scores(terms)  # (passages,)
        best = sorted(range(len(self.ids)), key=lambda i: -scores[i])[:n]
        return [self.ids[i] for i in best if scores[i] > 0]

    def shares(self, query: str, texts: Sequence[str]) -> list[float]:
        """Per text, the share of `query`'s keyword weight (each stored keyword's inverse document frequency,
        once) that the text holds: 1.0 for a text holding every keyword of the query the passages know, 0.0
        for one holding none or for a query whose keywords no passage holds."""
        idf = self._bm25.idf if self._bm25 is not None else {}
        weights = {term: idf[term] for term in keywords(query) if term in idf}
        total = sum(weights.values())
        return [_held(weights, set(keywords(text))) / total if total > 0 else 0.0 for text in texts]

    def unknown(self, query: str) -> list[str]:
        """The keywords of `query` (stemmed) that no passage holds: terms the documents never use."""
        known = self._bm25.idf if self._bm25 is not None else {}
        return [term for term in keywords(query) if term not in known]


def _held(weights: dict[str, float], terms: Collection[str]) -> float:
    return sum(weight for term, weight in weights.items() if term in terms)


def fuse(rankings: Sequence[Sequence[str]], k: int = FUSION_K) -> list[str]:
    """Reciprocal rank fusion: ids ordered by the sum over rankings of 1/(k + rank), rank from 0; ties keep
    the order in which the rankings first name them."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores, key=lambda item: -scores[item])
