"""API of the announcements app under /api/v1/colleges/<college_id>/announcements/ (DRF), with the pages'
rules. Lookups go through the same selectors as the pages, so an announcement the caller may not open
answers 404, like one of another college. Reading an announcement here does not mark it read: only
opening its page does."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from announcements import messages, selectors, services
from announcements.models import REASON_MAX, TEXT_MAX, TITLE_MAX, Announcement, Audience
from announcements.permissions import can_publish_announcements, can_withdraw_announcement
from colleges.api_base import CollegeApiMixin, CollegeRelatedField, college_urls
from core.dates import ApiDateField
from core.formatting import render_message
from groups.models import StudyGroup


class AnnouncementGroupSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AnnouncementSerializer(serializers.ModelSerializer):
    audience = serializers.ChoiceField(choices=Audience.choices, read_only=True)
    groups = AnnouncementGroupSerializer(many=True, read_only=True)
    author = serializers.SerializerMethodField()
    text_html = serializers.SerializerMethodField(help_text="Текст как безопасный HTML: ссылки и переносы строк.")

    class Meta:
        model = Announcement
        fields = [
            "id",
            "title",
            "text",
            "text_html",
            "audience",
            "groups",
            "with_parents",
            "author",
            "published_at",
            "pinned_until",
            "withdrawn_at",
            "withdraw_reason",
        ]

    def get_author(self, obj) -> str:
        return obj.author.user.full_name

    def get_text_html(self, obj) -> str:
        return str(render_message(obj.text))


def _groups(college):
    return StudyGroup.objects.filter(college=college)


class AnnouncementPublishSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX)
    text = serializers.CharField(max_length=TEXT_MAX)
    audience = serializers.ChoiceField(choices=Audience.choices)
    groups = CollegeRelatedField(scope=_groups, many=True, required=False, default=list)
    with_parents = serializers.BooleanField(required=False, default=False)
    pinned_until = ApiDateField(required=False, allow_null=True, default=None)


class AnnouncementWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX)


PUBLISH_RULE = (can_publish_announcements, messages.NO_PUBLISH_PERMISSION)
WITHDRAW_RULE = (can_withdraw_announcement, messages.NO_WITHDRAW_PERMISSION)


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("q", OpenApiTypes.STR, description="Слова заголовка")])
)
class AnnouncementViewSet(CollegeApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Announcements the caller is in the audience of: pinned first, then newest first."""

    queryset = Announcement.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = AnnouncementSerializer
    allowed = {"create": PUBLISH_RULE}
    allowed_on = {"withdraw": WITHDRAW_RULE}

    def get_queryset(self):
        return selectors.announcement_list(
            viewer=self.request.user, college=self.college, search=self.request.query_params.get("q", "")
        ).prefetch_related("groups")

    def get_object(self):
        announcement = selectors.announcement_get_for(
            user=self.request.user, college=self.college, pk=self.kwargs["pk"]
        )
        self.check_object_permissions(self.request, announcement)
        return announcement

    def _answer(self, announcement: Announcement, code=status.HTTP_200_OK) -> Response:
        fresh = selectors.announcement_get_for(user=self.request.user, college=self.college, pk=announcement.pk)
        return Response(AnnouncementSerializer(fresh).data, status=code)

    @extend_schema(request=AnnouncementPublishSerializer, responses={201: AnnouncementSerializer})
    def create(self, request):
        serializer = AnnouncementPublishSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        announcement = services.announcement_publish(
            actor=request.user, college=self.college, **serializer.validated_data
        )
        return self._answer(announcement, status.HTTP_201_CREATED)

    @extend_schema(
        request=AnnouncementWithdrawSerializer,
        responses=AnnouncementSerializer,
        description="Снять объявление с указанием причины; снятое исчезает из списков. Уже снятое — 400.",
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        announcement = self.get_object()
        serializer = AnnouncementWithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        announcement = services.announcement_withdraw(
            actor=request.user, announcement=announcement, **serializer.validated_data
        )
        return self._answer(announcement)


router = SimpleRouter()
router.register("announcements", AnnouncementViewSet, basename="announcement")

urlpatterns = college_urls(router.urls)
