"""The demo college's announcements (``manage.py seed_demo``): the director's notice to the whole college
and a curator's notice to their group and its parents, made through ``announcement_publish`` by the people
who would write them."""

import datetime

from django.utils import timezone

from announcements.models import Announcement, Audience
from announcements.services import announcement_publish
from colleges.demo import DemoCollege
from groups.demo import DemoGroups
from groups.selectors import study_group_curator


def demo_announcements_create(*, demo: DemoCollege, groups: DemoGroups) -> list[Announcement]:
    group = groups.groups[0]
    curator = study_group_curator(group=group).teacher.user
    director = demo.administration[0].user if demo.administration else demo.administrator.user
    return [
        announcement_publish(
            actor=director,
            college=demo.college,
            title="Расписание на следующую неделю",
            text="Уважаемые студенты и преподаватели!\nРасписание занятий опубликовано на сайте колледжа: "
            "https://example.org/raspisanie\nИзменения — в разделе «Объявления».",
            audience=Audience.COLLEGE,
            pinned_until=timezone.localdate() + datetime.timedelta(days=7),
        ),
        announcement_publish(
            actor=curator,
            college=demo.college,
            title=f"Родительское собрание группы {group.name}",
            text="Собрание пройдёт в четверг в 18:00 в актовом зале.\nПовестка: успеваемость и практика.",
            audience=Audience.GROUPS,
            groups=[group],
            with_parents=True,
        ),
    ]
