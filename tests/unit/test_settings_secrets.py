"""Secrets in the settings are never shown."""

from __future__ import annotations

from dutyservice.config import Settings


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
