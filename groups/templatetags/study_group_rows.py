"""The study group list's rows, built in Python: one template include per row cost most of the list's first view."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from accounts.models import short_name
from groups.models import StudyGroup

register = template.Library()

_ROW = (
    '<tr id="group-{pk}">\n'
    '  <td><a href="{detail}">{name}</a></td>\n'
    '  <td class="hide-sm">{department}</td>\n'
    '  <td class="hide-sm">{specialty_code} {specialty_name}</td>\n'
    "  <td>{course}</td>\n"
    "  <td>{curator}</td>\n"
    "  <td>{student_count}</td>\n"
    "  <td>{status}</td>\n"
    "  {edit}\n"
    "</tr>\n"
)
_EDIT = (
    '<td><button type="button" class="secondary outline" hx-get="{url}" hx-target="#group-{pk}" '
    'hx-swap="outerHTML" aria-label="Быстро изменить {name}">✎</button></td>'
)
_NO_CURATOR = mark_safe('<span class="muted">нет куратора</span>')
_SENTINEL = 987654321


def _pk_url(url_name: str):
    """``reverse(url_name, args=[pk])`` for many pks: reversed once, then joined around each pk."""
    before, after = reverse(url_name, args=[_SENTINEL]).split(str(_SENTINEL))
    return lambda pk: f"{before}{pk}{after}"


def _row(group: dict, *, can_manage: bool, detail_url, edit_url, statuses: dict) -> str:
    pk = group["pk"]
    edit = format_html(_EDIT, url=edit_url(pk), pk=pk, name=group["name"]) if can_manage else mark_safe("")
    curator = _NO_CURATOR
    if group["curator__teacher__user__phone"] is not None:
        curator = short_name(
            last_name=group["curator__teacher__user__last_name"],
            first_name=group["curator__teacher__user__first_name"],
            patronymic=group["curator__teacher__user__patronymic"],
            phone=group["curator__teacher__user__phone"],
        )
    return format_html(
        _ROW,
        pk=pk,
        detail=detail_url(pk),
        name=group["name"],
        department=group["department__name"] or "",
        specialty_code=group["specialty_code"],
        specialty_name=group["specialty_name"],
        course=group["course"],
        curator=curator,
        student_count=group["student_count"],
        status=statuses.get(group["status"], group["status"]),
        edit=edit,
    )


@register.simple_tag
def study_group_rows(groups, can_manage) -> SafeString:
    """The rows of ``groups`` (dicts of ``selectors.study_group_rows``)."""
    detail_url = _pk_url("groups:study_group_detail")
    edit_url = _pk_url("groups:study_group_inline_edit")
    statuses = dict(StudyGroup.Status.choices)
    return mark_safe(
        "".join(
            _row(group, can_manage=can_manage, detail_url=detail_url, edit_url=edit_url, statuses=statuses)
            for group in groups
        )
    )


@register.simple_tag
def study_group_row(group, can_manage) -> SafeString:
    """One row (the inline edit's «back to the row»)."""
    return study_group_rows([group], can_manage)
