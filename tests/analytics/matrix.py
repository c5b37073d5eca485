"""Permission matrix rows of the analytics pages and API.

The administration and the administrator see every section; a curator sees «Подключение» (of their groups);
a teacher without a group, a student and a parent are refused (403). Another college's administrator opens
the pages in their own college (200: the pages show the current college) and gets 404 for the main
college's API, as for any college not theirs.
"""

from tests.matrix import Case, college_api_for, in_college, page_for

VIEWERS = ("administration", "administrator", "other_administrator")
SECTIONS = ("invitations", "chats", "sessions", "teachers")

CASES = [
    Case("analytics:joining", page_for(*VIEWERS, "curator")),
    Case("analytics:joining", page_for(*VIEWERS, "curator"), query="format=xlsx", id="analytics:joining:xlsx"),
    *(Case(f"analytics:{section}", page_for(*VIEWERS)) for section in SECTIONS),
    *(
        Case(f"analytics:{section}", page_for(*VIEWERS), query="format=csv", id=f"analytics:{section}:csv")
        for section in SECTIONS
    ),
    Case("api:analytics-joining", college_api_for("administration", "administrator", "curator"), kwargs=in_college()),
    *(
        Case(f"api:analytics-{section}", college_api_for("administration", "administrator"), kwargs=in_college())
        for section in SECTIONS
    ),
]
