from django import template
from django.conf import settings
from django.forms.utils import flatatt
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe

from accounts.phones import format_phone
from core import nav

register = template.Library()

_PK_SENTINEL = 918273645
_pk_urls: dict[tuple, tuple[str, str] | None] = {}


_CURRENT = ' aria-current="page"'


def _links(items) -> str:
    return "".join(
        f'<li><a href="{escape(item["url"])}"{_CURRENT if item["active"] else ""}>{escape(item["label"])}</a></li>'
        for item in items
    )


def _menu_parts(request) -> list[tuple[str, bool, str]]:
    """(escaped section label or "", holds the current page, its ``<li>`` links) per menu entry, once per request."""
    parts = getattr(request, "_nav_parts", None)
    if parts is None:
        parts = [
            (escape(entry["label"]), entry["active"], _links(entry["items"]))
            if "items" in entry
            else ("", False, _links([entry]))
            for entry in nav.menu_for(request)
        ]
        request._nav_parts = parts
    return parts


@register.simple_tag(takes_context=True)
def main_nav(context, layout: str = "wide"):
    """The menu's ``<li>`` items for the signed-in person, built in Python.

    ``wide``: each section a Pico drop-down (``<details class="dropdown">``);
    ``phone``: each section a labelled sub-list, for the «Меню» panel. The
    same markup as a template loop over ``nav.menu_for``, at a fraction of its
    cost: every page of a signed-in person renders it, twice, so the links are
    escaped and joined once per request and only wrapped per layout.
    """
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return ""
    out = []
    for label, active, links in _menu_parts(request):
        if not label:
            out.append(links)
        elif layout == "phone":
            out.append(f'<li class="nav-group"><span class="nav-group-label">{label}</span><ul>{links}</ul></li>')
        else:
            current = ' class="current"' if active else ""
            out.append(
                f'<li><details class="dropdown nav-section"><summary{current}>{label}</summary>'
                f"<ul>{links}</ul></details></li>"
            )
    return mark_safe("".join(out))


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
    """``{% url url_name pk %}`` for a URL whose only argument is an integer pk, without a reverse() per call.

    The URL is reversed once per process with a sentinel pk and split around it;
    each call then only joins strings. ``{% url %}`` costs about 40 µs, which
    adds up to 2 ms on a 25-row list with two links a row. Anything unusual
    (a non-integer pk, a pattern where the sentinel is not found exactly once)
    falls back to reverse().
    """
    key = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), url_name)
    if key not in _pk_urls:
        parts = reverse(url_name, args=[_PK_SENTINEL]).split(str(_PK_SENTINEL))
        _pk_urls[key] = (parts[0], parts[1]) if len(parts) == 2 else None
    around = _pk_urls[key]
    if around is None or isinstance(pk, bool) or not isinstance(pk, int):
        return reverse(url_name, args=[pk])
    return f"{around[0]}{pk}{around[1]}"


@register.simple_tag
def fixed_url(url_name: str) -> str:
    """``{% url url_name %}`` for a URL without arguments, reversed once per process (the shared layout's links)."""
    return nav.url_for(url_name)
