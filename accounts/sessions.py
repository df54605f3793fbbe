"""The session engine (settings.SESSION_ENGINE): Django's database sessions, refusing malformed keys.

Django looks up any cookie value of 8 characters or more as a session key; a value with a NUL
character makes PostgreSQL refuse the query, a 500 on any page or API call. A key is only ever what
Django issues (lowercase letters and digits), so anything else is treated as no session at all.
"""

from __future__ import annotations

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    def __init__(self, session_key: str | None = None) -> None:
        if session_key is not None and not set(session_key) <= set(VALID_KEY_CHARS):
            session_key = None
        super().__init__(session_key)
