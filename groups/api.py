"""API of the groups app under /api/v1/colleges/<college_id>/ (DRF): study groups, staff groups, disciplines,
assignments.

On the one college API base (colleges.api_base): every queryset is scoped to
the URL's college, so another college's objects answer 404. Input serializers
validate; services write.
"""

from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from accounts.search import name_order
from colleges.api_base import CollegeApiMixin, CollegeRelatedField, college_urls
from colleges.models import STAFF_ROLES, Membership
from groups import permissions as perms
from groups import selectors, services
from groups.models import (
    CuratorAssignment,
    Discipline,
    FormOfStudy,
    StaffGroup,
    StudyGroup,
    SubjectTeacherAssignment,
)

VIEW_DENIED = "Этот раздел недоступен для вашей роли в колледже."
ADMINISTRATOR_ONLY = "Это действие доступно только администратору платформы колледжа."


def _person(membership: Membership | None) -> dict | None:
    if membership is None:
        return None
    return {"id": membership.pk, "name": membership.user.full_name or membership.user.phone_display}


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


# --- Study groups --------------------------------------------------------------


class StudyGroupSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    curator = serializers.SerializerMethodField()
    student_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = StudyGroup
        fields = [
            "id",
            "name",
            "department",
            "department_name",
            "specialty_code",
            "specialty_name",
            "course",
            "admission_year",
            "form_of_study",
            "status",
            "curator",
            "student_count",
        ]

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_curator(self, group) -> dict | None:
        curators = getattr(group, "active_curators", [])
        return _person(curators[0].teacher) if curators else None


class StudyGroupInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    department = CollegeRelatedField(scope=lambda college: selectors.department_choices(college=college))
    specialty_code = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    specialty_name = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    course = serializers.IntegerField(min_value=1, max_value=6, default=1)
    admission_year = serializers.IntegerField(min_value=1990, max_value=2100)
    form_of_study = serializers.ChoiceField(choices=FormOfStudy.choices, default=FormOfStudy.FULL_TIME)
    status = serializers.ChoiceField(choices=StudyGroup.Status.choices, default=StudyGroup.Status.ACTIVE)


class StudyGroupApi(
    CollegeApiMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Study groups: members see the groups they may (all for overseers); the administrator creates and edits."""

    queryset = StudyGroup.objects.none()
    serializer_class = StudyGroupSerializer
    # Every member lists and opens the groups they may see (the queryset decides which).
    allowed = {"create": (perms.can_create_study_group, ADMINISTRATOR_ONLY)}
    allowed_on = {
        "update": (perms.can_edit_study_group, services.MANAGE_GROUPS_DENIED),
        "partial_update": (perms.can_edit_study_group, services.MANAGE_GROUPS_DENIED),
    }

    def get_queryset(self):
        return selectors.study_group_visible_to(user=self.request.user, college=self.college)

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return StudyGroupInputSerializer
        return StudyGroupSerializer

    def _output(self, group, status_code=status.HTTP_200_OK):
        group = selectors.study_group_list(college=self.college).get(pk=group.pk)
        return Response(StudyGroupSerializer(group).data, status=status_code)

    @extend_schema(request=StudyGroupInputSerializer, responses={201: StudyGroupSerializer})
    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        group = services.study_group_create(actor=request.user, college=self.college, **serializer.validated_data)
        return self._output(group, status.HTTP_201_CREATED)

    @extend_schema(request=StudyGroupInputSerializer, responses=StudyGroupSerializer)
    def update(self, request, pk=None):
        return self._update(request, partial=False)

    @extend_schema(request=StudyGroupInputSerializer(partial=True), responses=StudyGroupSerializer)
    def partial_update(self, request, pk=None):
        return self._update(request, partial=True)

    def _update(self, request, *, partial: bool):
        group = self.get_object()
        serializer = self.get_serializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        changes = {key: value for key, value in serializer.validated_data.items() if key in request.data}
        group = services.study_group_update(actor=request.user, group=group, **changes)
        return self._output(group)


# --- Staff groups ----------------------------------------------------------------


class StaffGroupSerializer(serializers.ModelSerializer):
    members = serializers.SerializerMethodField()

    class Meta:
        model = StaffGroup
        fields = ["id", "name", "description", "members"]

    @extend_schema_field(PersonSerializer(many=True))
    def get_members(self, staff_group) -> list[dict]:
        return [_person(m) for m in staff_group.members.all()]


class StaffGroupInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class StaffGroupMemberInputSerializer(serializers.Serializer):
    member = CollegeRelatedField(
        scope=lambda college: (
            Membership.objects.filter(college=college, role__in=STAFF_ROLES) if college else Membership.objects.none()
        )
    )


class StaffGroupApi(
    CollegeApiMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = StaffGroup.objects.none()
    serializer_class = StaffGroupSerializer
    allowed = {
        "list": (perms.can_view_staff_groups, VIEW_DENIED),
        "retrieve": (perms.can_view_staff_groups, VIEW_DENIED),
        "*": (perms.can_manage_staff_groups, services.MANAGE_STAFF_GROUPS_DENIED),
    }

    def get_queryset(self):
        members = Membership.objects.select_related("user").order_by(name_order(), "pk")
        return selectors.staff_group_list(college=self.college).prefetch_related(Prefetch("members", queryset=members))

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return StaffGroupInputSerializer
        if self.action == "member_add":
            return StaffGroupMemberInputSerializer
        return StaffGroupSerializer

    def _output(self, staff_group, status_code=status.HTTP_200_OK):
        return Response(StaffGroupSerializer(self.get_queryset().get(pk=staff_group.pk)).data, status=status_code)

    @extend_schema(request=StaffGroupInputSerializer, responses={201: StaffGroupSerializer})
    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        staff_group = services.staff_group_create(actor=request.user, college=self.college, **serializer.validated_data)
        return self._output(staff_group, status.HTTP_201_CREATED)

    @extend_schema(request=StaffGroupInputSerializer, responses=StaffGroupSerializer)
    def update(self, request, pk=None):
        staff_group = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        staff_group = services.staff_group_update(
            actor=request.user, staff_group=staff_group, **serializer.validated_data
        )
        return self._output(staff_group)

    @extend_schema(request=StaffGroupMemberInputSerializer, responses=StaffGroupSerializer)
    @action(detail=True, methods=["post"], url_path="members")
    def member_add(self, request, pk=None):
        staff_group = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.staff_group_member_add(
            actor=request.user, staff_group=staff_group, member=serializer.validated_data["member"]
        )
        return self._output(staff_group)

    @extend_schema(
        request=None,
        responses=StaffGroupSerializer,
        parameters=[OpenApiParameter("member_pk", int, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["delete"], url_path=r"members/(?P<member_pk>\d+)")
    def member_remove(self, request, pk=None, member_pk=None):
        staff_group = self.get_object()
        member = staff_group.members.filter(pk=member_pk).first()
        if member is None:
            raise Http404
        services.staff_group_member_remove(actor=request.user, staff_group=staff_group, member=member)
        return self._output(staff_group)


# --- Disciplines -------------------------------------------------------------------


class DisciplineSerializer(serializers.ModelSerializer):
    class Meta:
        model = Discipline
        fields = ["id", "code", "name"]


class DisciplineInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=300)
    code = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")


class DisciplineApi(
    CollegeApiMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Discipline.objects.none()
    serializer_class = DisciplineSerializer
    allowed = {
        "list": (perms.can_view_disciplines, VIEW_DENIED),
        "retrieve": (perms.can_view_disciplines, services.MANAGE_DISCIPLINES_DENIED),
        "*": (perms.can_manage_disciplines, services.MANAGE_DISCIPLINES_DENIED),
    }

    def get_queryset(self):
        return Discipline.objects.filter(college=self.college).order_by("name", "pk")

    def get_serializer_class(self):
        return DisciplineInputSerializer if self.action in ("create", "update") else DisciplineSerializer

    @extend_schema(request=DisciplineInputSerializer, responses={201: DisciplineSerializer})
    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        discipline = services.discipline_create(actor=request.user, college=self.college, **serializer.validated_data)
        return Response(DisciplineSerializer(discipline).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DisciplineInputSerializer, responses=DisciplineSerializer)
    def update(self, request, pk=None):
        discipline = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        discipline = services.discipline_update(actor=request.user, discipline=discipline, **serializer.validated_data)
        return Response(DisciplineSerializer(discipline).data)


# --- Assignments ---------------------------------------------------------------------


class CuratorAssignmentSerializer(serializers.ModelSerializer):
    group_name = serializers.CharField(source="group.name", read_only=True)
    teacher_name = serializers.SerializerMethodField()

    class Meta:
        model = CuratorAssignment
        fields = ["id", "group", "group_name", "teacher", "teacher_name", "started_at", "ended_at"]

    def get_teacher_name(self, assignment) -> str:
        return assignment.teacher.user.full_name or assignment.teacher.user.phone_display


def _teachers(college):
    return selectors.teacher_choices(college=college) if college else Membership.objects.none()


def _groups(college):
    return StudyGroup.objects.filter(college=college) if college else StudyGroup.objects.none()


class CuratorAssignmentInputSerializer(serializers.Serializer):
    group = CollegeRelatedField(scope=_groups)
    teacher = CollegeRelatedField(scope=_teachers)


def _assignment_rules(*, denied: str) -> dict:
    return {
        "list": (perms.can_view_assignments, VIEW_DENIED),
        "retrieve": (perms.can_view_assignments, VIEW_DENIED),
        "create": (perms.can_create_study_group, denied),
    }


class CuratorAssignmentApi(
    CollegeApiMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Curators of groups. Assigning a new curator ends the group's previous one."""

    queryset = CuratorAssignment.objects.none()
    serializer_class = CuratorAssignmentSerializer
    allowed = _assignment_rules(denied=services.ASSIGN_CURATOR_DENIED)
    # Ending is the service's own predicate, over the assignment's group.
    allowed_on = {
        "end": (
            lambda user, assignment: perms.can_assign_curator(user, assignment.group),
            services.ASSIGN_CURATOR_DENIED,
        )
    }

    def get_queryset(self):
        active_only = self.action == "list" and self.request.query_params.get("all") != "1"
        return selectors.curator_assignment_list(college=self.college, active_only=active_only)

    def get_serializer_class(self):
        return CuratorAssignmentInputSerializer if self.action == "create" else CuratorAssignmentSerializer

    @extend_schema(
        parameters=[OpenApiParameter("all", str, description="1 — включая завершённые назначения")],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=CuratorAssignmentInputSerializer, responses={201: CuratorAssignmentSerializer})
    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignment = services.curator_assign(actor=request.user, **serializer.validated_data)
        return Response(CuratorAssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=CuratorAssignmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        assignment = services.curator_end(actor=request.user, assignment=self.get_object())
        return Response(CuratorAssignmentSerializer(assignment).data)


class SubjectAssignmentSerializer(serializers.ModelSerializer):
    group_name = serializers.CharField(source="group.name", read_only=True)
    discipline_name = serializers.CharField(source="discipline.name", read_only=True)
    teacher_name = serializers.SerializerMethodField()

    class Meta:
        model = SubjectTeacherAssignment
        fields = [
            "id",
            "group",
            "group_name",
            "discipline",
            "discipline_name",
            "teacher",
            "teacher_name",
            "started_at",
            "ended_at",
        ]

    def get_teacher_name(self, assignment) -> str:
        return assignment.teacher.user.full_name or assignment.teacher.user.phone_display


class SubjectAssignmentInputSerializer(serializers.Serializer):
    group = CollegeRelatedField(scope=_groups)
    teacher = CollegeRelatedField(scope=_teachers)
    discipline = CollegeRelatedField(
        scope=lambda college: Discipline.objects.filter(college=college) if college else Discipline.objects.none()
    )


class SubjectAssignmentApi(
    CollegeApiMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Subject teachers: teacher × group × discipline."""

    queryset = SubjectTeacherAssignment.objects.none()
    serializer_class = SubjectAssignmentSerializer
    allowed = _assignment_rules(denied=services.ASSIGN_SUBJECT_DENIED)
    allowed_on = {
        "end": (
            lambda user, assignment: perms.can_assign_subject_teacher(user, assignment.group),
            services.ASSIGN_SUBJECT_DENIED,
        )
    }

    def get_queryset(self):
        if self.action == "list":
            return selectors.subject_assignment_list(college=self.college)
        return SubjectTeacherAssignment.objects.filter(college=self.college).select_related(
            "group", "teacher__user", "discipline"
        )

    def get_serializer_class(self):
        return SubjectAssignmentInputSerializer if self.action == "create" else SubjectAssignmentSerializer

    @extend_schema(request=SubjectAssignmentInputSerializer, responses={201: SubjectAssignmentSerializer})
    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignment = services.subject_teacher_assign(actor=request.user, **serializer.validated_data)
        return Response(SubjectAssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=SubjectAssignmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        assignment = services.subject_teacher_assignment_end(actor=request.user, assignment=self.get_object())
        return Response(SubjectAssignmentSerializer(assignment).data)


router = SimpleRouter()
router.register("study-groups", StudyGroupApi, basename="study-group")
router.register("staff-groups", StaffGroupApi, basename="staff-group")
router.register("disciplines", DisciplineApi, basename="discipline")
router.register("curator-assignments", CuratorAssignmentApi, basename="curator-assignment")
router.register("subject-assignments", SubjectAssignmentApi, basename="subject-assignment")

urlpatterns = college_urls(router.urls)
