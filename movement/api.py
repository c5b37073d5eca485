"""API of movement under /api/v1/colleges/<college_id>/movement/ (DRF): movements, roster imports, a group's
roster on a date.

On the one college API base (colleges.api_base): lookups are scoped to the
URL's college, so another college's objects answer 404; input serializers
validate, the services decide and write.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from colleges.api_base import CollegeApiMixin
from colleges.models import Membership
from core.dates import ApiDateField, parse_ru_date
from groups.models import Discipline, StudyGroup
from movement import selectors, services
from movement.importers import check_upload_size
from movement.messages import NOT_ALLOWED_MESSAGE
from movement.models import ImportBatch, Movement, MovementKind, RosterRow
from movement.permissions import can_manage_movements, can_view_group_roster, can_view_movement_list

VIEW_DENIED = "Нет доступа к движению контингента."
VIEW_RULE = (can_view_movement_list, VIEW_DENIED)
MANAGE_RULE = (can_manage_movements, NOT_ALLOWED_MESSAGE)


class GroupRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = StudyGroup
        fields = ["id", "name"]


class MovementSerializer(serializers.ModelSerializer):
    person_name = serializers.SerializerMethodField()
    from_group = GroupRefSerializer(read_only=True, allow_null=True)
    to_group = GroupRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Movement
        fields = [
            "id",
            "kind",
            "status",
            "person",
            "person_name",
            "from_group",
            "to_group",
            "discipline",
            "order_number",
            "order_date",
            "effective_date",
            "reason",
            "planned_return_date",
            "applied_at",
            "error",
            "batch",
            "caused_by",
            "created_at",
        ]

    def get_person_name(self, movement) -> str:
        if movement.person_id:
            return movement.person.user.full_name
        return " ".join(p for p in (movement.last_name, movement.first_name, movement.patronymic) if p)


class MovementInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MovementKind.choices)
    person = serializers.IntegerField(required=False, allow_null=True, help_text="id участника (Membership)")
    to_group = serializers.IntegerField(required=False, allow_null=True)
    discipline = serializers.IntegerField(required=False, allow_null=True)
    order_number = serializers.CharField(max_length=50)
    order_date = ApiDateField()
    effective_date = ApiDateField()
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    planned_return_date = ApiDateField(required=False, allow_null=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    patronymic = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    role = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    position = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def _in_college(self, model, pk, field):
        if pk is None:
            return None
        obj = model.objects.filter(pk=pk, college=self.context["college"]).first()
        if obj is None:
            raise serializers.ValidationError({field: "Не найдено в этом колледже."})
        return obj

    def validate(self, attrs):
        attrs["person"] = self._in_college(Membership, attrs.get("person"), "person")
        attrs["to_group"] = self._in_college(StudyGroup, attrs.get("to_group"), "to_group")
        attrs["discipline"] = self._in_college(Discipline, attrs.get("discipline"), "discipline")
        return attrs


class MovementListApi(CollegeApiMixin, generics.ListCreateAPIView):
    """Movements of the college (a curator: their groups'). POST records one order."""

    serializer_class = MovementSerializer
    allowed = {"get": VIEW_RULE, "post": MANAGE_RULE}

    def get_queryset(self):
        return selectors.movement_list(
            viewer=self.request.user,
            college=self.college,
            status=self.request.query_params.get("status", ""),
            search=self.request.query_params.get("q", ""),
        )

    @extend_schema(request=MovementInputSerializer, responses={201: MovementSerializer})
    def post(self, request):
        data = MovementInputSerializer(data=request.data, context={"college": self.college})
        data.is_valid(raise_exception=True)
        movement = services.movement_create(actor=request.user, college=self.college, **data.validated_data)
        movement.refresh_from_db()
        return Response(MovementSerializer(movement).data, status=status.HTTP_201_CREATED)


class MovementDetailApi(CollegeApiMixin, generics.RetrieveAPIView):
    serializer_class = MovementSerializer
    allowed = {"get": VIEW_RULE}

    def get_object(self):
        movement = (
            Movement.objects.filter(pk=self.kwargs["pk"], college=self.college)
            .select_related("person__user", "from_group", "to_group")
            .first()
        )
        if movement is None:
            raise NotFound()
        visible = selectors.movement_list(viewer=self.request.user, college=self.college).filter(pk=movement.pk)
        if not visible.exists():
            raise PermissionDenied("Нет доступа к этому движению.")
        return movement


class ImportBatchSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True, help_text="roster, rollover или rollback")

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "kind",
            "status",
            "file_name",
            "encoding",
            "delimiter",
            "headers",
            "mapping",
            "summary",
            "include_expulsions",
            "total",
            "processed",
            "percent",
            "order_number",
            "order_date",
            "effective_date",
            "created_at",
            "applied_at",
            "rolled_back_by",
        ]


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()

    def validate_file(self, upload):
        try:
            check_upload_size(upload.size)  # before the file is read
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return upload

    order_number = serializers.CharField(max_length=50)
    order_date = ApiDateField()
    effective_date = ApiDateField()


class ImportUploadApi(CollegeApiMixin, APIView):
    """Upload a roster (CSV or XLSX); the answer is the dry-run summary. Nothing in the roster changes."""

    parser_classes = [MultiPartParser, FormParser]
    allowed = {"post": MANAGE_RULE}

    @extend_schema(request=ImportUploadSerializer, responses={201: ImportBatchSerializer})
    def post(self, request):
        data = ImportUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        try:
            batch = services.import_upload(
                actor=request.user,
                college=self.college,
                name=upload.name,
                data=upload.read(),
                order_number=data.validated_data["order_number"],
                order_date=data.validated_data["order_date"],
                effective_date=data.validated_data["effective_date"],
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"file": exc.messages}) from exc
        return Response(ImportBatchSerializer(batch).data, status=status.HTTP_201_CREATED)


class ImportDetailApi(CollegeApiMixin, generics.RetrieveAPIView):
    """A batch: status and progress (processed / total) and the dry-run summary."""

    serializer_class = ImportBatchSerializer
    allowed = {"get": MANAGE_RULE}

    def get_object(self):
        return selectors.import_batch_get_for(college=self.college, pk=self.kwargs["pk"])


class RosterRowSerializer(serializers.ModelSerializer):
    # The students not in the file («нет в файле») are read from the roster at the dry run: no row, no line.
    id = serializers.IntegerField(read_only=True, allow_null=True, help_text="Нет у строк «нет в файле».")
    group = GroupRefSerializer(read_only=True, allow_null=True)
    current_group = GroupRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = RosterRow
        fields = [
            "id",
            "line_no",
            "last_name",
            "first_name",
            "patronymic",
            "phone",
            "group_name",
            "birth_date",
            "group",
            "current_group",
            "action",
            "error",
            "applied",
        ]


class ImportRowsApi(CollegeApiMixin, generics.ListAPIView):
    """The dry-run diff row by row; ``?action=new|enrol|transfer|unchanged|missing|error``."""

    serializer_class = RosterRowSerializer
    allowed = {"get": MANAGE_RULE}

    @extend_schema(parameters=[OpenApiParameter("action", OpenApiTypes.STR, enum=RosterRow.Action.values)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        batch = selectors.import_batch_get_for(college=self.college, pk=self.kwargs["pk"])
        qs = batch.rows.select_related("group", "current_group").order_by("line_no", "id")
        action = self.request.query_params.get("action")
        if batch.status != ImportBatch.Status.PREVIEWED:
            return qs.filter(action=action) if action else qs
        # At the dry run the students not in the file are read from the roster, after the file's lines.
        qs = qs.exclude(action=RosterRow.Action.MISSING)
        if action == RosterRow.Action.MISSING:
            return _RowsThenMissing(qs.none(), batch)
        return qs.filter(action=action) if action else _RowsThenMissing(qs, batch)


class _RowsThenMissing:
    """The file's rows, then the students not in the file, as one list the paginator slices."""

    def __init__(self, rows, batch):
        self.rows, self.batch = rows, batch
        self._counts = None

    def _sizes(self) -> tuple[int, int]:
        if self._counts is None:
            missing = selectors.import_missing_enrollments(batch=self.batch).count()
            self._counts = (self.rows.count(), missing)
        return self._counts

    def count(self) -> int:
        return sum(self._sizes())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop if index.stop is not None else self.count()
        in_file = self._sizes()[0]
        found = list(self.rows[start:stop]) if start < in_file else []
        if stop > in_file:
            found += selectors.import_missing_rows(batch=self.batch, start=max(start - in_file, 0), stop=stop - in_file)
        return found


class ImportApplySerializer(serializers.Serializer):
    include_expulsions = serializers.BooleanField(default=False)
    confirm_threshold = serializers.BooleanField(default=False)


class ImportApplyApi(CollegeApiMixin, APIView):
    """Apply a previewed batch in the background; poll the batch for progress."""

    allowed = {"post": MANAGE_RULE}

    @extend_schema(request=ImportApplySerializer, responses={202: ImportBatchSerializer})
    def post(self, request, pk):
        batch = selectors.import_batch_get_for(college=self.college, pk=pk)
        data = ImportApplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.import_apply_start(actor=request.user, batch=batch, **data.validated_data)
        batch.refresh_from_db()
        return Response(ImportBatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED)


class RosterEntrySerializer(serializers.Serializer):
    membership = serializers.IntegerField(source="student_id")
    full_name = serializers.CharField(source="student.user.full_name")
    started_at = serializers.DateField()
    ended_at = serializers.DateField(allow_null=True)


class RosterApi(CollegeApiMixin, generics.ListAPIView):
    """Who was in the group on ``?date=`` (дд.мм.гггг or ISO; today by default)."""

    serializer_class = RosterEntrySerializer
    pagination_class = None
    allowed_on = {"get": (can_view_group_roster, "Нет доступа к списку группы.")}

    @extend_schema(parameters=[OpenApiParameter("date", OpenApiTypes.STR, description="дд.мм.гггг")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        group = StudyGroup.objects.filter(pk=self.kwargs["pk"], college=self.college).select_related("college").first()
        if group is None:
            raise NotFound()
        self.check_object_permissions(self.request, group)
        raw = self.request.query_params.get("date", "")
        on = parse_ru_date(raw) if raw else timezone.localdate()
        if on is None:
            raise serializers.ValidationError({"date": "Неверная дата. Введите дату в формате дд.мм.гггг."})
        return selectors.roster_on_date(group=group, on=on)
