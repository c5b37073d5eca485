"""Authentication backends: Django's and allauth's, loading the signed-in person with a precompiled query.

Every request of a signed-in person calls ``get_user``; see
``accounts.selectors.user_by_pk`` for what that saves.
"""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from accounts.selectors import user_by_pk


class _FastGetUser:
    def get_user(self, user_id):
        user = user_by_pk(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(_FastGetUser, DjangoModelBackend):
    """E-mail (or phone) and password, and sessions made by ``login()`` in tests."""


class AuthenticationBackend(_FastGetUser, AllauthBackend):
    """allauth's sign-in by phone code, e-mail or password."""
