from django.urls import path

from colleges import views

app_name = "colleges"

urlpatterns = [
    path("college/switch/", views.CollegeSwitchView.as_view(), name="switch"),
]
