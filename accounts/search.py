"""Search and sort the way a college secretary expects, the same on PostgreSQL and SQLite.

A search ignores case, reads «ё» as «е» and finds a phone number typed in
any common form (``8 999 200-00-15``, ``+7 (999) 200-00-15``, ``200-00-15``).
``fold`` is the one normalization: it shapes the text stored on ``User``
(``search_text``, kept by ``User.fill_search_fields``) and every query.

People are searched in ``User.search_text`` (a plain ``LIKE '%…%'`` that the
trigram index ``accounts_user_search_trgm`` serves on PostgreSQL); other text
fields (group names, order numbers, titles) through the ``fold`` lookup, which
folds the column in SQL. A list that finds its rows by the people or groups
they point to looks them up among the college's own (``Within``), so the
search starts from one college's rows.
Lists of people are ordered by ``User.sort_name`` through ``name_order``.

A college's membership (``colleges.Membership``, a higher app) keeps copies of
its user's ``search_text`` and ``sort_name``, updated on ``user_names_changed``
(accounts/signals.py): lists of a college's people search and order by those
(``people=("",)``, ``name_order()`` on memberships), served by indexes led by
the college instead of every user of the installation.
"""

import operator
import re
from dataclasses import dataclass
from functools import reduce

from django.db.models import CharField, F, Q, QuerySet, TextField, Transform
from django.db.models.functions import Collate

_UPPER = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
_LOWER = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
# SQL spelling of fold(): lower() alone follows the database's locale (a "C"
# database leaves «Б» as it is), so Cyrillic is lowered by translate().
_SQL_FROM = _UPPER + "ё"
_SQL_TO = _LOWER.replace("ё", "е") + "е"

# A query made of digits and the usual phone separators is one phone number.
_PHONE_QUERY_RE = re.compile(r"^\+?[\d\s()\-.]+$")
_NOT_DIGIT_RE = re.compile(r"\D")


def fold(text: str | None) -> str:
    """Lower case, «ё» as «е», single spaces: the form stored text and queries are compared in."""
    return " ".join((text or "").lower().replace("ё", "е").split())


def phone_forms(phone: str | None) -> list[str]:
    """The digits of a Russian number in both ways people type it: ``79992000015`` and ``89992000015``."""
    digits = _NOT_DIGIT_RE.sub("", phone or "")
    if len(digits) == 11 and digits[0] in "78":
        return ["7" + digits[1:], "8" + digits[1:]]
    return [digits] if digits else []


def person_search_text(*, last_name="", first_name="", patronymic="", phone="", email="") -> str:
    """What a person is found by: the folded name, the phone in both forms and the e-mail."""
    parts = [fold(f"{last_name} {first_name} {patronymic}"), *phone_forms(phone), fold(email)]
    return " ".join(part for part in parts if part)


def sort_key(text: str | None) -> str:
    """A key whose code-point order is the Russian alphabet: case ignored, «ё» a letter between «е» and «ж».

    Lower-case «а»…«я» already follow the alphabet in Unicode, but «ё» stands
    apart (before «а» in upper case, after «я» in lower case). It becomes «е»
    followed by «ѐ», the code point right after «я», so «ёлкина» comes after
    every «е…» word and before «ж».
    """
    return " ".join((text or "").lower().split()).replace("ё", "е\u0450")


def person_sort_key(*, last_name="", first_name="", patronymic="") -> str:
    return sort_key(f"{last_name} {first_name} {patronymic}")


class Fold(Transform):
    """``field__fold__contains=fold(word)``: the field folded in SQL as ``fold`` does in Python."""

    lookup_name = "fold"
    output_field = TextField()

    def as_sql(self, compiler, connection):
        # SQLite: a Python function registered on every connection (accounts.apps).
        sql, params = compiler.compile(self.lhs)
        return f"sferum_fold({sql})", params

    def as_postgresql(self, compiler, connection):
        sql, params = compiler.compile(self.lhs)
        return f"translate(lower({sql}), %s, %s)", (*params, _SQL_FROM, _SQL_TO)


CharField.register_lookup(Fold)
TextField.register_lookup(Fold)


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: SQLite's lower() knows only ASCII, so fold runs in Python there."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("sferum_fold", 1, fold, deterministic=True)


@dataclass(frozen=True)
class Term:
    text: str  # folded, for text fields
    person: str  # for User.search_text: digits only when the term is a phone number or part of one


def search_terms(query: str | None) -> list[Term]:
    """Words of a query, folded. A query that is a phone number is one term however it is spaced."""
    text = fold(query)
    if not text:
        return []
    if _is_phone_like(text):
        return [Term(text=text, person=_NOT_DIGIT_RE.sub("", text))]
    return [
        Term(text=word, person=_NOT_DIGIT_RE.sub("", word) if _is_phone_like(word) else word) for word in text.split()
    ]


def _is_phone_like(text: str) -> bool:
    return bool(_PHONE_QUERY_RE.match(text)) and any(ch.isdigit() for ch in text)


@dataclass(frozen=True)
class Within:
    """Words found in rows that ``path`` points to, looked up among ``rows`` alone (one college's).

    ``search_q(q, within=[Within("person", Membership.objects.filter(college=c), people=("",))])``
    reads ``person_id IN (SELECT id FROM the college's memberships that match)``: the search
    starts from the college's rows, served by their ``college_id`` index, where a join on ``person__user``
    would let PostgreSQL hash every membership and user of the installation.
    """

    path: str  # the searched model's foreign key (``person``, ``to_group``), or ``pk``
    rows: QuerySet
    people: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    column: str = "pk"  # what ``path`` holds of a row: ``user_id`` when ``rows`` are memberships and ``path`` a user


def _term_q(term: Term, people, fields) -> list[Q]:
    alternatives = [Q(**{_path(person, "search_text__contains"): term.person}) for person in people]
    return alternatives + [Q(**{f"{field}__fold__contains": term.text}) for field in fields]


def search_q(query: str | None, *, people=(), fields=(), within: tuple[Within, ...] | list[Within] = ()) -> Q:
    """Each word of ``query`` found in one of the people (paths to a ``User``, ``""`` for User itself),
    fields, or rows ``within`` other tables.

    ``Q()`` (everything) for an empty query.
    """
    condition = Q()
    for term in search_terms(query):
        alternatives = _term_q(term, people, fields)
        for other in within:
            found = other.rows.filter(reduce(operator.or_, _term_q(term, other.people, other.fields)))
            alternatives.append(Q(**{f"{other.path}__in": found.order_by().values(other.column)}))
        condition &= reduce(operator.or_, alternatives)
    return condition


class _CodePointOrder(Collate):
    """Code-point order on every database: PostgreSQL's "C" collation; SQLite compares code points already."""

    def __init__(self, expression):
        super().__init__(expression, "C")

    def as_sqlite(self, compiler, connection, **extra_context):
        return compiler.compile(self.get_source_expressions()[0])


def name_order(person: str = ""):
    """Order by a person's name: «Борисова», «Еремина», «Ёлкина».

    ``person`` is the path to a row with a ``sort_name`` (a ``User``, or a membership, which copies it).
    """
    return _CodePointOrder(F(_path(person, "sort_name"))).asc()


def _path(person: str, field: str) -> str:
    return f"{person}__{field}" if person else field
