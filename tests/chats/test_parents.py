"""Parents in chats: the group's parent link made from the parents' chat («Пригласить родителей»), and a parent
who follows it landing in that group's parents' chat (seed §2.6)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from chats.models import ChatKind, ChatMember
from colleges.models import Role
from invitations.models import Invitation
from invitations.services import group_parent_link, invitation_accept_by_token
from invitations.tokens import token_unseal
from tests import factories

pytestmark = pytest.mark.django_db


def current(chat, membership) -> bool:
    return ChatMember.objects.filter(chat=chat, member=membership, left_at__isnull=True, banned=False).exists()


def test_the_curator_gets_one_parent_link_however_often_they_ask(world):
    first, created = group_parent_link(actor=world.curator.user, group=world.group)
    again, created_again = group_parent_link(actor=world.curator.user, group=world.group)

    assert created and not created_again
    assert again.pk == first.pk
    assert (first.role, first.group_id, first.kind) == (Role.PARENT, world.group.pk, Invitation.Kind.MULTI)


@pytest.mark.parametrize("who", ["subject_teacher", "other_teacher", "parent"])
def test_only_the_curator_and_the_administration_make_a_groups_parent_link(world, who):
    with pytest.raises(PermissionDenied):
        group_parent_link(actor=getattr(world, who).user, group=world.group)

    assert not Invitation.objects.filter(role=Role.PARENT).exists()


def test_a_newcomer_following_the_parent_link_lands_in_that_groups_parents_chat_only(
    world, django_capture_on_commit_callbacks
):
    link, _ = group_parent_link(actor=world.admin.user, group=world.group)
    newcomer = factories.UserFactory(phone="+79990007711")

    with django_capture_on_commit_callbacks(execute=True):
        _, result = invitation_accept_by_token(token=token_unseal(link.token_sealed), user=newcomer)

    assert result.joined
    assert current(world.chat(ChatKind.PARENTS), result.membership)
    assert not current(world.group_chat, result.membership)
    assert not current(world.chat(ChatKind.PARENTS, world.other_group), result.membership)
    assert not ChatMember.objects.filter(member=result.membership).exclude(chat__kind=ChatKind.PARENTS).exists()


def test_the_parents_chat_holds_parents_and_the_curator_and_no_student(world):
    chat = world.chat(ChatKind.PARENTS)

    people = set(ChatMember.objects.filter(chat=chat, left_at__isnull=True).values_list("member_id", flat=True))

    assert people == {world.parent.pk, world.curator.pk}
    owner = ChatMember.objects.get(chat=chat, role=ChatMember.Role.OWNER)
    assert owner.member_id == world.curator.pk


def test_the_page_makes_the_link_and_shows_it_with_its_qr_code(world, client):
    client.force_login(world.curator.user)
    url = reverse("invitations:group_parents", kwargs={"group_pk": world.group.pk})

    empty = client.get(url)
    made = client.post(url)
    shown = client.get(url)

    assert "Создать ссылку для родителей" in empty.content.decode()
    assert made.status_code == 302
    link = Invitation.objects.get(role=Role.PARENT, group=world.group)
    page = shown.content.decode()
    assert token_unseal(link.token_sealed) in page
    assert "<svg" in page
    assert "Создать ссылку для родителей" not in page


def _invite_button(user, chat) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load chat_parents %}{% parents_invite chat %}")
    return template.render(Context({"request": request, "chat": chat}))


@pytest.mark.parametrize(
    "who, shown", [("curator", True), ("admin", True), ("parent", False), ("subject_teacher", False)]
)
def test_the_parents_chat_shows_the_invite_button_to_whoever_may_invite(world, who, shown):
    html = _invite_button(getattr(world, who).user, world.chat(ChatKind.PARENTS))

    assert ("Пригласить родителей" in html) is shown
    if shown:
        assert reverse("invitations:group_parents", kwargs={"group_pk": world.group.pk}) in html


def test_the_group_chat_has_no_invite_button(world):
    assert "Пригласить родителей" not in _invite_button(world.curator.user, world.group_chat)


def test_a_parent_joining_on_the_link_page_is_asked_who_their_child_is(world, client):
    link, _ = group_parent_link(actor=world.curator.user, group=world.group)
    newcomer = factories.UserFactory(phone="+79990007722", first_name="Ольга", last_name="Соколова")
    client.force_login(newcomer)

    response = client.post(reverse("invitations:accept", kwargs={"token": token_unseal(link.token_sealed)}))

    assert response.status_code == 302
    assert response.url == reverse("groups:guardian_claim", kwargs={"pk": world.group.pk})
    page = client.get(response.url).content.decode()
    assert "Кто ваш ребёнок?" in page
    assert all(f'value="{student.pk}"' in page for student in world.students)
    assert f'value="{world.other_student.pk}"' not in page


def test_the_parents_chat_page_offers_the_curator_the_parent_link(world, client):
    chat = world.chat(ChatKind.PARENTS)
    client.force_login(world.curator.user)

    body = client.get(reverse("chats:chat", kwargs={"pk": chat.pk})).content.decode()

    assert reverse("invitations:group_parents", kwargs={"group_pk": world.group.pk}) in body
    group_chat_page = client.get(reverse("chats:chat", kwargs={"pk": world.group_chat.pk})).content.decode()
    assert "Пригласить родителей" not in group_chat_page
