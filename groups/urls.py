from django.urls import path

from groups import views

app_name = "groups"

urlpatterns = [
    path("my/", views.MyGroupsView.as_view(), name="my_groups"),
]
