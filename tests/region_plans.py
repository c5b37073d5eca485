"""What every list of a college asks PostgreSQL, and whether an index keeps it inside the college.

``tests/test_region_plans.py`` asks it on a small database of two colleges;
``bench/region_plans.py`` on a generated region, with the plans' times.

A statement stays inside one college when each table it reads that grows
with the installation (every table with a ``college_id``, and the users) is
reached through an index with a condition: the college, the rows of another
table it joins to, or a key. A Seq Scan, or an index walked whole (an Index
Scan with no Index Cond, as the movement list once walked the
installation-wide ``effective_date`` index and dropped other colleges'
rows), reads every college's rows.
"""

import json
from dataclasses import dataclass

from django.db import connection
from django.test.utils import CaptureQueriesContext

# Every list page and list endpoint of the administrator that searches or pages through the college's rows.
# ``{college}`` is the college's id.
LIST_URLS = {
    "people": "/movement/people/",
    "people search": "/movement/people/?q=Иванов",
    "people search by phone": "/movement/people/?q=8 999 000-00-15",
    "staff": "/college/staff/",
    "staff search": "/college/staff/?q=Иванов",
    "departments search": "/college/departments/?q=Отдел",
    "movements": "/movement/",
    "movements search": "/movement/?q=Иванов",
    "joined report": "/movement/reports/joined/",
    "invitations": "/invitations/",
    "invitations search": "/invitations/?q=Иванов",
    "join requests": "/invitations/requests/",
    "join requests search": "/invitations/requests/?q=Иванов",
    "provenance": "/invitations/joined/",
    "materials": "/materials/",
    "materials search": "/materials/?q=Материал",
    "documents": "/materials/documents/",
    "broadcasts": "/broadcasts/",
    "broadcasts search": "/broadcasts/?q=Занятие",
    "broadcasts seminars": "/broadcasts/?kind=seminar",
    "announcements": "/announcements/",
    "announcements search": "/announcements/?q=Объявление",
    "chats": "/chats/",
    "chat reports": "/chats/reports/",
    "my chat reports": "/chats/reports/mine/",
    "direct chat people search": "/chats/direct/?q=Иванов",
    "study groups search": "/groups/?q=Г-1",
    "staff groups": "/groups/staff/",
    "disciplines": "/groups/disciplines/",
    "api memberships": "/api/v1/colleges/{college}/memberships/",
    "api memberships search": "/api/v1/colleges/{college}/memberships/?search=Иванов",
    "api movements": "/api/v1/colleges/{college}/movement/movements/",
    "api movements search": "/api/v1/colleges/{college}/movement/movements/?q=Иванов",
    "api invitations": "/api/v1/colleges/{college}/invitations/",
    "api join requests": "/api/v1/colleges/{college}/join-requests/?status=pending",
    "api materials": "/api/v1/colleges/{college}/materials/",
    "api broadcasts": "/api/v1/colleges/{college}/broadcasts/",
    "api announcements": "/api/v1/colleges/{college}/announcements/",
    "api study groups": "/api/v1/colleges/{college}/study-groups/",
    "api departments": "/api/v1/colleges/{college}/departments/",
    "api chats": "/api/v1/colleges/{college}/chats/",
    "api chats search": "/api/v1/colleges/{college}/chats/search/?q=Сообщение",
    "api chat history": "/api/v1/colleges/{college}/chats/{chat}/messages/",
    "api chat history older": "/api/v1/colleges/{college}/chats/{chat}/messages/?before={message}",
    "api chat search": "/api/v1/colleges/{college}/chats/{chat}/messages/search/?q=Сообщение",
    "api chat members": "/api/v1/colleges/{college}/chats/{chat}/members/",
    "api chat reports": "/api/v1/colleges/{college}/chat-reports/",
    "api my chat reports": "/api/v1/colleges/{college}/chat-reports/mine/",
    "support queue": "/help/queue/",
    "support queue open": "/help/queue/?status=open",
    "support queue search": "/help/queue/?q=Иванов",
    "my questions": "/help/",
    "api support tickets": "/api/v1/colleges/{college}/support/tickets/",
    "api support tickets search": "/api/v1/colleges/{college}/support/tickets/?status=open&q=Иванов",
    "analytics joining": "/analytics/?days=90",
    "analytics invitations": "/analytics/invitations/?days=90",
    "analytics chats": "/analytics/chats/?days=90",
    "analytics sessions": "/analytics/sessions/?days=90",
    "analytics teachers": "/analytics/teachers/?days=90",
    "analytics teachers search": "/analytics/teachers/?days=90&q=Иванов",
    "analytics teachers export": "/analytics/teachers/?days=90&format=csv",
    "api analytics joining": "/api/v1/colleges/{college}/analytics/joining/?days=90",
    "api analytics sessions": "/api/v1/colleges/{college}/analytics/sessions/?days=90",
    "api analytics teachers": "/api/v1/colleges/{college}/analytics/teachers/?days=90",
}


def list_url(url: str, college, user) -> str | None:
    """``url`` of ``LIST_URLS`` filled in: ``{college}``, and for a list inside one chat ``{chat}`` (the
    latest chat ``user`` is in there) and ``{message}`` (its latest message); None when ``user`` is in none."""
    if "{chat}" not in url:
        return url.format(college=college.pk)
    from chats.models import ChatMember, Message

    current = ChatMember.objects.filter(member__user=user, member__college=college, left_at__isnull=True, banned=False)
    chat_id = current.order_by("-chat_id").values_list("chat_id", flat=True).first()
    if chat_id is None:
        return None
    message_id = Message.objects.filter(chat_id=chat_id).order_by("-pk").values_list("pk", flat=True).first()
    return url.format(college=college.pk, chat=chat_id, message=message_id or 0)


# Installation-wide tables a list may scan whole: a row per college, or the sign-in's own rows.
SMALL_TABLES = frozenset({"colleges_college", "django_session", "mfa_authenticator", "accounts_apitoken"})

_SCANS = {"Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Index Scan", "Bitmap Heap Scan"}


@dataclass
class Statement:
    sql: str
    plan: dict  # EXPLAIN's JSON: the top "Plan" with "Execution Time" and "Planning Time" beside it

    @property
    def cost(self) -> float:
        return self.plan["Plan"]["Total Cost"]

    @property
    def time_ms(self) -> float | None:
        return self.plan.get("Execution Time")


def big_tables() -> set[str]:
    """Tables that grow with the installation: every table with a ``college_id``, and the users."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT table_name FROM information_schema.columns "
            "WHERE column_name = 'college_id' AND table_schema = current_schema()"
        )
        return {row[0] for row in cursor.fetchall()} - SMALL_TABLES | {"accounts_user"}


def captured_statements(client, url: str) -> list[str]:
    """The SELECTs a GET of ``url`` runs (the page's own, not the sign-in's bookkeeping)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]


_NO_SCANS = ("enable_seqscan", "enable_sort")


def explain(sql: str, params=(), *, analyze: bool = False, index_only: bool = False) -> dict:
    """EXPLAIN's JSON of a statement.

    ``index_only`` asks whether an index *could* keep each table inside the
    college, and give the list its order: with Seq Scans and sorts off,
    PostgreSQL takes an index wherever one can serve, and reads a list in
    order from an index rather than sort it. A Seq Scan that stays is one no
    index can replace; an index walked whole (no Index Cond) is an order
    only an installation-wide index gives, as the movement list's was before
    its (college, effective_date, id) index.
    """
    options = "ANALYZE, BUFFERS, FORMAT JSON" if analyze else "FORMAT JSON"
    with connection.cursor() as cursor:
        if index_only:
            for setting in _NO_SCANS:
                cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(f"EXPLAIN ({options}) {sql}", params or None)
        plan = cursor.fetchone()[0]
        if index_only:
            for setting in _NO_SCANS:
                cursor.execute(f"RESET {setting}")
    return (plan if isinstance(plan, list) else json.loads(plan))[0]


def plan_text(plan: dict, node: dict | None = None, depth: int = 0) -> str:
    """The plan as indented lines (node, table, index, condition): what a failing guard shows."""
    node = node or plan["Plan"]
    parts = [node["Node Type"], node.get("Relation Name", ""), node.get("Index Name", "")]
    condition = node.get("Index Cond") or node.get("Hash Cond") or node.get("Filter") or ""
    line = "  " * depth + " ".join(p for p in parts if p) + (f"  [{condition[:120]}]" if condition else "")
    return "\n".join([line, *(plan_text(plan, child, depth + 1) for child in node.get("Plans", ()))])


def _nodes(node: dict):
    yield node
    for child in node.get("Plans", ()):
        yield from _nodes(child)


def whole_table_reads(plan: dict, tables: set[str]) -> list[str]:
    """The scans of ``plan`` that read a big table whole: a Seq Scan, or an index walked without a condition."""
    found = []
    for node in _nodes(plan["Plan"]):
        kind, table = node.get("Node Type"), node.get("Relation Name")
        if kind not in _SCANS or table not in tables:
            continue
        if kind == "Seq Scan":
            found.append(f"Seq Scan on {table} (filter: {node.get('Filter', '—')})")
        elif kind in ("Index Scan", "Index Only Scan") and not node.get("Index Cond"):
            found.append(f"{kind} on {table} using {node.get('Index Name')} without a condition")
    return found
