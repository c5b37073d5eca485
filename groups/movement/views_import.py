"""Pages of the roster import: upload, column mapping, dry run, apply with progress, result, rollback."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views import View

from groups.movement import selectors
from groups.movement.permissions import can_manage_movements
from groups.movement.services import NOT_ALLOWED_MESSAGE


def _manager_college(request):
    college = request.college
    if not college or not can_manage_movements(request.user, college):
        raise PermissionDenied(NOT_ALLOWED_MESSAGE)
    return college


class ImportListView(LoginRequiredMixin, View):
    def get(self, request):
        college = _manager_college(request)
        page = Paginator(selectors.import_batch_list(college=college), 30).get_page(request.GET.get("page"))
        return render(request, "movement/import_list.html", {"page_obj": page})
