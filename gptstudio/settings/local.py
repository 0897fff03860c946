"""`make run`: the embedded default (SQLite, eager tasks unless REDIS_URL is set) on 127.0.0.1."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
# A fixed development key: never used by production.py, which refuses to start without SECRET_KEY.
SECRET_KEY = env("SECRET_KEY", default="django-insecure-local-development-key-do-not-deploy")
