"""API of the support app under /api/v1/colleges/<college_id>/support/ (DRF), with the same rules as the pages.

The administrator lists every question of the college; everyone else their
own. A question the caller may not see answers 404, like one of another
college. Platform staff hold no membership in a college, so the college API
is not theirs (404, as for any college not the caller's): they answer on
their own pages (/platform/support/), and download the files of a question
passed on to them at /api/v1/platform/support/attachments/<id>/.
"""

from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from colleges.api_base import CollegeApiMixin, college_urls
from core.pages import ID_MAX, parse_id
from support import messages, selectors, services
from support.downloads import attachment_response_for
from support.models import Ticket, TicketAttachment, TicketReply, Topic
from support.permissions import REOPEN_DAYS, can_ask, can_close, can_escalate, can_reopen, can_reply
from support.selectors import thread_attachments
from support.services import ATTACHMENTS_MAX, TEXT_MAX


class TicketAttachmentSerializer(serializers.ModelSerializer):
    """A screenshot or PDF; ``url`` is the API's download (``TicketAttachmentViewSet``: the page's permission
    check, answered for a key as for a session); ``?inline=1`` on it shows an image rather than downloading
    it. ``thumbnail_url`` is an image's small copy (null for a PDF)."""

    name = serializers.CharField(source="original_name")
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = TicketAttachment
        fields = ["id", "name", "content_type", "size", "url", "thumbnail_url"]

    def get_url(self, obj) -> str:
        path = reverse(
            "api:support-ticket-attachment-detail",
            kwargs={"college_id": obj.college_id, "ticket_pk": obj.ticket_id, "pk": obj.pk},
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_thumbnail_url(self, obj) -> str | None:
        return self.get_url(obj) + "?thumb=1" if obj.is_image else None


class TicketReplySerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = TicketReply
        fields = ["id", "side", "author", "text", "attachments", "created_at"]

    def get_author(self, obj) -> str:
        return obj.author.short_name if obj.author else ""

    @extend_schema_field(TicketAttachmentSerializer(many=True))
    def get_attachments(self, obj) -> list:
        files = self.context.get("files", {}).get(obj.pk, [])
        return TicketAttachmentSerializer(files, many=True, context=self.context).data


class TicketSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    escalated = serializers.BooleanField(source="is_escalated", read_only=True)

    class Meta:
        model = Ticket
        fields = ["id", "topic", "text", "status", "author", "escalated", "closed_at", "created_at", "updated_at"]

    def get_author(self, obj) -> str:
        return obj.author.short_name


class TicketDetailSerializer(TicketSerializer):
    """A question with its files and its thread (each reply with its own files)."""

    attachments = serializers.SerializerMethodField()
    replies = TicketReplySerializer(many=True, read_only=True)

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "attachments", "replies"]

    @extend_schema_field(TicketAttachmentSerializer(many=True))
    def get_attachments(self, obj) -> list:
        return TicketAttachmentSerializer(self.context["files"].get(None, []), many=True, context=self.context).data


def _detail(ticket: Ticket, request) -> dict:
    return TicketDetailSerializer(ticket, context={"request": request, "files": thread_attachments(ticket)}).data


# Longer texts and more files reach the service, whose messages say how many may be sent.
class AttachmentsInputMixin(serializers.Serializer):
    attachments = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        help_text=f"До {ATTACHMENTS_MAX} файлов: PNG, JPEG, WebP или PDF (multipart/form-data)",
    )


class TicketCreateSerializer(AttachmentsInputMixin):
    topic = serializers.ChoiceField(choices=Topic.choices)
    text = serializers.CharField(max_length=TEXT_MAX * 4)


class TicketReplyInputSerializer(AttachmentsInputMixin):
    text = serializers.CharField(max_length=TEXT_MAX * 4)


ASK_RULE = (can_ask, messages.NOT_A_MEMBER)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=Ticket.Status.values),
            OpenApiParameter("q", OpenApiTypes.STR, description="Слова из текста вопроса"),
        ]
    )
)
class TicketViewSet(CollegeApiMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Questions to the college's administrator: ask, read the thread, reply, close, reopen, pass on."""

    queryset = Ticket.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = TicketSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    allowed = {"*": ASK_RULE}
    allowed_on = {
        "reply": (can_reply, messages.NO_REPLY),
        "close": (can_close, messages.NO_CLOSE),
        "reopen": (can_reopen, messages.NO_REOPEN.format(days=REOPEN_DAYS)),
        "escalate": (can_escalate, messages.NO_ESCALATE),
    }

    def get_queryset(self):
        params = self.request.query_params
        search = params.get("q", "")
        return selectors.ticket_list_visible(
            user=self.request.user,
            college=self.college,
            status=params.get("status", ""),
            search="" if "\x00" in search else search[:200],
        )

    def get_object(self):
        pk = parse_id(str(self.kwargs["pk"]), name="pk")
        ticket = selectors.ticket_get_for(user=self.request.user, college=self.college, pk=pk)
        self.check_object_permissions(self.request, ticket)
        return ticket

    def _answer(self, ticket: Ticket, code=status.HTTP_200_OK) -> Response:
        fresh = selectors.ticket_get_for(user=self.request.user, college=self.college, pk=ticket.pk)
        return Response(_detail(fresh, self.request), status=code)

    @extend_schema(responses=TicketDetailSerializer)
    def retrieve(self, request, pk=None):
        return Response(_detail(self.get_object(), request))

    @extend_schema(request=TicketCreateSerializer, responses={201: TicketDetailSerializer})
    def create(self, request):
        serializer = TicketCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket = services.ticket_create(actor=request.user, college=self.college, **serializer.validated_data)
        return self._answer(ticket, status.HTTP_201_CREATED)

    @extend_schema(request=TicketReplyInputSerializer, responses={201: TicketDetailSerializer})
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        ticket = self.get_object()
        serializer = TicketReplyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.ticket_reply(actor=request.user, ticket=ticket, **serializer.validated_data)
        return self._answer(ticket, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._answer(services.ticket_close(actor=request.user, ticket=self.get_object()))

    @extend_schema(request=None, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._answer(services.ticket_reopen(actor=request.user, ticket=self.get_object()))

    @extend_schema(request=None, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        return self._answer(services.ticket_escalate(actor=request.user, ticket=self.get_object()))


DOWNLOAD = {(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)}
DOWNLOAD_PARAMETERS = [
    OpenApiParameter("inline", OpenApiTypes.STR, enum=["1"], description="1: изображение открывается в браузере"),
    OpenApiParameter("thumb", OpenApiTypes.STR, enum=["1"], description="1: уменьшенная копия изображения (JPEG)"),
]


class TicketAttachmentViewSet(CollegeApiMixin, viewsets.GenericViewSet):
    """A question's screenshot or PDF, to whoever sees the question: the page's lookup and predicate
    (``selectors.attachment_get_for``, ``permissions.can_view_attachment``) and the page's response, with
    its headers (``support.downloads``); 404 for anyone else, as for a missing file."""

    queryset = TicketAttachment.objects.none()  # for the schema; requests use the selector
    lookup_value_regex = "[0-9]+"
    allowed = {"*": ASK_RULE}

    @extend_schema(
        summary="Download an attachment",
        parameters=[OpenApiParameter("ticket_pk", OpenApiTypes.INT, OpenApiParameter.PATH), *DOWNLOAD_PARAMETERS],
        responses=DOWNLOAD,
    )
    def retrieve(self, request, ticket_pk=None, pk=None):
        attachment = selectors.attachment_get_for(
            user=request.user, college=self.college, pk=_path_id(pk), ticket_pk=_path_id(ticket_pk)
        )
        self.check_object_permissions(request, attachment)
        return attachment_response_for(request, attachment)


class PlatformAttachmentApi(APIView):
    """A file of a question passed on to platform staff, for them (they hold no membership, so it is not
    under a college): ``selectors.attachment_get_escalated``, as their page's download; 404 for anyone else
    and for a question not passed on."""

    @extend_schema(
        summary="Download an attachment of a question passed on", parameters=DOWNLOAD_PARAMETERS, responses=DOWNLOAD
    )
    def get(self, request, pk):
        attachment = selectors.attachment_get_escalated(user=request.user, pk=_path_id(pk))
        return attachment_response_for(request, attachment)


def _path_id(value) -> int:
    """An id from the path (the route takes digits only): one beyond any table's range is «not found»."""
    text = str(value)
    if not (text.isascii() and text.isdigit()) or int(text) > ID_MAX:
        raise NotFound()
    return int(text)


router = SimpleRouter()
router.register("support/tickets", TicketViewSet, basename="support-ticket")
router.register(
    r"support/tickets/(?P<ticket_pk>[0-9]+)/attachments", TicketAttachmentViewSet, basename="support-ticket-attachment"
)

urlpatterns = [
    *college_urls(router.urls),
    path("platform/support/attachments/<int:pk>/", PlatformAttachmentApi.as_view(), name="support-platform-attachment"),
]
