"""Every write of the invitations app, by flow: one transaction each, permission checked, audited.

- ``links``: creating, revoking, renewing, pausing links, handing them to curators, sending one by SMS;
- ``acceptance``: following a link (joining, or filing a join request);
- ``join_requests``: approving, rejecting and closing join requests;
- ``dispatch``: bulk personal invitations sent by Celery.

Reads are in ``invitations.selectors``, the sentences people read in ``invitations.messages``.
"""

from invitations.services.acceptance import AcceptResult, invitation_accept, invitation_accept_by_token
from invitations.services.dispatch import (
    bulk_dispatch_create,
    bulk_dispatch_enqueue,
    bulk_dispatch_requeue,
    bulk_dispatch_requeue_stuck,
    bulk_dispatch_send_batch,
    invitation_deliver,
)
from invitations.services.join_requests import (
    join_request_approve,
    join_request_reject,
    join_requests_close_for_student,
    join_requests_decide,
)
from invitations.services.links import (
    group_parent_link,
    invitation_create,
    invitation_regenerate,
    invitation_revoke,
    invitation_send_link,
    invitation_send_to,
    invitation_set_paused,
    invitation_target_check,
    invitations_hand_to_curator,
)

__all__ = [
    "AcceptResult",
    "bulk_dispatch_create",
    "bulk_dispatch_enqueue",
    "bulk_dispatch_requeue",
    "bulk_dispatch_requeue_stuck",
    "bulk_dispatch_send_batch",
    "group_parent_link",
    "invitation_accept",
    "invitation_accept_by_token",
    "invitation_create",
    "invitation_deliver",
    "invitation_regenerate",
    "invitation_revoke",
    "invitation_send_link",
    "invitation_send_to",
    "invitation_set_paused",
    "invitation_target_check",
    "invitations_hand_to_curator",
    "join_request_approve",
    "join_request_reject",
    "join_requests_close_for_student",
    "join_requests_decide",
]
