"""The one base of every API endpoint a college owns: ``/api/v1/colleges/<college_id>/…``.

The college is explicit in the URL, so a person (or an integration's key) in
several colleges reaches each of them by its id. An endpoint names what it
needs as class attributes and the base answers the rest, the same way
everywhere, in this order:

1. signed in (401), as every API endpoint;
2. ``self.college``: the college ``college_id`` names, among the colleges where
   the caller holds an active membership. Any other id — missing, another
   college's, one whose membership ended — is the same 404, so the answer
   tells nothing about colleges that are not the caller's. An API key made
   for one college acts in that college only (its other ids are 404 too);
3. ``allowed[action]``: the action's predicate ``(user, college) -> bool`` from
   the app's permissions.py, the same one the pages and the menu ask; 403 with
   its message. ``"*"`` stands for every action not named;
4. the object, looked up in ``get_queryset()`` or a selector, both scoped to
   ``self.college`` (404 outside it), then ``allowed_on[action]``: the object's
   predicate ``(user, obj) -> bool``; 403 with its message. A viewset's
   ``get_object`` asks it through ``check_object_permissions``; an endpoint that
   finds its object itself calls ``check_object_permissions`` too.

Serializers get the college in their context (``context["college"]``), which
``CollegeRelatedField`` scopes its choices by. ``college_urls`` puts an app's
routes under ``colleges/<int:college_id>/``.
"""

from collections.abc import Callable, Iterable

from django.urls import include, path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound, PermissionDenied

from colleges.middleware import college_zone
from colleges.models import College, Membership
from colleges.permissions import remember_roles
from colleges.selectors import user_active_memberships

COLLEGE_KWARG = "college_id"
COLLEGE_NOT_FOUND = "Колледж не найден среди ваших колледжей."
DENIED_MESSAGE = "Это действие недоступно для вашей роли в колледже."

# A predicate and the message of its 403.
Rule = tuple[Callable[..., bool], str]


def college_urls(patterns: Iterable) -> list:
    """An app's API routes (a router's ``urls`` or ``path()``s) under ``colleges/<int:college_id>/``."""
    return [path(f"colleges/<int:{COLLEGE_KWARG}>/", include(list(patterns)))]


def caller_memberships(request) -> list[Membership]:
    """The caller's active memberships, read once per request.

    A browser session's are already loaded by ``CurrentCollegeMiddleware``; a
    key's are read here (one query) and their roles remembered on the user, as
    the middleware does, so the predicates ask no more.
    """
    django_request = request._request
    if isinstance(request.successful_authenticator, SessionAuthentication) and hasattr(django_request, "memberships"):
        return list(django_request.memberships)
    if not hasattr(django_request, "_api_memberships"):
        memberships = list(user_active_memberships(user=request.user))
        remember_roles(request.user, memberships)
        django_request._api_memberships = memberships
    return django_request._api_memberships


def api_college_get(request, college_id: int) -> College:
    """The caller's college ``college_id`` (see the module), or 404; its time zone becomes the request's."""
    key_college_id = getattr(request.auth, "college_id", None)
    if key_college_id is not None and key_college_id != college_id:
        raise NotFound(COLLEGE_NOT_FOUND)
    college = next((m.college for m in caller_memberships(request) if m.college_id == college_id), None)
    if college is None:
        raise NotFound(COLLEGE_NOT_FOUND)
    # Dates and times read and written in the college's own zone, as on its pages.
    timezone.activate(college_zone(college))
    return college


class CollegeApiMixin:
    """Put before DRF's view classes: ``class StudyGroupApi(CollegeApiMixin, …, viewsets.GenericViewSet)``.

    ``allowed`` and ``allowed_on`` map an action (a viewset's ``self.action``, or
    the HTTP method in lower case for a plain ``APIView``) to a ``Rule``.
    """

    allowed: dict[str, Rule] = {}
    allowed_on: dict[str, Rule] = {}

    college: College

    def dispatch(self, request, *args, **kwargs):
        # The handlers find the college as ``self.college``, not as an argument.
        self.college_id = kwargs.pop(COLLEGE_KWARG)
        return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.college = api_college_get(request, self.college_id)
        self._require(self.allowed, request.user, self.college)

    def check_object_permissions(self, request, obj):
        # A net under the lookups: an object of another college is «not found» even if a queryset forgot the college.
        if getattr(obj, "college_id", self.college.pk) != self.college.pk:
            raise NotFound()
        super().check_object_permissions(request, obj)
        self._require(self.allowed_on, request.user, obj)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "college": getattr(self, "college", None)}

    @property
    def operation(self) -> str:
        """The action the rules are looked up by (HEAD is answered by ``get``, so it asks the same rule)."""
        method = self.request.method.lower()
        return getattr(self, "action", None) or ("get" if method == "head" else method)

    def _require(self, rules: dict[str, Rule], user, target) -> None:
        rule = rules.get(self.operation) or rules.get("*")
        if rule is not None and not rule[0](user, target):
            raise PermissionDenied(rule[1] or DENIED_MESSAGE)


@extend_schema_field(OpenApiTypes.INT)
class CollegeRelatedField(serializers.PrimaryKeyRelatedField):
    """A pk of an object of the URL's college (``scope(college)`` lists them); anything else is «not found»."""

    default_error_messages = {
        "does_not_exist": "Объект с id {pk_value} не найден в вашем колледже.",
        "incorrect_type": "Ожидается числовой id, получено значение типа {data_type}.",
        "required": "Обязательное поле.",
    }

    def __init__(self, *, scope: Callable, **kwargs):
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        college = self.context.get("college")
        if college is None:
            return self.scope(None).none()
        return self.scope(college)
