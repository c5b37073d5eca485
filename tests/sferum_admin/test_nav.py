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
