"""The identity provider's documents (discovery and key set) as one process keeps them.

A provider that does not answer must not take the service's worker threads with it. So each
read is bounded (connect and read timeouts); only one request reads the provider at a time, and
any other that needs a document meanwhile is refused at once rather than made to wait; a failed
read is remembered for `failure_memory` seconds, during which every request needing the
provider is refused at once. The key set, once read, is used for its lifetime whatever the
provider does; an unknown `kid` reads it again at most once a refetch interval.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from jwt import PyJWK, PyJWKSet
from jwt.exceptions import PyJWKError, PyJWKSetError

from ..errors import Unavailable

#: Connecting, then waiting for each part of the answer (requests' pair of timeouts).
HTTP_TIMEOUTS = (3.0, 5.0)
#: How long a failed read is remembered: the provider is not asked again before then.
FAILURE_MEMORY_SECONDS = 30.0
#: An unknown `kid` fetches the key set again at most this often (API.md: once a minute).
REFETCH_INTERVAL_SECONDS = 60.0
#: The key set is read again after this long even when every `kid` is known.
KEY_SET_LIFESPAN_SECONDS = 3600.0
#: What a request refused while another reads the provider is told to wait.
BUSY_RETRY_AFTER_SECONDS = 1
_READ_FAILED = (requests.RequestException, ValueError, KeyError, TypeError, PyJWKError)


@dataclass(frozen=True)
class Discovery:
    """The parts of `{issuer}/.well-known/openid-configuration` the service uses."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    #: How the client authenticates at the token endpoint (OpenID Connect Discovery's default).
    token_endpoint_auth_methods: tuple[str, ...] = ("client_secret_basic",)


class ProviderDocuments:
    def __init__(
        self,
        issuer: str,
        jwks_url: str = "",
        *,
        timeouts: tuple[float, float] = HTTP_TIMEOUTS,
        failure_memory: float = FAILURE_MEMORY_SECONDS,
        refetch_interval: float = REFETCH_INTERVAL_SECONDS,
        lifespan: float = KEY_SET_LIFESPAN_SECONDS,
    ) -> None:
        self.issuer = issuer
        self.timeouts = timeouts
        self._configured_jwks_url = jwks_url
        self._failure_memory = failure_memory
        self._refetch_interval = refetch_interval
        self._lifespan = lifespan
        self._reading = threading.Lock()  # held by the one request reading the provider
        self._failed_until = 0.0
        self._discovery: Discovery | None = None
        self._keys: list[PyJWK] | None = None
        self._keys_read_at = 0.0
        self._last_refetch: float | None = None

    def discovery(self) -> Discovery:
        """The discovery document, read once (Unavailable while the provider does not answer)."""
        if self._discovery is None:
            self._consult(self._read_discovery)
        return self._known_discovery()

    def signing_key(self, kid: str) -> PyJWK | None:
        """The published signing key with this id, or None when the provider has none."""
        key = _match(self._key_set(), kid)
        if key is None and self._may_refetch():
            self._last_refetch = time.monotonic()
            self._consult(self._read_keys)
            key = _match(self._keys or [], kid)
        return key

    def _key_set(self) -> list[PyJWK]:
        keys = self._keys
        if keys is not None:
            fresh = time.monotonic() - self._keys_read_at < self._lifespan
            if fresh or self._reading.locked():  # another request is reading them again
                return keys
        self._consult(self._read_keys)
        return self._keys or []

    def _may_refetch(self) -> bool:
        last = self._last_refetch
        return last is None or time.monotonic() - last >= self._refetch_interval

    def _consult(self, read: Callable[[], None]) -> None:
        """Runs `read` against the provider, unless it failed lately or another request is
        reading it now: then Unavailable at once, with how long to wait."""
        remaining = self._failed_until - time.monotonic()
        if remaining > 0:
            raise _unavailable("the identity provider is not answering", remaining)
        if not self._reading.acquire(blocking=False):
            raise _unavailable(
                "the identity provider is being asked by another request",
                BUSY_RETRY_AFTER_SECONDS,
            )
        try:
            read()
        except _READ_FAILED as error:
            self._failed_until = time.monotonic() + self._failure_memory
            raise _unavailable(
                "the identity provider is not answering", self._failure_memory
            ) from error
        finally:
            self._reading.release()

    def _read_discovery(self) -> None:
        document = self._get(f"{self.issuer}/.well-known/openid-configuration")
        self._discovery = Discovery(
            issuer=str(document["issuer"]),
            authorization_endpoint=str(document["authorization_endpoint"]),
            token_endpoint=str(document["token_endpoint"]),
            jwks_uri=str(self._configured_jwks_url or document["jwks_uri"]),
            token_endpoint_auth_methods=tuple(
                document.get("token_endpoint_auth_methods_supported", ["client_secret_basic"])
            ),
        )

    def _read_keys(self) -> None:
        if not self._configured_jwks_url and self._discovery is None:
            self._read_discovery()
        url = self._configured_jwks_url or self._known_discovery().jwks_uri
        key_set = PyJWKSet.from_dict(self._get(url))
        signing = [k for k in key_set.keys if k.public_key_use in ("sig", None) and k.key_id]
        if not signing:
            raise PyJWKSetError("the key set holds no signing key")
        self._keys = signing
        self._keys_read_at = time.monotonic()

    def _get(self, url: str) -> dict[str, Any]:
        response = requests.get(url, timeout=self.timeouts)
        response.raise_for_status()
        document = response.json()
        if not isinstance(document, dict):
            raise ValueError("the document is not a JSON object")
        return document

    def _known_discovery(self) -> Discovery:
        if self._discovery is None:
            raise _unavailable("the identity provider is not answering", self._failure_memory)
        return self._discovery


def _unavailable(detail: str, wait_seconds: float) -> Unavailable:
    return Unavailable(detail, retry_after=max(1, math.ceil(wait_seconds)))


def _match(keys: list[PyJWK], kid: str) -> PyJWK | None:
    return next((key for key in keys if key.key_id == kid), None)
