"""API of the materials app under /api/v1/colleges/<college_id>/ (DRF), with the same rules as the pages.

On the one college API base (colleges.api_base). Lookups go through the same
selectors as the pages, so a material the caller may not see answers 404, like
one of another college.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
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
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from colleges.api_base import CollegeApiMixin, college_urls
from core.dates import ApiDateTimeField
from core.pages import ID_MAX, parse_id
from groups.models import Discipline, StudyGroup
from materials import selectors, services
from materials.downloads import material_file_response
from materials.models import Audience, Kind, Material, MaterialFile, Section
from materials.permissions import can_edit_material, can_post_materials


class _Named(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MaterialFileSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = MaterialFile
        fields = ["id", "name", "kind", "content_type", "size", "version", "is_current", "download_url", "created_at"]

    def get_download_url(self, obj) -> str:
        return reverse("api:material-file-download", kwargs={"college_id": obj.college_id, "pk": obj.pk})


class MaterialSerializer(serializers.ModelSerializer):
    groups = _Named(many=True, read_only=True)
    discipline = _Named(read_only=True, allow_null=True)
    author = serializers.SerializerMethodField()
    files = MaterialFileSerializer(source="current_files", many=True, read_only=True)

    class Meta:
        model = Material
        fields = [
            "id",
            "section",
            "kind",
            "title",
            "description",
            "body",
            "url",
            "audience",
            "groups",
            "discipline",
            "status",
            "published_at",
            "pinned",
            "author",
            "files",
            "created_at",
            "updated_at",
        ]

    def get_author(self, obj) -> str:
        return obj.author.full_name if obj.author else ""


@extend_schema_field(OpenApiTypes.INT)
class _CollegeGroupsField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": "Группа не найдена.",
        "incorrect_type": "Неверный идентификатор группы.",
    }

    def get_queryset(self):
        return StudyGroup.objects.filter(college=self.context["college"])


@extend_schema_field(OpenApiTypes.INT)
class _CollegeDisciplineField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": "Дисциплина не найдена.",
        "incorrect_type": "Неверный идентификатор дисциплины.",
    }

    def get_queryset(self):
        return Discipline.objects.filter(college=self.context["college"])


class MaterialUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    body = serializers.CharField(required=False, allow_blank=True, default="", help_text="HTML; очищается сервером.")
    url = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    audience = serializers.ChoiceField(choices=Audience.choices)
    groups = _CollegeGroupsField(many=True, required=False, default=list)
    discipline = _CollegeDisciplineField(required=False, allow_null=True, default=None)
    files = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
        required=False,
        default=list,
        help_text="Идентификаторы загруженных файлов.",
    )


class MaterialCreateSerializer(MaterialUpdateSerializer):
    section = serializers.ChoiceField(choices=Section.choices, default=Section.LEARNING)
    kind = serializers.ChoiceField(choices=Kind.choices)
    publish = serializers.BooleanField(default=False)
    publish_at = ApiDateTimeField(required=False, allow_null=True, default=None)


class MaterialPublishSerializer(serializers.Serializer):
    publish_at = ApiDateTimeField(required=False, allow_null=True, default=None)


class MaterialFileUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


# Every member reads (can_view_materials: the college's members); the selectors decide which materials.
POST_RULE = (can_post_materials, services.NO_POST_PERMISSION_MESSAGE)
EDIT_RULE = (can_edit_material, services.NO_EDIT_PERMISSION_MESSAGE)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("section", OpenApiTypes.STR, enum=Section.values),
            OpenApiParameter("group", OpenApiTypes.INT),
            OpenApiParameter("discipline", OpenApiTypes.INT),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=Kind.values),
            OpenApiParameter("q", OpenApiTypes.STR, description="Слова из названия или текста"),
        ]
    )
)
class MaterialViewSet(
    CollegeApiMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Materials the caller may see, newest first; writes follow the same rules as the upload page."""

    queryset = Material.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = MaterialSerializer
    allowed = {"create": POST_RULE}
    allowed_on = {"update": EDIT_RULE, "destroy": EDIT_RULE, "publish": EDIT_RULE, "unpublish": EDIT_RULE}

    def get_queryset(self):
        params = self.request.query_params
        group = discipline = None
        if params.get("group"):
            group = selectors.material_group_get_for(user=self.request.user, college=self.college, pk=params["group"])
        if params.get("discipline"):
            wanted = parse_id(params["discipline"], name="discipline")
            discipline = Discipline.objects.filter(college=self.college, pk=wanted).first()
            if discipline is None:
                raise Http404
        section = params.get("section", Section.LEARNING)
        kind = params.get("kind", "")
        return selectors.material_list(
            viewer=self.request.user,
            college=self.college,
            section=section if section in Section.values else Section.LEARNING,
            group=group,
            discipline=discipline,
            kind=kind if kind in Kind.values else "",
            search=params.get("q", ""),
        )

    def get_object(self):
        material = selectors.material_get_for(user=self.request.user, college=self.college, pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, material)
        return material

    def _answer(self, material: Material, code=status.HTTP_200_OK) -> Response:
        fresh = selectors.material_get_for(user=self.request.user, college=self.college, pk=material.pk)
        return Response(MaterialSerializer(fresh).data, status=code)

    @extend_schema(request=MaterialCreateSerializer, responses={201: MaterialSerializer})
    def create(self, request):
        serializer = MaterialCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        material = services.material_create(
            actor=request.user, college=self.college, upload_ids=data.pop("files"), **data
        )
        return self._answer(material, status.HTTP_201_CREATED)

    @extend_schema(request=MaterialUpdateSerializer, responses=MaterialSerializer)
    def update(self, request, pk=None):
        material = self.get_object()
        serializer = MaterialUpdateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        material = services.material_update(actor=request.user, material=material, upload_ids=data.pop("files"), **data)
        return self._answer(material)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        material = self.get_object()
        services.material_delete(actor=request.user, material=material)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=MaterialPublishSerializer, responses=MaterialSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        material = self.get_object()
        serializer = MaterialPublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        material = services.material_publish(
            actor=request.user, material=material, publish_at=serializer.validated_data["publish_at"]
        )
        return self._answer(material)

    @extend_schema(request=None, responses=MaterialSerializer)
    @action(detail=True, methods=["post"])
    def unpublish(self, request, pk=None):
        material = services.material_unpublish(actor=request.user, material=self.get_object())
        return self._answer(material)


class MaterialFileViewSet(CollegeApiMixin, viewsets.GenericViewSet):
    """Upload a file for a material (checked by content) and download files of materials the caller may see."""

    queryset = MaterialFile.objects.none()
    serializer_class = MaterialFileSerializer
    parser_classes = [MultiPartParser, FormParser]
    allowed = {"create": POST_RULE}

    @extend_schema(request=MaterialFileUploadSerializer, responses={201: MaterialFileSerializer})
    def create(self, request):
        serializer = MaterialFileUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            record = services.material_file_stage(
                actor=request.user, college=self.college, uploaded=serializer.validated_data["file"]
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"file": exc.messages}) from exc
        return Response(MaterialFileSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        file = selectors.material_file_get_for(user=request.user, college=self.college, pk=pk)
        response = material_file_response(file, as_attachment=True)
        if file.material_id is not None:
            services.material_file_register_download(file=file)
        return response


router = SimpleRouter()
router.register("materials", MaterialViewSet, basename="material")
router.register("material-files", MaterialFileViewSet, basename="material-file")

urlpatterns = college_urls(router.urls)
