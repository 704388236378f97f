"""Paging a list, GOV.UK style: 25 rows a page, a total ("Showing 1 to 25 of 570"),
and the page numbers a GOV.UK pagination shows (`page_numbers`): the first, the last,
and those around the current page, with a gap (None, shown as an ellipsis) between.

A page number that is not a number, or is below 1, shows the first page; one past the
end shows the last: a bookmarked or mistyped page is never an error.

    page = page_of(request, selectors.police_list(user=user, show=show))
    render(..., {"page": page})  # and {% include "govuk/pagination.html" %}
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest

T = TypeVar("T")

PER_PAGE = 25


def page_numbers(current: int, pages: int) -> list[int | None]:
    shown = sorted({1, pages, *range(max(1, current - 1), min(pages, current + 1) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


def page_asked(raw: str | None) -> int:
    """The page a query string asks for: 1 where it asks for none, or nonsense."""
    try:
        return max(1, int(raw or "1"))
    except ValueError:
        return 1


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its rows, where it is, and the query string of the list's
    other choices (its filter), which every page link keeps."""

    rows: list[T]
    number: int
    pages: int
    total: int
    per_page: int
    query: str = ""

    @property
    def first(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0

    @property
    def showing(self) -> str:
        """ "Showing 26 to 50 of 570"; "Showing 3 of 3" where all fit on one page."""
        if self.pages == 1:
            return f"Showing {self.total:,} of {self.total:,}"
        return f"Showing {self.first:,} to {self.last:,} of {self.total:,}"

    @property
    def numbers(self) -> list[int | None]:
        return page_numbers(self.number, self.pages)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def link(self, number: int) -> str:
        """The query string of page `number` of this list."""
        return f"?{self.query}&page={number}" if self.query else f"?page={number}"


def page_of(
    request: HttpRequest, items: QuerySet[Any] | Sequence[T], *, per_page: int = PER_PAGE
) -> Page[Any]:
    """The page of `items` that `request` asks for (`?page=`), clamped to the list."""
    total = items.count() if isinstance(items, QuerySet) else len(items)
    pages = max(1, -(-total // per_page))
    number = min(page_asked(request.GET.get("page")), pages)
    start = (number - 1) * per_page
    query = request.GET.copy()
    query.pop("page", None)
    return Page(
        rows=list(items[start : start + per_page]),
        number=number,
        pages=pages,
        total=total,
        per_page=per_page,
        query=query.urlencode(),
    )
