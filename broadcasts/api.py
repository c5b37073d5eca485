"""API of the broadcasts app under /api/v1/colleges/<college_id>/broadcasts/ (DRF), with the pages' rules.

Lookups go through the same selectors as the pages, so a session the caller
may not see answers 404, like one of another college. The room itself is
reached through ``join_url`` (the page that records attendance), never given out.
"""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from broadcasts import messages, selectors, services
from broadcasts.models import DURATION_MAX, DURATION_MIN, Audience, Kind, Session
from broadcasts.permissions import can_edit_session, can_plan_sessions
from colleges.api_base import CollegeApiMixin, CollegeRelatedField, college_urls
from colleges.models import STAFF_ROLES, Membership
from core.dates import ApiDateTimeField
from groups.models import StudyGroup


class SessionGroupSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SessionSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=Kind.choices, read_only=True)
    audience = serializers.ChoiceField(choices=Audience.choices, read_only=True)
    groups = SessionGroupSerializer(many=True, read_only=True)
    host = serializers.SerializerMethodField()
    join_url = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = [
            "id",
            "kind",
            "title",
            "description",
            "starts_at",
            "ends_at",
            "duration_minutes",
            "audience",
            "groups",
            "host",
            "status",
            "cancel_reason",
            "recording_url",
            "join_url",
            "created_at",
            "updated_at",
        ]

    def get_host(self, obj) -> str:
        return obj.host.user.full_name

    def get_join_url(self, obj) -> str:
        return reverse("broadcasts:join", kwargs={"pk": obj.pk})


def _groups(college):
    return StudyGroup.objects.filter(college=college)


def _staff(college):
    return Membership.objects.filter(college=college, role__in=STAFF_ROLES, status=Membership.Status.ACTIVE)


class SessionUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    starts_at = ApiDateTimeField()
    duration_minutes = serializers.IntegerField(min_value=DURATION_MIN, max_value=DURATION_MAX)
    audience = serializers.ChoiceField(choices=Audience.choices)
    groups = CollegeRelatedField(scope=_groups, many=True, required=False, default=list)
    host = CollegeRelatedField(
        scope=_staff,
        required=False,
        allow_null=True,
        default=None,
        help_text="Сотрудник колледжа (id участника); при создании по умолчанию — вы, при изменении — прежний ведущий.",
    )


class SessionCreateSerializer(SessionUpdateSerializer):
    kind = serializers.ChoiceField(choices=Kind.choices)


class SessionCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class SessionHeldSerializer(serializers.Serializer):
    recording_url = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="Ссылка на запись (http:// или https://); необязательно, её можно добавить или изменить позже.",
    )


PLAN_RULE = (can_plan_sessions, messages.NO_PLAN_PERMISSION)
EDIT_RULE = (can_edit_session, messages.NO_EDIT_PERMISSION)


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("q", OpenApiTypes.STR, description="Слова темы или описания")])
)
class SessionViewSet(CollegeApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Video sessions the caller may see: upcoming first, then past; writes follow the planning page's rules."""

    queryset = Session.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = SessionSerializer
    allowed = {"create": PLAN_RULE}
    allowed_on = {"update": EDIT_RULE, "cancel": EDIT_RULE, "held": EDIT_RULE}

    def get_queryset(self):
        return selectors.session_list(
            viewer=self.request.user, college=self.college, search=self.request.query_params.get("q", "")
        )

    def get_object(self):
        session = selectors.session_get_for(user=self.request.user, college=self.college, pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, session)
        return session

    def _answer(self, session: Session, code=status.HTTP_200_OK) -> Response:
        fresh = selectors.session_get_for(user=self.request.user, college=self.college, pk=session.pk)
        return Response(SessionSerializer(fresh).data, status=code)

    @extend_schema(request=SessionCreateSerializer, responses={201: SessionSerializer})
    def create(self, request):
        serializer = SessionCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        session = services.session_create(actor=request.user, college=self.college, **serializer.validated_data)
        return self._answer(session, status.HTTP_201_CREATED)

    @extend_schema(request=SessionUpdateSerializer, responses=SessionSerializer)
    def update(self, request, pk=None):
        session = self.get_object()
        serializer = SessionUpdateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        session = services.session_update(actor=request.user, session=session, **serializer.validated_data)
        return self._answer(session)

    @extend_schema(
        request=SessionCancelSerializer,
        responses=SessionSerializer,
        description="Отменить запланированный сеанс; причину увидят и получат участники. "
        "Отменённый или проведённый сеанс — 400.",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        session = self.get_object()
        serializer = SessionCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = services.session_cancel(actor=request.user, session=session, **serializer.validated_data)
        return self._answer(session)

    @extend_schema(
        request=SessionHeldSerializer,
        responses=SessionSerializer,
        description="Отметить начавшийся сеанс проведённым (или изменить ссылку на запись). "
        "Отменённый или ещё не начавшийся сеанс — 400.",
    )
    @action(detail=True, methods=["post"])
    def held(self, request, pk=None):
        session = self.get_object()
        serializer = SessionHeldSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = services.session_mark_held(actor=request.user, session=session, **serializer.validated_data)
        return self._answer(session)


router = SimpleRouter()
router.register("broadcasts", SessionViewSet, basename="broadcast")

urlpatterns = college_urls(router.urls)
