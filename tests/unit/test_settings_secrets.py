"""Settings: secrets never shown, read from the environment or from files; one force and its
go-live quarter; a setting that cannot be used named as a problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from dutyservice.config import ConfigError, Settings


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


def test_each_secret_may_be_read_from_a_file_named_by_its_file_setting(tmp_path: Path) -> None:
    files = {}
    for name, value in (
        ("SECRET_KEY", "k" * 40),
        ("OIDC_CLIENT_SECRET", "cs-from-file"),
        ("SMTP_URL", "smtps://user:pw@mail.example:465"),
        ("NPOCC_FEED_TOKEN", "feed-token"),
    ):
        path = tmp_path / name.lower()
        path.write_text(value + "\n")  # as `echo` and editors leave it
        files[f"DUTYSERVICE_{name}_FILE"] = str(path)
    settings = Settings.from_environment(files)
    assert settings.secret_key == "k" * 40
    assert settings.oidc_client_secret == "cs-from-file"
    assert settings.smtp_url == "smtps://user:pw@mail.example:465"
    assert settings.npocc_feed_token == "feed-token"


def test_a_secret_set_twice_or_a_file_that_cannot_be_read_is_a_problem_never_showing_it(
    tmp_path: Path,
) -> None:
    (tmp_path / "key").write_text("from-the-file")
    problems = Settings.problems_in(
        {
            "DUTYSERVICE_SECRET_KEY": "in-the-environment",
            "DUTYSERVICE_SECRET_KEY_FILE": str(tmp_path / "key"),
            "DUTYSERVICE_SMTP_URL_FILE": str(tmp_path / "absent"),
        }
    )
    assert problems == [
        "DUTYSERVICE_SECRET_KEY and DUTYSERVICE_SECRET_KEY_FILE are both set: keep one",
        "DUTYSERVICE_SMTP_URL_FILE cannot be read: No such file or directory",
    ]
    with pytest.raises(ConfigError, match=r"keep one \(and 1 more\)"):
        Settings.from_environment(
            {
                "DUTYSERVICE_SECRET_KEY": "x",
                **{
                    "DUTYSERVICE_SECRET_KEY_FILE": str(tmp_path / "key"),
                    "DUTYSERVICE_SMTP_URL_FILE": str(tmp_path / "absent"),
                },
            }
        )


def test_one_force_and_its_go_live_quarter_are_read_and_checked() -> None:
    settings = Settings.from_environment(
        {
            "DUTYSERVICE_FORCES": " Cambridgeshire, norfolk,cambridgeshire ",
            "DUTYSERVICE_RETURNS_FROM": "2027-Q1",
        }
    )
    assert settings.forces == ("cambridgeshire", "norfolk")
    assert str(settings.returns_from) == "2027-Q1"
    assert settings.serves("norfolk")
    assert not settings.serves("suffolk")
    assert Settings.from_environment({}).serves("suffolk")  # empty: every force
    assert Settings.problems_in({"DUTYSERVICE_RETURNS_FROM": "Q1 2027"}) == [
        "DUTYSERVICE_RETURNS_FROM must be a quarter such as 2027-Q1, not 'Q1 2027'"
    ]


def test_relative_defaults_are_refused_when_the_working_directory_is_the_root(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir("/")
    assert Settings.problems_in({}) == [
        "DUTYSERVICE_DATABASE_URL must be set when the working directory is /",
        "DUTYSERVICE_EXPORT_DIR must be an absolute path when the working directory is /",
    ]
    assert (
        Settings.problems_in(
            {
                "DUTYSERVICE_DATABASE_URL": "postgresql://app@db/dutyservice",
                "DUTYSERVICE_EXPORT_DIR": "/var/lib/dutyservice/exports",
            }
        )
        == []
    )
