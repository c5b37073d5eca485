"""Messages of a chat under /api/v1/colleges/<college_id>/chats/<chat_pk>/messages/, and their attachments.

History reads backwards by a cursor: ``?before=<id>`` returns the page older than that message, and the
answer's ``before`` is the cursor of the next older page (null at the start of what the caller may read).
"""

from django.http import Http404
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from chats import permissions, selectors, services, texts
from chats.api import serializers as s
from chats.api.chats import CHAT_PK, SEARCH_Q, VIEW_RULE
from chats.api.common import ChatLookupMixin, path_id, query_id
from chats.downloads import attachment_response
from chats.models import Message, MessageAttachment
from colleges.api_base import CollegeApiMixin


def _in_chat(predicate):
    """A chat's predicate asked of a message's chat: ``allowed_on`` rules get the message."""
    return lambda user, message: predicate(user, message.chat)


MODERATE_RULE = (_in_chat(permissions.can_moderate), texts.MODERATE_DENIED)
BEFORE = OpenApiParameter("before", OpenApiTypes.INT, description="Read the messages older than this id.")
LIMIT = OpenApiParameter(
    "limit", OpenApiTypes.INT, description=f"At most {selectors.HISTORY_LIMIT_MAX}; 50 by default."
)


class _HistorySchema(AutoSchema):
    """The history (the viewset's ``list``) answers one object, a page with its cursor, not an array."""

    def _is_list_view(self, serializer=None) -> bool:
        return False if getattr(self.view, "action", None) == "list" else super()._is_list_view(serializer)


class MessageViewSet(CollegeApiMixin, ChatLookupMixin, viewsets.GenericViewSet):
    """Reading, posting, editing and moderating messages: the rules of ``chats.permissions``, asked by the
    services (a refusal says why, in Russian)."""

    queryset = Message.objects.none()
    serializer_class = s.MessageSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    pagination_class = None  # history pages by its own cursor («before»)
    schema = _HistorySchema()
    lookup_value_regex = "[0-9]+"
    allowed = {"*": VIEW_RULE}
    allowed_on = {
        "destroy": (permissions.can_delete_message, texts.DELETE_DENIED),
        "moderate_delete": MODERATE_RULE,
        "pin": MODERATE_RULE,
        "unpin": MODERATE_RULE,
        "react": (_in_chat(permissions.can_react), texts.VIEW_DENIED),
        "report": (permissions.can_report, texts.REPORT_DENIED),
    }

    def _answer(self, message: Message, code=status.HTTP_200_OK) -> Response:
        permissions.forget_chat_roles(self.request.user)
        fresh = selectors.message_for(self.request.user, self.get_chat(), message.pk)
        if fresh is None:
            raise Http404
        return Response(s.MessageSerializer(fresh).data, status=code)

    @extend_schema(summary="History of a chat, newest page first", operation_id="chats_messages_list",
                   parameters=[CHAT_PK, BEFORE, LIMIT],
                   responses=s.HistorySerializer)  # fmt: skip
    def list(self, request, chat_pk=None):
        before, limit = query_id(request, "before"), query_id(request, "limit")
        page = selectors.chat_history(request.user, self.get_chat(), before_id=before, limit=limit or 50)
        return Response(s.HistorySerializer(page).data)

    @extend_schema(summary="One message", parameters=[CHAT_PK], responses=s.MessageSerializer)
    def retrieve(self, request, chat_pk=None, pk=None):
        return Response(s.MessageSerializer(self.get_message()).data)

    @extend_schema(
        summary="Post a message",
        description="Text (stored as typed, shown as safe HTML), a reply, mentions and files (JSON, or "
        "multipart with repeated «attachments»); files are checked by their content.",
        parameters=[CHAT_PK],
        request={"application/json": s.MessagePostSerializer, "multipart/form-data": s.MessagePostSerializer},
        responses={201: s.MessageSerializer},
    )
    def create(self, request, chat_pk=None):
        chat = self.get_chat()
        serializer = s.MessagePostSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        reply_to = None
        if data["reply_to"] is not None:
            reply_to = Message.objects.filter(chat=chat, pk=data["reply_to"]).first()
            if reply_to is None:
                return Response({"reply_to": [texts.REPLY_ELSEWHERE]}, status=status.HTTP_400_BAD_REQUEST)
        message = services.message_post(
            actor=request.user,
            chat=chat,
            text=data["text"],
            reply_to=reply_to,
            attachments=data["attachments"],
            mention_ids=data["mentions"],
        )
        return self._answer(message, status.HTTP_201_CREATED)

    @extend_schema(summary="Edit one's own message", parameters=[CHAT_PK], request=s.MessageEditSerializer,
                   responses=s.MessageSerializer)  # fmt: skip
    def partial_update(self, request, chat_pk=None, pk=None):
        message = self.get_message()
        serializer = s.MessageEditSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = services.message_edit(actor=request.user, message=message, text=serializer.validated_data["text"])
        return self._answer(message)

    @extend_schema(summary="Delete one's own message", parameters=[CHAT_PK], responses={204: None})
    def destroy(self, request, chat_pk=None, pk=None):
        services.message_delete(actor=request.user, message=self.get_message())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Delete a message as a moderator, saying why", parameters=[CHAT_PK],
                   request=s.ReasonSerializer, responses=s.MessageSerializer)  # fmt: skip
    @action(detail=True, methods=["post"], url_path="moderate-delete")
    def moderate_delete(self, request, chat_pk=None, pk=None):
        message = self.get_message()
        serializer = s.ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reason = serializer.validated_data["reason"]
        message = services.message_moderate_delete(actor=request.user, message=message, reason=reason)
        return self._answer(message)

    @extend_schema(summary="Pin a message", parameters=[CHAT_PK], request=None, responses=s.MessageSerializer)
    @action(detail=True, methods=["post"])
    def pin(self, request, chat_pk=None, pk=None):
        return self._answer(services.message_pin(actor=request.user, message=self.get_message(), pinned=True))

    @extend_schema(summary="Unpin a message", parameters=[CHAT_PK], request=None, responses=s.MessageSerializer)
    @action(detail=True, methods=["post"])
    def unpin(self, request, chat_pk=None, pk=None):
        return self._answer(services.message_pin(actor=request.user, message=self.get_message(), pinned=False))

    @extend_schema(summary="Add or take back a reaction", parameters=[CHAT_PK], request=s.ReactionSerializer,
                   responses=s.ReactionResultSerializer)  # fmt: skip
    @action(detail=True, methods=["post"], url_path="reactions")
    def react(self, request, chat_pk=None, pk=None):
        message = self.get_message()
        serializer = s.ReactionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        emoji = serializer.validated_data["emoji"]
        added = services.reaction_toggle(actor=request.user, message=message, emoji=emoji)
        return Response({"emoji": emoji, "added": added})

    @extend_schema(summary="Report a message to the moderators", parameters=[CHAT_PK], request=s.ReasonSerializer,
                   responses={201: s.ReportSerializer})  # fmt: skip
    @action(detail=True, methods=["post"])
    def report(self, request, chat_pk=None, pk=None):
        message = self.get_message()
        serializer = s.ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.report_create(actor=request.user, message=message, reason=serializer.validated_data["reason"])
        return Response(s.ReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Search one chat", parameters=[CHAT_PK, SEARCH_Q], responses=s.MessageSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)
    def search(self, request, chat_pk=None):
        found = selectors.messages_search(
            request.user, self.college, request.query_params.get("q", ""), chat=self.get_chat()
        )
        return Response(s.MessageSerializer(found, many=True).data)


class AttachmentViewSet(CollegeApiMixin, ChatLookupMixin, viewsets.GenericViewSet):
    """A file of a message, to whoever reads the message (``permissions.can_view_attachment``)."""

    queryset = MessageAttachment.objects.none()
    lookup_value_regex = "[0-9]+"
    allowed = {"*": VIEW_RULE}

    @extend_schema(
        summary="Download an attachment",
        parameters=[CHAT_PK],
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def retrieve(self, request, chat_pk=None, pk=None):
        chat = self.get_chat()
        attachment = (
            MessageAttachment.objects.filter(college=self.college, message__chat=chat, pk=path_id(pk))
            .select_related("message__chat__college")
            .first()
        )
        if attachment is None or not permissions.can_view_attachment(request.user, attachment):
            raise Http404
        return attachment_response(attachment)
