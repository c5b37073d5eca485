from django.urls import path

from announcements import views

app_name = "announcements"

urlpatterns = [
    path("", views.AnnouncementListView.as_view(), name="list"),
    path("new/", views.AnnouncementCreateView.as_view(), name="create"),
    path("<int:pk>/", views.AnnouncementDetailView.as_view(), name="detail"),
    path("<int:pk>/unread/", views.AnnouncementUnreadView.as_view(), name="unread"),
    path("<int:pk>/withdraw/", views.AnnouncementWithdrawView.as_view(), name="withdraw"),
]
