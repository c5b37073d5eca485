import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from colleges.models import Role
from groups.models import Enrollment
from groups.services import enrollment_end, enrollment_transfer, group_parent_add
from groups.signals import EnrollmentChange
from materials import selectors, services
from materials.models import Audience, Section
from tests import factories
from tests.materials.conftest import pdf
from tests.materials.helpers import publish_document, publish_link


def _titles(mw, role, **filters):
    return {m.title for m in selectors.material_list(viewer=mw.users[role], college=mw.college, **filters)}


@pytest.fixture
def posted(mw):
    """One material for each audience, published by the administration."""
    admin = mw.users["administration"]
    publish_link(actor=admin, college=mw.college, title="Для всех")
    publish_link(actor=admin, college=mw.college, title="Сотрудникам", audience=Audience.STAFF)
    publish_link(actor=admin, college=mw.college, title="ИС-1", audience=Audience.GROUPS, groups=[mw.group])
    publish_link(actor=admin, college=mw.college, title="ТМ-2", audience=Audience.GROUPS, groups=[mw.other_group])
    publish_link(actor=admin, college=mw.college, title="Родителям ИС-1", audience=Audience.PARENTS, groups=[mw.group])
    publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group, discipline=mw.discipline)
    publish_link(actor=admin, college=mw.college, title="Черновик", publish=False)
    publish_link(
        actor=admin, college=mw.college, title="Завтра", publish_at=timezone.now() + datetime.timedelta(days=1)
    )


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("student", {"Для всех", "ИС-1", "Методичка"}),
        ("other_student", {"Для всех", "ТМ-2"}),
        ("parent", {"Для всех", "Родителям ИС-1"}),
        ("teacher", {"Для всех", "Сотрудникам", "ИС-1", "Родителям ИС-1", "Методичка"}),
        ("other_teacher", {"Для всех", "Сотрудникам", "ТМ-2"}),
        ("curator", {"Для всех", "Сотрудникам", "ИС-1", "Родителям ИС-1", "Методичка"}),
        (
            "administration",
            {"Для всех", "Сотрудникам", "ИС-1", "ТМ-2", "Родителям ИС-1", "Методичка", "Черновик", "Завтра"},
        ),
        ("other_administrator", set()),
        ("platform_staff", set()),
    ],
)
def test_each_role_sees_what_is_addressed_to_it(mw, posted, role, expected):
    assert _titles(mw, role) == expected


def test_author_sees_their_own_draft(mw):
    publish_link(
        actor=mw.users["curator"],
        college=mw.college,
        title="Мой черновик",
        audience=Audience.GROUPS,
        groups=[mw.group],
        publish=False,
    )

    assert "Мой черновик" in _titles(mw, "curator")
    assert "Мой черновик" not in _titles(mw, "student")


def test_scheduled_material_becomes_visible_at_its_time(mw):
    material = publish_link(
        actor=mw.users["curator"],
        college=mw.college,
        title="Позже",
        audience=Audience.GROUPS,
        groups=[mw.group],
        publish_at=timezone.now() + datetime.timedelta(hours=1),
    )
    assert "Позже" not in _titles(mw, "student")

    material.published_at = timezone.now() - datetime.timedelta(minutes=1)
    material.save(update_fields=["published_at"])

    assert "Позже" in _titles(mw, "student")


def test_transferred_student_sees_the_new_groups_materials_not_the_old(mw, posted):
    student = mw.memberships["student"]
    current = Enrollment.objects.get(student=student, ended_at__isnull=True)
    assert _titles(mw, "student") == {"Для всех", "ИС-1", "Методичка"}

    enrollment_transfer(
        actor=mw.users["administrator"],
        enrollment=current,
        group=mw.other_group,
        transferred_at=datetime.date(2026, 12, 1),
    )

    assert _titles(mw, "student") == {"Для всех", "ТМ-2"}


def test_student_after_expulsion_sees_only_college_wide_materials(mw, posted):
    current = Enrollment.objects.get(student=mw.memberships["student"], ended_at__isnull=True)

    enrollment_end(actor=mw.users["administrator"], enrollment=current, kind=EnrollmentChange.EXPEL)

    assert _titles(mw, "student") == {"Для всех"}


def test_search_finds_words_in_title_and_text(mw):
    admin = mw.users["administration"]
    publish_link(actor=admin, college=mw.college, title="График сессии", description="зимняя сессия")
    publish_link(actor=admin, college=mw.college, title="Расписание звонков")

    assert _titles(mw, "student", search="зимняя") == {"График сессии"}
    assert _titles(mw, "student", search="расписание") == {"Расписание звонков"}


def test_filter_by_kind_group_and_discipline(mw, posted):
    assert _titles(mw, "teacher", kind="document") == {"Методичка"}
    assert _titles(mw, "administration", group=mw.other_group) == {"ТМ-2"}
    assert _titles(mw, "student", discipline=mw.discipline) == {"Методичка"}


def test_pinned_materials_come_first_then_newest(mw):
    admin = mw.users["administration"]
    old = publish_link(actor=admin, college=mw.college, title="Старый")
    publish_link(actor=admin, college=mw.college, title="Новый")
    services.material_pin(actor=admin, material=old, pinned=True)

    titles = [m.title for m in selectors.material_list(viewer=mw.users["student"], college=mw.college)]

    assert titles == ["Старый", "Новый"]


def test_documents_section_is_separate(mw):
    publish_link(actor=mw.users["administrator"], college=mw.college, title="Положение", section=Section.DOCUMENTS)

    assert _titles(mw, "student", section=Section.DOCUMENTS) == {"Положение"}
    assert "Положение" not in _titles(mw, "student")


def test_material_of_another_group_answers_404(mw):
    material = publish_link(
        actor=mw.users["administration"], college=mw.college, audience=Audience.GROUPS, groups=[mw.other_group]
    )

    with pytest.raises(Http404):
        selectors.material_get_for(user=mw.users["student"], college=mw.college, pk=material.pk)


def test_material_of_another_college_answers_404(mw):
    material = publish_link(actor=mw.users["administration"], college=mw.college)

    with pytest.raises(Http404):
        selectors.material_get_for(user=mw.users["other_administrator"], college=mw.other_college, pk=material.pk)


def test_old_file_version_is_hidden_from_readers(mw):
    material = publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group)
    first = material.files.get()
    services.material_file_replace(actor=mw.users["teacher"], file=first, uploaded=pdf("v2.pdf"))

    with pytest.raises(Http404):
        selectors.material_file_get_for(user=mw.users["student"], college=mw.college, pk=first.pk)
    assert selectors.material_file_get_for(user=mw.users["teacher"], college=mw.college, pk=first.pk) == first


def test_staged_upload_is_only_its_uploaders(mw):
    staged = services.material_file_stage(actor=mw.users["teacher"], college=mw.college, uploaded=pdf())

    with pytest.raises(Http404):
        selectors.material_file_get_for(user=mw.users["administration"], college=mw.college, pk=staged.pk)


def test_teacher_targets_are_their_own_assignments(mw):
    targets = selectors.teacher_targets(user=mw.users["teacher"], college=mw.college)

    assert targets["groups"] == [mw.group]
    assert targets["pairs"] == [(mw.group, mw.discipline)]
    assert targets["curated"] == []


def test_ended_assignment_no_longer_lets_a_teacher_post(mw):
    assignment = mw.memberships["teacher"].subject_assignments.get()
    assignment.ended_at = datetime.date(2026, 10, 1)
    assignment.save(update_fields=["ended_at"])
    teacher = type(mw.users["teacher"]).objects.get(pk=mw.users["teacher"].pk)

    assert selectors.teacher_targets(user=teacher, college=mw.college)["pairs"] == []


def test_a_parent_sees_parent_materials_of_their_own_groups_only(mw):
    admin = mw.users["administration"]
    publish_link(actor=admin, college=mw.college, title="Родителям ИС-1", audience=Audience.PARENTS, groups=[mw.group])
    publish_link(
        actor=admin, college=mw.college, title="Родителям ТМ-2", audience=Audience.PARENTS, groups=[mw.other_group]
    )
    other_parent = factories.MembershipFactory(college=mw.college, role=Role.PARENT)
    group_parent_add(actor=None, parent=other_parent, group=mw.other_group)
    no_group_parent = factories.MembershipFactory(college=mw.college, role=Role.PARENT)

    def titles(user):
        return {m.title for m in selectors.material_list(viewer=user, college=mw.college)}

    assert titles(mw.users["parent"]) == {"Родителям ИС-1"}
    assert titles(other_parent.user) == {"Родителям ТМ-2"}
    assert titles(no_group_parent.user) == set()


def test_a_parent_of_two_groups_sees_both_groups_parent_materials(mw):
    admin = mw.users["administration"]
    publish_link(actor=admin, college=mw.college, title="Родителям ИС-1", audience=Audience.PARENTS, groups=[mw.group])
    publish_link(
        actor=admin, college=mw.college, title="Родителям ТМ-2", audience=Audience.PARENTS, groups=[mw.other_group]
    )
    group_parent_add(actor=None, parent=mw.memberships["parent"], group=mw.other_group)

    titles = {m.title for m in selectors.material_list(viewer=mw.users["parent"], college=mw.college)}

    assert titles == {"Родителям ИС-1", "Родителям ТМ-2"}


def test_parent_materials_are_announced_to_the_groups_parents_only(mw):
    other_parent = factories.MembershipFactory(college=mw.college, role=Role.PARENT)
    group_parent_add(actor=None, parent=other_parent, group=mw.other_group)
    material = publish_link(
        actor=mw.users["curator"], college=mw.college, title="Собрание", audience=Audience.PARENTS, groups=[mw.group]
    )

    assert selectors.material_audience_user_ids(material=material) == {mw.users["parent"].pk}
