"""Which page numbers a GOV.UK pagination shows: the first, the last, and those
around the current page, with a gap (None, shown as an ellipsis) between."""

from __future__ import annotations


def page_numbers(current: int, pages: int) -> list[int | None]:
    shown = sorted({1, pages, *range(max(1, current - 1), min(pages, current + 1) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers
