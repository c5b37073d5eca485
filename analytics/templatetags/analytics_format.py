"""Numbers the Russian way: «1 234» (a non-breaking space between thousands), «80,5 %»."""

from django import template

register = template.Library()

NBSP = "\u00a0"


def number(value) -> str:
    if value is None:
        return "—"
    return f"{int(value):,}".replace(",", NBSP)


def percent(value) -> str:
    """A share in per cent (``figures.share``): «80 %», «80,5 %», «—» when there is no whole."""
    if value is None:
        return "—"
    text = f"{value:.1f}".removesuffix(".0").replace(".", ",")
    return f"{text}{NBSP}%"


register.filter("num", number)
register.filter("pct", percent)
