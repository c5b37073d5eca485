"""A college with one chat of many members, built through the owning apps' services, and a signed-in session
for each member: what bench/chat_fanout.py and bench/chat_history.py measure on.

Not a benchmark itself (``make bench`` skips files starting with «_»). Call ``django.setup()`` first, with
DATABASE_URL and REDIS_URL naming the bench's own database and Redis database.
"""

from dataclasses import dataclass


@dataclass
class ChatWorld:
    college_id: int
    chat_id: int
    teacher_id: int  # the chat's owner (a user id)
    member_ids: list[int]  # Membership pks, the owner first
    session_keys: list[str]  # one per member, the owner first


def sign_in(user) -> str:
    """A session of ``user`` as the phone sign-in leaves it (the engine the settings use); its key."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def build_chat_world(*, members: int, index: int = 0, sessions: int | None = None) -> ChatWorld:
    """A college (``index`` keeps phones and INNs apart), a teacher who creates a free chat, ``members - 1``
    students added to it in one step, and sessions for the first ``sessions`` members (all by default)."""
    from django.db import transaction

    from accounts.models import User
    from accounts.services import PersonByPhone, users_get_or_create_many
    from chats.models import ChatKind, ChatMember
    from chats.services import chat_create
    from chats.services.common import lock_chat, members_join_unchecked
    from colleges.models import College, Membership, Role
    from colleges.services import memberships_add_many_unchecked

    college = College.objects.create(
        full_name=f"ГБПОУ «Колледж для замера чатов № {index + 1}»",
        short_name=f"Колледж чатов № {index + 1}",
        inn=f"78{index:08d}",
        ogrn=f"10278{index:08d}",
        region="Тверская область",
    )
    people = [
        PersonByPhone(phone=f"+7977{index:02d}{n:05d}", last_name=f"Участник{n}", first_name="Анна")
        for n in range(members)
    ]
    ids = users_get_or_create_many(people=people)
    teacher_user_id = ids[people[0].phone]
    memberships_add_many_unchecked(actor=None, college=college, role=Role.TEACHER, user_ids=[teacher_user_id])
    student_ids = memberships_add_many_unchecked(
        actor=None, college=college, role=Role.STUDENT, user_ids=[ids[p.phone] for p in people[1:]]
    )
    teacher = User.objects.get(pk=teacher_user_id)
    chat = chat_create(actor=teacher, college=college, kind=ChatKind.FREE, title="Общий чат замера")
    with transaction.atomic():
        members_join_unchecked(
            actor=teacher,
            chat=lock_chat(chat),
            roles={pk: ChatMember.Role.MEMBER for pk in student_ids.values()},
            source=ChatMember.Source.MANUAL,
            announce=False,  # nobody listens yet
        )
    rows = list(Membership.objects.filter(college=college).select_related("user").order_by("pk"))
    rows.sort(key=lambda m: m.user_id != teacher_user_id)  # the owner first
    keys = [sign_in(m.user) for m in rows[: members if sessions is None else sessions]]
    return ChatWorld(college.pk, chat.pk, teacher_user_id, [m.pk for m in rows], keys)
