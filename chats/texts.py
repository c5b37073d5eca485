"""Sentences people read in chats (services raise them; tests import them).

Named ``texts`` rather than ``messages`` so that «messages» in this app means chat messages only.
"""

VIEW_DENIED = "Этот чат вам недоступен."
NOT_A_MEMBER = "Вы не участник этого чата."
LEFT_CHAT = "Вы больше не участник этого чата."
BANNED = "Вы заблокированы в этом чате."
MUTED_UNTIL = "Вы не можете писать в этот чат до {until}."
MUTED_INDEFINITELY = "Модератор запретил вам писать в этот чат до отмены."
READ_ONLY = "Чат доступен только для чтения."
ARCHIVED = "Чат в архиве: писать в него нельзя."
CHANNEL_POST_DENIED = "Писать в канал могут только его владельцы и модераторы."
EMPTY_MESSAGE = "Напишите сообщение или приложите файл."
MESSAGE_TOO_LONG = "Сообщение слишком длинное: не больше {limit} знаков."
TOO_MANY_ATTACHMENTS = "К сообщению можно приложить не больше {limit} файлов."
REPLY_ELSEWHERE = "Ответить можно только на сообщение этого чата."
EDIT_DENIED = "Изменить можно только своё сообщение в течение {minutes} минут после отправки."
DELETE_DENIED = "Удалить можно только своё сообщение."
ALREADY_DELETED = "Сообщение уже удалено."
MODERATE_DENIED = "Это могут делать только владельцы и модераторы чата."
MANAGE_DENIED = "Изменять чат могут только его владельцы и администратор колледжа."
REASON_REQUIRED = "Укажите причину."
MODERATED_PLACEHOLDER = "Сообщение удалено модератором"
DELETED_PLACEHOLDER = "Сообщение удалено"
CREATE_DENIED = "Создавать такой чат вам не разрешено."
TITLE_REQUIRED = "Укажите название чата."
ALREADY_EXISTS = "Такой чат уже есть."
DIRECT_DENIED = "Написать этому человеку лично нельзя."
FOREIGN_MEMBER = "Добавить можно только участника этого колледжа."
SAFE_MODE_MEMBER = (
    "Этого человека нельзя добавить в чат: родители общаются с педагогами в чатах своих групп "
    "и не видят обучающихся других групп."
)
MEMBER_BANNED = "Этот человек заблокирован в чате: сначала снимите блокировку."
NOT_IN_CHAT = "Этого человека нет в чате."
MUTE_IN_PAST = "Укажите время в будущем."
CANNOT_MODERATE_OWNER = "Владельца чата нельзя ограничить."
REPORT_DENIED = "Пожаловаться на это сообщение нельзя."
REPORT_OPEN = "Вы уже пожаловались на это сообщение; жалоба рассматривается."
REPORT_DECIDED = "Жалоба уже рассмотрена."
REACTION_UNKNOWN = "Такой реакции нет."
SEARCH_TOO_SHORT = "Введите хотя бы два знака."
DIRECT_NO_STATUS = "Личный чат нельзя перевести в архив или только чтение."
LEAVE_ROSTER = (
    "Из этого чата нельзя выйти: его состав следует за списком группы или колледжа. "
    "Отключите уведомления чата, если они мешают."
)
ROLE_UNKNOWN = "Неизвестная роль."

# System messages written into a chat.
SYSTEM_JOINED = "{name} в чате"
SYSTEM_LEFT = "{name} больше не в чате"
SYSTEM_STATUS = {
    "active": "Чат снова открыт для сообщений",
    "read_only": "Чат переведён в режим «только чтение»",
    "archived": "Чат перенесён в архив",
}

# Report outcomes the reporter reads when a moderator wrote none.
OUTCOME_UPHELD = "Сообщение удалено модератором."
OUTCOME_DISMISSED = "Нарушений не найдено."

# Titles of the chats the roster sync creates.
COLLEGE_CHAT_TITLE = "{college}: весь колледж"
STAFF_CHAT_TITLE = "{college}: сотрудники"
GROUP_CHAT_TITLE = "Группа {group}"
PARENTS_CHAT_TITLE = "Родители группы {group}"
SUBJECT_CHAT_TITLE = "{group}: {discipline}"

# Web Push of a mention or a direct message (chats.services.push).
PUSH_TITLE = "{author} в чате «{chat}»"
PUSH_ATTACHMENT_ONLY = "Вложение"
