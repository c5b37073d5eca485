from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView


class ProfileView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/profile.html"


class MfaRequiredView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/mfa_required.html"
