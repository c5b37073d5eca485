from django import template

from accounts.phones import format_phone
from sferum_admin import nav

register = template.Library()


@register.simple_tag(takes_context=True)
def main_nav(context):
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    return nav.items_for(request)


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
