from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.ProfileView.as_view(), name="profile"),
    path("mfa-required/", views.MfaRequiredView.as_view(), name="mfa_required"),
    path("sessions/end-others/", views.SessionsEndOthersView.as_view(), name="sessions_end_others"),
    path("api-tokens/", views.ApiTokenCreateView.as_view(), name="api_token_create"),
    path("api-tokens/<int:pk>/revoke/", views.ApiTokenRevokeView.as_view(), name="api_token_revoke"),
]
