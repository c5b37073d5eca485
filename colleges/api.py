"""API of the colleges app under /api/v1/ (DRF).

Every queryset starts from the colleges where the caller holds an active
membership, so another college's objects answer 404. Input serializers
validate; the services decide and write.
"""

from django.db.models import Count
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from accounts.search import name_order, search_q
from colleges import permissions as rules
from colleges import services
from colleges.models import HIREABLE_ROLES, STAFF_ROLES, College, Department, Membership, Role
from colleges.selectors import colleges_of
from core.pages import parse_id

MANAGER_ROLES = (Role.ADMINISTRATOR, Role.ADMINISTRATION)


def api_colleges_of(request, **kwargs):
    """``colleges_of`` the caller, narrowed to its API key's own college when the call comes with one."""
    colleges = colleges_of(user=request.user, **kwargs)
    token_college_id = getattr(request.auth, "college_id", None)
    return colleges.filter(pk=token_college_id) if token_college_id is not None else colleges


@extend_schema_field(OpenApiTypes.INT)
class MemberCollegeField(serializers.PrimaryKeyRelatedField):
    """A college where the caller is an active member; any other answers «not found»."""

    default_error_messages = {
        "required": "Укажите колледж.",
        "does_not_exist": "Колледж не найден.",
        "incorrect_type": "Неверный идентификатор колледжа.",
    }

    def get_queryset(self):
        return api_colleges_of(self.context["request"])


# --- Colleges -------------------------------------------------------------------------------


class CollegeSerializer(serializers.ModelSerializer):
    # Typed as people type it (``8 (912) 345-67-89``); the service stores E.164.
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)

    class Meta:
        model = College
        fields = [
            "id",
            "full_name",
            "short_name",
            "inn",
            "ogrn",
            "region",
            "address",
            "time_zone",
            "email",
            "phone",
            "website",
            "status",
        ]
        read_only_fields = ["id", "inn", "ogrn", "status"]


class CollegePermission(permissions.BasePermission):
    message = services.MANAGE_DENIED_MESSAGE

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return rules.is_member(request.user, obj)
        return rules.can_manage_college(request.user, obj)


class CollegeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's own colleges. The administrator may change the profile (PATCH)."""

    queryset = College.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = CollegeSerializer
    permission_classes = [permissions.IsAuthenticated, CollegePermission]

    def get_queryset(self):
        return api_colleges_of(self.request).order_by("short_name", "pk")

    @extend_schema(request=CollegeSerializer, responses=CollegeSerializer)
    def partial_update(self, request, pk=None):
        college = self.get_object()
        serializer = CollegeSerializer(college, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        college = services.college_update(actor=request.user, college=college, **serializer.validated_data)
        return Response(CollegeSerializer(college).data)


# --- Departments -----------------------------------------------------------------------------


class DepartmentSerializer(serializers.ModelSerializer):
    group_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Department
        fields = ["id", "college", "name", "head_name", "group_count"]
        read_only_fields = ["id", "college", "group_count"]


class DepartmentCreateSerializer(serializers.Serializer):
    college = MemberCollegeField()
    name = serializers.CharField(max_length=200)
    head_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class DepartmentUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    head_name = serializers.CharField(max_length=200, required=False, allow_blank=True)


class DepartmentPermission(permissions.BasePermission):
    message = "Изменять отделения может только администратор платформы колледжа."

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return rules.is_member(request.user, obj.college)
        return rules.can_manage_college(request.user, obj.college)


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("college", int), OpenApiParameter("search", str)]),
)
class DepartmentViewSet(viewsets.ModelViewSet):
    """Departments of the caller's colleges: members read, the administrator creates, edits and deletes."""

    queryset = Department.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = DepartmentSerializer
    permission_classes = [permissions.IsAuthenticated, DepartmentPermission]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        qs = (
            Department.objects.filter(college__in=api_colleges_of(self.request))
            .select_related("college")
            .annotate(group_count=Count("study_groups", distinct=True))
            .order_by("college_id", "name", "pk")
        )
        college = parse_id(self.request.query_params.get("college"), name="college")
        if college is not None:
            qs = qs.filter(college_id=college)
        qs = qs.filter(search_q(self.request.query_params.get("search", ""), fields=("name",)))
        return qs

    def _out(self, department: Department) -> dict:
        department = self.get_queryset().get(pk=department.pk)
        return DepartmentSerializer(department).data

    @extend_schema(request=DepartmentCreateSerializer, responses={201: DepartmentSerializer})
    def create(self, request):
        serializer = DepartmentCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        department = services.department_create(actor=request.user, **serializer.validated_data)
        return Response(self._out(department), status=status.HTTP_201_CREATED)

    @extend_schema(request=DepartmentUpdateSerializer, responses=DepartmentSerializer)
    def partial_update(self, request, pk=None):
        department = self.get_object()
        serializer = DepartmentUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = {"name": department.name, "head_name": department.head_name, **serializer.validated_data}
        department = services.department_update(actor=request.user, department=department, **data)
        return Response(self._out(department))

    def destroy(self, request, pk=None):
        department = self.get_object()
        services.department_delete(actor=request.user, department=department)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Memberships -----------------------------------------------------------------------------


class MembershipUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    phone = serializers.CharField()


class MembershipSerializer(serializers.ModelSerializer):
    user = MembershipUserSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "college", "user", "role", "status", "position", "order_number", "order_date", "created_at"]
        read_only_fields = fields


class StaffCreateSerializer(serializers.Serializer):
    college = MemberCollegeField()
    phone = serializers.CharField(max_length=32)
    last_name = serializers.CharField(max_length=100)
    first_name = serializers.CharField(max_length=100)
    patronymic = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(
        choices=[(r.value, r.label) for r in Role if r in HIREABLE_ROLES],
        error_messages={"invalid_choice": services.HIRE_ROLE_MESSAGE},
    )
    position = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class MembershipPermission(permissions.BasePermission):
    """The administrator and the administration read memberships; the administrator adds staff."""

    message = "Участники колледжа доступны администратору и администрации колледжа."

    def has_permission(self, request, view):
        if view.action == "list":
            return api_colleges_of(request, roles=MANAGER_ROLES).exists()
        return True

    def has_object_permission(self, request, view, obj):
        return rules.can_view_memberships(request.user, obj.college)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("college", int),
            OpenApiParameter("role", str, enum=Role.values),
            OpenApiParameter("search", str),
        ]
    ),
)
class MembershipViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    queryset = Membership.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = MembershipSerializer
    permission_classes = [permissions.IsAuthenticated, MembershipPermission]

    def get_queryset(self):
        # Retrieval sees every college of the caller (a teacher gets 403, a stranger 404); lists only managed ones.
        colleges = (
            api_colleges_of(self.request, roles=MANAGER_ROLES)
            if self.action == "list"
            else api_colleges_of(self.request)
        )
        qs = (
            Membership.objects.filter(college__in=colleges)
            .select_related("user")
            .order_by("college_id", name_order("user"), "pk")
        )
        params = self.request.query_params
        college = parse_id(params.get("college"), name="college")
        if college is not None:
            qs = qs.filter(college_id=college)
        if params.get("role") in Role.values:
            qs = qs.filter(role=params["role"])
        if params.get("staff") == "1":
            qs = qs.filter(role__in=STAFF_ROLES)
        return qs.filter(search_q(params.get("search", ""), people=("user",)))

    @extend_schema(request=StaffCreateSerializer, responses={201: MembershipSerializer})
    def create(self, request):
        serializer = StaffCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        membership = services.staff_add(actor=request.user, **serializer.validated_data)
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


router = SimpleRouter()
router.register("colleges", CollegeViewSet, basename="college")
router.register("departments", DepartmentViewSet, basename="department")
router.register("memberships", MembershipViewSet, basename="membership")

urlpatterns = router.urls
