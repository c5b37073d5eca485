"""The chats' WebSocket routes, under ``ws/colleges/<int:college_id>/`` (included by sferum_admin/routing.py)."""

from django.urls import path

from chats.consumers import ChatConsumer

websocket_urlpatterns = [
    path("ws/colleges/<int:college_id>/chats/<int:chat_id>/", ChatConsumer.as_asgi()),
]
