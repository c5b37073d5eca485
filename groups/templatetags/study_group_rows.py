"""The study group list's rows, built in Python: one template include per row cost most of the list's first view."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

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


def _row(group, *, can_manage: bool, detail_url, edit_url) -> str:
    curators = getattr(group, "active_curators", [])
    department = group.department
    edit = format_html(_EDIT, url=edit_url(group.pk), pk=group.pk, name=group.name) if can_manage else mark_safe("")
    return format_html(
        _ROW,
        pk=group.pk,
        detail=detail_url(group.pk),
        name=group.name,
        department=department.name if department is not None else "",
        specialty_code=group.specialty_code,
        specialty_name=group.specialty_name,
        course=group.course,
        curator=curators[0].teacher.user.short_name if curators else _NO_CURATOR,
        student_count=group.student_count,
        status=group.get_status_display(),
        edit=edit,
    )


@register.simple_tag
def study_group_rows(groups, can_manage) -> SafeString:
    """The rows of ``groups`` (``selectors.study_group_list``), each as ``groups/_study_group_row.html`` had it."""
    detail_url = _pk_url("groups:study_group_detail")
    edit_url = _pk_url("groups:study_group_inline_edit")
    return mark_safe(
        "".join(_row(group, can_manage=can_manage, detail_url=detail_url, edit_url=edit_url) for group in groups)
    )


@register.simple_tag
def study_group_row(group, can_manage) -> SafeString:
    """One row (the inline edit's «back to the row»)."""
    return study_group_rows([group], can_manage)
