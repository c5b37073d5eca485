import datetime

import pytest
from django.urls import reverse

from movement.models import ImportBatch, Movement
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def _movements(college, groups, n):
    for _ in range(n):
        student = factories.MembershipFactory(college=college, role="student")
        factories.EnrollmentFactory(student=student, group=groups[0])
        Movement.objects.create(
            college=college,
            kind="transfer",
            person=student,
            from_group=groups[0],
            to_group=groups[1],
            order_number="1",
            order_date=TODAY,
            effective_date=TODAY + datetime.timedelta(days=5),
        )


def _count_queries(client, url, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", ["movement:list", "movement:import_list"])
def test_list_pages_run_the_same_number_of_queries_for_3_and_30_rows(
    url_name, client_for, admin, college, groups, django_assert_num_queries
):
    client = client_for(admin)
    _movements(college, groups, 3)
    for _ in range(3):
        ImportBatch.objects.create(college=college, file_name="k.csv", created_by=admin)
    url = reverse(url_name)
    client.get(url)
    small = _count_queries(client, url, None)
    _movements(college, groups, 27)
    for _ in range(27):
        ImportBatch.objects.create(college=college, file_name="k.csv", created_by=admin)

    with django_assert_num_queries(small):
        response = client.get(url)

    assert response.status_code == 200


def test_roster_page_query_count_does_not_grow_with_the_group(
    client_for, admin, college, groups, django_assert_num_queries, make_student
):
    client = client_for(admin)
    for _ in range(3):
        make_student(groups[0])
    url = reverse("movement:roster", kwargs={"pk": groups[0].pk})
    client.get(url)
    small = _count_queries(client, url, None)
    for _ in range(27):
        make_student(groups[0])

    with django_assert_num_queries(small):
        response = client.get(url)

    assert len(response.context["rows"]) == 30


def test_roster_on_a_past_date_in_russian_format(client_for, admin, college, groups, make_student):
    make_student(groups[0], started_at=datetime.date(2025, 9, 1))
    url = reverse("movement:roster", kwargs={"pk": groups[0].pk})

    before = client_for(admin).get(url, {"date": "31.08.2025"})
    after = client_for(admin).get(url, {"date": "01.09.2025"})
    bad = client_for(admin).get(url, {"date": "32.13.2025"})

    assert len(before.context["rows"]) == 0
    assert len(after.context["rows"]) == 1
    assert bad.status_code == 400
    assert "дд.мм.гггг" in bad.content.decode()


def test_transfer_entered_from_the_card_shows_in_the_timeline(
    client_for, admin, college, groups, make_student, django_capture_on_commit_callbacks
):
    student = make_student(groups[0])
    client = client_for(admin)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("movement:create", kwargs={"pk": student.pk}),
            {
                "kind": "transfer",
                "to_group": groups[1].pk,
                "order_number": "12-к",
                "order_date": TODAY.isoformat(),
                "effective_date": TODAY.isoformat(),
            },
        )
    response = client.get(reverse("movement:person", kwargs={"pk": student.pk}))

    page = response.content.decode()
    assert "перевод в другую группу" in page
    assert f"Учебная группа: <strong>{groups[1].name}</strong>" in page


def test_invalid_movement_form_shows_russian_errors(client_for, admin, college, groups, make_student):
    student = make_student(groups[0])

    response = client_for(admin).post(
        reverse("movement:create", kwargs={"pk": student.pk}),
        {"kind": "expel", "order_number": "12-к", "order_date": TODAY.isoformat(), "effective_date": TODAY.isoformat()},
    )

    assert response.status_code == 400
    assert "Укажите причину отчисления." in response.content.decode()


def test_handover_gives_all_groups_to_the_new_curator(
    client_for, admin, college, groups, django_capture_on_commit_callbacks
):
    old = factories.CuratorAssignmentFactory(group=groups[0]).teacher
    factories.CuratorAssignmentFactory(group=groups[1], teacher=old)
    new = factories.MembershipFactory(college=college, role="teacher")

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin).post(
            reverse("movement:handover", kwargs={"pk": old.pk}),
            {"incoming": new.pk, "order_number": "5-к", "order_date": TODAY.isoformat()},
        )

    assert response.status_code == 302
    from groups.models import CuratorAssignment

    current = CuratorAssignment.objects.filter(group__in=groups[:2], ended_at__isnull=True)
    assert {a.teacher_id for a in current} == {new.pk}


def test_curator_sees_movements_of_their_groups_only(client_for, college, groups):
    curator = factories.CuratorAssignmentFactory(group=groups[0]).teacher
    _movements(college, groups[:2], 2)
    other = factories.MembershipFactory(college=college, role="student")
    factories.EnrollmentFactory(student=other, group=groups[2])
    Movement.objects.create(
        college=college,
        kind="academic_leave",
        person=other,
        from_group=groups[2],
        order_number="2",
        order_date=TODAY,
        effective_date=TODAY + datetime.timedelta(days=1),
    )

    response = client_for(curator.user).get(reverse("movement:list"))

    assert len(response.context["page_obj"].object_list) == 2


def test_upload_page_shows_encoding_error_in_russian(client_for, admin, college):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(admin).post(
        reverse("movement:import_upload"),
        {
            "file": SimpleUploadedFile("k.csv", "Фамилия;Имя\n".encode("utf-16")),
            "order_number": "1",
            "order_date": TODAY.isoformat(),
            "effective_date": TODAY.isoformat(),
        },
    )

    assert response.status_code == 400
    assert "неизвестная кодировка" in response.content.decode()
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("url_name", ["movement:people", "movement:report"])
def test_people_and_report_pages_run_the_same_number_of_queries_for_3_and_30(
    url_name, client_for, admin, college, groups, make_student, django_assert_num_queries
):
    from django.utils import timezone

    client = client_for(admin)

    def add(n):
        for _ in range(n):
            student = make_student(groups[0])
            if n > 3:
                student.user.__class__.objects.filter(pk=student.user_id).update(last_login=timezone.now())

    add(3)
    url = reverse(url_name)
    client.get(url)
    small = _count_queries(client, url, None)
    add(27)

    with django_assert_num_queries(small):
        response = client.get(url)

    assert response.status_code == 200


def test_hire_from_the_page_creates_the_employee_and_their_card(
    client_for, admin, college, django_capture_on_commit_callbacks
):
    client = client_for(admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("movement:hire"),
            {
                "last_name": "Орлова",
                "first_name": "Нина",
                "phone": "8 912 555-44-33",
                "role": "teacher",
                "position": "преподаватель",
                "order_number": "7-к",
                "order_date": TODAY.isoformat(),
                "effective_date": TODAY.isoformat(),
            },
        )
    movement = Movement.objects.get(kind="hire")
    card = client.get(reverse("movement:person", kwargs={"pk": movement.person_id})).content.decode()

    assert response.status_code == 302
    assert (movement.status, movement.person.role, movement.person.user.phone) == ("applied", "teacher", "+79125554433")
    assert "Орлова Нина" in card
    assert "приём на работу" in card


def test_movement_form_offers_only_orders_that_fit_the_students_state(
    client_for, admin, college, groups, make_student, django_capture_on_commit_callbacks
):
    from movement import services

    studying = make_student(groups[0])
    with django_capture_on_commit_callbacks(execute=True):
        services.movement_create(
            actor=admin,
            college=college,
            kind="expel",
            person=make_student(groups[0]),
            reason="own_wish",
            order_number="1",
            order_date=TODAY,
            effective_date=TODAY,
        )
    expelled = Movement.objects.get(kind="expel").person

    def kinds(person):
        form = client_for(admin).get(reverse("movement:create", kwargs={"pk": person.pk})).context["form"]
        return {value for value, _ in form.fields["kind"].choices if value}

    assert kinds(studying) == {"transfer", "academic_leave", "expel", "graduate"}
    assert kinds(expelled) == {"reinstate"}


def test_mapping_step_on_the_page_previews_the_file(client_for, admin, college, groups):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(admin)
    data = "Ф;И;Мобильник;Гр\nИванов;Иван;89120000001;ИС-20\n".encode("cp1251")
    response = client.post(
        reverse("movement:import_upload"),
        {
            "file": SimpleUploadedFile("k.csv", data),
            "order_number": "1",
            "order_date": TODAY.isoformat(),
            "effective_date": TODAY.isoformat(),
        },
        follow=True,
    )
    assert "Сопоставьте столбцы" in response.content.decode()
    batch = ImportBatch.objects.get()

    incomplete = client.post(reverse("movement:import_mapping", kwargs={"pk": batch.pk}), {"last_name": "0"})
    complete = client.post(
        reverse("movement:import_mapping", kwargs={"pk": batch.pk}),
        {"last_name": "0", "first_name": "1", "phone": "2", "group": "3"},
        follow=True,
    )

    assert incomplete.status_code == 400
    assert "нет обязательных столбцов: Имя, Телефон, Группа" in incomplete.content.decode()
    assert "проверен, ждёт применения" in complete.content.decode()


def test_rollover_page_previews_groups_and_applies_the_reviewed_choice(
    client_for, admin, college, make_student, django_capture_on_commit_callbacks
):
    third = factories.StudyGroupFactory(college=college, course=3, name="ТМ-11")
    make_student(third)
    client = client_for(admin)
    preview = client.get(reverse("movement:rollover"))
    assert "ТМ-11" in preview.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("movement:rollover"),
            {
                "graduate": [str(third.pk)],
                "order_number": "300-к",
                "order_date": TODAY.isoformat(),
                "effective_date": TODAY.isoformat(),
            },
        )

    third.refresh_from_db()
    assert response.status_code == 302
    assert (third.status, third.course) == ("graduated", 3)
    assert Movement.objects.filter(kind="graduate", status="applied").count() == 1


def _kind_fields(html: str) -> dict[str, bool]:
    """The kind-specific fields of the order form: name → shown (its wrapper is not hidden)."""
    import re

    fields = {}
    for attrs, body in re.findall(r"<div( data-for-kind=[^>]*)>(.*?)</div>", html, re.S):
        fields[re.search(r'name="([a-z_]+)"', body).group(1)] = " hidden" not in attrs
    return fields


def _visible_kind_fields(html: str) -> set[str]:
    fields = _kind_fields(html)
    assert set(fields) == {"to_group", "discipline", "expel_reason", "planned_return_date"}
    return {name for name, shown in fields.items() if shown}


def test_order_form_shows_no_kind_specific_field_until_a_kind_is_chosen(
    client_for, admin, college, groups, make_student
):
    student = make_student(groups[0])

    html = client_for(admin).get(reverse("movement:create", kwargs={"pk": student.pk})).content.decode()

    assert 'name="to_group"' in html
    assert _visible_kind_fields(html) == set()


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("transfer", {"to_group"}),
        ("academic_leave", {"planned_return_date"}),
        ("expel", {"expel_reason"}),
        ("graduate", set()),
    ],
)
def test_order_form_without_script_shows_only_the_chosen_kinds_fields(
    kind, fields, client_for, admin, college, groups, make_student
):
    student = make_student(groups[0])

    response = client_for(admin).post(
        reverse("movement:create", kwargs={"pk": student.pk}),
        {"kind": kind, "order_number": "3-к", "choose_kind": "1"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert _visible_kind_fields(html) == fields
    assert 'value="3-к"' in html
    assert not Movement.objects.exists()


def test_order_form_ignores_fields_of_other_kinds(
    client_for, admin, college, groups, make_student, django_capture_on_commit_callbacks
):
    student = make_student(groups[0])

    with django_capture_on_commit_callbacks(execute=True):
        client_for(admin).post(
            reverse("movement:create", kwargs={"pk": student.pk}),
            {
                "kind": "graduate",
                "to_group": groups[1].pk,
                "planned_return_date": "2000-01-01",
                "order_number": "4-к",
                "order_date": TODAY.isoformat(),
                "effective_date": TODAY.isoformat(),
            },
        )

    movement = Movement.objects.get()
    assert (movement.kind, movement.status, movement.to_group, movement.planned_return_date) == (
        "graduate",
        "applied",
        None,
        None,
    )


def test_teacher_order_form_does_not_default_to_dismissal(client_for, admin, college):
    teacher = factories.MembershipFactory(college=college, role="teacher")

    response = client_for(admin).get(reverse("movement:create", kwargs={"pk": teacher.pk}))

    choices = [value for value, _ in response.context["form"].fields["kind"].choices]
    assert choices[0] == ""
    assert choices[-1] == "dismiss"
    assert 'value="dismiss" selected' not in response.content.decode()


def test_backdated_transfer_from_the_form_is_refused_with_the_reason(client_for, admin, college, groups, make_student):
    student = make_student(groups[0], started_at=datetime.date(2025, 9, 1))

    response = client_for(admin).post(
        reverse("movement:create", kwargs={"pk": student.pk}),
        {
            "kind": "transfer",
            "to_group": groups[1].pk,
            "order_number": "8-к",
            "order_date": "2025-08-10",
            "effective_date": "2025-08-15",
        },
    )

    assert response.status_code == 400
    assert f"Дата вступления в силу раньше зачисления в группу «{groups[0].name}» (01.09.2025)" in (
        response.content.decode()
    )
    assert not Movement.objects.exists()


def test_reinstated_student_has_one_card_showing_the_group_and_one_row_in_the_people_list(
    client_for, admin, college, groups, make_student, django_capture_on_commit_callbacks
):
    from movement import services

    student = make_student(groups[0])
    for kind, extra in (("expel", {"reason": "own_wish"}), ("reinstate", {"to_group": groups[1]})):
        with django_capture_on_commit_callbacks(execute=True):
            services.movement_create(
                actor=admin,
                college=college,
                kind=kind,
                person=student,
                order_number="1",
                order_date=TODAY,
                effective_date=TODAY,
                **extra,
            )
    client = client_for(admin)

    card = client.get(reverse("movement:person", kwargs={"pk": student.pk}), follow=True)
    people = client.get(reverse("movement:people"))

    html = card.content.decode()
    assert card.redirect_chain and card.context["person"].status == "active"
    assert f"Учебная группа: <strong>{groups[1].name}</strong>" in html
    assert "выбыл" not in html.split("<h2>")[0]
    assert [m.user_id for m in people.context["page_obj"]] == [student.user_id]
    assert people.context["page_obj"][0].status == "active"


def test_curator_movement_list_links_only_to_cards_the_curator_may_open(client_for, college, groups, make_student):
    curator = factories.CuratorAssignmentFactory(group=groups[0]).teacher
    student = make_student(groups[0])
    for person, kind in ((curator, "curator_assign"), (student, "academic_leave")):
        Movement.objects.create(
            college=college,
            kind=kind,
            person=person,
            to_group=groups[0] if kind == "curator_assign" else None,
            from_group=groups[0] if kind != "curator_assign" else None,
            order_number="1",
            order_date=TODAY,
            effective_date=TODAY,
            status="applied",
        )
    client = client_for(curator.user)

    html = client.get(reverse("movement:list")).content.decode()

    assert reverse("movement:person", kwargs={"pk": student.pk}) in html
    assert reverse("movement:person", kwargs={"pk": curator.pk}) not in html
    assert client.get(reverse("movement:person", kwargs={"pk": student.pk})).status_code == 200


def test_enrol_form_enrols_a_new_student_by_a_phone_never_seen(
    client_for, admin, college, groups, django_capture_on_commit_callbacks
):
    from accounts.models import User

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin).post(
            reverse("movement:enrol"),
            {
                "last_name": "Петрова",
                "first_name": "Мария",
                "phone": "8 (915) 777-00-11",
                "to_group": groups[2].pk,
                "order_number": "21-к",
                "order_date": TODAY.isoformat(),
                "effective_date": TODAY.isoformat(),
            },
        )

    movement = Movement.objects.get(kind="enrol")
    assert response.status_code == 302
    assert response["Location"] == reverse("movement:person", kwargs={"pk": movement.person_id})
    assert movement.person.user == User.objects.get(phone="+79157770011")
    assert movement.person.enrollments.get(ended_at__isnull=True).group == groups[2]


def test_enrol_form_shows_russian_errors_and_writes_nothing(client_for, admin, college, groups):
    response = client_for(admin).post(reverse("movement:enrol"), {"phone": "12345", "order_number": "21-к"})

    assert response.status_code == 400
    assert "Обязательное поле." in response.content.decode()
    assert not Movement.objects.exists()


def test_subject_teacher_sees_the_roster_without_links_to_cards_they_may_not_open(
    client_for, college, groups, make_student
):
    teacher = factories.SubjectTeacherAssignmentFactory(group=groups[0]).teacher
    student = make_student(groups[0])
    client = client_for(teacher.user)

    roster = client.get(reverse("movement:roster", kwargs={"pk": groups[0].pk}))

    assert roster.status_code == 200
    assert student.user.last_name in roster.content.decode()
    assert reverse("movement:person", kwargs={"pk": student.pk}) not in roster.content.decode()
    assert client.get(reverse("movement:person", kwargs={"pk": student.pk})).status_code == 403


def test_curator_movement_list_runs_the_same_number_of_queries_for_3_and_30_rows(
    client_for, college, groups, django_assert_num_queries
):
    curator = factories.CuratorAssignmentFactory(group=groups[0]).teacher
    client = client_for(curator.user)
    _movements(college, groups, 3)
    url = reverse("movement:list")
    client.get(url)
    small = _count_queries(client, url, None)
    _movements(college, groups, 27)

    with django_assert_num_queries(small):
        response = client.get(url)

    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == 30
    assert all(m.can_open_person for m in response.context["page_obj"])
