"""``paginate``: a page of a long list, counted only up to COUNT_CAP rows past it."""

import pytest
from django.test import RequestFactory

from colleges.models import Department
from core import pages
from core.pages import paginate
from tests import factories


@pytest.fixture
def departments(db, monkeypatch):
    """Twelve rows and a cap of five, so the cap is reached without thousands of rows."""
    monkeypatch.setattr(pages, "COUNT_CAP", 5)
    college = factories.CollegeFactory()
    factories.DepartmentFactory.create_batch(12, college=college)
    return Department.objects.filter(college=college).order_by("name", "pk")


def _page(queryset, page):
    return paginate(RequestFactory().get("/", {"page": page}), queryset, 2)


def test_a_short_list_is_counted_exactly(db):
    college = factories.CollegeFactory()
    factories.DepartmentFactory.create_batch(3, college=college)

    page = _page(Department.objects.filter(college=college).order_by("pk"), 1)

    assert (page.paginator.count, page.paginator.count_is_capped, page.paginator.num_pages) == (3, False, 2)


def test_a_long_list_stops_counting_at_the_cap_and_offers_the_next_page(departments):
    page = _page(departments, 1)

    assert page.paginator.count_is_capped
    assert page.paginator.count == 6
    assert page.paginator.known_pages == 2
    assert page.has_next()


def test_a_page_past_the_cap_is_full_and_has_a_next_one(departments):
    page = _page(departments, 4)

    assert page.number == 4
    assert [d.pk for d in page] == [d.pk for d in departments[6:8]]
    assert page.has_next()


def test_the_last_page_past_the_cap_has_no_next_one(departments):
    page = _page(departments, 6)

    assert [d.pk for d in page] == [d.pk for d in departments[10:12]]
    assert not page.has_next()
    assert not page.paginator.count_is_capped


def test_a_page_that_is_not_a_number_is_the_first(departments):
    assert _page(departments, "два").number == 1


def test_the_capped_count_is_shown_as_more_than(departments, rf):
    from django.template.loader import render_to_string

    html = render_to_string("_partials/pagination.html", {"page_obj": _page(departments, 1), "request": rf.get("/")})

    assert "Страница 1 из более чем 2" in html
