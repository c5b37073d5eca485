"""The analytics API under /api/v1/colleges/<college_id>/analytics/…: the figures of the pages, read-only.

Each endpoint takes the page's period (``days`` = 7, 30 or 90, or ``from``/``to`` as дд.мм.гггг or ISO;
30 days by default; anything else a 400 in Russian) and asks the same predicate as the page.
"""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics import figures, messages
from analytics.periods import Period, period_from
from analytics.permissions import can_view_analytics, can_view_joining, joining_group_scope
from colleges.api_base import CollegeApiMixin, college_urls

VIEW_RULE = (can_view_analytics, messages.DENIED)
PERIOD_PARAMETERS = [
    OpenApiParameter("days", OpenApiTypes.INT, enum=[7, 30, 90], description="Последние 7, 30 или 90 дней"),
    OpenApiParameter("from", OpenApiTypes.STR, description="Начало периода, дд.мм.гггг"),
    OpenApiParameter("to", OpenApiTypes.STR, description="Конец периода включительно, дд.мм.гггг"),
]


def computed_at_field():
    return serializers.DateTimeField(required=False, help_text="Когда подсчитаны цифры: они хранятся несколько минут.")


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    days = serializers.IntegerField(allow_null=True)


class SignInFiguresSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Участников (обучающихся группы)")
    ever = serializers.IntegerField(help_text="Входили хотя бы раз")
    in_period = serializers.IntegerField(help_text="Последний вход — в этом периоде")
    share_ever = serializers.FloatField(allow_null=True, help_text="Доля входивших, %")
    share_period = serializers.FloatField(allow_null=True, help_text="Доля входивших за период, %")


class RoleJoiningSerializer(SignInFiguresSerializer):
    role = serializers.CharField()
    label = serializers.CharField()


class GroupJoiningSerializer(SignInFiguresSerializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    course = serializers.IntegerField()


class JoiningSerializer(serializers.Serializer):
    period = PeriodSerializer()
    computed_at = computed_at_field()
    roles = RoleJoiningSerializer(many=True)
    groups = GroupJoiningSerializer(many=True)


class LinkFiguresSerializer(serializers.Serializer):
    role = serializers.CharField()
    role_label = serializers.CharField()
    links = serializers.IntegerField()
    uses = serializers.IntegerField(help_text="Мест занято")
    places = serializers.IntegerField(help_text="Мест у ссылок с ограничением")
    unlimited = serializers.IntegerField(help_text="Ссылок без ограничения")
    share_used = serializers.FloatField(allow_null=True)


class RoleLinksSerializer(LinkFiguresSerializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField()


class GroupLinksSerializer(LinkFiguresSerializer):
    group = serializers.CharField()


class DeliverySerializer(serializers.Serializer):
    channel = serializers.CharField()
    label = serializers.CharField()
    queued = serializers.IntegerField(help_text="Поставлено в рассылку")
    sent = serializers.IntegerField(help_text="Отправлено")
    failed = serializers.IntegerField(help_text="Ошибка отправки или исход неизвестен")
    joined = serializers.IntegerField(help_text="Присоединились по персональной ссылке")
    share_joined = serializers.FloatField(allow_null=True)


class StatusCountSerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class InvitationsSerializer(serializers.Serializer):
    period = PeriodSerializer()
    computed_at = computed_at_field()
    totals = serializers.DictField(child=serializers.IntegerField())
    by_role = RoleLinksSerializer(many=True)
    by_group = GroupLinksSerializer(many=True)
    delivery = DeliverySerializer(many=True)
    requests = StatusCountSerializer(many=True)


class KindActivitySerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    messages = serializers.IntegerField()
    authors = serializers.IntegerField()


class TopChatSerializer(serializers.Serializer):
    chat_id = serializers.IntegerField()
    title = serializers.CharField()
    kind_label = serializers.CharField()
    messages = serializers.IntegerField()
    authors = serializers.IntegerField()


class SilentChatSerializer(serializers.Serializer):
    chat_id = serializers.IntegerField()
    title = serializers.CharField()


class ChatsSerializer(serializers.Serializer):
    period = PeriodSerializer()
    computed_at = computed_at_field()
    messages = serializers.IntegerField()
    authors = serializers.IntegerField()
    by_kind = KindActivitySerializer(many=True)
    top = TopChatSerializer(many=True)
    silent = SilentChatSerializer(many=True)
    silent_count = serializers.IntegerField()
    moderation = serializers.DictField(child=serializers.IntegerField())
    reports_filed = serializers.IntegerField()
    reports_open = serializers.IntegerField()


class SessionKindSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    planned = serializers.IntegerField()
    held = serializers.IntegerField()
    cancelled = serializers.IntegerField()


class AttendanceTotalsSerializer(serializers.Serializer):
    sessions = serializers.IntegerField()
    attended = serializers.IntegerField()
    audience = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True)


class SessionRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    starts_at = serializers.DateTimeField()
    host = serializers.CharField()
    attended = serializers.IntegerField()
    audience = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True)


class SessionsSerializer(serializers.Serializer):
    period = PeriodSerializer()
    computed_at = computed_at_field()
    by_kind = SessionKindSerializer(many=True)
    totals = serializers.DictField(child=serializers.IntegerField())
    attendance = AttendanceTotalsSerializer()
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = SessionRowSerializer(many=True)


class TeacherRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    position = serializers.CharField()
    messages = serializers.IntegerField()
    materials = serializers.IntegerField()
    sessions = serializers.IntegerField()


class TeachersSerializer(serializers.Serializer):
    period = PeriodSerializer()
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = TeacherRowSerializer(many=True)


def _period(period: Period) -> dict:
    return {"start": period.start, "end": period.end, "days": period.days}


class AnalyticsApi(CollegeApiMixin, APIView):
    """A section's figures for the period of the query."""

    allowed = {"get": VIEW_RULE}

    def period(self, request) -> Period:
        return period_from(request.query_params, college=self.college)


class JoiningApi(AnalyticsApi):
    """«Подключение»: per role and per study group (worst first), in the college and signed in."""

    allowed = {"get": (can_view_joining, messages.DENIED_JOINING)}

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=JoiningSerializer)
    def get(self, request, **kwargs):
        period = self.period(request)
        scope = joining_group_scope(request.user, self.college)
        found = figures.joining(college=self.college, period=period, group_ids=scope)
        return Response(JoiningSerializer({"period": _period(period), **found}).data)


class InvitationsApi(AnalyticsApi):
    """«Приглашения»: links made in the period, places used, personal links' delivery, join requests."""

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=InvitationsSerializer)
    def get(self, request, **kwargs):
        period = self.period(request)
        found = figures.invitation_figures(college=self.college, period=period)
        return Response(InvitationsSerializer({"period": _period(period), **found}).data)


class ChatsApi(AnalyticsApi):
    """«Чаты»: messages and authors per chat kind, the busiest chats, silent study groups, moderation."""

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=ChatsSerializer)
    def get(self, request, **kwargs):
        period = self.period(request)
        found = figures.chat_figures(college=self.college, period=period)
        return Response(ChatsSerializer({"period": _period(period), **found}).data)


def _page(request, view, queryset) -> tuple[PageNumberPagination, list]:
    paginator = PageNumberPagination()
    return paginator, paginator.paginate_queryset(queryset, request, view=view)


def _links(paginator: PageNumberPagination) -> dict:
    return {
        "count": paginator.page.paginator.count,
        "next": paginator.get_next_link(),
        "previous": paginator.get_previous_link(),
    }


class SessionsApi(AnalyticsApi):
    """«Видеосвязь»: sessions per kind and status, attendance overall and per session (paged, newest first)."""

    @extend_schema(
        parameters=[*PERIOD_PARAMETERS, OpenApiParameter("page", OpenApiTypes.INT)], responses=SessionsSerializer
    )
    def get(self, request, **kwargs):
        period = self.period(request)
        found = figures.session_figures(college=self.college, period=period)
        paginator, page = _page(request, self, figures.session_rows(college=self.college, period=period))
        rows = [figures.session_row(session) for session in page]
        data = {"period": _period(period), **found, **_links(paginator), "results": rows}
        return Response(SessionsSerializer(data).data)


class TeachersApi(AnalyticsApi):
    """«Преподаватели»: per teacher, messages in chats, materials published and sessions held (paged, by name)."""

    @extend_schema(
        parameters=[
            *PERIOD_PARAMETERS,
            OpenApiParameter("q", OpenApiTypes.STR, description="Фамилия, имя или телефон"),
            OpenApiParameter("page", OpenApiTypes.INT),
        ],
        responses=TeachersSerializer,
    )
    def get(self, request, **kwargs):
        period = self.period(request)
        search = request.query_params.get("q", "").replace("\x00", "").strip()[:100]
        paginator, page = _page(request, self, figures.teacher_list(college=self.college, search=search))
        rows = figures.teacher_rows(college=self.college, period=period, teachers=page)
        return Response(TeachersSerializer({"period": _period(period), **_links(paginator), "results": rows}).data)


urlpatterns = college_urls(
    [
        path("analytics/joining/", JoiningApi.as_view(), name="analytics-joining"),
        path("analytics/invitations/", InvitationsApi.as_view(), name="analytics-invitations"),
        path("analytics/chats/", ChatsApi.as_view(), name="analytics-chats"),
        path("analytics/sessions/", SessionsApi.as_view(), name="analytics-sessions"),
        path("analytics/teachers/", TeachersApi.as_view(), name="analytics-teachers"),
    ]
)
