from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from sferum_admin import api_docs, views
from sferum_admin.pages import DashboardView, HomeView

api_v1 = [
    path("schema/", api_docs.SchemaView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: the page has no inline script.
    path("docs/", api_docs.DocsView.as_view(url_name="api:schema"), name="docs"),
    path("", include("accounts.api")),
    path("", include("colleges.api")),
    path("", include("groups.api")),
    path("", include("movement.api_urls")),
    path("", include("materials.api")),
    path("", include("invitations.api")),
    path("", include("chats.api")),
    path("", include("broadcasts.api")),
    path("", include("announcements.api")),
    path("", include("support.api")),
    path("", include("analytics.api")),
]

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("dashboard/", DashboardView.as_view(), name="dashboard"),
    path("healthz", views.HealthView.as_view(), name="healthz"),
    path("favicon.ico", views.FaviconView.as_view(), name="favicon"),
    path("manifest.webmanifest", views.ManifestView.as_view(), name="manifest"),
    path("sw.js", views.ServiceWorkerView.as_view(), name="service_worker"),
    path("readyz", views.ReadinessView.as_view(), name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/me/push/", include("notifications.urls")),
    path("accounts/me/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include((api_v1, "api"))),
    path("platform/admin/", admin.site.urls),
    path("groups/", include("groups.urls")),
    path("materials/", include("materials.urls")),
    path("chats/", include("chats.urls")),
    path("broadcasts/", include("broadcasts.urls")),
    path("announcements/", include("announcements.urls")),
    path("", include("invitations.urls")),
    path("movement/", include("movement.urls")),
    path("", include("support.urls")),
    path("", include("analytics.urls")),
    path("", include("colleges.urls")),
]

if settings.BENCHMARK:
    urlpatterns += [path("bench/bare/", views.BenchBareView.as_view(), name="bench_bare")]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "sferum_admin.views.bad_request"
handler404 = "sferum_admin.views.page_not_found"
handler403 = "sferum_admin.views.permission_denied"
handler500 = "sferum_admin.views.server_error"
