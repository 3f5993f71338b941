"""A stand-in for the state identity service: a real OpenID Connect provider on 127.0.0.1.

It serves a discovery document, a JWKS with a fresh RSA key, a token endpoint that signs RS256 ID
tokens, and a userinfo endpoint, from an HTTP server thread on a random free port. A test "signs the
person in at the provider" with `authorize(...)`, which returns the code the provider would send
back to our callback.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLIENT_ID = "manskonts-test"
CLIENT_SECRET = "test-client-secret-not-real"


@dataclass
class Grant:
    claims: dict
    nonce: str
    redirect_uri: str
    code_challenge: str


@dataclass
class StandInProvider:
    issuer: str = ""
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    kid: str = field(default_factory=lambda: secrets.token_hex(8))
    grants: dict[str, Grant] = field(default_factory=dict)
    tokens: dict[str, dict] = field(default_factory=dict)
    token_requests: list[dict] = field(default_factory=list)
    # Knobs for negative tests.
    audience: str = CLIENT_ID
    id_token_issuer: str | None = None
    signing_key: rsa.RSAPrivateKey | None = None
    offers_logout: bool = True

    def jwks(self) -> dict:
        public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def discovery(self) -> dict:
        document = {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
        }
        if self.offers_logout:
            document["end_session_endpoint"] = f"{self.issuer}/logout"
        return document

    def authorize(self, authorize_url_query: dict, claims: dict) -> str:
        """What the provider does after the person proves who they are: a one-time code."""
        code = secrets.token_urlsafe(16)
        self.grants[code] = Grant(
            claims=claims,
            nonce=authorize_url_query["nonce"][0],
            redirect_uri=authorize_url_query["redirect_uri"][0],
            code_challenge=authorize_url_query.get("code_challenge", [""])[0],
        )
        return code

    def issue(self, form: dict) -> tuple[int, dict]:
        self.token_requests.append(form)
        grant = self.grants.pop(form.get("code", ""), None)
        if grant is None or form.get("client_secret") != CLIENT_SECRET:
            return 400, {"error": "invalid_grant"}
        if form.get("redirect_uri") != grant.redirect_uri or form.get("client_id") != CLIENT_ID:
            return 400, {"error": "invalid_grant"}
        if grant.code_challenge:
            import base64
            import hashlib

            verifier = form.get("code_verifier", "")
            digest = hashlib.sha256(verifier.encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant.code_challenge:
                return 400, {"error": "invalid_grant"}
        now = int(time.time())
        id_token = jwt.encode(
            {
                "iss": self.id_token_issuer or self.issuer,
                "aud": self.audience,
                "sub": grant.claims["sub"],
                "iat": now,
                "exp": now + 300,
                "nonce": grant.nonce,
            },
            self.signing_key or self.key,
            algorithm="RS256",
            headers={"kid": self.kid},
        )
        access_token = secrets.token_urlsafe(24)
        self.tokens[access_token] = grant.claims
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
        }


def _handler(provider: StandInProvider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet test output
            pass

        def _json(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/.well-known/openid-configuration":
                return self._json(200, provider.discovery())
            if self.path == "/jwks":
                return self._json(200, provider.jwks())
            if self.path == "/userinfo":
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                claims = provider.tokens.get(token)
                if claims is None:
                    return self._json(401, {"error": "invalid_token"})
                return self._json(200, claims)
            return self._json(404, {"error": "not_found"})

        def do_POST(self):
            if self.path != "/token":
                return self._json(404, {"error": "not_found"})
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            status, body = provider.issue(form)
            return self._json(status, body)

    return Handler


def start_provider() -> tuple[StandInProvider, ThreadingHTTPServer]:
    provider = StandInProvider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    provider.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return provider, server
