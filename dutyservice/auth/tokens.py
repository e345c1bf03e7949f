"""Bearer token secrets: made long and random, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "dsk_"


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    # The secrets carry 256 random bits, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def looks_like_secret(text: str) -> bool:
    return text.startswith(PREFIX) and 20 <= len(text) <= 200
