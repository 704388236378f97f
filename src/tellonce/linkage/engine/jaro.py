"""String similarities exactly as DuckDB computes them: `jaro_winkler_similarity` and
`damerau_levenshtein`.

The real-time scorer must put every pair in the same comparison level as Splink on
DuckDB, so a similarity a hair either side of a 0.92 threshold must come out bit for bit
the same. jellyfish's implementation does not: its floating-point operations differ in
the last bit on about 0.4% of name pairs. This is a port of the algorithm DuckDB
vendors (Max Bachmann's jaro_winkler, MIT licence), with its three quirks:

- it works on UTF-8 *bytes*, not characters ("Michał" is 7 units long);
- the match window is max(len)/2 - 1, two one-unit strings are compared directly, and
  an empty string scores 0.0 (even against another empty string);
- the Winkler boost `sim + prefix * 0.1 * (1 - sim)` is compiled into a fused
  multiply-add by some builds (rounded once, not twice) and not by others (DuckDB
  1.5's wheels do not). Which one the installed DuckDB does is asked of it once, on
  a pair whose result differs in the last bit (`_duckdb_fuses`). `math.fma` (Python
  3.13+) rounds once; before 3.13 we compute it exactly with integers and round once.

`damerau_levenshtein` is the unrestricted distance (a transposition may be edited
again: "ca" to "abc" is 2), also on UTF-8 bytes.

Checked against DuckDB on tens of thousands of pairs (tests/test_engine.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

_PREFIX_WEIGHT = 0.1


def _fma_exact(a: float, b: float, c: float) -> float:
    # a*b + c with one rounding: doubles are dyadic rationals, and Python's int/int
    # true division rounds correctly, so this is exact until the final division.
    an, ad = a.as_integer_ratio()
    bn, bd = b.as_integer_ratio()
    cn, cd = c.as_integer_ratio()
    return (an * bn * cd + cn * ad * bd) / (ad * bd * cd)


_fma: Callable[[float, float, float], float] = getattr(math, "fma", _fma_exact)
#: A pair whose Winkler boost comes out differently fused and unfused.
_PROBE = ("sebastian", "sbastian")


@lru_cache(maxsize=1)
def _duckdb_fuses() -> bool:
    """Whether the installed DuckDB rounds the Winkler boost once (fused)."""
    import duckdb

    connection = duckdb.connect()
    try:
        rows = connection.execute(
            "select jaro_winkler_similarity(?, ?)", [_PROBE[0], _PROBE[1]]
        ).fetchall()
    finally:
        connection.close()
    return bool(rows[0][0] == _winkler(*_PROBE, fused=True))


def _jaro(p: str | bytes, t: str | bytes) -> float:
    p_len = len(p)
    t_len = len(t)
    if p_len == 1 and t_len == 1:
        return 1.0 if p[0] == t[0] else 0.0
    bound = max(p_len, t_len) // 2 - 1
    p_flagged = [False] * p_len
    t_matched: list[int] = []
    for j in range(t_len):
        # The first unflagged occurrence of t[j] in p's window around j.
        hi = j + bound + 1
        k = p.find(t[j], j - bound if j > bound else 0, hi)  # type: ignore[arg-type]
        while k != -1 and p_flagged[k]:
            k = p.find(t[j], k + 1, hi)  # type: ignore[arg-type]
        if k != -1:
            p_flagged[k] = True
            t_matched.append(j)
    common = len(t_matched)
    if not common:
        return 0.0
    transpositions = 0
    k = 0
    for j in t_matched:
        while not p_flagged[k]:
            k += 1
        if p[k] != t[j]:
            transpositions += 1
        k += 1
    transpositions //= 2
    sim = 0.0
    sim += common / p_len
    sim += common / t_len
    sim += (common - transpositions) / common
    return sim / 3.0


@lru_cache(maxsize=1 << 17)
def jaro_winkler_similarity(s1: str, s2: str) -> float:
    """DuckDB's `jaro_winkler_similarity(s1, s2)` for two non-null strings."""
    return _winkler(s1, s2, fused=_duckdb_fuses())


def _winkler(s1: str, s2: str, *, fused: bool) -> float:
    p, t = _units(s1, s2)
    if not p or not t:
        return 0.0
    prefix = 0
    max_prefix = min(len(p), len(t), 4)
    while prefix < max_prefix and p[prefix] == t[prefix]:
        prefix += 1
    sim = _jaro(p, t)
    if sim > 0.7:
        if fused:
            sim = _fma(prefix * _PREFIX_WEIGHT, 1.0 - sim, sim)
        else:
            sim = sim + prefix * _PREFIX_WEIGHT * (1.0 - sim)
    return sim


def _units(s1: str, s2: str) -> tuple[str | bytes, str | bytes]:
    if s1.isascii() and s2.isascii():
        return s1, s2
    return s1.encode(), s2.encode()


@lru_cache(maxsize=1 << 16)
def damerau_levenshtein(s1: str, s2: str) -> int:
    """DuckDB's `damerau_levenshtein(s1, s2)` for two non-null strings (the Lowrance
    and Wagner algorithm, over bytes)."""
    a, b = _units(s1, s2)
    len_a, len_b = len(a), len(b)
    infinity = len_a + len_b
    last_row_of: dict[object, int] = {}
    # d[i + 1][j + 1] is the distance between a[:i] and b[:j]; row and column 0 hold
    # the sentinel that keeps impossible transpositions out.
    d = [[infinity] * (len_b + 2) for _ in range(len_a + 2)]
    for i in range(len_a + 1):
        d[i + 1][1] = i
    for j in range(len_b + 1):
        d[1][j + 1] = j
    for i in range(1, len_a + 1):
        last_match_column = 0
        for j in range(1, len_b + 1):
            k = last_row_of.get(b[j - 1], 0)
            m = last_match_column
            if a[i - 1] == b[j - 1]:
                cost = 0
                last_match_column = j
            else:
                cost = 1
            d[i + 1][j + 1] = min(
                d[i][j] + cost,
                d[i + 1][j] + 1,
                d[i][j + 1] + 1,
                d[k][m] + (i - k - 1) + 1 + (j - m - 1),
            )
        last_row_of[a[i - 1]] = i
    return d[len_a + 1][len_b + 1]
