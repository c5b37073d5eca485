from django import template

from accounts.phones import format_phone
from accounts.selectors import user_must_use_totp

register = template.Library()


@register.filter
def must_use_totp(user) -> bool:
    """``{% if user|must_use_totp %}``: the user's role requires TOTP."""
    return user_must_use_totp(user=user)


@register.filter
def phone_display(value: str) -> str:
    """``+79123456789`` → ``+7 912 345-67-89``."""
    return format_phone(value) if value else ""
