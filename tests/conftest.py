import pytest
from allauth.mfa.models import Authenticator

from colleges.models import Role
from notifications.backends import MemorySmsBackend
from tests import factories
from tests.sockets.servers import asgi_server_pair  # noqa: F401  (two daphne processes; its tests are slow)


@pytest.fixture(autouse=True)
def _isolate(settings, tmp_path):
    """Each test gets empty SMS outbox, its own media folder and an empty cache."""
    from django.core.cache import cache

    MemorySmsBackend.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    MemorySmsBackend.clear()


@pytest.fixture
def sms_outbox():
    return MemorySmsBackend.outbox


def add_totp(user) -> None:
    """Give ``user`` a TOTP authenticator, as if they had set it up (roles that require it)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())


@pytest.fixture
def college(db):
    return factories.CollegeFactory()


@pytest.fixture
def other_college(db):
    return factories.CollegeFactory()


def _member(college, role, *, totp=False):
    membership = factories.MembershipFactory(college=college, role=role)
    if totp:
        add_totp(membership.user)
    return membership


@pytest.fixture
def administrator(college):
    """The college's platform administrator (with TOTP set up)."""
    return _member(college, Role.ADMINISTRATOR, totp=True).user


@pytest.fixture
def administration(college):
    return _member(college, Role.ADMINISTRATION, totp=True).user


@pytest.fixture
def teacher(college):
    return _member(college, Role.TEACHER).user


@pytest.fixture
def student(college):
    membership = _member(college, Role.STUDENT)
    factories.EnrollmentFactory(student=membership, group=factories.StudyGroupFactory(college=college))
    return membership.user


@pytest.fixture
def platform_staff(db):
    """An operator of this installation; platform staff must have TOTP, so this one has it."""
    staff = factories.UserFactory(is_staff=True)
    add_totp(staff)
    return staff


@pytest.fixture
def client_for(client):
    """``client_for(user)``: a test client signed in as ``user`` (allauth sign-in state included)."""

    def make(user):
        client.force_login(user)
        return client

    return make


__all__ = ["Authenticator", "add_totp"]


@pytest.fixture
async def async_db_connections():
    """After an async test, closes the database connection of asgiref's worker thread, where the ORM
    calls of async code (consumers, ``aupdate``) ran, so the test database can be dropped at the end."""
    from asgiref.sync import sync_to_async
    from django.db import connections

    yield
    await sync_to_async(connections.close_all)()


@pytest.fixture
async def redis_channel_layer(settings, async_db_connections):
    """The real Redis channel layer the settings choose (``CHANNEL_LAYER``: pub/sub by default) at the tests'
    REDIS_URL, under a prefix of this test's own, so groups left by other tests or runs reach none of its
    sockets; its keys (or subscriptions) are dropped afterwards."""
    import uuid

    if not settings.REDIS_URL:
        pytest.skip("the consumers are tested against the real Redis channel layer: set REDIS_URL")
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": settings.CHANNEL_LAYER_BACKENDS[settings.CHANNEL_LAYER],
            "CONFIG": {"hosts": [settings.REDIS_URL], "prefix": f"test-{uuid.uuid4().hex[:12]}"},
        }
    }
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    yield layer
    await layer.flush()


@pytest.fixture
def socket_headers(settings):
    """``socket_headers(user)``: a WebSocket handshake's headers from this site, signed in as ``user``
    (None: anonymous). The session is saved in the database, which every server process reads."""

    from django.test import Client

    def make(user=None) -> list[tuple[bytes, bytes]]:
        headers = [(b"origin", b"http://testserver")]
        if user is not None:
            client = Client()  # one per user: signing another user in on the same client would end this session
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
        return headers

    return make


@pytest.fixture
def without_chat_sync():
    """Chats follow the roster in their own worker tasks, queued on commit (pinned in tests/chats). Eager
    Celery would run them inside a count of another flow's statements, so they are off while it is measured."""
    from chats import receivers

    receivers.disconnect()
    yield
    receivers.connect()
