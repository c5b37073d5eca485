from django.urls import path

from analytics import views

app_name = "analytics"

urlpatterns = [
    path("analytics/", views.JoiningView.as_view(), name="joining"),
    path("analytics/invitations/", views.InvitationsView.as_view(), name="invitations"),
    path("analytics/chats/", views.ChatsView.as_view(), name="chats"),
    path("analytics/sessions/", views.SessionsView.as_view(), name="sessions"),
    path("analytics/teachers/", views.TeachersView.as_view(), name="teachers"),
]
