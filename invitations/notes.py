"""What a person is told about their own join requests (home page and the link's page)."""

from django.utils.translation import gettext as _

from invitations.models import JoinRequest
from invitations.selectors import join_request_pending_of

JOIN_REQUEST_WAITING_MESSAGE = (
    "Ваша заявка на вступление в «%(college)s» (%(role)s) ждёт решения администратора. "
    "Открывать ссылку снова не нужно: когда администратор рассмотрит заявку, придёт SMS."
)


def join_request_waiting(join_request: JoinRequest) -> str:
    role = join_request.get_role_display()
    if join_request.group_id:
        role = f"{role}, {join_request.group.name}"
    return _(JOIN_REQUEST_WAITING_MESSAGE) % {"college": join_request.college.short_name, "role": role}


def pending_join_request_notes(request) -> list[str]:
    """The home page's notes: one sentence per request still waiting."""
    return [join_request_waiting(join_request) for join_request in join_request_pending_of(user=request.user)]
