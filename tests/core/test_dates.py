"""Dates outside 1900–2100 are refused with one Russian message, in the API and in the page forms alike.

Before, ``publish_at`` in year 64 or ``auto_approve_until`` in year 196 were
accepted and came back with the zone's local mean time (``+02:30:17``).
"""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from colleges.forms import AdministratorAppointForm
from core.dates import OUT_OF_RANGE_MESSAGE
from invitations.models import Invitation
from materials.forms import MaterialForm
from materials.models import Material
from movement.forms import MovementForm, RosterDateForm
from movement.importers import parse_date
from movement.models import Movement
from movement.views import parse_ru_date
from tests import factories

pytestmark = pytest.mark.django_db
MESSAGE = str(OUT_OF_RANGE_MESSAGE)


@pytest.fixture
def api(administrator):
    client = APIClient()
    client.force_authenticate(administrator)
    return client


@pytest.mark.parametrize("publish_at", ["0064-05-01T10:00:00", "0152-11-11T15:16:06+05:47", "2101-01-01T00:00:00Z"])
def test_api_refuses_a_material_published_outside_the_years(api, publish_at):
    response = api.post(
        reverse("api:material-list"),
        {"kind": "article", "title": "Объявление", "body": "Текст", "audience": "college", "publish_at": publish_at},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"publish_at": [MESSAGE]}
    assert not Material.objects.exists()


def test_api_publish_refuses_year_64(api, administrator, college):
    create = api.post(
        reverse("api:material-list"),
        {"kind": "article", "title": "Черновик", "body": "Текст", "audience": "college"},
        format="json",
    )

    response = api.post(
        reverse("api:material-publish", args=[create.json()["id"]]), {"publish_at": "0064-05-01T10:00"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"publish_at": [MESSAGE]}
    assert Material.objects.get().published_at is None


def test_api_refuses_an_invitation_auto_approving_until_year_196(api):
    response = api.post(
        reverse("api:invitation-list"),
        {"role": "teacher", "requires_approval": True, "auto_approve_until": "0196-03-01T12:00:00"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"auto_approve_until": [MESSAGE]}
    assert not Invitation.objects.exists()


def test_api_accepts_a_date_within_the_years_and_answers_a_plain_offset(api):
    response = api.post(
        reverse("api:invitation-list"),
        {"role": "teacher", "expires_at": "2100-12-31T12:00:00"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["expires_at"] == "2100-12-31T12:00:00+03:00"


def test_api_refuses_a_movement_order_dated_year_1(api, college):
    student = factories.EnrollmentFactory(group=factories.StudyGroupFactory(college=college)).student

    response = api.post(
        "/api/v1/movement/movements/",
        {
            "kind": "expel",
            "person": student.pk,
            "order_number": "1-к",
            "order_date": "0001-01-01",
            "effective_date": "1899-12-31",
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"order_date": [MESSAGE], "effective_date": [MESSAGE]}
    assert not Movement.objects.exists()


def test_api_roster_on_year_64_is_a_400(api, college):
    group = factories.StudyGroupFactory(college=college)

    response = api.get(f"/api/v1/movement/groups/{group.pk}/roster/", {"date": "01.05.0064"})

    assert response.status_code == 400


def test_material_page_form_refuses_year_64_and_limits_the_picker(administrator, college):
    form = MaterialForm(
        data={"kind": "article", "title": "Т", "body": "Т", "audience": "college", "publish_at": "0064-05-01T10:00"},
        user=administrator,
        college=college,
    )

    assert not form.is_valid()
    assert form.errors["publish_at"] == [MESSAGE]
    assert 'min="1900-01-01T00:00"' in str(form["publish_at"])


def test_administrator_appointment_form_refuses_an_order_of_year_2101():
    form = AdministratorAppointForm(data={"order_number": "5-к", "order_date": "2101-01-01"})

    assert not form.is_valid()
    assert form.errors["order_date"] == [MESSAGE]
    assert 'max="2100-12-31"' in str(form["order_date"])


def test_movement_page_forms_refuse_year_64():
    roster = RosterDateForm(data={"date": "01.05.0064"})
    assert not roster.is_valid()
    assert roster.errors["date"] == [MESSAGE]
    assert MovementForm.base_fields["order_date"].clean("31.12.2100") == datetime.date(2100, 12, 31)
    with pytest.raises(Exception, match="1900"):
        MovementForm.base_fields["effective_date"].clean("31.12.1899")


def test_typed_and_imported_dates_outside_the_years_are_not_dates():
    assert parse_ru_date("01.05.0064") is None
    assert parse_ru_date("01.05.1964") == datetime.date(1964, 5, 1)
    with pytest.raises(ValueError):
        parse_date("01.05.0064")
    assert parse_date("2008-02-01") == datetime.date(2008, 2, 1)
