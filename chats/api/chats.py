"""Chats and their members under /api/v1/colleges/<college_id>/chats/ — the same services, selectors and
predicates as the chat pages."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from chats import permissions, selectors, services, texts
from chats.api import serializers as s
from chats.api.common import ChatLookupMixin, path_id, viewer_flags
from chats.models import Chat
from colleges.api_base import CollegeApiMixin

VIEW_RULE = (permissions.can_view_chats, texts.VIEW_DENIED)
MANAGE_RULE = (permissions.can_manage_chat, texts.MANAGE_DENIED)
MODERATE_RULE = (permissions.can_moderate, texts.MODERATE_DENIED)
CHAT_PK = OpenApiParameter("chat_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Chat id.")
SEARCH_Q = OpenApiParameter("q", OpenApiTypes.STR, required=True, description="Words to find (two characters or more).")


@extend_schema_view(
    list=extend_schema(
        summary="The caller's chats",
        description="Chats the caller is a current member of, latest activity first, with unread counts.",
        responses=s.ChatListItemSerializer(many=True),
    ),
)
class ChatViewSet(CollegeApiMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's chats; settings, status and membership follow the chat pages' rules."""

    queryset = Chat.objects.none()  # for the schema; requests use the selectors
    serializer_class = s.ChatListItemSerializer
    lookup_value_regex = "[0-9]+"
    allowed = {"*": VIEW_RULE}
    allowed_on = {"partial_update": MANAGE_RULE, "set_status": MANAGE_RULE}

    def get_queryset(self):
        return selectors.chats_for(self.request.user, self.college)

    def get_object(self) -> Chat:
        chat = selectors.chat_get_for(user=self.request.user, college=self.college, pk=self._pk())
        self.check_object_permissions(self.request, chat)
        return chat

    def _pk(self) -> int:
        return path_id(self.kwargs["pk"])

    def _detail(self, chat: Chat, code=status.HTTP_200_OK) -> Response:
        permissions.forget_chat_roles(self.request.user)
        fresh = selectors.chat_get_for(user=self.request.user, college=self.college, pk=chat.pk)
        data = {"chat": fresh, "viewer": viewer_flags(self.request.user, fresh)}
        return Response(s.ChatDetailSerializer(data).data, status=code)

    @extend_schema(summary="A chat and what the caller may do in it", responses=s.ChatDetailSerializer)
    def retrieve(self, request, pk=None):
        chat = self.get_object()
        return Response(s.ChatDetailSerializer({"chat": chat, "viewer": viewer_flags(request.user, chat)}).data)

    @extend_schema(
        summary="Create a chat",
        description="Common chats by role; group, parents' and subject chats by the group's curator, the "
        "subject's teacher or the administrator. The creator owns the chat.",
        request=s.ChatCreateSerializer,
        responses={201: s.ChatDetailSerializer},
    )
    def create(self, request):
        serializer = s.ChatCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        chat = services.chat_create(actor=request.user, college=self.college, **serializer.validated_data)
        return self._detail(chat, status.HTTP_201_CREATED)

    @extend_schema(summary="Rename a chat or change who reads its history", request=s.ChatUpdateSerializer,
                   responses=s.ChatDetailSerializer)  # fmt: skip
    def partial_update(self, request, pk=None):
        chat = self.get_object()
        serializer = s.ChatUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        chat = services.chat_update(actor=request.user, chat=chat, **serializer.validated_data)
        return self._detail(chat)

    @extend_schema(summary="Make a chat read-only, archived or active", request=s.ChatStatusSerializer,
                   responses=s.ChatDetailSerializer)  # fmt: skip
    @action(detail=True, methods=["post"], url_path="status", url_name="status")
    def set_status(self, request, pk=None):
        chat = self.get_object()
        serializer = s.ChatStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        chat = services.chat_set_status(actor=request.user, chat=chat, status=serializer.validated_data["status"])
        return self._detail(chat)

    @extend_schema(
        summary="Open a direct chat",
        description="The direct chat of the caller and the member, created on first use (safe mode rules).",
        request=s.MemberRefSerializer,
        responses=s.ChatDetailSerializer,
    )
    @action(detail=False, methods=["post"])
    def direct(self, request):
        serializer = s.MemberRefSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        other = serializer.validated_data["member"]
        chat = services.direct_chat_get_or_create(actor=request.user, college=self.college, other=other)
        return self._detail(chat)

    @extend_schema(summary="Move the read marker forward", request=s.ReadMarkerSerializer,
                   responses=s.ReadMarkerResultSerializer)  # fmt: skip
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        chat = self.get_object()
        serializer = s.ReadMarkerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.chat_mark_read(
            actor=request.user, chat=chat, up_to_message_id=serializer.validated_data["message_id"]
        )
        return Response({"last_read_message_id": row.last_read_message_id})

    @extend_schema(summary="Leave a chat", request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        services.member_leave(actor=request.user, chat=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Pinned messages of a chat", responses=s.MessageSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def pinned(self, request, pk=None):
        messages = selectors.pinned_messages(request.user, self.get_object())
        return Response(s.MessageSerializer(messages, many=True).data)

    @extend_schema(
        summary="Search the caller's chats",
        description="Messages of every chat the caller reads, newest first, at most 50.",
        parameters=[SEARCH_Q],
        responses=s.FoundMessageSerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def search(self, request):
        found = selectors.messages_search(request.user, self.college, request.query_params.get("q", ""))
        return Response(s.FoundMessageSerializer(found, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="Current members of a chat", parameters=[CHAT_PK]),
)
class ChatMemberViewSet(CollegeApiMixin, ChatLookupMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Members of one chat: ``pk`` in the path is the person's membership id in the college."""

    queryset = Chat.objects.none()
    serializer_class = s.ChatMemberSerializer
    lookup_value_regex = "[0-9]+"
    allowed = {"*": VIEW_RULE}

    def get_queryset(self):
        return selectors.chat_members(self.request.user, self.get_chat())

    def _moderated_chat(self, rule=MODERATE_RULE) -> Chat:
        chat = self.get_chat()
        self._require({self.operation: rule}, self.request.user, chat)
        return chat

    def _row(self, row, code=status.HTTP_200_OK) -> Response:
        return Response(s.ChatMemberSerializer(row).data, status=code)

    @extend_schema(summary="Banned members, to lift a ban (moderators)", parameters=[CHAT_PK],
                   responses=s.ChatMemberSerializer(many=True))  # fmt: skip
    @action(detail=False, methods=["get"])
    def banned(self, request, chat_pk=None):
        chat = self._moderated_chat()
        page = self.paginate_queryset(selectors.chat_banned(request.user, chat))
        return self.get_paginated_response(s.ChatMemberSerializer(page, many=True).data)

    @extend_schema(summary="Add a person of the college", parameters=[CHAT_PK], request=s.MemberRefSerializer,
                   responses={201: s.ChatMemberSerializer})  # fmt: skip
    def create(self, request, chat_pk=None):
        chat = self._moderated_chat()
        serializer = s.MemberRefSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        row = services.member_add(actor=request.user, chat=chat, member=serializer.validated_data["member"])
        return self._row(row, status.HTTP_201_CREATED)

    @extend_schema(summary="Remove a member", parameters=[CHAT_PK], responses={204: None})
    def destroy(self, request, chat_pk=None, pk=None):
        chat = self._moderated_chat()
        services.member_remove(actor=request.user, chat=chat, member=self.get_member())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Ban a member (removed and kept out)", parameters=[CHAT_PK], request=None,
                   responses=s.ChatMemberSerializer)  # fmt: skip
    @action(detail=True, methods=["post"])
    def ban(self, request, chat_pk=None, pk=None):
        chat = self._moderated_chat()
        return self._row(services.member_ban(actor=request.user, chat=chat, member=self.get_member()))

    @extend_schema(summary="Lift a ban", parameters=[CHAT_PK], request=None, responses=s.ChatMemberSerializer)
    @action(detail=True, methods=["post"])
    def unban(self, request, chat_pk=None, pk=None):
        chat = self._moderated_chat()
        return self._row(services.member_unban(actor=request.user, chat=chat, member=self.get_member()))

    @extend_schema(summary="Forbid a member to write until a time", parameters=[CHAT_PK], request=s.MuteSerializer,
                   responses=s.ChatMemberSerializer)  # fmt: skip
    @action(detail=True, methods=["post"])
    def mute(self, request, chat_pk=None, pk=None):
        chat = self._moderated_chat()
        serializer = s.MuteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        until = serializer.validated_data["until"]
        return self._row(services.member_mute(actor=request.user, chat=chat, member=self.get_member(), until=until))

    @extend_schema(summary="Let a muted member write again", parameters=[CHAT_PK], request=None,
                   responses=s.ChatMemberSerializer)  # fmt: skip
    @action(detail=True, methods=["post"])
    def unmute(self, request, chat_pk=None, pk=None):
        chat = self._moderated_chat()
        return self._row(services.member_unmute(actor=request.user, chat=chat, member=self.get_member()))

    @extend_schema(summary="Make a member an owner, a moderator or a plain member", parameters=[CHAT_PK],
                   request=s.RoleSerializer, responses=s.ChatMemberSerializer)  # fmt: skip
    @action(detail=True, methods=["post"])
    def role(self, request, chat_pk=None, pk=None):
        chat = self._moderated_chat(MANAGE_RULE)
        serializer = s.RoleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.moderator_set(
            actor=request.user, chat=chat, member=self.get_member(), role=serializer.validated_data["role"]
        )
        return self._row(row)
