from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.PushDevicePage.as_view(), name="push_device"),
    path("subscribe/", views.PushSubscribeView.as_view(), name="push_subscribe"),
    path("unsubscribe/", views.PushUnsubscribeView.as_view(), name="push_unsubscribe"),
]
