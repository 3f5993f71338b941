"""Latvian alphabetical order, independent of the database's collations: the one place that knows
the Latvian alphabet.

The embedded PostgreSQL has no ICU, so names are ranked in Python. The Latvian alphabet puts
Č, Ģ, Ķ, Ļ, Ņ, Š, Ž after C, G, K, L, N, S, Z as letters of their own; the long vowels Ā, Ē, Ī, Ū
sort with their short vowels and only break ties (as ICU's `lv` collation does).

`latvian_sort_string` writes that order as a plain ASCII string, so that a column with the "C"
collation sorts (and prefix-searches) it with an ordinary btree index; `latvian_key` is the same
order for sorting in Python (`sorted(names, key=latvian_key)`).
"""

from __future__ import annotations

import unicodedata

ALPHABET = "aābcčdeēfgģhiījkķlļmnņopqrsštuūvwxyzž"
LONG_VOWELS = {"ā": "a", "ē": "e", "ī": "i", "ū": "u"}
_LETTERS = "".join(c for c in ALPHABET if c not in LONG_VOWELS)
# Letters map to "A".."a" in alphabetical order, digits stay digits, the rest become one space.
_LETTER_CODES = {c: chr(0x41 + i) for i, c in enumerate(_LETTERS)}
OTHER_CHAR = "o"  # any other letter: after all Latvian ones
SORT_LAST = "~"  # sorts after every key: rows with no value come last in ascending order


def _primary(char: str) -> tuple[str, int]:
    base = LONG_VOWELS.get(char, char)
    accent = 1 if base != char else 0
    if base in _LETTER_CODES:
        return _LETTER_CODES[base], accent
    if char.isdigit() and char.isascii():
        return char, 0
    if char.isspace() or not char.isalnum():
        return " ", 0
    return OTHER_CHAR, 0


def latvian_sort_string(text: str | None, *, primary_only: bool = False) -> str:
    """'Ēka' → a string that sorts after 'Eka' and before 'Fa' under the C collation.

    Primary letters first (Č after C as a letter of its own, long vowels as their short ones),
    then a separator and the long-vowel marks, which only break ties. `primary_only` gives the
    prefix used to search. No text sorts last.
    """
    if not text:
        return SORT_LAST
    letters, accents = [], []
    for char in unicodedata.normalize("NFC", text.casefold()):
        code, accent = _primary(char)
        letters.append(code)
        accents.append(str(accent))
    if primary_only:
        return "".join(letters)
    return "".join(letters) + "\x01" + "".join(accents)


def latvian_key(text: str) -> tuple[str, str]:
    """A sort key in Python: the order of `latvian_sort_string`, the text itself breaking ties."""
    return (latvian_sort_string(text), text)
