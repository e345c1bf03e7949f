"""Bearer JWTs from the force's identity provider (API.md "Sign-in through the force's identity
provider"): discovery, the key set, signature and claims checks, and the Principal they make.

A token is accepted only when signed with RS256 or ES256 by a key of the provider's key set
(`none` and HMAC never: an HS256 token "signed" with the public key is refused), with `iss`
equal to the issuer, the audience in `aud`, and `exp`/`nbf` within 60 s of leeway. A token
whose `kid` is unknown makes the key set be fetched again, at most once a minute, so that keys
rotate without a restart. A provider that does not answer is `Unavailable` (503, with
`Retry-After`; documents.py); every other refusal is `InvalidToken` (401). Neither carries the
token: it is never echoed or logged.
"""

from __future__ import annotations

import contextlib
import hmac
import re
from typing import Any

import jwt
from jwt import PyJWK
from sqlalchemy import select

from ..auth.claims import ClaimNames, OfficerOnRecord, principal_from_claims
from ..auth.scope import Principal
from ..clock import london_today
from ..config import Settings
from ..db import Database
from ..duties.models import Officer
from ..errors import Invalid
from ..forces.queries import force_id_by_code
from .documents import (
    FAILURE_MEMORY_SECONDS,
    REFETCH_INTERVAL_SECONDS,
    Discovery,
    ProviderDocuments,
)

ALGORITHMS = ("RS256", "ES256")
LEEWAY_SECONDS = 60
REQUIRED_CLAIMS = ["exp", "iss", "aud", "sub"]
#: The audit trail's column for `sub` (audit.py).
MAX_SUBJECT_CHARACTERS = 255
IDENTITY_CLAIMS = ("sub", "name", "preferred_username")
# Control characters (C0, DEL, C1) and lone surrogates: no name holds them, and NUL or a
# surrogate cannot be stored.
_UNSTORABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


class InvalidToken(Exception):
    """The token is refused (401). The message says why in general terms, never the token."""


def looks_like_jwt(text: str) -> bool:
    return text.count(".") == 2 and text.startswith("eyJ")


class IdentityProvider:
    """The force's OpenID Connect provider, as one process sees it (its documents cached and
    read as documents.py says)."""

    def __init__(
        self,
        settings: Settings,
        *,
        refetch_interval: float = REFETCH_INTERVAL_SECONDS,
        failure_memory: float = FAILURE_MEMORY_SECONDS,
    ) -> None:
        self.issuer = settings.oidc_issuer
        self.audience = settings.oidc_audience or settings.oidc_client_id
        self.client_id = settings.oidc_client_id
        self.client_secret = settings.oidc_client_secret
        self.claim_names = ClaimNames(
            roles=settings.oidc_roles_claim,
            force=settings.oidc_force_claim,
            officer=settings.oidc_officer_claim,
        )
        self.documents = ProviderDocuments(
            settings.oidc_issuer,
            settings.oidc_jwks_url,
            refetch_interval=refetch_interval,
            failure_memory=failure_memory,
        )

    def discovery(self) -> Discovery:
        """The discovery document, read once (Unavailable while the provider does not answer)."""
        return self.documents.discovery()

    def verify(self, token: str, *, audience: str | None = None) -> dict[str, Any]:
        """The claims of a token the provider signed for `audience` (default: this API's)."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidToken("the token is not a well-formed JWT") from None
        if header.get("alg") not in ALGORITHMS:
            raise InvalidToken("the token is not signed with an accepted algorithm")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidToken("the token names no signing key")
        key = self._signing_key(kid)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key.key,
                algorithms=list(ALGORITHMS),
                audience=audience or self.audience,
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": REQUIRED_CLAIMS},
            )
        except (jwt.PyJWTError, ValueError, TypeError) as error:
            raise InvalidToken(_reason(error)) from None
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise InvalidToken("the token names no subject")
        _check_identity(claims)
        return claims

    def verify_id_token(self, token: str, nonce: str) -> dict[str, Any]:
        """An ID token from the code flow: for this client, and carrying the sign-in's nonce."""
        claims = self.verify(token, audience=self.client_id)
        presented = claims.get("nonce")
        if not isinstance(presented, str) or not hmac.compare_digest(presented, nonce):
            raise InvalidToken("the ID token's nonce is not this sign-in's")
        return claims

    def _signing_key(self, kid: str) -> PyJWK:
        key = self.documents.signing_key(kid)
        if key is None:
            raise InvalidToken("the token is signed with a key the provider does not publish")
        return key


def _check_identity(claims: dict[str, Any]) -> None:
    """The audit trail stores `sub` and the name: a token whose identity it cannot hold is
    refused here rather than leaving its bearer unable to change anything."""
    if len(claims["sub"]) > MAX_SUBJECT_CHARACTERS:
        raise InvalidToken(
            f"the token's subject is longer than {MAX_SUBJECT_CHARACTERS} characters"
        )
    for name in IDENTITY_CLAIMS:
        value = claims.get(name)
        if isinstance(value, str) and _UNSTORABLE.search(value):
            raise InvalidToken(f"the token's '{name}' claim holds a control character")


def _reason(error: Exception) -> str:
    """A refusal's reason in general terms (PyJWT's messages never hold the token)."""
    if isinstance(error, jwt.ExpiredSignatureError):
        return "the token has expired"
    if isinstance(error, jwt.ImmatureSignatureError):
        return "the token is not valid yet"
    if isinstance(error, jwt.InvalidIssuerError):
        return "the token is from another issuer"
    if isinstance(error, jwt.InvalidAudienceError):
        return "the token is not for this service"
    if isinstance(error, jwt.MissingRequiredClaimError):
        return f"the token has no '{error.claim}' claim"
    if isinstance(error, jwt.InvalidSignatureError):
        return "the token's signature does not verify"
    return "the token is not valid"


def principal_for_claims(db: Database, claims: dict[str, Any], names: ClaimNames) -> Principal:
    """Reads what the claims name (the force, the officers with that warrant number), then maps
    them (`claims.principal_from_claims`); Forbidden when they give no role or scope."""
    code = claims.get(names.force)
    warrant = claims.get(names.officer)
    with db.reading() as session:
        force_ids: dict[str, int] = {}
        if isinstance(code, str) and code:
            # Remembered by the process: forces are seeded and their codes never change. A code
            # of no force is left out, and the mapping refuses it.
            with contextlib.suppress(Invalid):
                force_ids[code] = force_id_by_code(session, code)
        officers: list[OfficerOnRecord] = []
        if isinstance(warrant, str) and warrant:
            rows = session.execute(
                select(Officer.id, Officer.force_id, Officer.joined_on, Officer.left_on).where(
                    Officer.warrant_number == warrant
                )
            )
            officers = [OfficerOnRecord(*row) for row in rows]
    return principal_from_claims(
        claims, names, force_ids=force_ids, officers=officers, today=london_today()
    )


def kept_claims(claims: dict[str, Any], names: ClaimNames) -> dict[str, Any]:
    """The claims `principal_for_claims` reads: what a page session keeps to map its person
    again on every request, as the API maps a bearer JWT's."""
    wanted = ("sub", "name", "preferred_username", names.roles, names.force, names.officer)
    return {name: claims[name] for name in wanted if name in claims}


def signed_in_principal(db: Database, provider: IdentityProvider, token: str) -> Principal:
    """The Principal of a bearer JWT: InvalidToken (401), Forbidden (403), Unavailable (503)."""
    return principal_for_claims(db, provider.verify(token), provider.claim_names)
