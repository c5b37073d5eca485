"""Every write of the colleges app: one transaction each, permission checked, audited.

By flow: ``applications`` (a college joins the platform), ``memberships`` (people given and
taken a role), ``staff`` (employees added, the administrator appointed), ``profile``
(the college's profile and departments).
"""

from colleges.services.applications import (
    APPLICATION_ALREADY_REVIEWED_MESSAGE,
    APPLICATION_FIELDS,
    DUPLICATE_INN_APPLICATION_MESSAGE,
    DUPLICATE_INN_COLLEGE_MESSAGE,
    REJECTION_REASON_REQUIRED_MESSAGE,
    REVIEW_DENIED_MESSAGE,
    college_application_approve,
    college_application_reject,
    college_application_submit,
    sign_in_url,
)
from colleges.services.memberships import (
    MEMBERSHIP_EXISTS_MESSAGE,
    membership_create,
    membership_create_unchecked,
    membership_end,
    membership_end_unchecked,
    memberships_add_many,
    memberships_add_many_unchecked,
    memberships_end_many,
    memberships_end_many_unchecked,
)
from colleges.services.profile import (
    DEPARTMENT_HAS_GROUPS_MESSAGE,
    DEPARTMENT_NAME_TAKEN_MESSAGE,
    MANAGE_DENIED_MESSAGE,
    PROFILE_FIELDS,
    college_update,
    department_create,
    department_delete,
    department_update,
)
from colleges.services.staff import (
    ALREADY_ADMINISTRATOR_MESSAGE,
    APPOINT_DENIED_MESSAGE,
    HIRE_ROLE_MESSAGE,
    administrator_appoint,
    staff_add,
)

__all__ = [
    "ALREADY_ADMINISTRATOR_MESSAGE",
    "APPLICATION_ALREADY_REVIEWED_MESSAGE",
    "APPLICATION_FIELDS",
    "APPOINT_DENIED_MESSAGE",
    "DEPARTMENT_HAS_GROUPS_MESSAGE",
    "DEPARTMENT_NAME_TAKEN_MESSAGE",
    "DUPLICATE_INN_APPLICATION_MESSAGE",
    "DUPLICATE_INN_COLLEGE_MESSAGE",
    "HIRE_ROLE_MESSAGE",
    "MANAGE_DENIED_MESSAGE",
    "MEMBERSHIP_EXISTS_MESSAGE",
    "PROFILE_FIELDS",
    "REJECTION_REASON_REQUIRED_MESSAGE",
    "REVIEW_DENIED_MESSAGE",
    "administrator_appoint",
    "college_application_approve",
    "college_application_reject",
    "college_application_submit",
    "college_update",
    "department_create",
    "department_delete",
    "department_update",
    "membership_create",
    "membership_create_unchecked",
    "membership_end",
    "membership_end_unchecked",
    "memberships_add_many",
    "memberships_add_many_unchecked",
    "memberships_end_many",
    "memberships_end_many_unchecked",
    "sign_in_url",
    "staff_add",
]
