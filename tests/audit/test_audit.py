import datetime
import decimal
import json
import uuid

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from audit.context import current_ip
from audit.middleware import RequestContextMiddleware
from audit.models import AuditEvent
from audit.services import audit_log, model_snapshot

pytestmark = pytest.mark.django_db


def test_ip_of_the_request_lands_in_the_event(college):
    def view(request):
        audit_log(actor=None, action="college.update", target=college)
        return HttpResponse()

    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.7")

    RequestContextMiddleware(view)(request)

    assert AuditEvent.objects.get().ip == "203.0.113.7"


def test_behind_a_trusted_proxy_the_event_keeps_the_client_address_not_the_proxys(college, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1

    def view(request):
        audit_log(actor=None, action="college.update", target=college)
        return HttpResponse()

    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")

    RequestContextMiddleware(view)(request)

    assert AuditEvent.objects.get().ip == "203.0.113.9"


def test_ip_is_forgotten_after_the_request(college):
    RequestContextMiddleware(lambda request: HttpResponse())(RequestFactory().get("/", REMOTE_ADDR="198.51.100.1"))

    event = audit_log(actor=None, action="college.update", target=college)

    assert current_ip.get() is None
    assert event.ip is None


def test_middleware_is_installed(settings):
    assert "audit.middleware.RequestContextMiddleware" in settings.MIDDLEWARE


def test_event_records_actor_college_and_target(administrator, college):
    event = audit_log(actor=administrator, action="college.update", target=college, before={"a": 1}, after={"a": 2})

    event.refresh_from_db()
    assert (event.actor, event.college, event.action) == (administrator, college, "college.update")
    assert event.target_type == "colleges.college"
    assert event.target_id == str(college.pk)
    assert event.target_repr == str(college)
    assert (event.before, event.after) == ({"a": 1}, {"a": 2})


def test_anonymous_actor_is_recorded_as_none(college):
    from django.contrib.auth.models import AnonymousUser

    event = audit_log(actor=AnonymousUser(), action="application.submit", college=college)

    assert event.actor is None


def test_before_and_after_are_made_json_safe_at_any_depth(college, administrator):
    day = datetime.date(2026, 9, 1)
    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")

    event = audit_log(
        actor=administrator,
        action="movement.apply",
        college=college,
        after={
            "date": day,
            "at": datetime.datetime(2026, 9, 1, 9, 30, tzinfo=datetime.UTC),
            "amount": decimal.Decimal("1.50"),
            "id": ident,
            "college": college,
            "nested": {"dates": [day, day], "who": administrator},
            "tags": ("a", "b"),
        },
    )

    event.refresh_from_db()
    assert event.after == {
        "date": "2026-09-01",
        "at": "2026-09-01T09:30:00Z",
        "amount": "1.50",
        "id": str(ident),
        "college": college.pk,
        "nested": {"dates": ["2026-09-01", "2026-09-01"], "who": administrator.pk},
        "tags": ["a", "b"],
    }
    json.dumps(event.after)


def test_model_snapshot_takes_foreign_keys_as_ids():
    from tests.factories import StudyGroupFactory

    group = StudyGroupFactory()

    snapshot = model_snapshot(group, ["name", "department", "course"])

    assert snapshot == {"name": group.name, "department": group.department_id, "course": 1}


def test_admin_shows_events_but_cannot_add_change_or_delete_them(client, college):
    from django.urls import reverse

    from tests.accounts.helpers import sign_in_with_second_factor
    from tests.factories import UserFactory

    superuser = UserFactory(is_staff=True, is_superuser=True)
    event = audit_log(actor=None, action="college.update", target=college, after={"a": 1})
    sign_in_with_second_factor(client, superuser)

    listing = client.get(reverse("admin:audit_auditevent_changelist"))
    change = client.post(reverse("admin:audit_auditevent_change", args=[event.pk]), {"action": "forged"})
    delete = client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"})
    add = client.get(reverse("admin:audit_auditevent_add"))

    assert listing.status_code == 200
    assert change.status_code == 403
    assert delete.status_code == 403
    assert add.status_code == 403
    event.refresh_from_db()
    assert event.action == "college.update"


def test_many_changes_are_one_event_listing_the_rows(college):
    from audit.services import audit_log_many
    from colleges.models import Membership

    event = audit_log_many(
        actor=None, college=college, action="membership.end_many", model=Membership, ids=[3, 1], after={"a": 1}
    )

    assert (event.target_type, event.target_id, event.target_repr) == ("colleges.membership", "", "участники: 2")
    assert event.after == {"a": 1, "count": 2, "ids": [3, 1]}
    assert audit_log_many(actor=None, college=college, action="x", model=Membership, ids=[]) is None
    assert AuditEvent.objects.count() == 1
