import pytest
from django.test import RequestFactory

from sferum_admin import nav


def test_only_the_longest_matching_menu_entry_is_current(monkeypatch):
    monkeypatch.setattr(nav, "_items", [])
    always = lambda request: True  # noqa: E731
    nav.register(label="Профиль колледжа", url_name="colleges:profile", visible=always)
    nav.register(label="Отделения", url_name="colleges:department_list", visible=always)
    request = RequestFactory().get("/college/departments/")

    items = nav.items_for(request)

    assert [(i["label"], i["active"]) for i in items] == [("Профиль колледжа", False), ("Отделения", True)]


@pytest.mark.parametrize("url_name", ["home", "accounts:profile", "account_logout", "account_login", "set_language"])
def test_layout_links_are_the_reversed_urls(url_name):
    from django.urls import reverse

    from sferum_admin.templatetags.sferum import fixed_url

    assert fixed_url(url_name) == reverse(url_name)
    assert fixed_url(url_name) == reverse(url_name)  # the second time from the per-process table
