"""The key that signs the pages' session cookie (DUTYSERVICE_SECRET_KEY, config.py)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy.engine import make_url

from ..config import Settings

KEY_FILE_SUFFIX = ".secret-key"


def session_key(settings: Settings) -> str:
    """The configured key; for the embedded SQLite set-up, one made once and kept beside the
    database file; otherwise empty (the pages then refuse to start a session)."""
    if settings.secret_key:
        return settings.secret_key
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite":
        return ""
    if not url.database or url.database == ":memory:":
        return secrets.token_urlsafe(32)  # the database lives as long as the process
    return _kept_key(Path(url.database + KEY_FILE_SUFFIX))


def _kept_key(path: Path) -> str:
    if not path.exists():
        # Written aside, then linked into place: two processes starting at once agree on one key,
        # and neither reads a half-written file.
        draft = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()
