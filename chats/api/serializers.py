"""Serializers of the chats API: what a chat, a member, a message and a report look like to the caller.

Messages are serialized as ``chats.selectors`` shape them: ``text`` is empty and ``html`` is the
placeholder for a deleted message, ``delete_reason`` is filled for the chat's moderators only, ``html`` is
``chats.formatting.render_message``'s safe HTML (links, line breaks, mentions; everything typed escaped).
"""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from chats.models import Chat, ChatKind, ChatMember, Message, MessageAttachment, MessageReport, Reaction
from chats.services.messages import MAX_ATTACHMENTS, MAX_TEXT
from chats.services.moderation import MAX_REASON
from colleges.api_base import CollegeRelatedField
from colleges.models import Membership
from core.dates import ApiDateTimeField
from groups.models import Discipline, StudyGroup

# Kinds a person creates through the API (direct chats: ``chats/direct/``).
CREATABLE_KINDS = [(kind.value, kind.label) for kind in ChatKind if kind != ChatKind.DIRECT]


class AuthorSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Membership id of the author in the college.")
    name = serializers.CharField()


def _author(membership: Membership | None) -> dict | None:
    if membership is None:
        return None
    return {"id": membership.pk, "name": membership.user.short_name}


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = MessageAttachment
        fields = ["id", "name", "content_type", "size", "download_url"]

    def get_download_url(self, obj) -> str:
        chat_id = obj.message.chat_id
        return reverse(
            "api:chat-attachment-detail", kwargs={"college_id": obj.college_id, "chat_pk": chat_id, "pk": obj.pk}
        )


class ReactionSummarySerializer(serializers.Serializer):
    emoji = serializers.CharField()
    count = serializers.IntegerField()
    mine = serializers.BooleanField(help_text="Whether the caller put this reaction.")


class ReplyPreviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.CharField()
    text = serializers.CharField(help_text="The first 140 characters, or the placeholder of a deleted message.")


class MessageSerializer(serializers.Serializer):
    """A message as the caller may read it (a selector's shaped message)."""

    id = serializers.IntegerField()
    chat = serializers.IntegerField(source="chat_id")
    kind = serializers.ChoiceField(choices=Message.Kind.choices)
    author = serializers.SerializerMethodField()
    text = serializers.CharField(help_text="The text as typed; empty for a deleted message.")
    html = serializers.CharField(help_text="Safe HTML of the text (links, line breaks, mentions).")
    created_at = ApiDateTimeField()
    edited_at = ApiDateTimeField(allow_null=True)
    deleted = serializers.BooleanField(source="hidden")
    moderated = serializers.BooleanField(source="is_moderated", help_text="Deleted by a moderator.")
    delete_reason = serializers.CharField(
        source="moderation_reason", help_text="The moderator's reason; filled for the chat's moderators only."
    )
    pinned = serializers.SerializerMethodField()
    reply_to = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    reactions = serializers.SerializerMethodField()

    @extend_schema_field(AuthorSerializer(allow_null=True))
    def get_author(self, obj) -> dict | None:
        return _author(obj.author)

    def get_pinned(self, obj) -> bool:
        return obj.pinned_at is not None and not obj.hidden

    @extend_schema_field(ReplyPreviewSerializer(allow_null=True))
    def get_reply_to(self, obj) -> dict | None:
        return getattr(obj, "reply_preview", None)

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, obj) -> list:
        # A deleted message's files go with its text (its moderators still reach them by id to decide a report).
        files = getattr(obj, "files", None)  # listed by the history's selectors; a search result has none
        if obj.hidden or files is None:
            return []
        return AttachmentSerializer(files, many=True).data

    @extend_schema_field(ReactionSummarySerializer(many=True))
    def get_reactions(self, obj) -> list:
        summary = getattr(obj, "reactions_summary", [])
        return [{"emoji": emoji, "count": count, "mine": mine} for emoji, count, mine in summary]


class FoundMessageSerializer(MessageSerializer):
    chat_title = serializers.CharField(source="chat.title")


class LastMessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.SerializerMethodField()
    text = serializers.CharField()
    html = serializers.CharField()
    created_at = ApiDateTimeField()
    deleted = serializers.BooleanField(source="hidden")

    @extend_schema_field(AuthorSerializer(allow_null=True))
    def get_author(self, obj) -> dict | None:
        return _author(obj.author)


class ChatSerializer(serializers.ModelSerializer):
    study_group = serializers.IntegerField(source="study_group_id", allow_null=True)
    discipline = serializers.IntegerField(source="discipline_id", allow_null=True)
    last_message_at = ApiDateTimeField(allow_null=True)
    created_at = ApiDateTimeField()

    class Meta:
        model = Chat
        fields = [
            "id",
            "kind",
            "title",
            "status",
            "history_visible",
            "study_group",
            "discipline",
            "created_at",
            "last_message_at",
        ]


class ChatListItemSerializer(serializers.Serializer):
    """One of the caller's chats with its unread counts and last message."""

    chat = ChatSerializer()
    role = serializers.ChoiceField(choices=ChatMember.Role.choices, source="member.role")
    muted_until = ApiDateTimeField(source="member.muted_until", allow_null=True)
    unread = serializers.IntegerField()
    unread_mentions = serializers.IntegerField()
    last_message = LastMessageSerializer(allow_null=True)


class ChatViewerSerializer(serializers.Serializer):
    """What the caller is and may do in the chat (the same predicates as the pages)."""

    role = serializers.ChoiceField(choices=ChatMember.Role.choices)
    muted_until = ApiDateTimeField(allow_null=True)
    last_read_message_id = serializers.IntegerField()
    can_post = serializers.BooleanField()
    post_refusal = serializers.CharField(allow_null=True, help_text="Why the caller may not post now (Russian).")
    can_moderate = serializers.BooleanField()
    can_manage = serializers.BooleanField()


class ChatDetailSerializer(serializers.Serializer):
    chat = ChatSerializer()
    viewer = ChatViewerSerializer()


def _college_groups(college):
    return StudyGroup.objects.filter(college=college)


def _college_disciplines(college):
    return Discipline.objects.filter(college=college)


def _college_members(college):
    return Membership.objects.filter(college=college)


class ChatCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CREATABLE_KINDS)
    title = serializers.CharField(max_length=200)
    history_visible = serializers.BooleanField(required=False, allow_null=True, default=None)
    study_group = CollegeRelatedField(scope=_college_groups, required=False, allow_null=True, default=None)
    discipline = CollegeRelatedField(scope=_college_disciplines, required=False, allow_null=True, default=None)


class ChatUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    history_visible = serializers.BooleanField(required=False)


class ChatStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Chat.Status.choices)


class MemberRefSerializer(serializers.Serializer):
    member = CollegeRelatedField(scope=_college_members, help_text="Membership id of a person of the college.")


class ReadMarkerSerializer(serializers.Serializer):
    message_id = serializers.IntegerField(min_value=0, max_value=2**62, help_text="The last message read.")


class ReadMarkerResultSerializer(serializers.Serializer):
    last_read_message_id = serializers.IntegerField()


class ChatMemberSerializer(serializers.ModelSerializer):
    member = serializers.IntegerField(source="member_id", help_text="Membership id.")
    name = serializers.CharField(source="member.user.full_name")
    joined_at = ApiDateTimeField()
    left_at = ApiDateTimeField(allow_null=True)
    muted_until = ApiDateTimeField(allow_null=True)

    class Meta:
        model = ChatMember
        fields = ["member", "name", "role", "source", "joined_at", "left_at", "banned", "muted_until"]


class MuteSerializer(serializers.Serializer):
    until = ApiDateTimeField(help_text="The caller may write again after this time.")


class RoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=ChatMember.Role.choices)


class HistorySerializer(serializers.Serializer):
    results = MessageSerializer(many=True, source="messages")
    has_more = serializers.BooleanField()
    before = serializers.IntegerField(
        source="before_id", allow_null=True, help_text="Pass as «before» to read the older page; null at the start."
    )


class MessagePostSerializer(serializers.Serializer):
    text = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=f"Up to {MAX_TEXT} characters; stored as typed."
    )
    reply_to = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=2**62)
    mentions = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**62),
        required=False,
        default=list,
        max_length=200,
        help_text="Membership ids picked in the mention list (besides the @-names in the text).",
    )
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=MAX_ATTACHMENTS
    )


class MessageEditSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, help_text=f"Up to {MAX_TEXT} characters; stored as typed.")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=MAX_REASON)


class ReactionSerializer(serializers.Serializer):
    emoji = serializers.ChoiceField(choices=Reaction.choices)


class ReactionResultSerializer(serializers.Serializer):
    emoji = serializers.CharField()
    added = serializers.BooleanField(help_text="Whether the reaction is there after the toggle.")


class ReportSerializer(serializers.ModelSerializer):
    """A report as its author reads it."""

    chat = serializers.IntegerField(source="message.chat_id")
    created_at = ApiDateTimeField()
    decided_at = ApiDateTimeField(allow_null=True)

    class Meta:
        model = MessageReport
        fields = ["id", "message", "chat", "reason", "status", "outcome", "created_at", "decided_at"]


class ReportedMessageSerializer(serializers.Serializer):
    """The reported message as its deciders read it, deleted text included."""

    id = serializers.IntegerField()
    author = serializers.SerializerMethodField()
    text = serializers.CharField()
    created_at = ApiDateTimeField()
    deleted = serializers.BooleanField(source="is_deleted")
    delete_reason = serializers.CharField()

    @extend_schema_field(AuthorSerializer(allow_null=True))
    def get_author(self, obj) -> dict | None:
        return _author(obj.author)


class QueuedReportSerializer(ReportSerializer):
    chat_title = serializers.CharField(source="message.chat.title")
    reporter = serializers.CharField(source="reporter.user.short_name")
    reported = ReportedMessageSerializer(source="message")

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "chat_title", "reporter", "reported"]


class ReportDecideSerializer(serializers.Serializer):
    uphold = serializers.BooleanField(help_text="True removes the message with the report's reason.")
    outcome = serializers.CharField(required=False, allow_blank=True, default="", max_length=MAX_REASON)
