"""Matching typed words against `interface.method (service)`."""

from __future__ import annotations

from explorer.tui.matching import match_score, matches

SET = "puter-kvstore.set (puter-kvstore)"
SET_MANY = "puter-kvstore.setMany (puter-kvstore)"
CHAT = "puter-chat-completion.complete (ai-chat)"


def test_words_match_in_any_order_across_interface_method_and_service():
    assert matches("kv set", SET) and matches("set kv", SET) and matches("chat complete", CHAT)
    assert matches("ai-chat complete", CHAT)
    assert not matches("kv set", CHAT) and not matches("chat complete", SET)


def test_a_whole_word_ranks_above_a_prefix_and_an_exact_prefix_above_the_rest():
    assert match_score("kv set", SET) > match_score("kv set", SET_MANY) > 0
    assert match_score("puter-kvstore.set", SET) > match_score("kvstore.set", SET) > 0


def test_typos_and_missing_letters_are_forgiven_but_not_nonsense():
    assert matches("compelte chat", CHAT)  # two letters swapped
    assert matches("cmplete", CHAT)  # a letter missing
    assert matches("chatcomplete", CHAT)
    assert not matches("xyz", CHAT) and not matches("", CHAT)
