"""Who writes which table: every INSERT, UPDATE and DELETE into a project table must be issued by
code of the app that owns the table (DESIGN.md: an app writes only its own tables; others call its
services). The issuer is the innermost frame of project code below `core/` on the call stack when
the statement runs, so `Enrollment.objects.create()` called from movement counts as movement's,
while `groups.services.enrollments_start_many()` called from movement counts as groups'.

    with writes_owned() as writes:
        invitation_accept(...)
    assert writes  # the statements it saw, as (app of the table, issuing app, table)
"""

import contextlib
import inspect
import re
from pathlib import Path

from django.apps import apps
from django.db import connection

from tests.test_layers import LAYERS

ROOT = Path(__file__).resolve().parent.parent
# The apps that own tables: every layer of tests/test_layers.py but the kernel and the shell.
PROJECT_APPS = set(LAYERS) - {"core", "sferum_admin"}
# SQLite spells a bulk insert that skips conflicts «INSERT OR IGNORE INTO».
_WRITE = re.compile(r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def _table_owners() -> dict[str, str]:
    owners = {}
    for model in apps.get_models(include_auto_created=True):
        owners[model._meta.db_table] = model._meta.app_label
    return owners


def _app_of_file(filename: str) -> str | None:
    try:
        parts = Path(filename).resolve().relative_to(ROOT).parts
    except ValueError:
        return None
    if not parts or parts[0] in ("tests", ".venv", "core", "bench") or "site-packages" in parts:
        return None
    return parts[0] if parts[0] in PROJECT_APPS else None


def _issuing_app() -> str | None:
    for frame in inspect.stack(context=0):
        app = _app_of_file(frame.filename)
        if app:
            return app
    return None


@contextlib.contextmanager
def writes_owned():
    """Fails at the end of the block if a project table was written by another app's code."""
    owners = _table_owners()
    seen: list[tuple[str, str | None, str]] = []

    def watch(execute, sql, params, many, context):
        match = _WRITE.match(sql)
        if match and match.group(1) in owners:
            table = match.group(1)
            seen.append((owners[table], _issuing_app(), table))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        yield seen
    foreign = sorted({(table, issuer) for owner, issuer, table in seen if issuer != owner and owner in PROJECT_APPS})
    assert not foreign, "tables written by an app that does not own them: " + ", ".join(
        f"{table} by {issuer}" for table, issuer in foreign
    )
