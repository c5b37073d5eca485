"""Every write of chats: keyword-only, ``actor`` first, a predicate of ``chats.permissions``, one transaction,
an audit event, a live event after commit (``chats.events``).

By flow: ``chats`` (creating, settings, status, direct chats, read markers), ``membership`` (members by
hand, mutes, bans, roles), ``messages`` (posting, editing, deleting, pins, reactions), ``moderation``
(deleting with a reason, reports), ``push`` (Web Push of mentions and direct messages, the per-chat
toggle), ``sync`` (chats that follow the roster), ``common`` (shared steps:
joining, leaving, keeping an owner). The sentences are in ``chats.texts``.
"""

from chats.services.chats import (
    chat_create,
    chat_mark_read,
    chat_set_status,
    chat_set_status_unchecked,
    chat_update,
    direct_chat_get_or_create,
)
from chats.services.common import ensure_owner, owner_candidates
from chats.services.membership import (
    member_add,
    member_ban,
    member_leave,
    member_mute,
    member_remove,
    member_unban,
    member_unmute,
    moderator_set,
)
from chats.services.messages import (
    message_delete,
    message_edit,
    message_pin,
    message_post,
    messages_post_many_unchecked,
    reaction_toggle,
)
from chats.services.moderation import message_moderate_delete, report_create, report_decide
from chats.services.push import chat_push_set, message_push
from chats.services.sync import (
    chat_group_rename,
    chat_group_restore,
    chat_sync_college,
    chat_sync_group,
    chat_sync_roster,
    college_chats,
    parents_chat_enabled,
)

__all__ = [
    "chat_create",
    "chat_group_rename",
    "chat_group_restore",
    "chat_mark_read",
    "chat_push_set",
    "chat_set_status",
    "chat_set_status_unchecked",
    "chat_sync_college",
    "chat_sync_group",
    "chat_sync_roster",
    "chat_update",
    "college_chats",
    "direct_chat_get_or_create",
    "ensure_owner",
    "member_add",
    "member_ban",
    "member_leave",
    "member_mute",
    "member_remove",
    "member_unban",
    "member_unmute",
    "message_delete",
    "message_edit",
    "message_moderate_delete",
    "message_pin",
    "message_push",
    "message_post",
    "messages_post_many_unchecked",
    "moderator_set",
    "owner_candidates",
    "parents_chat_enabled",
    "reaction_toggle",
    "report_create",
    "report_decide",
]
