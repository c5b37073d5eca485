"""The API's description (/api/v1/schema/) and its Swagger UI page (/api/v1/docs/): for signed-in people only.

The schema lists every endpoint and field of the platform; it is of use to a
college's integrations, not to anyone on the internet. An anonymous call for
the schema is answered 401 (like the rest of the API), the docs page sends to
the sign-in page.
"""

from csp.decorators import csp_update
from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated


class SchemaView(SpectacularAPIView):
    permission_classes = [IsAuthenticated]


# Swagger UI's page (drf-spectacular's template) has a <style> block of its own and
# its React code sets inline styles: styles may be inline on this page only. Scripts
# stay 'self': the split view serves the start-up script as a file.
@method_decorator(csp_update({"style-src": ["'unsafe-inline'"]}), name="dispatch")
class DocsView(LoginRequiredMixin, SpectacularSwaggerSplitView):
    pass
