from tellonce.core.pagination import page_numbers


def test_a_long_queue_shows_the_ends_and_the_pages_around_the_current_one():
    assert page_numbers(1, 1) == [1]
    assert page_numbers(2, 3) == [1, 2, 3]
    assert page_numbers(1, 432) == [1, 2, None, 432]
    assert page_numbers(200, 432) == [1, None, 199, 200, 201, None, 432]
    assert page_numbers(431, 432) == [1, None, 430, 431, 432]
    assert page_numbers(3, 5) == [1, 2, 3, 4, 5]
