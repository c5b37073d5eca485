import datetime
import json
import re
from urllib.parse import unquote

from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from broadcasts import messages, services
from broadcasts.models import Attendance, Audience, Kind, Session
from colleges.pages import NO_COLLEGE_MESSAGE
from tests.broadcasts.conftest import ROOM_BASE, in_minutes, plan_lesson


def _form(bw, **overrides):
    starts = timezone.localtime(in_minutes(24 * 60))
    return {
        "kind": Kind.LESSON,
        "title": "Нормализация баз данных",
        "description": "",
        "starts_at": starts.strftime("%d.%m.%Y %H:%M"),
        "duration_minutes": "45",
        "audience": Audience.GROUPS,
        "groups": [bw.group.pk],
        **overrides,
    }


def test_teacher_plans_a_lesson_with_a_date_typed_the_russian_way(client, bw):
    client.force_login(bw.users["teacher"])

    response = client.post(reverse("broadcasts:create"), _form(bw, starts_at="15.12.2026 10:30"))

    session = Session.objects.get()
    assert response["Location"] == reverse("broadcasts:detail", kwargs={"pk": session.pk})
    assert timezone.localtime(session.starts_at).strftime("%d.%m.%Y %H:%M") == "15.12.2026 10:30"


def test_teacher_is_offered_only_their_groups_and_kinds(client, bw):
    client.force_login(bw.users["teacher"])

    page = client.get(reverse("broadcasts:create")).content.decode()

    assert "ИС-1" in page and "ТМ-2" not in page
    assert 'value="broadcast"' not in page and 'value="staff_meeting"' not in page


def test_malformed_date_is_answered_on_the_form(client, bw):
    client.force_login(bw.users["teacher"])

    response = client.post(reverse("broadcasts:create"), _form(bw, starts_at="31.02.2026 25:99"))

    assert response.status_code == 400
    assert "Введите правильную дату и время" in response.content.decode()
    assert not Session.objects.exists()


def test_a_year_out_of_range_is_refused(client, bw):
    client.force_login(bw.users["teacher"])

    response = client.post(reverse("broadcasts:create"), _form(bw, starts_at="01.01.0064 10:00"))

    assert response.status_code == 400
    assert "Укажите дату с 1900 по 2100 год." in response.content.decode()


def test_script_in_the_title_is_shown_as_text(client, bw):
    session = plan_lesson(
        actor=bw.users["teacher"], college=bw.college, groups=[bw.group], title='<script>alert("x")</script>'
    )
    client.force_login(bw.users["student"])

    detail = client.get(reverse("broadcasts:detail", kwargs={"pk": session.pk})).content.decode()
    listing = client.get(reverse("broadcasts:list")).content.decode()

    for page in (detail, listing):
        assert '<script>alert("x")</script>' not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_list_shows_upcoming_soonest_first_then_past_latest_first(client, bw):
    teacher = bw.users["teacher"]
    titles = {}
    for title, starts_in in (("Через неделю", 7 * 24 * 60), ("Завтра", 24 * 60), ("Вчера", 10), ("Месяц назад", 20)):
        titles[title] = plan_lesson(
            actor=teacher, college=bw.college, groups=[bw.group], title=title, starts_in=starts_in
        )
    for title, ago in (("Вчера", 24 * 60), ("Месяц назад", 30 * 24 * 60)):
        Session.objects.filter(pk=titles[title].pk).update(starts_at=in_minutes(-ago), ends_at=in_minutes(-ago + 45))
    client.force_login(bw.users["student"])

    page = client.get(reverse("broadcasts:list")).content.decode()

    shown = re.findall(r"<strong>([^<]+)</strong>", page)
    assert shown == ["Завтра", "Через неделю", "Вчера", "Месяц назад"]


def test_list_searches_titles(client, bw):
    plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], title="Базы данных")
    plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], title="Сети")
    client.force_login(bw.users["student"])

    page = client.get(reverse("broadcasts:list"), {"q": "сети"}).content.decode()

    assert "Сети" in page and "Базы данных" not in page


def test_list_pages_through_many_sessions(client, bw):
    for n in range(21):
        plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], title=f"Занятие {n:02d}")
    client.force_login(bw.users["student"])

    second = client.get(reverse("broadcasts:list"), {"page": 2}).content.decode()

    assert second.count('class="session-row"') == 1
    assert "Страница 2 из 2" in second


def test_empty_list_says_what_will_appear_here(client, bw):
    client.force_login(bw.users["student"])

    page = client.get(reverse("broadcasts:list")).content.decode()

    assert "Сеансов видеосвязи пока нет." in page
    assert "Запланировать" not in page


def test_opening_the_join_link_shows_the_session_and_records_nothing(client, bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], starts_in=10)
    client.force_login(bw.users["student"])

    response = client.get(reverse("broadcasts:join", kwargs={"pk": session.pk}))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Войти в комнату" in page and "Базы данных" in page and bw.users["teacher"].short_name in page
    assert 'method="post"' in page and "csrfmiddlewaretoken" in page
    assert not Attendance.objects.exists()


def test_join_button_records_attendance_once_and_goes_to_the_room(client, bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], starts_in=10)
    client.force_login(bw.users["student"])

    first = client.post(reverse("broadcasts:join", kwargs={"pk": session.pk}))
    again = client.post(reverse("broadcasts:join", kwargs={"pk": session.pk}))

    assert first.status_code == again.status_code == 302
    assert first["Location"].startswith(ROOM_BASE + session.room_name + "#userInfo.displayName=")
    assert Attendance.objects.filter(session=session, user=bw.users["student"]).count() == 1


def test_join_without_the_csrf_token_is_refused(bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], starts_in=10)
    client = Client(enforce_csrf_checks=True)
    client.force_login(bw.users["student"])

    response = client.post(reverse("broadcasts:join", kwargs={"pk": session.pk}))

    assert response.status_code == 403
    assert not Attendance.objects.exists()


def test_the_room_shows_the_persons_name_url_encoded_and_never_the_phone(client, bw):
    student = bw.users["student"]
    student.last_name, student.first_name, student.patronymic = "О'Брайен", 'Анна "Аня"', ""
    student.save()
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], starts_in=10)
    client.force_login(student)

    location = client.post(reverse("broadcasts:join", kwargs={"pk": session.pk}))["Location"]

    base, fragment = location.split("#", 1)
    assert base == ROOM_BASE + session.room_name
    assert fragment.startswith("userInfo.displayName=") and " " not in fragment and '"' not in fragment
    assert json.loads(unquote(fragment.removeprefix("userInfo.displayName="))) == 'О\'Брайен Анна "Аня"'
    assert student.phone.lstrip("+") not in location


def test_a_person_without_a_name_enters_without_the_fragment(client, bw):
    student = bw.users["student"]
    student.last_name = student.first_name = student.patronymic = ""
    student.save()
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], starts_in=10)
    client.force_login(student)

    location = client.post(reverse("broadcasts:join", kwargs={"pk": session.pk}))["Location"]

    assert location == ROOM_BASE + session.room_name


def test_a_bigbluebutton_deploy_switches_the_name_fragment_off(client, bw, settings):
    settings.VIDEO_ROOM_NAME_FRAGMENT = False
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], starts_in=10)
    client.force_login(bw.users["student"])

    location = client.post(reverse("broadcasts:join", kwargs={"pk": session.pk}))["Location"]

    assert location == ROOM_BASE + session.room_name


def test_join_of_a_cancelled_session_says_why(client, bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], starts_in=10)
    services.session_cancel(actor=bw.users["teacher"], session=session, reason="Преподаватель заболел")
    client.force_login(bw.users["student"])

    opened = client.get(reverse("broadcasts:join", kwargs={"pk": session.pk}))
    pressed = client.post(reverse("broadcasts:join", kwargs={"pk": session.pk}))

    assert opened["Location"] == pressed["Location"] == reverse("broadcasts:detail", kwargs={"pk": session.pk})
    assert [str(m) for m in get_messages(pressed.wsgi_request)] == ["Сеанс отменён: Преподаватель заболел"] * 2
    assert not Attendance.objects.exists()


def test_join_before_the_window_explains_when_it_opens(client, bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], starts_in=60)
    client.force_login(bw.users["student"])

    response = client.get(reverse("broadcasts:join", kwargs={"pk": session.pk}))

    assert response["Location"] == reverse("broadcasts:detail", kwargs={"pk": session.pk})
    [shown] = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown.startswith("Вход откроется за 15 минут до начала")
    assert not Attendance.objects.exists()


def test_detail_shows_the_join_link_only_when_open(client, bw):
    soon = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], starts_in=10)
    later = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], starts_in=60)
    client.force_login(bw.users["student"])

    soon_page = client.get(reverse("broadcasts:detail", kwargs={"pk": soon.pk})).content.decode()
    later_page = client.get(reverse("broadcasts:detail", kwargs={"pk": later.pk})).content.decode()

    assert f'action="{reverse("broadcasts:join", kwargs={"pk": soon.pk})}"' in soon_page
    assert reverse("broadcasts:join", kwargs={"pk": later.pk}) not in later_page
    assert "Вход откроется за 15 минут до начала" in later_page


def test_host_sees_who_came_and_the_student_does_not(client, bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], starts_in=10)
    Attendance.objects.create(session=session, user=bw.users["student"], joined_at=timezone.now())
    url = reverse("broadcasts:detail", kwargs={"pk": session.pk})

    client.force_login(bw.users["teacher"])
    host_page = client.get(url).content.decode()
    client.force_login(bw.users["student"])
    student_page = client.get(url).content.decode()

    assert "Кто вошёл (1)" in host_page and bw.users["student"].full_name in host_page
    assert "Кто вошёл" not in student_page


def test_cancel_asks_for_a_reason_and_then_cancels(client, bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])
    client.force_login(bw.users["teacher"])
    url = reverse("broadcasts:cancel", kwargs={"pk": session.pk})

    confirm = client.get(url)
    blank = client.post(url, {"reason": ""})
    done = client.post(url, {"reason": "Преподаватель на курсах"})

    assert "Да, отменить сеанс" in confirm.content.decode()
    assert blank.status_code == 400
    assert done.status_code == 302
    session.refresh_from_db()
    assert (session.status, session.cancel_reason) == (Session.Status.CANCELLED, "Преподаватель на курсах")
    client.force_login(bw.users["student"])
    assert "Причина: Преподаватель на курсах" in client.get(done["Location"]).content.decode()


def test_javascript_recording_link_is_refused_on_the_page(client, bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], starts_in=1)
    Session.objects.filter(pk=session.pk).update(starts_at=in_minutes(-50), ends_at=in_minutes(-5))
    client.force_login(bw.users["teacher"])

    response = client.post(
        reverse("broadcasts:held", kwargs={"pk": session.pk}), {"recording_url": "javascript:alert(1)"}
    )

    assert response.status_code == 400
    assert messages.RECORDING_SCHEME in response.content.decode()
    session.refresh_from_db()
    assert session.status == Session.Status.PLANNED


def test_calendar_file_is_served_as_text_calendar(client, bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])
    client.force_login(bw.users["student"])

    response = client.get(reverse("broadcasts:calendar", kwargs={"pk": session.pk}))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="broadcast-{session.pk}.ics"'
    assert b"BEGIN:VEVENT\r\n" in response.content


def test_a_stranger_is_asked_to_sign_in_then_told_politely(bw, sms_outbox):
    """A phone the database has never seen: asked to sign in, signs up with the link as «next», and is then
    told that the page is for members of a college — no session, no 500."""
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])
    url = reverse("broadcasts:detail", kwargs={"pk": session.pk})
    client = Client()

    asked = client.get(url)
    signed_up = client.post(
        reverse("account_signup"),
        {"last_name": "Незнакомова", "first_name": "Ольга", "phone": "+7 999 555-01-01", "next": url},
    )
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1]["text"]).group(1)
    verified = client.post(signed_up["Location"], {"code": code})
    refused = client.get(verified["Location"], follow=True)

    assert asked.status_code == 302 and asked["Location"].startswith(reverse("account_login"))
    assert verified["Location"] == url
    assert User.objects.filter(phone="+79995550101").exists()
    assert refused.status_code == 200
    assert refused.redirect_chain[-1][0] == reverse("home")
    assert NO_COLLEGE_MESSAGE in refused.content.decode()
    assert session.title not in refused.content.decode()


def test_another_colleges_administrator_gets_not_found(client, bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])
    client.force_login(bw.users["other_administrator"])

    for name in ("detail", "join", "calendar", "update"):
        assert client.get(reverse(f"broadcasts:{name}", kwargs={"pk": session.pk})).status_code == 404


def test_demo_sessions_are_made_for_the_first_group_and_the_college(bw):
    from broadcasts.demo import demo_sessions_create
    from colleges.demo import DemoCollege
    from groups.demo import DemoGroups

    m = bw.memberships
    demo = DemoCollege(
        college=bw.college,
        departments=[],
        administrator=m["administrator"],
        administration=[m["administration"]],
        teachers=[m["teacher"], m["curator"]],
        students=[m["student"]],
    )

    made = demo_sessions_create(demo=demo, groups=DemoGroups(groups=[bw.group], disciplines=[]))

    assert [s.kind for s in made] == [Kind.LESSON, Kind.BROADCAST, Kind.SEMINAR]
    assert made[2].audience == Audience.STAFF
    assert made[0].host == m["curator"]
    assert made[0].starts_at > timezone.now() and made[1].starts_at - made[0].starts_at > datetime.timedelta(days=5)


def test_list_page_query_count_is_the_same_for_3_and_30_sessions(client, bw, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def make(n):
        for i in range(n):
            groups = [bw.group, bw.other_group][: 1 + i % 2]
            plan_lesson(actor=bw.users["administration"], college=bw.college, groups=groups, title=f"Занятие {i}")

    client.force_login(bw.users["student"])
    make(3)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("broadcasts:list"))
    make(27)

    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("broadcasts:list"))

    assert len(response.context["sessions"]) == 20


def test_administration_moves_a_session_to_another_host_on_the_edit_page(client, bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group])
    client.force_login(bw.users["administration"])
    url = reverse("broadcasts:update", kwargs={"pk": session.pk})
    form = _form(bw, title="Замена преподавателя", host=bw.memberships["curator"].pk)
    del form["kind"]

    page = client.get(url).content.decode()
    response = client.post(url, form)

    assert "— я —" not in page
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.title, session.host) == ("Замена преподавателя", bw.memberships["curator"])


def test_the_pages_with_the_join_form_let_it_lead_to_the_video_host_only(client, bw):
    session = plan_lesson(actor=bw.users["teacher"], college=bw.college, groups=[bw.group], starts_in=10)
    client.force_login(bw.users["student"])

    join_page = client.get(reverse("broadcasts:join", kwargs={"pk": session.pk}))
    detail_page = client.get(reverse("broadcasts:detail", kwargs={"pk": session.pk}))
    list_page = client.get(reverse("broadcasts:list"))

    for response in (join_page, detail_page):
        policy = response["Content-Security-Policy"]
        assert "form-action 'self' https://video.example.org" in policy
    assert "video.example.org" not in list_page["Content-Security-Policy"]
