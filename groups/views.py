from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView


class MyGroupsView(LoginRequiredMixin, TemplateView):
    template_name = "groups/my_groups.html"
