"""The demo college's materials (``manage.py seed_demo``): a few to open at once, made through
``material_create`` by the people who would post them. Addressed to one group and to the staff, so
that the notices they make stay few whatever the size of the demo."""

from colleges.demo import DemoCollege
from groups.demo import DemoGroups
from groups.selectors import study_group_curator
from materials.models import Audience, Kind, Material
from materials.services import material_create

WELCOME_ARTICLE = """
<p>Здесь куратор и преподаватели группы размещают материалы: статьи, документы, видео и ссылки.</p>
<ul>
<li>новые материалы появляются в списке «Новые материалы»;</li>
<li>материалы дисциплины — на странице группы, в фильтре по дисциплине.</li>
</ul>
"""


def demo_materials_create(*, demo: DemoCollege, groups: DemoGroups) -> list[Material]:
    """A welcome article for the first group from its curator, and a link for the staff from the administrator."""
    group = groups.groups[0]
    curator = study_group_curator(group=group).teacher.user
    return [
        material_create(
            actor=curator,
            college=demo.college,
            kind=Kind.ARTICLE,
            title=f"Добро пожаловать в группу {group.name}",
            audience=Audience.GROUPS,
            groups=[group],
            body=WELCOME_ARTICLE,
            publish=True,
        ),
        material_create(
            actor=demo.administrator.user,
            college=demo.college,
            kind=Kind.LINK,
            title="Справка по платформе «Сферум»",
            description="Как устроены чаты, звонки и учебные группы.",
            audience=Audience.STAFF,
            url="https://sferum.ru/",
            publish=True,
        ),
    ]
