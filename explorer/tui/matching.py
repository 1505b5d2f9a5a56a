"""Matching what people type against `interface.method (service)`: words in any order, typos forgiven.

Each word of the query must be found in the candidate: as a substring (best when it starts a word),
else as its letters in order (`cmplete`), else within one typo of a word of the candidate (`compelte`).
The score ranks whole words and exact prefixes first, then substrings, then looser matches.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z0-9]+")


def _one_typo_apart(a: str, b: str) -> bool:
    """True when one edit (insert, delete, replace, or swap of neighbours) turns `a` into `b`."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return a == b
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        i, j = diffs[0], diffs[-1]
        return len(diffs) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    for i in range(len(long)):
        if long[:i] + long[i + 1 :] == short:
            return True
    return False


def _in_order(word: str, text: str) -> bool:
    position = 0
    for char in word:
        position = text.find(char, position) + 1
        if position == 0:
            return False
    return True


def word_score(word: str, candidate: str, words: list[str]) -> float:
    """How well one query word matches (0: not at all)."""
    if word in words:
        return 5.0
    if any(w.startswith(word) for w in words):
        return 4.0
    if word in candidate:
        return 3.0
    if len(word) >= 4 and any(_one_typo_apart(word, w[: len(word) + 1]) or _one_typo_apart(word, w) for w in words):
        return 1.5
    if len(word) >= 5 and _in_order(word, candidate):
        return 1.0
    return 0.0


def match_score(query: str, candidate: str) -> float:
    """0 when some word of `query` is not in `candidate`; else higher for better matches (max 1)."""
    text = candidate.lower()
    query_words = _WORD.findall(query.lower())
    if not query_words:
        return 0.0
    words = _WORD.findall(text)
    total = 0.0
    for word in query_words:
        score = word_score(word, text, words)
        if not score:
            return 0.0
        total += score
    whole = query.lower().strip()
    bonus = 1.0 if text.startswith(whole) else 0.5 if whole in text else 0.0
    return (total / len(query_words) + bonus) / 6.0


def matches(query: str, candidate: str) -> bool:
    return match_score(query, candidate) > 0
