from django.urls import path

from support import views

app_name = "support"

urlpatterns = [
    path("help/", views.HelpView.as_view(), name="help"),
    path("help/articles/", views.ArticleListView.as_view(), name="articles"),
    path("help/articles/<slug:slug>/", views.ArticleDetailView.as_view(), name="article"),
    path("help/queue/", views.TicketQueueView.as_view(), name="queue"),
    path("help/tickets/<int:pk>/", views.TicketDetailView.as_view(), name="ticket"),
    path("help/tickets/<int:pk>/close/", views.TicketCloseView.as_view(), name="close"),
    path("help/tickets/<int:pk>/reopen/", views.TicketReopenView.as_view(), name="reopen"),
    path("help/tickets/<int:pk>/escalate/", views.TicketEscalateView.as_view(), name="escalate"),
    path("help/files/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment"),
    path("platform/support/", views.PlatformQueueView.as_view(), name="platform_queue"),
    path("platform/support/<int:pk>/", views.PlatformTicketView.as_view(), name="platform_ticket"),
    path("platform/support/files/<int:pk>/", views.PlatformAttachmentView.as_view(), name="platform_attachment"),
]
