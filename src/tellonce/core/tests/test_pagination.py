import pytest
from django.test import RequestFactory

from tellonce.core.pagination import page_numbers, page_of


def test_a_long_queue_shows_the_ends_and_the_pages_around_the_current_one():
    assert page_numbers(1, 1) == [1]
    assert page_numbers(2, 3) == [1, 2, 3]
    assert page_numbers(1, 432) == [1, 2, None, 432]
    assert page_numbers(200, 432) == [1, None, 199, 200, 201, None, 432]
    assert page_numbers(431, 432) == [1, None, 430, 431, 432]
    assert page_numbers(3, 5) == [1, 2, 3, 4, 5]


# ----- a page of a list, as a link asks for it ----------------------------------------

ROWS = list(range(1, 571))  # 570 missing episodes, as the demo's police desk has


def _page(query: str):
    return page_of(RequestFactory().get("/missing/police/" + query), ROWS)


def test_the_first_page_of_570_shows_25_and_says_so():
    page = _page("")
    assert page.rows == list(range(1, 26)) and page.pages == 23
    assert page.showing == "Showing 1 to 25 of 570"
    assert page.numbers == [1, 2, None, 23]


def test_a_later_page_keeps_the_filter_in_its_links():
    page = _page("?show=all&page=3")
    assert page.rows[0] == 51 and page.showing == "Showing 51 to 75 of 570"
    assert page.query == "show=all" and page.link(4) == "?show=all&page=4"


@pytest.mark.parametrize(
    ("asked", "shown"),
    [("0", 1), ("-3", 1), ("abc", 1), ("", 1), ("9999", 23), ("23", 23), ("1.5", 1)],
)
def test_a_page_that_does_not_exist_shows_the_first_or_the_last(asked, shown):
    page = _page(f"?page={asked}")
    assert page.number == shown and page.rows


def test_an_empty_list_is_one_empty_page():
    page = page_of(RequestFactory().get("/alerts/?page=4"), [])
    assert page.number == 1 and page.pages == 1 and page.rows == []
    assert page.showing == "Showing 0 of 0"


def test_thousands_have_separators():
    page = page_of(RequestFactory().get("/?page=2"), list(range(1234)), per_page=50)
    assert page.showing == "Showing 51 to 100 of 1,234"
