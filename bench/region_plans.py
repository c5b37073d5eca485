"""The plans of every college list on a region's database: cost, time and whole-table reads per statement.

Run against a database that already holds several colleges (``bench/region.py``
builds one; any copy of a region works):

    DATABASE_URL=postgres://…/region .venv/bin/python bench/region_plans.py [--college ID]

It signs in as an administrator of the first college (made here, with TOTP,
if the college has none), opens each list of ``tests/region_plans.py`` and
prints, per page, the statements' summed EXPLAIN ANALYZE time, the costliest
statement's cost and time, and any scan that reads a table whole.
Read-only apart from that one administrator.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sferum_admin.settings_test")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--college", type=int, help="the college's id (default: the first)")
    parser.add_argument("--only", help="only the lists whose name contains this")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from accounts.models import User
    from colleges.models import College, Membership, Role
    from tests.conftest import add_totp
    from tests.region_plans import LIST_URLS, big_tables, captured_statements, explain, list_url, whole_table_reads

    settings.ALLOWED_HOSTS = ["*"]
    college = College.objects.get(pk=args.college) if args.college else College.objects.order_by("pk").first()
    membership = Membership.objects.filter(college=college, role=Role.ADMINISTRATOR, status="active").first()
    if membership is None:
        user, _ = User.objects.get_or_create(phone="+70000000001", defaults={"last_name": "Замеров"})
        membership = Membership.objects.create(user=user, college=college, role=Role.ADMINISTRATOR)
        add_totp(user)
    client = Client()
    client.force_login(membership.user)
    tables = big_tables()
    print(
        f"college {college.pk}: {Membership.objects.filter(college=college).count()} memberships, "
        f"{User.objects.count()} users in the installation"
    )
    print(f"{'list':28} {'stmts':>5} {'sum ms':>8} {'max cost':>10} {'max ms':>8}  whole-table reads")
    for name, url in LIST_URLS.items():
        if args.only and args.only not in name:
            continue
        url = list_url(url, college, membership.user)
        if url is None:
            print(f"{name:28} skipped: the administrator is in no chat of the college")
            continue
        statements = captured_statements(client, url)
        plans = [explain(sql, analyze=True) for sql in statements]
        worst = max(plans, key=lambda plan: plan["Execution Time"])
        reads = sorted({read for plan in plans for read in whole_table_reads(plan, tables)})
        total = sum(plan["Execution Time"] for plan in plans)
        print(
            f"{name:28} {len(plans):5} {total:8.2f} {worst['Plan']['Total Cost']:10.0f} "
            f"{worst['Execution Time']:8.2f}  {'; '.join(reads)}"
        )


if __name__ == "__main__":
    main()
