"""Name keys for searching: a normalised spelling and a phonetic code.

Soundex tolerates most typos and transliterations seen in UK children's records
(Mohammed, Muhammad and Mohamed share M530; Smith and Smiht share S530).
"""

from __future__ import annotations

import re
import unicodedata

import jellyfish

_NON_LETTERS = re.compile(r"[^a-z]")


def normalise(name: str) -> str:
    """Lower case, accents and punctuation removed: "O'Brien-Nowak" -> "obriennowak"."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    ascii_only = decomposed.encode("ascii", "ignore").decode("ascii")
    return _NON_LETTERS.sub("", ascii_only.lower())


def sound(name: str) -> str:
    norm = normalise(name)
    return jellyfish.soundex(norm) if norm else ""


def similarity(a: str, b: str) -> float:
    """Jaro-Winkler similarity of two names, 0 to 1."""
    na, nb = normalise(a), normalise(b)
    if not na or not nb:
        return 0.0
    return float(jellyfish.jaro_winkler_similarity(na, nb))
