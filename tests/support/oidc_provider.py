"""A small, real OpenID Connect provider on 127.0.0.1 for the tests.

It serves the discovery document, its key set (JWKS), an authorize endpoint that signs in the
configured `user` at once, and a token endpoint that checks the client, the redirect URI and the
PKCE verifier before it gives an ID token. Its keys can be rotated and its key set taken down;
it counts the times its key set is read. `issue` mints tokens as the provider would.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from .serving import on_a_thread

API_AUDIENCE = "dutyservice-api"
CLIENT_ID = "dutyservice-web"
CLIENT_SECRET = "web-client-secret"


@dataclass
class SigningKey:
    kid: str
    alg: str
    private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

    def public_jwk(self) -> dict[str, Any]:
        public = self.private.public_key()
        if isinstance(public, rsa.RSAPublicKey):
            text = RSAAlgorithm.to_jwk(public)
        else:
            text = ECAlgorithm.to_jwk(public)
        jwk: dict[str, Any] = json.loads(text)
        return {**jwk, "kid": self.kid, "alg": self.alg, "use": "sig"}

    def public_pem(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def rsa_key() -> SigningKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return SigningKey(kid=f"rsa-{secrets.token_hex(4)}", alg="RS256", private=private)


def ec_key() -> SigningKey:
    return SigningKey(
        kid=f"ec-{secrets.token_hex(4)}",
        alg="ES256",
        private=ec.generate_private_key(ec.SECP256R1()),
    )


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    nonce: str
    challenge: str
    claims: dict[str, Any]


@dataclass
class OidcProvider:
    issuer: str = ""
    #: The person the authorize endpoint signs in (claims of the ID token).
    user: dict[str, Any] = field(default_factory=dict)
    #: When set, the ID token carries this nonce instead of the one asked for.
    nonce_override: str | None = None
    jwks_down: bool = False
    jwks_reads: int = 0
    keys: list[SigningKey] = field(default_factory=list)
    grants: dict[str, Grant] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _initial: list[SigningKey] = field(default_factory=list)

    @property
    def signing(self) -> SigningKey:
        """The key new tokens are signed with: the newest."""
        return self.keys[-1]

    def reset(self) -> None:
        with self.lock:
            self.keys = list(self._initial)
            self.jwks_down = False
            self.jwks_reads = 0
            self.nonce_override = None
            self.user = {}
            self.grants.clear()

    def rotate(self) -> SigningKey:
        """A new key signs from now on; the old ones stay published, as providers do."""
        key = rsa_key()
        with self.lock:
            self.keys.append(key)
        return key

    def issue(
        self,
        claims: dict[str, Any] | None = None,
        *,
        audience: str = API_AUDIENCE,
        key: SigningKey | None = None,
        lifetime: int = 600,
        **overrides: Any,
    ) -> str:
        """A token signed as the provider signs them: iss, aud, sub, iat, nbf, exp, then
        `claims`, then `overrides` (None removes a claim)."""
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": self.issuer,
            "aud": audience,
            "sub": "subject-" + secrets.token_hex(4),
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            **(claims or {}),
            **overrides,
        }
        payload = {name: value for name, value in payload.items() if value is not None}
        key = key or self.signing
        return jwt.encode(payload, key.private, algorithm=key.alg, headers={"kid": key.kid})

    def jwks(self) -> dict[str, Any]:
        with self.lock:
            return {"keys": [key.public_jwk() for key in self.keys]}

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256", "ES256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        }

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], dict[str, Any]]:
        if (
            query.get("response_type") != "code"
            or query.get("client_id") != CLIENT_ID
            or query.get("code_challenge_method") != "S256"
            or not query.get("code_challenge")
            or "openid" not in query.get("scope", "").split()
        ):
            return 400, {}, {"error": "invalid_request"}
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.grants[code] = Grant(
                client_id=query["client_id"],
                redirect_uri=query["redirect_uri"],
                nonce=query.get("nonce", ""),
                challenge=query["code_challenge"],
                claims=dict(self.user),
            )
        back = urlencode({"code": code, "state": query.get("state", "")})
        return 302, {"Location": f"{query['redirect_uri']}?{back}"}, {}

    def token(
        self, form: dict[str, str], authorization: str
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if authorization != f"Basic {expected}":
            return 401, {}, {"error": "invalid_client"}
        with self.lock:
            grant = self.grants.pop(form.get("code", ""), None)  # a code is good once only
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if (
            grant is None
            or form.get("grant_type") != "authorization_code"
            or form.get("redirect_uri") != grant.redirect_uri
            or challenge.rstrip(b"=").decode() != grant.challenge
        ):
            return 400, {}, {"error": "invalid_grant"}
        nonce = self.nonce_override if self.nonce_override is not None else grant.nonce
        id_token = self.issue(grant.claims, audience=grant.client_id, nonce=nonce)
        return 200, {}, {"id_token": id_token, "token_type": "Bearer", "expires_in": 600}


@contextmanager
def serving() -> Iterator[OidcProvider]:
    """The provider, answering on a free port of 127.0.0.1 until the block ends."""
    provider = OidcProvider()
    provider._initial = [rsa_key(), ec_key()]
    provider.keys = list(provider._initial)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            url = urlparse(self.path)
            if url.path == "/.well-known/openid-configuration":
                self._answer(200, {}, provider.discovery())
            elif url.path == "/jwks":
                with provider.lock:
                    provider.jwks_reads += 1
                if provider.jwks_down:
                    self._answer(503, {}, {"error": "unavailable"})
                else:
                    self._answer(200, {}, provider.jwks())
            elif url.path == "/authorize":
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                self._answer(*provider.authorize(query))
            else:
                self._answer(404, {}, {"error": "not_found"})

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            if urlparse(self.path).path != "/token":
                self._answer(404, {}, {"error": "not_found"})
                return
            form = {k: v[0] for k, v in parse_qs(body).items()}
            self._answer(*provider.token(form, self.headers.get("Authorization", "")))

        def _answer(self, status: int, headers: dict[str, str], body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    provider.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    with on_a_thread(server):
        yield provider


def person_claims(
    role: str | None,
    *,
    force: str | None = None,
    warrant_number: str | None = None,
    name: str | None = "Alex Smith",
) -> dict[str, Any]:
    """A person's claims as a force's directory gives them (API.md's default claim names)."""
    claims: dict[str, Any] = {"sub": f"sub-{secrets.token_hex(6)}"}
    if name is not None:
        claims["name"] = name
    if role is not None:
        claims["roles"] = [role]
    if force is not None:
        claims["force"] = force
    if warrant_number is not None:
        claims["warrant_number"] = warrant_number
    return claims
