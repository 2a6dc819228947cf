"""Typing slips mended against the words a tool router was fitted on, before a message is embedded.

A sentence embedder splits a word it does not know into pieces ("balence" -> "bal", "##ence"), so "leave balence
E1003?" lands near an employee's entry rather than a leave balance, and "any news on my vpn tiket" near the
handbook. A word of five letters or more that none of the router's texts has and the embedder does not read as a
word of its own, one edit (a letter left out, added, changed, or two swapped) from a word the texts have, is read
as that word; the most frequent one when several are. A word typed without its vowels ("hw", "frm", "shpmnts") is
read as the most frequent word of the texts it is the consonants of, in order ("how", "from", "shipments").
Words the embedder knows ("stack" is no slip for "stock")
and names nobody typed near a known word ("okafor") stay as written. Only what the
router embeds is mended: arguments are read from the message as written.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_WORD = re.compile(r"[A-Za-z]+")
#: A word to mend: letters written apart from digits ("2nd", "5pm" and "E1006" are no words to mend).
_LONE_WORD = re.compile(r"(?<![0-9])[A-Za-z]+(?![0-9])")
#: Shorter words are left alone: one edit from a short word reaches too many others ("leave" <-> "least").
MIN_LENGTH = 5


class Speller:
    """Mends the words of a text one edit from the words of `texts` (the router's fitted requests)."""

    def __init__(self, texts: Iterable[str], known: Collection[str] = frozenset()):
        self.counts = Counter(word.casefold() for text in texts for word in _WORD.findall(text))
        self.known = known  # words written right though the texts lack them (the embedder's own words)
        self.consonants: dict[str, list[str]] = {}  # the texts' words by their letters less the vowels after the first
        for word in sorted(self.counts):
            if len(word) > 2:
                self.consonants.setdefault(_consonants(word), []).append(word)

    def mended(self, text: str) -> str:
        """`text` with each word it mends replaced, lower-cased as the embedder reads it; other words unchanged."""
        return _LONE_WORD.sub(lambda match: self._word(match.group()), text)

    def _word(self, word: str) -> str:
        folded = word.casefold()
        if folded in self.counts or folded in self.known:
            return word
        if len(folded) >= 2 and not _VOWEL.search(folded):  # "hw many", "shpmnts frm antwerp"
            known = [candidate for candidate in self.consonants.get(folded, []) if len(candidate) > len(folded)]
        elif len(folded) >= MIN_LENGTH:
            known = [candidate for candidate in _one_edit(folded) if candidate in self.counts]
        else:
            return word
        return max(sorted(known), key=self.counts.__getitem__) if known else word


_VOWEL = re.compile(r"[aeiou]")


def _consonants(word: str) -> str:
    """`word` less its vowels after the first letter: "shipments" -> "shpmnts", "from" -> "frm", "item" -> "itm"."""
    return word[0] + _VOWEL.sub("", word[1:])


def _one_edit(word: str) -> set[str]:
    """Every string one edit from `word`: a letter deleted, two neighbours swapped, one replaced, one inserted."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deleted = {left + right[1:] for left, right in splits if right}
    swapped = {left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1}
    replaced = {left + letter + right[1:] for left, right in splits if right for letter in _LETTERS}
    inserted = {left + letter + right for left, right in splits for letter in _LETTERS}
    return (deleted | swapped | replaced | inserted) - {word}
