from django.urls import path

from broadcasts import views

app_name = "broadcasts"

urlpatterns = [
    path("", views.SessionListView.as_view(), name="list"),
    path("new/", views.SessionCreateView.as_view(), name="create"),
    path("<int:pk>/", views.SessionDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.SessionUpdateView.as_view(), name="update"),
    path("<int:pk>/cancel/", views.SessionCancelView.as_view(), name="cancel"),
    path("<int:pk>/held/", views.SessionHeldView.as_view(), name="held"),
    path("<int:pk>/join/", views.SessionJoinView.as_view(), name="join"),
    path("<int:pk>/calendar.ics", views.SessionCalendarView.as_view(), name="calendar"),
]
