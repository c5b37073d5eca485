from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from colleges.views import HomeView
from groups.views import DashboardView
from sferum_admin import views

# The platform operators' pages speak Russian like the rest, not «Администрирование Django».
admin.site.site_header = "Сферум Админ — управление платформой"
admin.site.site_title = "Сферум Админ"
admin.site.index_title = "Данные платформы"

api_v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include("accounts.api")),
    path("", include("colleges.api")),
    path("", include("groups.api")),
    path("", include("groups.movement.api_urls")),
    path("", include("materials.api")),
    path("", include("invitations.api")),
]

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("dashboard/", DashboardView.as_view(), name="dashboard"),
    path("healthz", views.HealthView.as_view(), name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/me/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include((api_v1, "api"))),
    path("platform/admin/", admin.site.urls),
    path("groups/", include("groups.urls")),
    path("materials/", include("materials.urls")),
    path("", include("invitations.urls")),
    path("movement/", include("groups.movement.urls")),
    path("", include("colleges.urls")),
]

if settings.BENCHMARK:
    urlpatterns += [path("bench/bare/", views.BenchBareView.as_view(), name="bench_bare")]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "sferum_admin.views.page_not_found"
handler403 = "sferum_admin.views.permission_denied"
handler500 = "sferum_admin.views.server_error"
