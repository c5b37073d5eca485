"""Reports on messages under /api/v1/colleges/<college_id>/chat-reports/: the queue of those who decide
(the chats' moderators and the administrator), the caller's own reports, and the decision.
Reports are filed on a message: ``chats/<chat_pk>/messages/<pk>/report/``."""

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from chats import permissions, selectors, services, texts
from chats.api import serializers as s
from chats.api.chats import VIEW_RULE
from chats.api.common import path_id
from chats.models import MessageReport
from colleges.api_base import CollegeApiMixin


@extend_schema_view(
    list=extend_schema(
        summary="Open reports the caller decides",
        description="Reports on messages of the chats the caller owns or moderates; every chat's for the "
        "administrator. Oldest first.",
    ),
)
class ReportViewSet(CollegeApiMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = MessageReport.objects.none()
    serializer_class = s.QueuedReportSerializer
    lookup_value_regex = "[0-9]+"
    allowed = {"list": (permissions.can_view_reports, texts.MODERATE_DENIED), "*": VIEW_RULE}
    allowed_on = {"decide": (permissions.can_decide_report, texts.MODERATE_DENIED)}

    def get_queryset(self):
        return selectors.reports_queue(self.request.user, self.college)

    def get_object(self) -> MessageReport:
        """A report its author or a decider may see; another's is «not found», as a missing one."""
        report = (
            MessageReport.objects.filter(college=self.college, pk=path_id(self.kwargs["pk"]))
            .select_related("message__chat__college", "reporter")
            .first()
        )
        if report is None:
            raise Http404
        if report.reporter.user_id != self.request.user.pk and not permissions.can_decide_report(
            self.request.user, report
        ):
            raise Http404
        self.check_object_permissions(self.request, report)
        return report

    @extend_schema(summary="The caller's own reports", responses=s.ReportSerializer(many=True))
    @action(detail=False, methods=["get"], serializer_class=s.ReportSerializer)
    def mine(self, request):
        page = self.paginate_queryset(selectors.reports_mine(request.user, self.college))
        return self.get_paginated_response(s.ReportSerializer(page, many=True).data)

    @extend_schema(summary="Decide a report", request=s.ReportDecideSerializer, responses=s.ReportSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        report = self.get_object()
        serializer = s.ReportDecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.report_decide(actor=request.user, report=report, **serializer.validated_data)
        return Response(s.ReportSerializer(report).data)
