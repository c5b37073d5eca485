"""The checker of tests/write_owners.py itself: it sees writes, names their issuer, and fails on a
table written by code outside its owning app."""

import pytest

from audit.services import audit_log
from tests.factories import CollegeFactory, UserFactory
from tests.write_owners import _WRITE, _app_of_file, writes_owned

pytestmark = pytest.mark.django_db


def test_it_names_the_app_of_a_file():
    assert _app_of_file("groups/services.py") == "groups"
    assert _app_of_file("movement/services.py") == "movement"
    assert _app_of_file("core/cache.py") is None
    assert _app_of_file("tests/factories.py") is None


def test_a_write_through_the_owning_service_passes():
    college, user = CollegeFactory(), UserFactory()
    with writes_owned() as writes:
        audit_log(actor=user, college=college, action="test.checked", target=college)
    assert ("audit", "audit", "audit_auditevent") in writes


def test_a_write_from_elsewhere_fails():
    with pytest.raises(AssertionError, match="colleges_college by None"):
        with writes_owned():
            CollegeFactory()


@pytest.mark.parametrize(
    "sql",
    [
        'INSERT INTO "accounts_user" ("phone") VALUES (%s)',
        'INSERT OR IGNORE INTO "accounts_user" ("phone") VALUES (%s)',  # SQLite's bulk insert skipping conflicts
        'UPDATE "accounts_user" SET "phone" = %s',
        'DELETE FROM "accounts_user" WHERE "id" = %s',
    ],
)
def test_it_reads_the_table_of_every_kind_of_write(sql):
    assert _WRITE.match(sql).group(1) == "accounts_user"
