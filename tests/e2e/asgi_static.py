"""The project's ASGI application with the static files served, as `make run` serves them: what the browser
tests of live pages run under the asgi service's uvicorn (pytest-django's live_server is WSGI and has no
WebSockets)."""

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

from sferum_admin.asgi import application as project_application

application = ASGIStaticFilesHandler(project_application)
