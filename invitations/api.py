"""API of the invitations app under /api/v1/ (DRF)."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns = router.urls
