from django.urls import path

from colleges import views

app_name = "colleges"

urlpatterns = [
    path("platform/applications/", views.ApplicationQueueView.as_view(), name="application_queue"),
    path("college/switch/", views.CollegeSwitchView.as_view(), name="switch"),
]
