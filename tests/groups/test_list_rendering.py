"""The group list's cheap rendering helpers give the same answers as the slow paths they replace."""

import pytest
from django.urls import reverse

from groups.forms import StudyGroupFilterForm
from sferum_admin.templatetags.sferum import pk_url, select_field
from tests import factories

pytestmark = pytest.mark.django_db


def test_pk_url_matches_reverse_for_integer_and_other_pks():
    assert pk_url("groups:study_group_detail", 7) == reverse("groups:study_group_detail", args=[7])
    assert pk_url("groups:study_group_detail", 12345) == reverse("groups:study_group_detail", args=[12345])
    assert pk_url("groups:study_group_inline_edit", 3) == reverse("groups:study_group_inline_edit", args=[3])
    assert pk_url("groups:study_group_detail", "8") == reverse("groups:study_group_detail", args=["8"])


def test_select_field_marks_the_chosen_option_and_lists_every_choice(college):
    first = factories.DepartmentFactory(college=college, name="Первое")
    second = factories.DepartmentFactory(college=college, name="Второе")
    form = StudyGroupFilterForm({"department": str(second.pk), "course": "3"}, college=college)
    form.is_valid()

    department = select_field(form["department"])
    course = select_field(form["course"])
    status = select_field(form["status"])

    assert 'name="department"' in department and 'id="id_department"' in department
    assert f'<option value="{second.pk}" selected>Второе</option>' in department
    assert f'<option value="{first.pk}">Первое</option>' in department
    assert '<option value="3" selected>3 курс</option>' in course
    assert '<option value="" selected>Все статусы</option>' in status


def test_select_field_flags_an_invalid_value(college):
    form = StudyGroupFilterForm({"course": "девятый"}, college=college)
    form.is_valid()

    html = select_field(form["course"])

    assert 'aria-invalid="true"' in html
    assert " selected" not in html


def test_group_list_rows_link_to_each_group(client_for, administrator, college):
    group = factories.StudyGroupFactory(college=college, name="ИС-21")

    response = client_for(administrator).get(reverse("groups:study_group_list"))

    html = response.content.decode()
    assert f'href="{reverse("groups:study_group_detail", args=[group.pk])}"' in html
    assert f'hx-get="{reverse("groups:study_group_inline_edit", args=[group.pk])}"' in html
