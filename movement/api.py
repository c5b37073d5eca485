"""API of movement under /api/v1/movement/ (DRF): movements, roster imports, a group's roster on a date.

Lookups are scoped to the caller's current college first, so another college's
objects answer 404; input serializers validate, the services decide and write.
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

from colleges.models import Membership
from core.dates import ApiDateField
from groups.api import api_college
from groups.models import Discipline, StudyGroup
from movement import selectors, services
from movement.importers import check_upload_size
from movement.messages import NOT_ALLOWED_MESSAGE
from movement.models import ImportBatch, Movement, MovementKind, RosterRow
from movement.permissions import can_manage_movements, can_view_group_roster, can_view_movement_list
from movement.views import parse_ru_date


class CollegeApiMixin:
    """``self.college``: the caller's current college; 404 for anything outside it."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.college = api_college(request)

    def require_college(self):
        if not self.college:
            raise NotFound()
        return self.college

    def require_manager(self):
        college = self.require_college()
        if not can_manage_movements(self.request.user, college):
            raise PermissionDenied(NOT_ALLOWED_MESSAGE)
        return college


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
    """Movements of the current college (a curator: their groups'). POST records one order."""

    serializer_class = MovementSerializer

    def get_queryset(self):
        college = self.require_college() if self.college else None
        if not college or not can_view_movement_list(self.request.user, college):
            raise PermissionDenied("Нет доступа к движению контингента.")
        return selectors.movement_list(
            viewer=self.request.user,
            college=college,
            status=self.request.query_params.get("status", ""),
            search=self.request.query_params.get("q", ""),
        )

    @extend_schema(request=MovementInputSerializer, responses={201: MovementSerializer})
    def post(self, request):
        college = self.require_manager()
        data = MovementInputSerializer(data=request.data, context={"college": college})
        data.is_valid(raise_exception=True)
        movement = services.movement_create(actor=request.user, college=college, **data.validated_data)
        movement.refresh_from_db()
        return Response(MovementSerializer(movement).data, status=status.HTTP_201_CREATED)


class MovementDetailApi(CollegeApiMixin, generics.RetrieveAPIView):
    serializer_class = MovementSerializer

    def get_object(self):
        movement = (
            Movement.objects.filter(pk=self.kwargs["pk"], college=self.college)
            .select_related("person__user", "from_group", "to_group")
            .first()
            if self.college
            else None
        )
        if movement is None:
            raise NotFound()
        if not can_view_movement_list(self.request.user, self.college):
            raise PermissionDenied("Нет доступа к движению контингента.")
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

    @extend_schema(request=ImportUploadSerializer, responses={201: ImportBatchSerializer})
    def post(self, request):
        college = self.require_manager()
        data = ImportUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        try:
            batch = services.import_upload(
                actor=request.user,
                college=college,
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

    def get_object(self):
        self.require_college()
        batch = selectors.import_batch_get_for(college=self.college, pk=self.kwargs["pk"])
        self.require_manager()
        return batch


class RosterRowSerializer(serializers.ModelSerializer):
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

    @extend_schema(parameters=[OpenApiParameter("action", OpenApiTypes.STR, enum=RosterRow.Action.values)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        self.require_college()
        batch = selectors.import_batch_get_for(college=self.college, pk=self.kwargs["pk"])
        self.require_manager()
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

    @extend_schema(request=ImportApplySerializer, responses={202: ImportBatchSerializer})
    def post(self, request, pk):
        self.require_college()
        batch = selectors.import_batch_get_for(college=self.college, pk=pk)
        self.require_manager()
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

    @extend_schema(parameters=[OpenApiParameter("date", OpenApiTypes.STR, description="дд.мм.гггг")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        group = (
            StudyGroup.objects.filter(pk=self.kwargs["pk"], college=self.college).select_related("college").first()
            if self.college
            else None
        )
        if group is None:
            raise NotFound()
        if not can_view_group_roster(self.request.user, group):
            raise PermissionDenied("Нет доступа к списку группы.")
        raw = self.request.query_params.get("date", "")
        on = parse_ru_date(raw) if raw else timezone.localdate()
        if on is None:
            raise serializers.ValidationError({"date": "Неверная дата. Введите дату в формате дд.мм.гггг."})
        return selectors.roster_on_date(group=group, on=on)
