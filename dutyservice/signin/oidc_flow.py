"""Browser sign-in through the force's identity provider: the authorization-code flow with PKCE,
`state` and `nonce` (API.md "Sign-in through the force's identity provider").

Two steps over a dict-like session (the signed session cookie of the web pages):
`begin_sign_in` remembers a fresh state, nonce and PKCE verifier and gives the provider's
authorize URL; `finish_sign_in` takes them back out (so a state is good once only), exchanges the
code at the token endpoint, verifies the ID token and its nonce, and maps its claims as for a
bearer JWT.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping, MutableMapping
from typing import Any
from urllib.parse import urlencode

import requests

from ..auth.scope import Principal
from ..db import Database
from ..errors import Unavailable
from .oidc import IdentityProvider, InvalidToken, kept_claims, principal_for_claims

PENDING_KEY = "oidc_sign_in"
SCOPES = "openid profile"


class SignInRefused(Exception):
    """The callback is not the answer to a sign-in this session began, or the provider refused."""


def begin_sign_in(
    session: MutableMapping[str, Any],
    redirect_uri: str,
    *,
    provider: IdentityProvider | None = None,
) -> str:
    """The provider's authorize URL; state, nonce and the PKCE verifier are kept in `session`."""
    provider = provider or _current_provider()
    pending = {
        "state": secrets.token_urlsafe(32),
        "nonce": secrets.token_urlsafe(32),
        "verifier": secrets.token_urlsafe(64),  # RFC 7636: 43 to 128 characters
        "redirect_uri": redirect_uri,
    }
    session[PENDING_KEY] = pending
    query = urlencode(
        {
            "response_type": "code",
            "client_id": provider.client_id,
            "redirect_uri": redirect_uri,
            "scope": SCOPES,
            "state": pending["state"],
            "nonce": pending["nonce"],
            "code_challenge": pkce_challenge(pending["verifier"]),
            "code_challenge_method": "S256",
        }
    )
    endpoint = provider.discovery().authorization_endpoint
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def finish_sign_in(
    session: MutableMapping[str, Any],
    args: Mapping[str, str],
    *,
    provider: IdentityProvider | None = None,
    db: Database | None = None,
) -> tuple[Principal, dict[str, Any]]:
    """The Principal of the person the provider sent back, and the claims it stands on (those
    `principal_for_claims` reads, kept to check the person again later): SignInRefused (a
    state not this session's, or used already; the provider's refusal), InvalidToken (the ID
    token),
    Forbidden (no role or scope in its claims), Unavailable (the provider does not answer)."""
    provider = provider or _current_provider()
    pending = session.pop(PENDING_KEY, None)  # taken out first: a state is good once only
    if not isinstance(pending, dict):
        raise SignInRefused("no sign-in was begun in this browser, or it was finished already")
    if not hmac.compare_digest(str(args.get("state", "")), str(pending["state"])):
        raise SignInRefused("the answer is not to the sign-in this browser began")
    if args.get("error"):
        raise SignInRefused("the identity provider did not sign this person in")
    code = args.get("code")
    if not code:
        raise SignInRefused("the identity provider's answer has no code")
    id_token = _exchange(provider, code, pending)
    claims = provider.verify_id_token(id_token, str(pending["nonce"]))
    principal = principal_for_claims(db or _current_db(), claims, provider.claim_names)
    return principal, kept_claims(claims, provider.claim_names)


def pkce_challenge(verifier: str) -> str:
    """RFC 7636 S256: base64url (unpadded) of the verifier's SHA-256."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _exchange(provider: IdentityProvider, code: str, pending: Mapping[str, Any]) -> str:
    """The ID token the token endpoint gives for the code and the PKCE verifier."""
    discovery = provider.discovery()
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": str(pending["redirect_uri"]),
        "client_id": provider.client_id,
        "code_verifier": str(pending["verifier"]),
    }
    auth: tuple[str, str] | None = None
    if provider.client_secret:
        if "client_secret_basic" in discovery.token_endpoint_auth_methods:
            auth = (provider.client_id, provider.client_secret)
        else:
            form["client_secret"] = provider.client_secret
    try:
        response = requests.post(
            discovery.token_endpoint, data=form, auth=auth, timeout=provider.documents.timeouts
        )
    except requests.RequestException as error:
        raise Unavailable("the identity provider is not answering") from error
    if response.status_code >= 500:
        raise Unavailable("the identity provider is not answering")
    if response.status_code != 200:
        raise SignInRefused("the identity provider refused the sign-in's code")
    try:
        id_token = response.json()["id_token"]
    except (ValueError, KeyError, TypeError):
        raise InvalidToken("the identity provider gave no ID token") from None
    if not isinstance(id_token, str):
        raise InvalidToken("the identity provider gave no ID token")
    return id_token


def _current_provider() -> IdentityProvider:
    from flask import current_app

    provider: IdentityProvider | None = current_app.extensions["dutyservice"].identity
    if provider is None:
        raise Unavailable("sign-in through an identity provider is not configured")
    return provider


def _current_db() -> Database:
    from flask import current_app

    db: Database = current_app.extensions["dutyservice"].db
    return db
