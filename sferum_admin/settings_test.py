"""Settings for pytest: the same settings in test mode, against local PostgreSQL and Redis by default."""

import os

os.environ["DJANGO_ENV"] = "test"
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sferum")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")

from sferum_admin.settings import *  # noqa: F403
