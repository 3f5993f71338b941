"""Latvian alphabetical order, independent of the database's collations.

The embedded PostgreSQL has no ICU, so names are ranked in Python. The Latvian alphabet puts
Č, Ģ, Ķ, Ļ, Ņ, Š, Ž after C, G, K, L, N, S, Z as letters of their own; the long vowels Ā, Ē, Ī, Ū
sort with their short vowels and only break ties (as ICU's `lv` collation does).
"""

from __future__ import annotations

import unicodedata

_ALPHABET = "aābcčdeēfgģhiījkķlļmnņopqrsštuūvwxyzž"
_OWN_LETTERS = set("čģķļņšž")
_LONG_VOWELS = {"ā": "a", "ē": "e", "ī": "i", "ū": "u"}


def latvian_key(text: str) -> tuple:
    """A sort key: primary by letter (Č after C), then long vowels after short ones."""
    primary: list[tuple[int, str]] = []
    secondary: list[int] = []
    for char in unicodedata.normalize("NFC", text.casefold()):
        if char in _LONG_VOWELS:
            base, accent = _LONG_VOWELS[char], 1
        else:
            base, accent = char, 0
        if base in _OWN_LETTERS or base in _ALPHABET:
            primary.append((1, f"{_ALPHABET.index(base):02d}"))
        elif char.isdigit():
            primary.append((0, char))
        elif char.isspace() or not char.isalnum():
            primary.append((0, " "))
        else:
            primary.append((2, char))
        secondary.append(accent)
    return (primary, secondary, text)
