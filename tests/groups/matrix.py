"""Permission matrix rows for every URL of the groups app and the groups API."""

from tests import factories
from tests.matrix import HOME, LOGIN, Case, answers, college_api_for, in_college, page_for

OVERSEERS = ("administration", "administrator")


def _group(w):
    return {"pk": w.group.pk}


def _staff_group(w):
    return {"pk": factories.StaffGroupFactory(college=w.college).pk}


def _staff_group_with_member(w):
    staff_group = factories.StaffGroupFactory(college=w.college)
    staff_group.members.add(w.memberships["teacher"])
    return {"pk": staff_group.pk, "member_pk": w.memberships["teacher"].pk}


def _discipline(w):
    return {"pk": factories.DisciplineFactory(college=w.college).pk}


def _subject_assignment(w):
    assignment = factories.SubjectTeacherAssignmentFactory(
        group=w.group, teacher=w.memberships["curator"], discipline=factories.DisciplineFactory(college=w.college)
    )
    return {"pk": assignment.pk}


def _curator_assignment(w):
    return {"pk": w.group.curator_assignments.get(ended_at__isnull=True).pk}


def _group_data(w):
    return {
        "name": "ТМ-32",
        "department": w.department.pk,
        "specialty_code": "15.02.16",
        "specialty_name": "Технология машиностроения",
        "course": 3,
        "admission_year": 2024,
        "form_of_study": "full_time",
        "status": "active",
    }


# A college object page: overseers (or ``allowed``) 200, other college's administrator 404,
# platform staff (no college) 404, other members 403.
def object_page(*allowed):
    return page_for(*allowed, other_administrator=404)


def object_action(*allowed, ok=302):
    out = object_page(*allowed)
    return {role: (ok if answer == 200 else answer) for role, answer in out.items()}


def _parent_of_group(w):
    from groups.models import GroupParent

    GroupParent.objects.get_or_create(college=w.college, parent=w.memberships["parent"], group=w.group)
    return {"pk": w.group.pk}


def _guardian(w):
    from groups.models import Guardian

    _parent_of_group(w)
    guardian, _ = Guardian.objects.get_or_create(
        college=w.college, parent=w.memberships["parent"], student=w.memberships["student"], group=w.group
    )
    return {"pk": guardian.pk}


CASES = [
    # Pages.
    Case("groups:study_group_list", page_for(*OVERSEERS, other_administrator=200)),
    Case("groups:study_group_create", page_for("administrator", other_administrator=200)),
    Case(
        "groups:study_group_create",
        # Another college's administrator names a department that is not theirs: refused.
        answers(403, anonymous=LOGIN, platform_staff=HOME, administrator=302, other_administrator=400),
        method="post",
        data=_group_data,
        id="post:groups:study_group_create",
    ),
    Case("groups:study_group_detail", object_page(*OVERSEERS, "curator"), kwargs=_group),
    Case("groups:study_group_edit", object_page("administrator"), kwargs=_group),
    Case(
        "groups:study_group_edit",
        object_action("administrator"),
        kwargs=_group,
        method="post",
        data=_group_data,
        id="post:groups:study_group_edit",
    ),
    Case("groups:study_group_inline_edit", object_page("administrator"), kwargs=_group),
    Case("groups:curator_assign", object_page("administrator"), kwargs=_group),
    Case(
        "groups:curator_assign",
        object_action("administrator"),
        kwargs=_group,
        method="post",
        data=lambda w: {"teacher": w.memberships["teacher"].pk},
        id="post:groups:curator_assign",
    ),
    Case("groups:curator_end", object_page("administrator"), kwargs=_group),
    Case(
        "groups:curator_end",
        object_action("administrator"),
        kwargs=_group,
        method="post",
        id="post:groups:curator_end",
    ),
    Case("groups:subject_assign", object_page("administrator"), kwargs=_group),
    Case(
        "groups:subject_assign",
        object_action("administrator"),
        kwargs=_group,
        method="post",
        data=lambda w: {
            "discipline": factories.DisciplineFactory(college=w.college).pk,
            "teacher": w.memberships["teacher"].pk,
        },
        id="post:groups:subject_assign",
    ),
    Case("groups:subject_assignment_end", object_page("administrator"), kwargs=_subject_assignment),
    Case(
        "groups:subject_assignment_end",
        object_action("administrator"),
        kwargs=_subject_assignment,
        method="post",
        id="post:groups:subject_assignment_end",
    ),
    Case("groups:my_groups", page_for("teacher", "curator")),
    Case("groups:my_group", page_for("student")),
    Case("groups:staff_group_list", page_for(*OVERSEERS, other_administrator=200)),
    Case("groups:staff_group_create", page_for("administrator", other_administrator=200)),
    Case("groups:staff_group_detail", object_page(*OVERSEERS), kwargs=_staff_group),
    Case("groups:staff_group_edit", object_page("administrator"), kwargs=_staff_group),
    Case(
        "groups:staff_group_member_add",
        object_action("administrator"),
        kwargs=_staff_group,
        method="post",
        data=lambda w: {"member": w.memberships["teacher"].pk},
    ),
    Case("groups:staff_group_member_remove", object_page("administrator"), kwargs=_staff_group_with_member),
    Case(
        "groups:staff_group_member_remove",
        object_action("administrator"),
        kwargs=_staff_group_with_member,
        method="post",
        id="post:groups:staff_group_member_remove",
    ),
    Case("groups:discipline_list", page_for(*OVERSEERS, other_administrator=200)),
    Case("groups:discipline_create", page_for("administrator", other_administrator=200)),
    Case("groups:discipline_edit", object_page("administrator"), kwargs=_discipline),
    # API.
    Case(
        "api:study-group-list",
        college_api_for("student", "parent", "teacher", "curator", *OVERSEERS),
        kwargs=in_college(),
    ),
    Case(
        "api:study-group-list",
        college_api_for("administrator", ok=201),
        kwargs=in_college(),
        method="post",
        data=_group_data,
        id="post:api:study-group-list",
    ),
    Case(
        "api:study-group-detail",
        # Members see the groups they belong to; a group that is not theirs is 404.
        college_api_for("student", "curator", *OVERSEERS, denied=404),
        kwargs=in_college(_group),
    ),
    Case("api:staff-group-list", college_api_for(*OVERSEERS), kwargs=in_college()),
    Case("api:staff-group-detail", college_api_for(*OVERSEERS), kwargs=in_college(_staff_group)),
    Case(
        "api:staff-group-member-add",
        college_api_for("administrator"),
        kwargs=in_college(_staff_group),
        method="post",
        data=lambda w: {"member": w.memberships["teacher"].pk},
    ),
    Case(
        "api:staff-group-member-remove",
        college_api_for("administrator"),
        kwargs=in_college(_staff_group_with_member),
        method="delete",
    ),
    Case("api:discipline-list", college_api_for(*OVERSEERS), kwargs=in_college()),
    Case("api:discipline-detail", college_api_for(*OVERSEERS), kwargs=in_college(_discipline)),
    Case("api:curator-assignment-list", college_api_for(*OVERSEERS), kwargs=in_college()),
    Case("api:curator-assignment-detail", college_api_for(*OVERSEERS), kwargs=in_college(_curator_assignment)),
    Case(
        "api:curator-assignment-end",
        college_api_for("administrator"),
        kwargs=in_college(_curator_assignment),
        method="post",
    ),
    Case("api:subject-assignment-list", college_api_for(*OVERSEERS), kwargs=in_college()),
    Case("api:subject-assignment-detail", college_api_for(*OVERSEERS), kwargs=in_college(_subject_assignment)),
    Case(
        "api:subject-assignment-end",
        college_api_for("administrator"),
        kwargs=in_college(_subject_assignment),
        method="post",
    ),
    # Guardians: a parent names their child; the student or the group's curator decides.
    Case("groups:my_children", page_for("parent")),
    Case("groups:guardian_claim", page_for("parent"), kwargs=_parent_of_group),
    Case(
        "groups:guardian_claim",
        page_for() | {"parent": 302},
        kwargs=_parent_of_group,
        method="post",
        data=lambda w: {"student": w.memberships["student"].pk},
    ),
    Case("groups:guardians", page_for("curator"), kwargs=_group),
    Case("groups:my_guardians", page_for("student")),
    Case(
        "groups:guardian_decide",
        page_for(other_administrator=404) | {"student": 302, "curator": 302},
        kwargs=_guardian,
        method="post",
        data=lambda w: {"action": "confirm"},
    ),
]
