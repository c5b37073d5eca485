"""Chats of a college: who is in them, what they wrote, and what moderators did about it.

Invariants the database keeps (partial unique constraints below): one college
chat and one staff chat per college, one group chat and one parents' chat per
study group, one subject chat per (group, discipline), one direct chat per pair
of people, one membership row per (chat, member) — leaving and coming back
reuse the row, which is what makes the roster sync idempotent.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property

from chats.storage import ChatsStorage
from core.files import random_stored_name
from core.urls import pk_url


class ChatKind(models.TextChoices):
    COLLEGE = "college", "весь колледж"
    STAFF = "staff", "сотрудники"
    STUDY_GROUP = "study_group", "чат группы"
    SUBJECT = "subject", "учебный чат"
    PARENTS = "parents", "родители группы"
    CHANNEL = "channel", "канал объявлений"
    FREE = "free", "чат"
    DIRECT = "direct", "личный чат"


# Kinds whose members follow the roster (chats.services.sync); the rest are filled by hand or by link.
ROSTER_KINDS = frozenset({ChatKind.COLLEGE, ChatKind.STAFF, ChatKind.STUDY_GROUP, ChatKind.SUBJECT, ChatKind.PARENTS})
# Kinds that belong to one study group.
GROUP_KINDS = frozenset({ChatKind.STUDY_GROUP, ChatKind.SUBJECT, ChatKind.PARENTS})
# Whether a newcomer reads the history from before they joined, when the creator does not say.
HISTORY_VISIBLE_DEFAULT = {
    ChatKind.COLLEGE: False,
    ChatKind.STAFF: True,
    ChatKind.STUDY_GROUP: True,
    ChatKind.SUBJECT: True,
    ChatKind.PARENTS: False,
    ChatKind.CHANNEL: True,
    ChatKind.FREE: True,
    ChatKind.DIRECT: True,
}


class Chat(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "активен"
        READ_ONLY = "read_only", "только чтение"
        ARCHIVED = "archived", "в архиве"

    college = models.ForeignKey("colleges.College", on_delete=models.CASCADE, related_name="+", verbose_name="колледж")
    kind = models.CharField("вид", max_length=16, choices=ChatKind.choices)
    title = models.CharField("название", max_length=200)
    study_group = models.ForeignKey(
        "groups.StudyGroup",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="chats",
        verbose_name="учебная группа",
    )
    discipline = models.ForeignKey(
        "groups.Discipline",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chats",
        verbose_name="дисциплина",
    )
    status = models.CharField("состояние", max_length=16, choices=Status.choices, default=Status.ACTIVE)
    history_visible = models.BooleanField("новым участникам видна история", default=True)
    # «min_user_id:max_user_id» of the two people of a direct chat; empty for every other kind.
    direct_key = models.CharField("пара", max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="создал",
    )
    created_at = models.DateTimeField("создан", auto_now_add=True)
    last_message_at = models.DateTimeField("последнее сообщение", null=True, blank=True)
    # Bumped in the transaction of every write the history shows (a message posted, edited, deleted, pinned,
    # a reaction): the cached newest page (chats.fragments.history_part) is keyed by it.
    history_version = models.PositiveBigIntegerField("версия истории", default=0)

    class Meta:
        verbose_name = "чат"
        verbose_name_plural = "чаты"
        constraints = [
            models.UniqueConstraint(fields=["college"], condition=Q(kind="college"), name="chat_one_college_chat"),
            models.UniqueConstraint(fields=["college"], condition=Q(kind="staff"), name="chat_one_staff_chat"),
            models.UniqueConstraint(
                fields=["study_group"], condition=Q(kind="study_group"), name="chat_one_group_chat"
            ),
            models.UniqueConstraint(fields=["study_group"], condition=Q(kind="parents"), name="chat_one_parents_chat"),
            models.UniqueConstraint(
                fields=["study_group", "discipline"], condition=Q(kind="subject"), name="chat_one_subject_chat"
            ),
            models.UniqueConstraint(
                fields=["college", "direct_key"], condition=Q(kind="direct"), name="chat_one_direct_chat_per_pair"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["study_group", "parents", "subject"]) | Q(study_group__isnull=False),
                name="chat_group_kinds_have_group",
            ),
            models.CheckConstraint(
                condition=~Q(kind="subject") | Q(discipline__isnull=False), name="chat_subject_has_discipline"
            ),
        ]
        indexes = [
            models.Index(fields=["college", "kind", "status"]),
            models.Index(fields=["college", "last_message_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_writable(self) -> bool:
        return self.status == self.Status.ACTIVE

    @cached_property
    def page_url(self) -> str:
        """The chat page's address, reversed once per instance: a page of history builds each message's
        «⋯» link (``chats:message``, ``<page_url>m/<id>/``) off it instead of reversing 50 times."""
        return pk_url("chats:chat", self.pk)


class ChatMember(models.Model):
    """A membership in a chat. Leaving sets ``left_at``; coming back clears it on the same row."""

    class Role(models.TextChoices):
        OWNER = "owner", "владелец"
        MODERATOR = "moderator", "модератор"
        MEMBER = "member", "участник"

    class Source(models.TextChoices):
        ROSTER = "roster", "по списку группы"
        MANUAL = "manual", "добавлен вручную"
        LINK = "link", "по ссылке"

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="members", verbose_name="чат")
    member = models.ForeignKey(
        "colleges.Membership", on_delete=models.CASCADE, related_name="chat_memberships", verbose_name="участник"
    )
    role = models.CharField("роль", max_length=16, choices=Role.choices, default=Role.MEMBER)
    source = models.CharField("как добавлен", max_length=16, choices=Source.choices, default=Source.MANUAL)
    joined_at = models.DateTimeField("вступил")
    left_at = models.DateTimeField("вышел", null=True, blank=True)
    # A banned member is not added back by hand, by a link or by the roster sync (which skips the row).
    banned = models.BooleanField("заблокирован", default=False)
    muted_until = models.DateTimeField("не может писать до", null=True, blank=True)
    # The last message id the member has read: unread = visible messages with a greater id.
    last_read_message_id = models.BigIntegerField("прочитано до сообщения", default=0)
    # The first message id the member sees (history hidden from newcomers); 0 = the whole history.
    first_visible_message_id = models.BigIntegerField("видит сообщения начиная с", default=0)
    push_enabled = models.BooleanField("уведомления на устройство", default=True)

    class Meta:
        verbose_name = "участник чата"
        verbose_name_plural = "участники чатов"
        constraints = [models.UniqueConstraint(fields=["chat", "member"], name="chat_member_unique")]
        indexes = [models.Index(fields=["member", "left_at"]), models.Index(fields=["chat", "left_at", "role"])]

    def __str__(self) -> str:
        return f"{self.member_id} в {self.chat_id}"

    @property
    def is_current(self) -> bool:
        return self.left_at is None and not self.banned

    @property
    def role_badge(self) -> str:
        """«владелец» or «модератор» beside a name in the members list; nothing for a plain member."""
        return "" if self.role == self.Role.MEMBER else self.get_role_display()


class Message(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", "сообщение"
        SYSTEM = "system", "служебное"

    # No index of its own: the (college, id) index below leads with it.
    college = models.ForeignKey(
        "colleges.College", on_delete=models.CASCADE, related_name="+", verbose_name="колледж", db_index=False
    )
    # No index of its own: the (chat, id) index below leads with it.
    chat = models.ForeignKey(
        Chat, on_delete=models.CASCADE, related_name="messages", verbose_name="чат", db_index=False
    )
    author = models.ForeignKey(
        "colleges.Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chat_messages",
        verbose_name="автор",
    )
    kind = models.CharField("вид", max_length=16, choices=Kind.choices, default=Kind.TEXT)
    text = models.TextField("текст", blank=True)
    # ``text`` as safe HTML (chats.formatting.render_message with its mentions), written with the text by the
    # chats services, so a page of history outputs it instead of sanitising 50 texts per view. Empty only for a
    # row written around the services: ``chats.selectors`` renders those on the fly.
    text_html = models.TextField("текст в HTML", blank=True, editable=False)
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="ответ на"
    )
    created_at = models.DateTimeField("отправлено", auto_now_add=True)
    edited_at = models.DateTimeField("изменено", null=True, blank=True)
    deleted_at = models.DateTimeField("удалено", null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when a moderator removed it (kept, hidden from members); empty when the author deleted their own.
    delete_reason = models.CharField("причина удаления", max_length=500, blank=True)
    pinned_at = models.DateTimeField("закреплено", null=True, blank=True)
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "сообщение"
        verbose_name_plural = "сообщения"
        indexes = [
            models.Index(fields=["chat", "id"], name="chat_message_chat_id"),
            # The search across a person's chats reads the newest first within the college, not the installation.
            models.Index(fields=["college", "id"], name="chat_message_college_id"),
            # The analytics page counts a period's messages of the college without reading its whole history.
            models.Index(fields=["college", "created_at"], name="chat_message_college_created"),
            # The chat page's pinned messages: a handful of rows, found without reading the chat's whole history.
            models.Index(
                fields=["chat", "pinned_at"], condition=Q(pinned_at__isnull=False), name="chat_message_pinned"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} в {self.chat_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_moderated(self) -> bool:
        return self.deleted_at is not None and bool(self.delete_reason)


class MessageMention(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="mentions")
    member = models.ForeignKey("colleges.Membership", on_delete=models.CASCADE, related_name="chat_mentions")

    class Meta:
        verbose_name = "упоминание"
        verbose_name_plural = "упоминания"
        constraints = [models.UniqueConstraint(fields=["message", "member"], name="chat_mention_unique")]
        indexes = [models.Index(fields=["member", "message"])]


class Reaction(models.TextChoices):
    LIKE = "👍", "нравится"
    HEART = "❤️", "сердце"
    LAUGH = "😂", "смешно"
    WOW = "😮", "удивление"
    SAD = "😢", "грустно"
    DONE = "✅", "сделано"


class MessageReaction(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    member = models.ForeignKey("colleges.Membership", on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField("реакция", max_length=8, choices=Reaction.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "реакция"
        verbose_name_plural = "реакции"
        constraints = [
            models.UniqueConstraint(fields=["message", "member", "emoji"], name="chat_reaction_unique"),
        ]


def attachment_upload_to(instance: "MessageAttachment", filename: str) -> str:
    return random_stored_name(instance.college_id, filename)


class MessageAttachment(models.Model):
    """A file attached to a message: checked by content (``core.files``), stored privately."""

    college = models.ForeignKey("colleges.College", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("файл", upload_to=attachment_upload_to, storage=ChatsStorage(), max_length=255)
    original_name = models.CharField("имя файла", max_length=255)
    content_type = models.CharField("тип", max_length=100)
    size = models.PositiveBigIntegerField("размер")

    class Meta:
        verbose_name = "вложение"
        verbose_name_plural = "вложения"

    def __str__(self) -> str:
        return self.original_name


class MessageReport(models.Model):
    """A member's complaint about a message; the chat's moderators or the administrator decide."""

    class Status(models.TextChoices):
        OPEN = "open", "на рассмотрении"
        UPHELD = "upheld", "сообщение удалено"
        DISMISSED = "dismissed", "отклонена"

    college = models.ForeignKey("colleges.College", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey("colleges.Membership", on_delete=models.CASCADE, related_name="chat_reports")
    reason = models.CharField("причина", max_length=500)
    status = models.CharField("состояние", max_length=16, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("рассмотрена", null=True, blank=True)
    outcome = models.CharField("решение", max_length=500, blank=True)
    created_at = models.DateTimeField("подана", auto_now_add=True)

    class Meta:
        verbose_name = "жалоба"
        verbose_name_plural = "жалобы"
        constraints = [
            # One open report per member and message: pressing «Пожаловаться» twice files one.
            models.UniqueConstraint(
                fields=["message", "reporter"], condition=Q(status="open"), name="chat_report_one_open"
            ),
        ]
        indexes = [models.Index(fields=["college", "status", "created_at"])]


class ChatSettings(models.Model):
    """A college's chat settings, owned by chats (a row appears on the first change)."""

    college = models.OneToOneField("colleges.College", on_delete=models.CASCADE, related_name="+")
    parents_chat_per_group = models.BooleanField("создавать чат родителей для каждой группы", default=True)

    class Meta:
        verbose_name = "настройки чатов"
        verbose_name_plural = "настройки чатов"
