"""The Django project and the framework layer every Keel app shares.

Settings, URLs, the Celery app, the GraphQL root, and the shared pieces: base models and the
change history (``models``, ``audit``), authorization (``permissions``), REST plumbing (``api``)
and GraphQL plumbing (``graphql``).
"""

from .celery import app as celery_app

__all__ = ("celery_app",)
