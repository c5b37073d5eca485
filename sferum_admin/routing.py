"""WebSocket routes. Apps with live pages (chats) add theirs here."""

websocket_urlpatterns: list = []
