"""Web Push's rules: which endpoints are ever requested, the keys a subscription must have,
the service's key pair, and what a push says."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from dutyservice.cli import main
from dutyservice.config import Settings
from dutyservice.notify.rules import Text, page_of, push_payload
from dutyservice.notify.webpush import (
    b64url,
    endpoint_refusal,
    key_refusals,
    load_private_key,
    new_private_key,
    public_key_of,
    vapid_refusal,
)


def browser_key() -> str:
    point = ec.generate_private_key(ec.SECP256R1()).public_key()
    return b64url(point.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint))


@pytest.mark.parametrize(
    ("endpoint", "refused"),
    [
        ("https://fcm.googleapis.com/fcm/send/x", False),
        ("https://updates.push.services.mozilla.com/wpush/v2/x", False),
        ("https://web.push.apple.com/x", False),
        ("https://db5p.notify.windows.com/w/?token=x", False),
        ("https://FCM.googleapis.com/fcm/send/x", False),
        ("https://fcm.googleapis.com:443/fcm/send/x", False),
        ("http://fcm.googleapis.com/fcm/send/x", True),
        ("https://fcm.googleapis.com:444/x", True),
        ("https://fcm.googleapis.com.evil.example/x", True),
        ("https://evilnotify.windows.com/x", True),
        ("https://a:b@fcm.googleapis.com/x", True),
        ("https://169.254.169.254/latest/meta-data", True),
        ("http://127.0.0.1:8080/x", True),
        ("gopher://fcm.googleapis.com/x", True),
        ("https://[::1/x", True),
    ],
)
def test_only_the_push_services_browsers_use_are_accepted(endpoint: str, refused: bool) -> None:
    assert (endpoint_refusal(endpoint) is not None) is refused


def test_an_origin_the_operator_names_is_accepted_exactly_as_named() -> None:
    named = ("http://127.0.0.1:8080",)
    assert endpoint_refusal("http://127.0.0.1:8080/wpush/x", named) is None
    assert endpoint_refusal("http://127.0.0.1:8081/wpush/x", named) is not None
    assert endpoint_refusal("https://127.0.0.1:8080/wpush/x", named) is not None


def test_keys_must_be_a_p256_point_and_16_bytes() -> None:
    assert key_refusals(browser_key(), b64url(bytes(16))) == {}
    assert set(key_refusals(browser_key()[:-4], b64url(bytes(15)))) == {"keys.p256dh", "keys.auth"}
    assert set(key_refusals("B" + "A" * 86, "====")) == {"keys.p256dh", "keys.auth"}


def test_a_new_key_pair_is_a_p256_key_and_its_public_point() -> None:
    private = new_private_key()
    public = public_key_of(private)
    assert len(private) == 43
    assert len(public) == 87
    assert public.startswith("B")
    assert vapid_refusal(private, "mailto:ops@police.example") is None
    assert vapid_refusal(private, "ops@police.example") is not None
    assert vapid_refusal("not a key", "mailto:ops@police.example") is not None
    assert load_private_key(private).curve.name == "secp256r1"


def test_push_keys_prints_a_private_key_and_its_public_key() -> None:
    printed = CliRunner().invoke(main, ["push", "keys"])
    assert printed.exit_code == 0, printed.output
    first, second = printed.output.splitlines()
    private = first.removeprefix("DUTYSERVICE_VAPID_PRIVATE_KEY=")
    assert second == f"public key: {public_key_of(private)}"


def test_the_vapid_key_is_read_from_its_file_and_never_shown(tmp_path: Path) -> None:
    key = new_private_key()
    (tmp_path / "vapid").write_text(key + "\n")
    settings = Settings.from_environment(
        {
            "DUTYSERVICE_VAPID_PRIVATE_KEY_FILE": str(tmp_path / "vapid"),
            "DUTYSERVICE_VAPID_SUBJECT": "mailto:ops@police.example",
            "DUTYSERVICE_PUSH_ENDPOINTS": "http://127.0.0.1:9000/, https://push.example.net",
        }
    )
    assert settings.vapid_private_key == key
    assert settings.push_enabled
    assert settings.push_endpoints == ("http://127.0.0.1:9000", "https://push.example.net")
    assert key not in repr(settings)
    with pytest.raises(ValueError, match="VAPID_PRIVATE_KEY_FILE cannot be read"):
        Settings.from_environment({"DUTYSERVICE_VAPID_PRIVATE_KEY_FILE": str(tmp_path / "no")})


def test_a_push_says_the_mails_subject_its_first_words_and_the_page_to_open() -> None:
    text = Text("Call-out: Op X", "Dear SC A B,\n\nNorfolk asks for\nSpecials.\n\nWhen: now\n")
    payload = push_payload(text, "event:12", "https://duties.example")
    assert payload == {
        "title": "Call-out: Op X",
        "body": "Norfolk asks for Specials.",
        "url": "https://duties.example/app/events/12",
    }
    assert page_of("duty:7") == "/app/#duty-7"
    assert page_of("ost:2026-09-30") == "/app/"
