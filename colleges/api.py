"""API of the colleges app (DRF): the caller's colleges under /api/v1/colleges/, and a college's departments
and memberships under /api/v1/colleges/<college_id>/.

The colleges list starts from those where the caller holds an active
membership; departments and memberships stand on the one college API base
(colleges.api_base), so another college's objects answer 404. Input
serializers validate; the services decide and write.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from accounts.search import name_order, search_q
from colleges import permissions as rules
from colleges import services
from colleges.api_base import CollegeApiMixin, college_urls
from colleges.models import HIREABLE_ROLES, STAFF_ROLES, College, Department, Membership, Role
from colleges.selectors import colleges_of, department_group_count


def api_colleges_of(request, **kwargs):
    """``colleges_of`` the caller, narrowed to its API key's own college when the call comes with one."""
    colleges = colleges_of(user=request.user, **kwargs)
    token_college_id = getattr(request.auth, "college_id", None)
    return colleges.filter(pk=token_college_id) if token_college_id is not None else colleges


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
    name = serializers.CharField(max_length=200)
    head_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class DepartmentUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    head_name = serializers.CharField(max_length=200, required=False, allow_blank=True)


DEPARTMENTS_DENIED = "Изменять отделения может только администратор платформы колледжа."


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("search", str)]))
class DepartmentViewSet(CollegeApiMixin, viewsets.ModelViewSet):
    """Departments of the college: members read, the administrator creates, edits and deletes."""

    queryset = Department.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = DepartmentSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    # Every member reads; creating is refused by department_create itself, with its own message.
    allowed = {
        "partial_update": (rules.can_manage_college, DEPARTMENTS_DENIED),
        "destroy": (rules.can_manage_college, DEPARTMENTS_DENIED),
    }

    def get_queryset(self):
        qs = (
            Department.objects.filter(college=self.college)
            .annotate(group_count=department_group_count())
            .order_by("name", "pk")
        )
        return qs.filter(search_q(self.request.query_params.get("search", ""), fields=("name",)))

    def _out(self, department: Department) -> dict:
        department = self.get_queryset().get(pk=department.pk)
        return DepartmentSerializer(department).data

    @extend_schema(request=DepartmentCreateSerializer, responses={201: DepartmentSerializer})
    def create(self, request):
        serializer = DepartmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        department = services.department_create(actor=request.user, college=self.college, **serializer.validated_data)
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
    phone = serializers.CharField(max_length=32)
    last_name = serializers.CharField(max_length=100)
    first_name = serializers.CharField(max_length=100)
    patronymic = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(
        choices=[(r.value, r.label) for r in Role if r in HIREABLE_ROLES],
        error_messages={"invalid_choice": services.HIRE_ROLE_MESSAGE},
    )
    position = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


MEMBERSHIPS_DENIED = "Участники колледжа доступны администратору и администрации колледжа."


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("role", str, enum=Role.values),
            OpenApiParameter("search", str),
        ]
    ),
)
class MembershipViewSet(
    CollegeApiMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The college's members: the administrator and the administration read them; the administrator adds staff."""

    queryset = Membership.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = MembershipSerializer
    # Adding staff: staff_add asks can_add_staff itself, with its own message.
    allowed = {
        "list": (rules.can_view_memberships, MEMBERSHIPS_DENIED),
        "retrieve": (rules.can_view_memberships, MEMBERSHIPS_DENIED),
    }

    def get_queryset(self):
        # The membership's own copies of the user's search text and sort key (see Membership.search_text).
        qs = Membership.objects.filter(college=self.college).select_related("user").order_by(name_order(), "pk")
        params = self.request.query_params
        if params.get("role") in Role.values:
            qs = qs.filter(role=params["role"])
        if params.get("staff") == "1":
            qs = qs.filter(role__in=STAFF_ROLES)
        return qs.filter(search_q(params.get("search", ""), people=("",)))

    @extend_schema(request=StaffCreateSerializer, responses={201: MembershipSerializer})
    def create(self, request):
        serializer = StaffCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.staff_add(actor=request.user, college=self.college, **serializer.validated_data)
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


router = SimpleRouter()
router.register("colleges", CollegeViewSet, basename="college")
college_router = SimpleRouter()
college_router.register("departments", DepartmentViewSet, basename="department")
college_router.register("memberships", MembershipViewSet, basename="membership")

urlpatterns = [*router.urls, *college_urls(college_router.urls)]
