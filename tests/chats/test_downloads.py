import pytest

from accounts.models import User
from chats import permissions, services
from chats.downloads import attachment_response
from chats.models import MessageAttachment
from tests.chats.conftest import PDF_BYTES, upload

pytestmark = pytest.mark.django_db


def fresh(membership) -> User:
    return User.objects.get(pk=membership.user_id)


@pytest.fixture
def attachment(world):
    message = services.message_post(
        actor=world.students[0].user, chat=world.group_chat, text="", attachments=[upload("План.pdf", PDF_BYTES)]
    )
    return MessageAttachment.objects.select_related("message__chat__college").get(message=message)


def test_members_may_download_and_others_may_not(world, attachment):
    assert permissions.can_view_attachment(fresh(world.students[1]), attachment)
    assert not permissions.can_view_attachment(fresh(world.other_student), attachment)
    assert not permissions.can_view_attachment(fresh(world.parent), attachment)


def test_a_moderated_messages_file_is_for_moderators_only(world, attachment):
    services.message_moderate_delete(actor=world.curator.user, message=attachment.message, reason="Чужой файл")
    attachment.message.refresh_from_db()

    assert not permissions.can_view_attachment(fresh(world.students[1]), attachment)
    assert permissions.can_view_attachment(fresh(world.curator), attachment)


def test_the_file_is_streamed_or_handed_to_nginx(world, attachment, settings):
    streamed = attachment_response(attachment)
    settings.CHATS_ACCEL_REDIRECT = "/protected-chats/"
    handed = attachment_response(attachment)

    assert b"".join(streamed.streaming_content) == PDF_BYTES
    assert streamed["Cache-Control"] == "private, no-store"
    assert handed["X-Accel-Redirect"] == "/protected-chats/" + attachment.file.name
    assert "filename*=utf-8''%D0%9F%D0%BB%D0%B0%D0%BD.pdf" in handed["Content-Disposition"]
