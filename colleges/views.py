from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View

from colleges.middleware import SESSION_KEY
from colleges.models import Role


class HomeView(View):
    """Sends each person to the page of their main role in the current college."""

    def get(self, request):
        if not request.user.is_authenticated:
            return redirect("account_login")
        roles = request.roles
        if Role.ADMINISTRATOR in roles or Role.ADMINISTRATION in roles:
            return redirect("dashboard")
        if Role.TEACHER in roles:
            return redirect("groups:my_groups")
        if request.user.is_staff and not request.college:
            return redirect("colleges:application_queue")
        return render(request, "colleges/home.html")


class CollegeSwitchView(LoginRequiredMixin, View):
    """Chooses the college the user works in; only a college where the user is a member."""

    def post(self, request):
        wanted = request.POST.get("college", "")
        if not any(str(m.college_id) == wanted for m in request.memberships):
            raise Http404
        request.session[SESSION_KEY] = int(wanted)
        return redirect("home")


class ApplicationQueueView(LoginRequiredMixin, View):
    """Platform staff's queue of college applications (built out by the colleges work)."""

    def get(self, request):
        if not request.user.is_staff:
            raise Http404
        return render(request, "colleges/home.html")
