"""The one base of every page inside the current college.

A page names what it needs as class attributes and the base answers the rest,
the same way on every page:

- ``allowed``: the page's predicate ``(user, college) -> bool`` from the app's
  permissions.py, the same one the menu and the API ask; 403 with
  ``denied_message`` when it says no.
- ``lookup``: a selector ``(*, college, pk)`` that finds the page's object in the
  current college or raises 404 (missing and «of another college» answer
  alike); the id comes from the URL (``pk_kwarg``) through ``parse_id``. When
  the selector also scopes by the viewer, ``lookup_user`` names its keyword
  for the signed-in user («user», «viewer»).
- ``allowed_on``: the object's predicate ``(user, obj) -> bool``; 403 with
  ``denied_on_message``.

The checks run in that order: the college, the page's predicate, the object,
the object's predicate; the page's view methods find ``self.college`` and
``self.object``::

    class StudyGroupEditView(CollegePageView):
        lookup = selectors.study_group_get_for
        allowed_on = permissions.can_edit_study_group
        denied_on_message = "Изменять группу может только администратор платформы колледжа."

        def get(self, request, pk):
            form = forms.StudyGroupForm(initial=..., college=self.college)
            return render(request, "groups/study_group_form.html", {"form": form, "group": self.object})

A check that depends on the request (a section chosen in the query) asks its
predicate through ``self.require(predicate(...), message)``.

A page that shows parts of the college cache (``core.college_cache``) names
them in ``cached_parts``, after the menu's: the first one it reads brings the
others in the same round trip to the cache.

Without a current college (the person holds no active membership anywhere)
every college page answers alike: a redirect to the home page with
``NO_COLLEGE_MESSAGE``. The home page is where a person without a college is
told what to do next (open an invitation link, wait for a join request) and
where platform staff find their queue; a bare «Нет доступа» would leave a
newcomer who followed an old bookmark with nowhere to go.
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.views import View
from django_htmx.http import HttpResponseClientRedirect

from colleges.middleware import current_college_or_none
from colleges.models import College
from core import college_cache, nav
from core.pages import parse_id

NO_COLLEGE_MESSAGE = "Эта страница открывается участникам колледжа, а вы пока не состоите ни в одном колледже."
DENIED_MESSAGE = "Эта страница доступна не для вашей роли в колледже."


def no_college_response(request):
    """The one answer of a college page to a person without a current college: home, with a word why."""
    messages.info(request, NO_COLLEGE_MESSAGE)
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect("/")
    return redirect("home")


class CollegePageView(LoginRequiredMixin, View):
    """A page of the current college: sign-in, a college, the page's predicate, then its object (see the module)."""

    allowed: Callable[..., bool] | None = None
    denied_message: str = DENIED_MESSAGE
    lookup: Callable[..., object] | None = None
    lookup_user: str = ""
    pk_kwarg: str = "pk"
    allowed_on: Callable[..., bool] | None = None
    denied_on_message: str = DENIED_MESSAGE

    college: College
    object = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        college = current_college_or_none(request)
        if college is None:
            return no_college_response(request)
        self.college = college
        self.require(self._ask("allowed", request.user, college), self.denied_message)
        if self.lookup is not None:
            if not self._handles(request):
                return self.http_method_not_allowed(request, *args, **kwargs)  # no lookup for a method not served
            self.object = self.get_object(parse_id(str(kwargs[self.pk_kwarg]), name=self.pk_kwarg))
            self.require(self._ask("allowed_on", request.user, self.object), self.denied_on_message)
        parts = self.cached_parts(request) if request.method == "GET" else []
        with college_cache.expected(college, parts):
            return super().dispatch(request, *args, **kwargs)

    def cached_parts(self, request) -> list[tuple[str, tuple]]:
        """The (name, vary) of the college cache's parts a GET of this page reads: the menu's, unless HTMX asks
        for a piece of the page; a page adds its own (``college_cache.expected``)."""
        return [] if getattr(request, "htmx", False) else [nav.cached_part(request)]

    def get_object(self, pk: int):
        """The page's object of the current college, or 404."""
        viewer = {self.lookup_user: self.request.user} if self.lookup_user else {}
        return type(self).lookup(college=self.college, pk=pk, **viewer)

    def require(self, allowed: bool, message: str) -> None:
        """403 with ``message`` unless ``allowed``: for a check that depends on the request (a section in the query)."""
        if not allowed:
            raise PermissionDenied(message)

    def _handles(self, request) -> bool:
        method = request.method.lower()
        return method in self.http_method_names and hasattr(self, method)

    def _ask(self, name: str, user, target) -> bool:
        # Read from the class: a plain function stored as a class attribute is not bound to the view.
        predicate = getattr(type(self), name)
        return predicate is None or predicate(user, target)
