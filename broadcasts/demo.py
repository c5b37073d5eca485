"""The demo college's video sessions (``manage.py seed_demo``): a lesson of the first group tomorrow
from its curator, the administration's broadcast for the whole college next week and a webinar for the
teachers (seed §3.4), made through ``session_create`` by the people who would plan them."""

import datetime

from django.utils import timezone

from broadcasts.models import Audience, Kind, Session
from broadcasts.services import session_create
from colleges.demo import DemoCollege
from colleges.middleware import college_zone
from groups.demo import DemoGroups
from groups.selectors import study_group_curator


def _at(college, *, days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate(timezone=college_zone(college)) + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=college_zone(college))


def demo_sessions_create(*, demo: DemoCollege, groups: DemoGroups) -> list[Session]:
    group = groups.groups[0]
    curator = study_group_curator(group=group).teacher.user
    college = demo.college
    return [
        session_create(
            actor=curator,
            college=college,
            kind=Kind.LESSON,
            title=f"Классный час группы {group.name}",
            description="Планы на неделю и вопросы к куратору.",
            starts_at=_at(college, days=1, hour=10),
            duration_minutes=45,
            audience=Audience.GROUPS,
            groups=[group],
        ),
        session_create(
            actor=demo.administrator.user,
            college=college,
            kind=Kind.BROADCAST,
            title="Трансляция: итоги месяца",
            description="Директор рассказывает о событиях колледжа; вопросы — в чате колледжа.",
            starts_at=_at(college, days=7, hour=15),
            duration_minutes=60,
            audience=Audience.COLLEGE,
        ),
        session_create(
            actor=demo.administrator.user,
            college=college,
            kind=Kind.SEMINAR,
            title="Вебинар: цифровые инструменты на уроке",
            description="Методическое объединение делится опытом; вопросы — в чате сотрудников.",
            starts_at=_at(college, days=3, hour=14),
            duration_minutes=90,
            audience=Audience.STAFF,
        ),
    ]
