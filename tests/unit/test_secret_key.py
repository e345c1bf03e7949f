"""The key that signs the web pages' session cookie (DUTYSERVICE_SECRET_KEY)."""

from __future__ import annotations

import stat
from pathlib import Path

from dutyservice.config import DEV_SECRET_KEY_FILE, Settings, session_secret_key


def test_the_configured_key_is_used_and_nothing_is_written(tmp_path: Path) -> None:
    settings = Settings.from_environment({"DUTYSERVICE_SECRET_KEY": "from the environment"})
    assert session_secret_key(settings, tmp_path) == "from the environment"
    assert list(tmp_path.iterdir()) == []
    assert "from the environment" not in repr(settings)


def test_without_one_a_key_is_made_once_and_kept_for_the_next_start(tmp_path: Path) -> None:
    first = session_secret_key(Settings(), tmp_path)
    again = session_secret_key(Settings(), tmp_path)
    assert len(first) >= 64 and again == first
    kept = tmp_path / DEV_SECRET_KEY_FILE
    assert [p.name for p in tmp_path.iterdir()] == [DEV_SECRET_KEY_FILE]
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert session_secret_key(Settings(), tmp_path / ".." / tmp_path.name) == first


def test_the_client_secret_is_never_in_the_settings_repr() -> None:
    settings = Settings.from_environment(
        {
            "DUTYSERVICE_OIDC_ISSUER": "https://idp.example/",
            "DUTYSERVICE_OIDC_CLIENT_SECRET": "cs-7f3a9e",
        }
    )
    assert settings.oidc_issuer == "https://idp.example"
    assert settings.oidc_client_secret == "cs-7f3a9e"
    assert "cs-7f3a9e" not in repr(settings)
