"""Clients of the chats API for the tests: a key per person, URLs in the world's college."""

from allauth.mfa.models import Authenticator
from rest_framework.test import APIClient

from tests.accounts.helpers import api_key_for
from tests.college_api import api_url
from tests.conftest import add_totp


def api(membership) -> APIClient:
    """A client acting with a key of ``membership``'s person."""
    if not Authenticator.objects.filter(user=membership.user, type=Authenticator.Type.TOTP).exists():
        add_totp(membership.user)  # staff roles act by key only with a second factor set up
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(membership.user)}")
    return client


def chat_url(world, name: str = "api:chat-list", **kwargs) -> str:
    return api_url(name, world.college, **kwargs)


def messages_url(world, chat, pk=None, action: str = "") -> str:
    if pk is None:
        return api_url(f"api:chat-message-{action or 'list'}", world.college, chat_pk=chat.pk)
    return api_url(f"api:chat-message-{action or 'detail'}", world.college, chat_pk=chat.pk, pk=pk)


def members_url(world, chat, pk=None, action: str = "") -> str:
    if pk is None:
        return api_url("api:chat-member-list", world.college, chat_pk=chat.pk)
    return api_url(f"api:chat-member-{action or 'detail'}", world.college, chat_pk=chat.pk, pk=pk)
