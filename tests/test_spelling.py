"""Typing slips mended against the router's own words before a message is embedded."""

from assistant.spelling import Speller

REQUESTS = ["what is the leave balance of E1003", "show my open tickets", "cancel leave request 507",
            "is ticket 4104 resolved", "book a room for the team"]


def test_a_word_one_edit_from_a_known_one_is_read_as_it():
    speller = Speller(REQUESTS)
    assert speller.mended("leave balence E1003?") == "leave balance E1003?"  # a letter changed
    assert speller.mended("any news on my tiket") == "any news on my ticket"  # a letter left out
    assert speller.mended("my time off reqest") == "my time off request"
    assert speller.mended("is it resovled") == "is it resolved"  # two letters swapped


def test_known_words_short_words_and_far_words_stay_as_written():
    speller = Speller(REQUESTS, known={"stack"})
    assert speller.mended("how high can we stack it") == "how high can we stack it"  # the embedder's own word
    assert speller.mended("a tikt") == "a tikt"  # two edits away
    assert speller.mended("bok a rom") == "bok a rom"  # under five letters: too many near words
    assert speller.mended("ask okafor") == "ask okafor"  # near no known word
    assert speller.mended("Leave Balance") == "Leave Balance"  # known words keep their case


def test_of_several_near_words_the_most_frequent_is_taken():
    speller = Speller(["the room", "rooms free", "rooms booked", "the rooms"])
    assert speller.mended("roomz") == "rooms"


def test_a_word_typed_without_its_vowels_is_read_as_the_most_frequent_word_it_is_the_consonants_of():
    speller = Speller([*REQUESTS, "how many shipments left from rotterdam", "how are you", "a hawaii trip"])
    assert speller.mended("hw many shpmnts frm rotterdam") == "how many shipments from rotterdam"
    assert speller.mended("bk a rm") == "book a room"
    assert speller.mended("my pc") == "my pc"  # the consonants of no word of the texts
    assert speller.mended("a 2nd monitor, 5pm") == "a 2nd monitor, 5pm"  # letters written with digits
