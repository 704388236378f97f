"""Clean text, in one place: what every free-text field from the pages, the API and the
feeds must be before it is kept.

- No control characters (NUL, escape codes, the other C0 and C1 controls, DEL). Words
  (a concern, minutes, what a child said) may have tabs and line breaks; nothing else
  may. A carriage return is kept only as part of a line break, and line breaks are
  stored as `\\n`.
- No bidirectional controls (the right-to-left override U+202E and its kin U+202A-U+202E,
  U+2066-U+2069, U+200E, U+200F, U+061C): they make a name or a sentence read
  differently from what is stored. Arabic, Hebrew and Urdu text needs none of them.
- No zero-width characters (U+200B, U+2060, U+180E, U+FEFF inside the text): they make
  two names that look the same differ. The zero-width non-joiner and joiner (U+200C,
  U+200D) are part of how Persian, Hindi, Bengali and other scripts are spelled, so
  they are allowed where they join two letters (or a letter and a combining mark, or
  two emoji of one sequence), and refused anywhere else (at the start or end, next to a
  space, a digit or another joiner).
- No byte order mark. A leading one is stripped where it is the standard's own artefact
  (the first cell of a CSV feed, a pasted text from a Windows editor: `text_cleaned`);
  one anywhere else is refused.
- Every field has a length limit: its own `max_length`, or else its kind's.

`text_problem` gives the reason without the field's name, for the caller to put the
name in front ("Family name must not contain control characters"), or to report under
the field as the API does. `text_cleaned` is what is stored: NFC-normalised (so that
"é" typed two ways is one name), without a leading BOM, and without surrounding
whitespace for one-line kinds.
"""

from __future__ import annotations

import enum
import unicodedata

#: The longest words (a concern, minutes, what a child said): about eight pages.
WORDS_MAX = 20_000


class TextKind(enum.Enum):
    """What a text field holds, which decides its length limit and whether it may have
    line breaks."""

    NAME = "name"  # a person's, a place's, a team's name
    SHORT = "short"  # a code, a reference, a postcode, an identifier
    LINE = "line"  # one line of text: a reason, a title, an address line
    WORDS = "words"  # paragraphs: a concern, minutes, what a child said

    @property
    def max_length(self) -> int:
        return _MAX_LENGTH[self]

    @property
    def multiline(self) -> bool:
        return self is TextKind.WORDS


_MAX_LENGTH = {
    TextKind.NAME: 200,
    TextKind.SHORT: 100,
    TextKind.LINE: 1_000,
    TextKind.WORDS: WORDS_MAX,
}

BOM = "\ufeff"
ZWNJ, ZWJ = "\u200c", "\u200d"
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
ZERO_WIDTH = frozenset("\u200b\u2060\u180e\u2061\u2062\u2063\u2064")
LINE_BREAKS = frozenset("\n\t")


def text_pattern(kind: TextKind) -> str:
    """A regular expression (Python's and ECMAScript's alike) matching the text this kind
    may hold, for the API's schema. It leaves out the joiners (U+200C, U+200D), which
    `text_problem` allows only between letters, a rule a pattern of this kind cannot
    say."""
    refused = {chr(c) for c in (*range(0x00, 0x20), *range(0x7F, 0xA0))}
    refused |= {"\u2028", "\u2029", BOM, ZWNJ, ZWJ} | BIDI_CONTROLS | ZERO_WIDTH
    if kind.multiline:
        refused -= {*LINE_BREAKS, "\r"}
    points = sorted(ord(c) for c in refused)
    runs: list[list[int]] = []
    for point in points:
        if runs and point == runs[-1][1] + 1:
            runs[-1][1] = point
        else:
            runs.append([point, point])
    escaped = "".join(f"\\u{a:04x}" if a == b else f"\\u{a:04x}-\\u{b:04x}" for a, b in runs)
    return f"^[^{escaped}]*$"


def text_problem(value: str, kind: TextKind, *, max_length: int | None = None) -> str | None:
    """What is wrong with this text for a field of this kind, or None. Check the text as
    it will be stored (`text_cleaned`), so that a leading BOM stripped by the standard
    is not refused."""
    limit = max_length or kind.max_length
    if len(value) > limit:
        return f"must be at most {limit:,} characters"
    for n, char in enumerate(value):
        if char in BIDI_CONTROLS:
            return "must not contain a right-to-left override or other bidirectional control"
        if char == BOM:
            return "must not contain a byte order mark"
        if char in ZERO_WIDTH or (char in (ZWNJ, ZWJ) and not _joins_letters(value, n)):
            return "must not contain zero-width characters"
        if _is_control(char) and not (kind.multiline and char in LINE_BREAKS):
            return "must not contain control characters"
    return None


def text_cleaned(value: str, kind: TextKind) -> str:
    """The text as it is kept: NFC-normalised, a leading BOM dropped, line breaks as
    `\\n`, and one-line kinds without surrounding whitespace."""
    value = unicodedata.normalize("NFC", value.removeprefix(BOM))
    if kind.multiline:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value.strip()


class TextProblemError(ValueError):
    """The text is not clean; the message is the reason, without the field's name."""


def text_checked(value: str, kind: TextKind, *, max_length: int | None = None) -> str:
    """The text as it is kept (`text_cleaned`), or `TextProblemError` saying what is
    wrong with it (`text_problem`): what the forms, the API and the feeds each call on
    every text field."""
    cleaned = text_cleaned(value, kind)
    problem = text_problem(cleaned, kind, max_length=max_length)
    if problem:
        raise TextProblemError(problem)
    return cleaned


def _is_control(char: str) -> bool:
    # Cc is C0, DEL and C1; the line and paragraph separators count too.
    return unicodedata.category(char) == "Cc" or char in "\u2028\u2029"


def _joins_letters(value: str, n: int) -> bool:
    """A joiner between two letters (or marks) of a word: how some scripts spell."""
    if n == 0 or n == len(value) - 1:
        return False
    before, after = value[n - 1], value[n + 1]
    return _in_word(before) and _in_word(after)


def _in_word(char: str) -> bool:
    # Letters and marks for the scripts; symbols for emoji sequences (a family).
    return unicodedata.category(char)[0] in "LM" or unicodedata.category(char) == "So"
