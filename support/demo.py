"""The demo college's questions (``manage.py seed_demo``): one answered, one still open, made through the
services by the people who would write them."""

from colleges.demo import DemoCollege
from support.models import Ticket, Topic
from support.services import ticket_create, ticket_reply


def demo_tickets_create(*, demo: DemoCollege) -> list[Ticket]:
    """A student's answered question about the code that did not come, and a teacher's open one about links."""
    administrator = demo.administrator.user
    student = demo.students[0].user
    teacher = demo.teachers[0].user
    answered = ticket_create(
        actor=student,
        college=demo.college,
        topic=Topic.ACCESS,
        text="Не приходит SMS с кодом при входе. Номер телефона верный, что делать?",
    )
    ticket_reply(
        actor=administrator,
        ticket=answered,
        text="Проверьте, что номер тот же, с которым вы присоединились к колледжу. "
        "Код можно запросить снова через минуту. Если не поможет — напишите здесь, передадим в техподдержку.",
    )
    waiting = ticket_create(
        actor=teacher,
        college=demo.college,
        topic=Topic.INVITATIONS,
        text="Как отправить ссылку-приглашение родителям моей группы по SMS?",
    )
    return [answered, waiting]
