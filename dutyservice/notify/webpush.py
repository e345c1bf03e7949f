"""Web Push's rules (RFC 8030, 8291, 8292): which endpoints we ever talk to, what a browser's
subscription keys must be, and the service's VAPID key pair. No I/O.

An endpoint is an address a caller chooses; we only ever send to the push services browsers
use, or to an origin the operator names (`DUTYSERVICE_PUSH_ENDPOINTS`), so that a
subscription cannot make the service request anything else.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

#: The push services of Chrome/Edge/Android (FCM), Firefox, Safari: their exact origins.
KNOWN_PUSH_ORIGINS = frozenset(
    {
        "https://fcm.googleapis.com",
        "https://updates.push.services.mozilla.com",
        "https://web.push.apple.com",
    }
)
#: Windows' push service answers on per-region hosts below this domain.
KNOWN_PUSH_DOMAINS = (".notify.windows.com",)
MAX_ENDPOINT_LENGTH = 1000
AUTH_BYTES = 16


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{parts.scheme}://{(parts.hostname or '').lower()}{port}"


def endpoint_refusal(endpoint: str, extra_origins: tuple[str, ...] = ()) -> str | None:
    """Why we would not send to `endpoint`, or None. An origin the operator names is taken as
    written (scheme included); any other must be an https URL of a known push service."""
    try:
        parts = urlsplit(endpoint)
        origin = origin_of(endpoint)
    except ValueError:
        return "must be a URL"
    if parts.username or parts.password or parts.fragment:
        return "must be a push service's URL, without credentials or fragment"
    if origin in extra_origins and parts.path.startswith("/"):
        return None
    if parts.scheme != "https" or parts.port not in (None, 443):
        return "must be an https URL of a push service"
    host = (parts.hostname or "").lower()
    if origin in KNOWN_PUSH_ORIGINS or host.endswith(KNOWN_PUSH_DOMAINS):
        return None
    return "is not a known push service"


def from_b64url(text: str) -> bytes:
    """base64url, with or without padding (browsers send it without)."""
    if not text or not all(c.isalnum() or c in "-_=" for c in text):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise ValueError("not base64url") from error


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def key_refusals(p256dh: str, auth: str) -> dict[str, list[str]]:
    """The subscription's keys: `p256dh` a point on P-256 (uncompressed, 65 bytes), `auth` 16
    bytes, both base64url. What is wrong with each, by its field name."""
    errors: dict[str, list[str]] = {}
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), from_b64url(p256dh))
    except ValueError:
        errors["keys.p256dh"] = ["must be a P-256 public key, base64url"]
    try:
        if len(from_b64url(auth)) != AUTH_BYTES:
            raise ValueError("wrong length")
    except ValueError:
        errors["keys.auth"] = [f"must be {AUTH_BYTES} bytes, base64url"]
    return errors


def new_private_key() -> str:
    """A new VAPID private key: base64url of the raw P-256 scalar (32 bytes)."""
    key = ec.generate_private_key(ec.SECP256R1())
    return b64url(key.private_numbers().private_value.to_bytes(32, "big"))


def load_private_key(text: str) -> ec.EllipticCurvePrivateKey:
    """A VAPID private key as configured: base64url of the raw scalar, or PEM."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
            raise ValueError("the VAPID key must be a P-256 key")
        return key
    raw = from_b64url(text)
    if len(raw) != 32:
        raise ValueError("the VAPID key is 32 bytes, base64url (or PEM)")
    return ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())


def vapid_refusal(private_key: str, subject: str) -> str | None:
    """What is wrong with the push settings, or None (the key never appears in the answer)."""
    if not subject.startswith("mailto:") or "@" not in subject:
        return "DUTYSERVICE_VAPID_SUBJECT must be a mailto: address"
    try:
        load_private_key(private_key)
    except ValueError:
        return "DUTYSERVICE_VAPID_PRIVATE_KEY is not a P-256 key (base64url or PEM)"
    return None


def public_key_of(private_key: str) -> str:
    """The application server key browsers subscribe with: the public point, base64url."""
    point = (
        load_private_key(private_key)
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return b64url(point)
