"""PostgreSQL full-text search of messages in Russian (``chats.selectors.messages_search``)."""

import pytest
from django.db import connection

from accounts.models import User
from chats import selectors, services

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgresql,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search"),
]


def test_russian_morphology_finds_other_word_forms(world):
    services.message_post(actor=world.students[0].user, chat=world.group_chat, text="Сессия начинается в январе")
    viewer = User.objects.get(pk=world.students[1].user_id)

    found = selectors.messages_search(viewer, world.college, "сессии")

    assert [m.text for m in found] == ["Сессия начинается в январе"]


def test_the_search_index_exists_and_matches_the_query_expression(world):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'chats_message_text_fts'")
        (definition,) = cursor.fetchone()
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM chats_message "
            "WHERE to_tsvector('russian'::regconfig, text) @@ plainto_tsquery('russian'::regconfig, 'сессия')"
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "to_tsvector('russian'::regconfig, text)" in definition
    assert "chats_message_text_fts" in plan
