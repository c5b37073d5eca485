"""API of the invitations app under /api/v1/ (DRF): links, their uses, join requests, bulk dispatches.

Every lookup is scoped to the caller's current college (another college's
objects answer 404); input serializers validate, services write. Tokens are
never returned except as the link URL to those who may see the link.
"""

import datetime

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core.dates import ApiDateTimeField
from core.pages import parse_id
from groups.api import CollegeRelatedField, api_college
from groups.models import StudyGroup
from invitations import selectors, services
from invitations.models import BulkDispatch, Invitation, InvitationUse, JoinRequest
from invitations.parsing import recipients_preview
from invitations.permissions import (
    INVITABLE_ROLE_CHOICES,
    can_manage_invitation,
    can_review_join_requests,
    can_send_bulk_invitations,
    can_view_invitations,
)
from invitations.tokens import token_unseal

DENIED = "Этот раздел доступен администратору, администрации и кураторам групп."
ROLE_NOT_INVITABLE = (
    "Пригласить можно на роль администрации колледжа, преподавателя, обучающегося или родителя. "
    "Администратора платформы назначает директор колледжа приказом."
)


def _invitable_role_field() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=INVITABLE_ROLE_CHOICES, error_messages={"invalid_choice": ROLE_NOT_INVITABLE}
    )


class _CollegeScoped:
    list_predicate = staticmethod(can_view_invitations)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.college = api_college(request)
        if not self.college or not self.list_predicate(request.user, self.college):
            raise PermissionDenied(DENIED)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["college"] = getattr(self, "college", None)
        return context


# --- Links -------------------------------------------------------------------


class InvitationSerializer(serializers.ModelSerializer):
    group_name = serializers.CharField(source="group.name", read_only=True, default=None, allow_null=True)
    url = serializers.SerializerMethodField()
    created_by_name = serializers.CharField(
        source="created_by.short_name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Invitation
        fields = [
            "id",
            "role",
            "group",
            "group_name",
            "kind",
            "status",
            "max_uses",
            "uses_count",
            "expires_at",
            "requires_approval",
            "auto_approve_until",
            "created_by_name",
            "handed_to",
            "created_at",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        token = token_unseal(obj.token_sealed)
        return selectors.invitation_url(token) if token else ""


class InvitationCreateSerializer(serializers.Serializer):
    role = _invitable_role_field()
    group = CollegeRelatedField(
        scope=lambda college: StudyGroup.objects.filter(college=college), required=False, allow_null=True
    )
    max_uses = serializers.IntegerField(min_value=1, max_value=10000, required=False, allow_null=True)
    expires_at = ApiDateTimeField(required=False)
    requires_approval = serializers.BooleanField(default=False)
    auto_approve_until = ApiDateTimeField(required=False, allow_null=True)

    def validate(self, attrs):
        attrs.setdefault("expires_at", timezone.now() + datetime.timedelta(days=30))
        return attrs


class InvitationUseSerializer(serializers.ModelSerializer):
    user_name = serializers.CharField(source="user.full_name", read_only=True, default=None, allow_null=True)
    user_phone = serializers.CharField(source="user.phone", read_only=True, default=None, allow_null=True)

    class Meta:
        model = InvitationUse
        fields = ["id", "user", "user_name", "user_phone", "result", "membership", "join_request", "created_at"]
        read_only_fields = fields


class InvitationViewSet(_CollegeScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Multi-use invitation links of the current college."""

    serializer_class = InvitationSerializer
    queryset = Invitation.objects.none()

    def get_queryset(self):
        return selectors.invitation_list(
            viewer=self.request.user,
            college=self.college,
            role=self.request.query_params.get("role", ""),
            status=self.request.query_params.get("status", ""),
        )

    def get_object(self):
        return selectors.invitation_get_for(viewer=self.request.user, college=self.college, pk=self.kwargs["pk"])

    @extend_schema(request=InvitationCreateSerializer, responses={201: InvitationSerializer})
    def create(self, request):
        data = InvitationCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        invitation, _ = services.invitation_create(actor=request.user, college=self.college, **data.validated_data)
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    def _managed(self):
        invitation = self.get_object()
        if not can_manage_invitation(self.request.user, invitation):
            raise PermissionDenied("Управлять ссылкой может администратор, администрация или тот, кто её создал.")
        return invitation

    @extend_schema(request=None, responses={200: InvitationSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        invitation = services.invitation_revoke(actor=request.user, invitation=self._managed())
        return Response(InvitationSerializer(invitation).data)

    @extend_schema(request=None, responses={200: InvitationSerializer})
    @action(detail=True, methods=["post"])
    def regenerate(self, request, pk=None):
        invitation, _ = services.invitation_regenerate(actor=request.user, invitation=self._managed())
        return Response(InvitationSerializer(invitation).data)

    @extend_schema(responses={200: InvitationUseSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def uses(self, request, pk=None):
        invitation = self.get_object()
        qs = selectors.invitation_use_list(invitation=invitation, result=request.query_params.get("result", ""))
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(InvitationUseSerializer(page, many=True).data)


# --- Join requests -------------------------------------------------------------


class JoinRequestSerializer(serializers.ModelSerializer):
    user_name = serializers.CharField(source="user.full_name", read_only=True)
    user_phone = serializers.CharField(source="user.phone", read_only=True)
    group_name = serializers.CharField(source="group.name", read_only=True, default=None, allow_null=True)
    from_group_name = serializers.CharField(source="from_group.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = JoinRequest
        fields = [
            "id",
            "user",
            "user_name",
            "user_phone",
            "role",
            "group",
            "group_name",
            "from_group",
            "from_group_name",
            "invitation",
            "status",
            "reason",
            "decided_at",
            "created_at",
        ]
        read_only_fields = fields


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class JoinRequestViewSet(_CollegeScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The join request queue: filter by ``status`` (default pending), ``role`` and ``group``."""

    serializer_class = JoinRequestSerializer
    queryset = JoinRequest.objects.none()
    list_predicate = staticmethod(can_review_join_requests)

    def get_queryset(self):
        params = self.request.query_params
        group = params.get("group")
        return selectors.join_request_list(
            viewer=self.request.user,
            college=self.college,
            status=params.get("status", JoinRequest.Status.PENDING),
            role=params.get("role", ""),
            group_id=parse_id(group, name="group"),
        )

    def get_object(self):
        return selectors.join_request_get_for(viewer=self.request.user, college=self.college, pk=self.kwargs["pk"])

    @extend_schema(request=None, responses={200: JoinRequestSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        join_request = services.join_request_approve(actor=request.user, join_request=self.get_object())
        return Response(JoinRequestSerializer(join_request).data)

    @extend_schema(request=RejectSerializer, responses={200: JoinRequestSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = RejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        join_request = services.join_request_reject(
            actor=request.user, join_request=self.get_object(), reason=data.validated_data["reason"]
        )
        return Response(JoinRequestSerializer(join_request).data)


# --- Bulk dispatches -------------------------------------------------------------


class DispatchProgressSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    queued = serializers.IntegerField()
    sent = serializers.IntegerField()
    failed = serializers.IntegerField()
    unknown = serializers.IntegerField()
    accepted = serializers.IntegerField()
    done = serializers.IntegerField()
    percent = serializers.IntegerField()


class BulkDispatchSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()

    class Meta:
        model = BulkDispatch
        fields = ["id", "role", "group", "status", "total", "created_at", "progress"]
        read_only_fields = fields

    @extend_schema_field(DispatchProgressSerializer(allow_null=True, help_text="Только при запросе одной рассылки."))
    def get_progress(self, obj) -> dict | None:
        if not self.context.get("with_progress"):
            return None
        return selectors.bulk_dispatch_progress(dispatch=obj)


class RecipientSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    contact = serializers.CharField(max_length=254, help_text="Телефон или e-mail")


class BulkDispatchCreateSerializer(serializers.Serializer):
    role = _invitable_role_field()
    group = CollegeRelatedField(
        scope=lambda college: StudyGroup.objects.filter(college=college), required=False, allow_null=True
    )
    days = serializers.IntegerField(min_value=1, max_value=365, default=14)
    recipients = RecipientSerializer(many=True, allow_empty=False)


class SkippedRecipientSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    contact = serializers.CharField()
    error = serializers.CharField()


class BulkDispatchCreateResultSerializer(serializers.Serializer):
    dispatch = BulkDispatchSerializer()
    skipped = SkippedRecipientSerializer(many=True)


class BulkDispatchViewSet(_CollegeScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Bulk personal invitations with per-recipient delivery status (``progress`` on retrieve)."""

    serializer_class = BulkDispatchSerializer
    queryset = BulkDispatch.objects.none()
    list_predicate = staticmethod(can_send_bulk_invitations)

    def get_queryset(self):
        return selectors.bulk_dispatch_list(college=self.college)

    def get_object(self):
        return selectors.bulk_dispatch_get_for(college=self.college, pk=self.kwargs["pk"])

    def retrieve(self, request, pk=None):
        return Response(BulkDispatchSerializer(self.get_object(), context={"with_progress": True}).data)

    @extend_schema(request=BulkDispatchCreateSerializer, responses={201: BulkDispatchCreateResultSerializer})
    def create(self, request):
        data = BulkDispatchCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        rows = recipients_preview([[r["name"], r["contact"]] for r in data.validated_data["recipients"]])
        good = [row.as_recipient() for row in rows if row.ok]
        skipped = [{"line": row.line, "contact": row.contact, "error": row.error} for row in rows if not row.ok]
        dispatch = services.bulk_dispatch_create(
            actor=request.user,
            college=self.college,
            role=data.validated_data["role"],
            group=data.validated_data.get("group"),
            expires_at=timezone.now() + datetime.timedelta(days=data.validated_data["days"]),
            recipients=good,
        )
        return Response(
            {"dispatch": BulkDispatchSerializer(dispatch).data, "skipped": skipped}, status=status.HTTP_201_CREATED
        )


router = SimpleRouter()
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("join-requests", JoinRequestViewSet, basename="join-request")
router.register("invitation-dispatches", BulkDispatchViewSet, basename="invitation-dispatch")

urlpatterns = router.urls
