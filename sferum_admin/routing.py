"""WebSocket routes, served under /ws/ by the `asgi` service (and by `make run`). Apps with live pages
(chats) add theirs here, under ``ws/colleges/<int:college_id>/`` for a consumer on colleges.sockets'
base."""

from django.urls import path

from chats.routing import websocket_urlpatterns as chats_patterns
from sferum_admin.sockets import CollegePingConsumer, PingConsumer

websocket_urlpatterns: list = [
    path("ws/ping/", PingConsumer.as_asgi()),
    path("ws/colleges/<int:college_id>/ping/", CollegePingConsumer.as_asgi()),
    *chats_patterns,
]
