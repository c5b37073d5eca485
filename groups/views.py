from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView


class MyGroupsView(LoginRequiredMixin, TemplateView):
    template_name = "groups/my_groups.html"


class DashboardView(LoginRequiredMixin, TemplateView):
    """The administrator's and administration's dashboard (built out by the groups work)."""

    template_name = "groups/my_groups.html"
