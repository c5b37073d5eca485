"""What the invitations app tells people: every sentence its pages, API and SMS show, imported by the tests."""

from invitations.models import InvitationUse

ASK_WHOM = "Обратитесь к куратору группы или к администратору платформы колледжа, чтобы получить новую ссылку."
FORGED_MESSAGE = "Такой ссылки-приглашения нет. Проверьте, что ссылка скопирована целиком. " + ASK_WHOM
EXPIRED_MESSAGE = "Срок действия ссылки-приглашения истёк. " + ASK_WHOM
REVOKED_MESSAGE = "Ссылка-приглашение отозвана и больше не действует. " + ASK_WHOM
USED_UP_MESSAGE = "По этой ссылке уже присоединилось максимальное число участников. " + ASK_WHOM
PAUSED_MESSAGE = (
    "Ссылка-приглашение временно приостановлена администратором. "
    "Попробуйте позже или обратитесь к администратору платформы колледжа."
)
PARENT_LINK_IN_STUDENT_SESSION_MESSAGE = (
    "Это приглашение для родителя (законного представителя), а вы вошли как обучающийся. "
    "Передайте ссылку родителю: пусть он откроет её на своём телефоне и войдёт по своему номеру."
)
NOT_ADDRESSEE_MESSAGE = (
    "Это персональное приглашение для другого человека. Войдите с тем номером телефона или e-mail, "
    "на который пришло приглашение, или попросите своё приглашение у администратора платформы колледжа."
)
ALREADY_MEMBER_MESSAGE = "Вы уже участник колледжа с этой ролью — присоединяться ещё раз не нужно."
JOINED_MESSAGE = "Вы присоединились к колледжу."
REQUESTED_MESSAGE = "Заявка на вступление отправлена. Администратор рассмотрит её, и вы получите SMS с ответом."
TRANSFER_REQUESTED_MESSAGE = (
    "Вы уже обучаетесь в другой группе, поэтому отправлена заявка на перевод. "
    "Администратор рассмотрит её, и вы получите SMS с ответом."
)
ADMINISTRATOR_NOT_INVITED_MESSAGE = (
    "Администратора платформы назначает директор колледжа приказом — пригласить на эту роль по ссылке нельзя."
)
ALREADY_DECIDED_MESSAGE = "Заявка уже рассмотрена."
TRANSFER_BY_REQUEST_REASON = "Перевод по одобренной заявке на вступление в группу"
REASON_REQUIRED_MESSAGE = "Укажите причину отказа."
DISPATCH_NOT_STUCK_MESSAGE = "Рассылка не зависла: она завершена или ещё отправляется. Обновите страницу."

PROBLEM_MESSAGES = {
    InvitationUse.Result.EXPIRED: EXPIRED_MESSAGE,
    InvitationUse.Result.REVOKED: REVOKED_MESSAGE,
    InvitationUse.Result.USED_UP: USED_UP_MESSAGE,
    InvitationUse.Result.PAUSED: PAUSED_MESSAGE,
}
