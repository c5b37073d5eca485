from django import template
from django.utils.safestring import mark_safe

from materials.validators import clean_article_html

register = template.Library()


@register.filter
def article_html(value: str) -> str:
    """Article text cleaned again at display: whatever path stored it, only safe tags reach the page."""
    return mark_safe(clean_article_html(value or ""))
