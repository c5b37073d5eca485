from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.ProfileView.as_view(), name="profile"),
    path("mfa-required/", views.MfaRequiredView.as_view(), name="mfa_required"),
]
