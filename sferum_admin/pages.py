"""The shell's pages: the home page that sends each person on, and the college dashboard.

They belong to no app: the home page asks every app's predicates where a
person's work starts, and the dashboard gathers the cards and first steps
every app registers in ``core.dashboard``.
"""

from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views import View

from colleges.middleware import current_college_or_none
from colleges.pages import CollegePageView
from colleges.permissions import can_review_applications
from core import college_cache, dashboard, home
from groups import permissions as groups_permissions
from groups.selectors import college_counts

# Where a person's work starts, by the first predicate of the current college that says yes.
START_PAGES = (
    (groups_permissions.can_view_dashboard, "dashboard"),
    (groups_permissions.can_view_my_groups, "groups:my_groups"),
    (groups_permissions.can_view_my_group, "groups:my_group"),
)


class HomeView(View):
    """Sends each person to the page their work in the current college starts from."""

    def get(self, request):
        if not request.user.is_authenticated:
            return redirect("account_login")
        college = current_college_or_none(request)
        if college is not None:
            for allowed, url_name in START_PAGES:
                if allowed(request.user, college):
                    return redirect(url_name)
        elif can_review_applications(request.user):
            return redirect("colleges:application_queue")
        return render(request, "home.html", {"home_notes": home.notes_for(request)})


class DashboardView(CollegePageView):
    """The administrator's and administration's dashboard: figures and «требует внимания» cards."""

    allowed = groups_permissions.can_view_dashboard

    def cached_part(self, request) -> tuple[str, tuple]:
        # The cards depend on the viewer's roles only (core/dashboard.py).
        can_manage = groups_permissions.can_create_study_group(request.user, self.college)
        return "dashboard", (sorted(request.roles), request.LANGUAGE_CODE, can_manage)

    def cached_parts(self, request):
        return [*super().cached_parts(request), self.cached_part(request)]

    def get(self, request):
        name, vary = self.cached_part(request)
        can_manage = groups_permissions.can_create_study_group(request.user, self.college)

        def compute():
            counts = college_counts(college=self.college, request=request)
            part = {
                "counts": counts,
                "cards": dashboard.cards_for(request, self.college),
                # A college without students is still being set up: its dashboard leads through the first steps.
                "first_steps": dashboard.steps_for(request, self.college) if not counts["students"] else [],
            }
            # The body holds no CSRF token: it is cached rendered, with the figures it shows.
            part["body"] = render_to_string("_dashboard_body.html", {**part, "can_manage": can_manage})
            return part

        context = college_cache.get_or_compute(self.college, name, vary=vary, compute=compute)
        return render(request, "dashboard.html", context)
