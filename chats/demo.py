"""The demo college's chats (``manage.py seed_demo``): the college and staff chats, every group's roster
chats, and a few messages to open, written through the services by the people who would write them."""

from chats.models import Chat
from chats.services import chat_sync_college, chat_sync_group, message_post
from colleges.demo import DemoCollege
from groups.demo import DemoGroups
from groups.selectors import study_group_curator


def demo_chats_create(*, demo: DemoCollege, groups: DemoGroups) -> list[Chat]:
    """Chats as the roster sync makes them (the signals' tasks would make the same after commit), a greeting
    from the administrator in the college chat and from the first group's curator in its chat."""
    college_chat, staff_chat = chat_sync_college(college=demo.college)
    chats = [college_chat, staff_chat]
    for group in groups.groups:
        chats += chat_sync_group(group=group)
    message_post(
        actor=demo.administrator.user,
        chat=college_chat,
        text="Добро пожаловать в чат колледжа! Здесь публикуются общие новости и объявления.",
    )
    first = groups.groups[0]
    curator = study_group_curator(group=first).teacher.user
    group_chat = next(chat for chat in chats if chat.study_group_id == first.pk and chat.kind == "study_group")
    message_post(actor=curator, chat=group_chat, text=f"Здравствуйте! Это чат группы {first.name}. Вопросы — сюда.")
    return chats
