"""The one base of every WebSocket a college owns: ``/ws/colleges/<college_id>/…``, the twin of the page
and API bases.

A consumer names its predicate and the base answers the rest:

1. a signed-in session (Channels' ``AuthMiddlewareStack`` reads the same session as the pages); anyone
   else's handshake is refused;
2. ``self.college``: the college ``college_id`` names, among those where the user holds an active
   membership (as ``CollegeApiMixin``); another college's id is refused the same way;
3. the roles that must have TOTP (``MFA_REQUIRED_ROLES``, platform staff) have it, as the pages demand;
4. ``allowed(user, college)`` — or, for a socket about one object, ``is_allowed`` overridden — from the
   app's permissions.py, asked on connect **and again before every event**, the client's frames and
   the group events alike, with the roles read afresh: a member whose membership ended, or who lost
   the right, is disconnected (code 4403) at the next event instead of reading on.

Every socket joins the user's personal group (``personal_group``). A service that takes a right away
sends ``ACCESS_CHANGED`` there (``access_changed_send``): each of the user's open sockets asks its
predicate at once, and the ones no longer allowed close — a removed chat member stops receiving then,
not at the next message.
"""

from collections.abc import Callable, Iterable

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

from accounts.selectors import user_has_totp
from colleges.models import College
from colleges.permissions import is_member, remember_roles, roles_in
from colleges.selectors import user_active_memberships
from core.sockets import JsonSocketConsumer

COLLEGE_KWARG = "college_id"
# Close codes after the handshake (before it, a refusal is the server's HTTP 403).
DENIED_CLOSE_CODE = 4403
ACCESS_CHANGED = "access.changed"
# Channels' own messages: the handshake and the end are not events to authorise.
_LIFECYCLE = {"websocket.connect", "websocket.disconnect"}


def personal_group(user_id: int) -> str:
    return f"user.{user_id}"


async def access_changed_send(*, user_id: int) -> None:
    """Ask every open socket of the user to check its predicate now (after the change is committed)."""
    await get_channel_layer().group_send(personal_group(user_id), {"type": ACCESS_CHANGED})


def access_changed_on_commit(*, user_ids: Iterable[int]) -> None:
    """``access_changed_send`` to each of ``user_ids`` once the current transaction commits (from sync code:
    the services that take a right away). A channel layer that is down is logged, never raised: the change
    is saved, and the open sockets still notice at their next check."""
    ids = sorted(set(user_ids))
    if ids:
        transaction.on_commit(lambda: _access_changed_send_many(ids), robust=True)


def _access_changed_send_many(user_ids: list[int]) -> None:
    async def send_all() -> None:
        for user_id in user_ids:
            await access_changed_send(user_id=user_id)

    async_to_sync(send_all)()


def _fresh_college(user, college_id) -> College | None:
    """The college among the user's active memberships, its roles remembered on the user anew."""
    user.__dict__.pop("_college_roles", None)
    memberships = list(user_active_memberships(user=user).filter(college_id=college_id))
    remember_roles(user, memberships)
    return memberships[0].college if memberships else None


def _lacks_required_totp(user, college: College) -> bool:
    if not (user.is_staff or roles_in(user, college) & set(settings.MFA_REQUIRED_ROLES)):
        return False
    return not user_has_totp(user=user)


class CollegeSocketConsumer(JsonSocketConsumer):
    """``class ChatConsumer(CollegeSocketConsumer)``: set ``allowed`` or override ``is_allowed``; join the
    consumer's groups in ``join_groups()``, send the first state in ``accepted()``."""

    allowed: Callable[..., bool] = is_member
    # Set once the predicate said no: the close is on its way, later events are dropped unasked.
    denied = False

    college: College

    def is_allowed(self) -> bool:
        """The one check of the consumer, asked on connect and before every event (in a worker thread;
        the roles are fresh). A socket about one object looks it up here, scoped to ``self.college``."""
        return type(self).allowed(self.user, self.college)

    async def connect(self):
        self.user = self.scope.get("user")
        if self.user is None or not self.user.is_authenticated:
            await self.close()
            return
        college_id = self.scope["url_route"]["kwargs"][COLLEGE_KWARG]
        if not await database_sync_to_async(self._admit)(college_id):
            await self.close()
            return
        # Groups before the handshake's answer: an event sent once the client sees the socket open reaches it.
        await self.join(personal_group(self.user.pk))
        await self.join_groups()
        await self.accept()
        await self.accepted()

    async def join_groups(self) -> None:
        """Join the consumer's groups (``self.join``); the handshake is answered after."""

    async def accepted(self) -> None:
        """After the handshake: send the first state."""

    async def dispatch(self, message):
        if message["type"] not in _LIFECYCLE:
            if self.denied:
                return  # closing: the disconnect that leaves the groups is on its way
            if not await self.authorise(message):
                self.denied = True
                await self.close(code=DENIED_CLOSE_CODE)
                return
        await super().dispatch(message)

    async def authorise(self, message: dict) -> bool:
        """Whether the socket may still handle ``message``; by default the predicate asked afresh. A consumer
        on a hot group may answer from state it keeps, as long as that state is invalidated by the events
        that take the right away (chats.consumers.ChatConsumer)."""
        return await database_sync_to_async(self._still_allowed)()

    async def access_changed(self, event) -> None:
        """Nothing more to do: ``dispatch`` asked the predicate before this ran, and it still holds."""

    def _admit(self, college_id) -> bool:
        college = _fresh_college(self.user, college_id)
        if college is None:
            return False
        self.college = college
        return not _lacks_required_totp(self.user, college) and self.is_allowed()

    def _still_allowed(self) -> bool:
        if getattr(self, "college", None) is None:
            return False
        return _fresh_college(self.user, self.college.pk) is not None and self.is_allowed()
