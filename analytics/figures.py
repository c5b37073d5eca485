"""The figures of each section, composed from the owning apps' selectors (every figure an SQL aggregate).

Each section's figures are plain dicts and lists, kept in the college cache (``core.college_cache``) per
period, so a second look at the same period costs one cache round trip; the cache is dropped on every
audited change of the college and expires after ``COLLEGE_CACHE_SECONDS`` (sign-ins and chat messages, which
are not audited, move the figures within that time). Each cached dict carries ``computed_at``, the moment it
was computed, which the section pages show («Данные на 15:32»). The long per-row lists (sessions, teachers)
are paged queries of their own and are not cached. The dashboard card's figures (``headline``) are kept by
the clock alone (see there).
"""

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from audit.selectors import action_counts
from broadcasts import selectors as broadcasts
from broadcasts.models import Kind as SessionKind
from broadcasts.models import Session
from chats import selectors as chats
from chats.models import ChatKind
from colleges import selectors as colleges
from colleges.models import Membership, Role
from core import college_cache
from groups import selectors as groups
from invitations import selectors as invitations
from invitations.models import Invitation, JoinRequest
from materials import selectors as materials

# The roles in the order the administration reads them.
ROLE_ORDER = (Role.ADMINISTRATION, Role.ADMINISTRATOR, Role.TEACHER, Role.STUDENT, Role.PARENT)
MODERATION_ACTIONS = {
    "chat.member_mute": "muted",
    "chat.member_ban": "banned",
    "chat.member_remove": "removed",
}


def share(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in per cent, to a tenth; None when there is no whole."""
    return round(100 * part / whole, 1) if whole else None


def _cached(college, name: str, vary: tuple, compute) -> dict:
    """The section's figures from the college cache, with ``computed_at``: when they were computed, not read."""

    def stamped() -> dict:
        return {**compute(), "computed_at": timezone.now()}

    return college_cache.get_or_compute(college, f"analytics.{name}", vary=vary, compute=stamped)


# --- «Подключение» ----------------------------------------------------------------------------------


def _with_shares(row: dict) -> dict:
    return {
        **row,
        "share_ever": share(row["ever"], row["total"]),
        "share_period": share(row["in_period"], row["total"]),
    }


def joining(*, college, period, group_ids=None) -> dict:
    """``roles`` (per role: in the college, signed in ever, in the period — empty for a curator) and
    ``groups`` (every active study group, or ``group_ids``, worst share first): two queries."""

    def compute() -> dict:
        rows = groups.study_group_sign_in_counts(
            college=college, since=period.since, until=period.until, group_ids=group_ids
        )
        group_rows = [
            _with_shares({key: row[key] for key in ("pk", "name", "course", "total", "ever", "in_period")})
            for row in rows
        ]
        roles = []
        if group_ids is None:
            counts = colleges.membership_sign_in_counts(college=college, since=period.since, until=period.until)
            zero = {"total": 0, "ever": 0, "in_period": 0}
            roles = [
                _with_shares({"role": role.value, "label": role.label, **counts.get(role.value, zero)})
                for role in ROLE_ORDER
            ]
        return {"roles": roles, "groups": group_rows}

    scope = None if group_ids is None else tuple(sorted(group_ids))
    return _cached(college, "joining", (period.key, scope), compute)


# --- «Приглашения» ----------------------------------------------------------------------------------


def _link_row(row: dict, **labels) -> dict:
    capped = row["places"]
    return {
        **labels,
        "links": row["links"],
        "uses": row["uses"],
        "places": capped,
        "unlimited": row["unlimited"],
        # Of the places offered by links with a cap (links without one have no share to speak of).
        "share_used": share(row["uses"], capped) if not row["unlimited"] else None,
    }


def invitation_figures(*, college, period) -> dict:
    """Links made in the period per role and kind and per group, personal links' delivery by channel,
    join requests by status: four queries."""

    def compute() -> dict:
        found = invitations.invitation_conversion(college=college, since=period.since, until=period.until)
        by_role = [
            _link_row(
                row,
                role=row["role"],
                role_label=Role(row["role"]).label,
                kind=row["kind"],
                kind_label=Invitation.Kind(row["kind"]).label,
            )
            for row in found["by_role"]
        ]
        by_group = [
            _link_row(row, group=row["group__name"], role=row["role"], role_label=Role(row["role"]).label)
            for row in found["by_group"]
        ]
        delivery = []
        for channel, label in (("sms", "SMS"), ("email", "E-mail")):
            row = found["delivery"].get(channel) or {"queued": 0, "sent": 0, "failed": 0, "joined": 0}
            figures = {key: row[key] for key in ("queued", "sent", "failed", "joined")}
            delivery.append(
                {"channel": channel, "label": label, **figures, "share_joined": share(row["joined"], row["sent"])}
            )
        requests = [
            {"status": status.value, "label": status.label, "count": found["requests"][status.value]}
            for status in JoinRequest.Status
        ]
        totals = {
            "links": sum(row["links"] for row in by_role),
            "uses": sum(row["uses"] for row in by_role),
            "requests": sum(row["count"] for row in requests),
        }
        return {"by_role": by_role, "by_group": by_group, "delivery": delivery, "requests": requests, "totals": totals}

    return _cached(college, "invitations", (period.key,), compute)


# --- «Чаты» -----------------------------------------------------------------------------------------


def chat_figures(*, college, period) -> dict:
    """Messages and authors in the period, per chat kind; the busiest chats; the silent study groups'
    chats; moderation and reports: eight queries."""

    def compute() -> dict:
        found = chats.chat_activity(college=college, since=period.since, until=period.until)
        actions = action_counts(
            college_id=college.pk, actions=MODERATION_ACTIONS, since=period.since, until=period.until
        )
        by_kind = [
            {"kind": kind.value, "label": kind.label, **found["by_kind"][kind.value]}
            for kind in ChatKind
            if kind.value in found["by_kind"]
        ]
        top = [
            {
                "chat_id": row["chat_id"],
                "title": row["chat__title"],
                "kind_label": ChatKind(row["chat__kind"]).label,
                "messages": row["messages"],
                "authors": row["authors"],
            }
            for row in found["top"]
        ]
        moderation = {"deleted": found["moderated"]} | {
            name: actions.get(action, 0) for action, name in MODERATION_ACTIONS.items()
        }
        return {
            "messages": found["total"]["messages"],
            "authors": found["total"]["authors"],
            "by_kind": by_kind,
            "top": top,
            "silent": [{"chat_id": row["pk"], "title": row["title"]} for row in found["silent"]],
            "silent_count": found["silent_count"],
            "moderation": moderation,
            "reports_filed": found["reports_filed"],
            "reports_open": found["reports_open"],
        }

    return _cached(college, "chats", (period.key,), compute)


# --- «Видеосвязь» -----------------------------------------------------------------------------------


def session_figures(*, college, period) -> dict:
    """Per kind: planned, held, cancelled in the period; attendance summed over the sessions that took place
    (people who entered ÷ their audiences): two queries."""

    def compute() -> dict:
        counts = broadcasts.session_counts(college=college, since=period.since, until=period.until)
        zero = dict.fromkeys(Session.Status.values, 0)
        by_kind = [
            {"kind": kind.value, "label": kind.label, **counts.get(kind.value, zero)}
            for kind in SessionKind
            if kind.value in counts
        ]
        totals = {status: sum(row[status] for row in by_kind) for status in Session.Status.values}
        attendance = broadcasts.session_attendance_totals(college=college, since=period.since, until=period.until)
        attendance["share"] = share(attendance["attended"], attendance["audience"])
        return {"by_kind": by_kind, "totals": totals, "attendance": attendance}

    return _cached(college, "sessions", (period.key,), compute)


def session_rows(*, college, period):
    """The sessions that took place, newest first, each with ``attended`` and ``audience_size``: a query to page."""
    return broadcasts.session_attendance_rows(college=college, since=period.since, until=period.until)


def session_row(session) -> dict:
    return {
        "id": session.pk,
        "title": session.title,
        "kind": session.kind,
        "kind_label": session.get_kind_display(),
        "starts_at": session.starts_at,
        "status": session.status,
        "status_label": session.get_status_display(),
        "host": session.host.user.short_name,
        "attended": session.attended,
        "audience": session.audience_size,
        "share": share(min(session.attended, session.audience_size), session.audience_size),
    }


# --- «Преподаватели» --------------------------------------------------------------------------------


def teacher_list(*, college, search: str = ""):
    """The college's current teachers by name, searched by name or phone: a query to page."""
    return colleges.membership_list(
        college=college, roles=[Role.TEACHER], search=search, status=Membership.Status.ACTIVE
    )


def teacher_rows(*, college, period, teachers) -> list[dict]:
    """For these teachers (a page, or all for an export): messages in chats, materials published and sessions
    held in the period — three GROUP BYs whatever their number."""
    teachers = list(teachers)
    member_ids = [teacher.pk for teacher in teachers]
    window = {"college": college, "since": period.since, "until": period.until}
    messages = chats.message_counts_by_author(**window, member_ids=member_ids)
    published = materials.published_counts_by_author(**window, user_ids=[teacher.user_id for teacher in teachers])
    held = broadcasts.held_session_counts_by_host(**window, host_ids=member_ids)
    return [
        {
            "id": teacher.pk,
            "name": teacher.user.full_name,
            "position": teacher.position,
            "messages": messages.get(teacher.pk, 0),
            "materials": published.get(teacher.user_id, 0),
            "sessions": held.get(teacher.pk, 0),
        }
        for teacher in teachers
    ]


# --- The dashboard card ------------------------------------------------------------------------------


def headline(*, college, period) -> dict:
    """Four figures for the dashboard: students who ever signed in (and their share), people who signed in in
    the period, messages written, sessions held and their attendance — four queries.

    Kept for ``COLLEGE_CACHE_SECONDS`` by the clock alone, not dropped with the college's other parts: the
    dashboard is computed again on the first view after every change to the college (a student enrolled, a
    link made), and a week's figures need not follow each change at once — the section pages do.
    """

    def compute() -> dict:
        people = colleges.membership_sign_in_counts(college=college, since=period.since, until=period.until)
        students = people.get(Role.STUDENT, {"total": 0, "ever": 0, "in_period": 0})
        counts = broadcasts.session_counts(college=college, since=period.since, until=period.until)
        attendance = broadcasts.session_attendance_totals(college=college, since=period.since, until=period.until)
        return {
            "signed_in": sum(row["in_period"] for row in people.values()),
            "students": students["total"],
            "students_joined": students["ever"],
            "students_share": share(students["ever"], students["total"]),
            "messages": chats.message_totals(college=college, since=period.since, until=period.until)["messages"],
            "sessions_held": sum(row[Session.Status.HELD] for row in counts.values()),
            "attendance_share": share(attendance["attended"], attendance["audience"]),
        }

    return cache.get_or_set(
        f"analytics.headline:{college.pk}:{':'.join(map(str, period.key))}",
        compute,
        timeout=settings.COLLEGE_CACHE_SECONDS,
    )
