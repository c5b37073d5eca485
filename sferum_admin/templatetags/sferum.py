import functools

from django import template
from django.forms.utils import flatatt
from django.template.loader import render_to_string
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe

from accounts.phones import format_phone
from core import nav, urls

register = template.Library()


_CURRENT = ' aria-current="page"'


def _links(items) -> str:
    return "".join(
        f'<li><a href="{escape(item["url"])}"{_CURRENT if item["active"] else ""}>{escape(item["label"])}</a></li>'
        for item in items
    )


@functools.lru_cache(maxsize=2048)
def menu_html(key: tuple, layout: str) -> str:
    """The menu's ``<li>`` items for a ``nav.menu_key``, built in Python once per process for each key.

    ``wide``: each section a Pico drop-down (``<details class="dropdown">``);
    ``phone``: each section a labelled sub-list, for the «Меню» panel.
    """
    out = []
    for entry in nav.menu_from_key(key):
        if "items" not in entry:
            out.append(_links([entry]))
            continue
        label, links = escape(entry["label"]), _links(entry["items"])
        if layout == "phone":
            out.append(f'<li class="nav-group"><span class="nav-group-label">{label}</span><ul>{links}</ul></li>')
        else:
            current = ' class="current"' if entry["active"] else ""
            out.append(
                f'<li><details class="dropdown nav-section"><summary{current}>{label}</summary>'
                f"<ul>{links}</ul></details></li>"
            )
    return mark_safe("".join(out))


# Stands for the request's CSRF token in the navigation rendered once per process (``site_nav``).
_CSRF_STAND_IN = "csrf-token-stand-in"


@register.simple_tag(takes_context=True)
def site_nav(context):
    """The signed-in person's navigation: the menu wide and on a phone, their name and the sign-out forms.

    ``_partials/site_nav.html`` depends only on the menu (``nav.menu_key``: the entries, the language and the
    current entry), the person's short name and the college's, so it is rendered once per process for each of
    them; the request's own CSRF token is put into its sign-out forms each time.
    """
    request = context["request"]
    college = context.get("current_college")
    html = _site_nav_html(nav.menu_key(request), request.user.short_name, college.short_name if college else "")
    token = context.get("csrf_token")
    token = "" if token is None or str(token) == "NOTPROVIDED" else str(token)
    return mark_safe(html.replace(_CSRF_STAND_IN, escape(token)))


@functools.lru_cache(maxsize=4096)
def _site_nav_html(key: tuple, user_name: str, college_name: str) -> str:
    return render_to_string(
        "_partials/site_nav.html",
        {
            "menu_wide": menu_html(key, "wide"),
            "menu_phone": menu_html(key, "phone"),
            "user_name": user_name,
            "college_name": college_name,
            "csrf_token": _CSRF_STAND_IN,
        },
    )


@register.filter
def phone(value: str) -> str:
    return format_phone(value) if value else ""


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        query[key] = value
    return query.urlencode()


@register.simple_tag
def select_field(bound_field) -> str:
    """A single-choice form field as ``<select>``, built in Python (flat choices only).

    The same markup as the Select widget's templates, without rendering one
    template per option — the group list's filters cost 3 ms that way.
    """
    value = bound_field.value()
    chosen = "" if value is None else str(value)
    attrs = {**bound_field.field.widget.attrs, "name": bound_field.html_name}
    if bound_field.auto_id and "id" not in attrs:
        attrs["id"] = bound_field.auto_id
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
    selected = mark_safe(" selected")
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((option, selected if str(option) == chosen else "", label) for option, label in bound_field.field.choices),
    )
    return format_html("<select{}>{}</select>", flatatt(attrs), options)


@register.simple_tag
def pk_url(url_name: str, pk) -> str:
    """``{% url url_name pk %}`` for a URL whose only argument is an integer pk, without a reverse() per call
    (``core.urls.pk_url``): ``{% url %}`` adds up to 2 ms on a 25-row list with two links a row."""
    return urls.pk_url(url_name, pk)


@register.simple_tag
def fixed_url(url_name: str) -> str:
    """``{% url url_name %}`` for a URL without arguments, reversed once per process (the shared layout's links)."""
    return urls.url_for(url_name)
