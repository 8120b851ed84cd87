"""Tokens, identities and permissions of the local Hub.

A token maps to a user and the organisations they belong to. Writing to a repo needs a token whose user or
one of whose orgs is the repo's namespace. Private repos are visible only to such tokens; to everyone else they
do not exist (404 ``RepoNotFound``). A token that is not known is refused with 401 on every request, with the
message the real Hub sends. Tokens are never logged.

Token file format (YAML or JSON)::

    tokens:
      hf_abc...: {user: alice, orgs: [gaokerena]}
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import yaml

from . import errors


@dataclass(frozen=True)
class Identity:
    """Who is calling: a user and their orgs. ``Identity.anonymous()`` has no name."""

    user: str | None
    orgs: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def anonymous(cls) -> "Identity":
        return cls(None, ())

    @property
    def is_anonymous(self) -> bool:
        return self.user is None

    def namespaces(self) -> set[str]:
        return {n.lower() for n in ((self.user,) + self.orgs) if n}

    def can_write(self, namespace: str) -> bool:
        return not self.is_anonymous and namespace.lower() in self.namespaces()


def _normalise(entry) -> dict:
    if isinstance(entry, str):
        return {"user": entry, "orgs": []}
    if not isinstance(entry, Mapping) or not entry.get("user"):
        raise ValueError("each token needs a 'user'")
    orgs = entry.get("orgs") or []
    if isinstance(orgs, str):
        orgs = [o for o in orgs.split(",") if o]
    return {"user": str(entry["user"]), "orgs": [str(o) for o in orgs]}


def load_token_file(path: str | Path) -> dict[str, dict]:
    """Read ``{"tokens": {token: {"user", "orgs"}}}`` from a YAML or JSON file."""
    text = Path(path).read_text(encoding="utf-8")
    data = yaml.safe_load(text) if text.strip() else {}
    tokens = (data or {}).get("tokens", {})
    if not isinstance(tokens, Mapping):
        raise ValueError(f"{path}: 'tokens' must be a mapping token -> {{user, orgs}}")
    return {str(tok): _normalise(entry) for tok, entry in tokens.items()}


def parse_token_arg(arg: str) -> tuple[str, dict]:
    """``TOKEN=USER[:ORG1,ORG2]`` -> (token, {"user", "orgs"})."""
    token, sep, rest = arg.partition("=")
    if not sep or not token or not rest:
        raise ValueError("--token expects TOKEN=USER[:ORG1,ORG2]")
    user, _, orgs = rest.partition(":")
    return token, {"user": user, "orgs": [o for o in orgs.split(",") if o]}


def _check_disjoint_namespaces(entries) -> None:
    """A user may not carry an organisation's name: otherwise that user's token could write to the org."""
    orgs = {o.lower() for e in entries for o in e["orgs"]}
    clash = sorted({e["user"] for e in entries if e["user"].lower() in orgs})
    if clash:
        raise ValueError(f"token user {clash[0]!r} has the name of an organisation: user and organisation "
                         "namespaces must be disjoint")


class TokenStore:
    """Token -> Identity lookups, in constant time per token."""

    def __init__(self, tokens: Mapping[str, Mapping] | None = None, token_file: str | Path | None = None) -> None:
        merged: dict[str, dict] = {}
        if token_file:
            merged.update(load_token_file(token_file))
        for tok, entry in (tokens or {}).items():
            merged[str(tok)] = _normalise(entry)
        _check_disjoint_namespaces(merged.values())
        self._by_token = {tok: Identity(e["user"], tuple(e["orgs"])) for tok, e in merged.items()}

    def __len__(self) -> int:
        return len(self._by_token)

    def identify(self, authorization: str | None) -> Identity:
        """Identity for an ``Authorization`` header; 401 for an unknown token, anonymous when absent."""
        if not authorization:
            return Identity.anonymous()
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise errors.unauthorized("Invalid credentials in Authorization header")
        identity = self._lookup(token.strip())
        if identity is None:
            raise errors.unauthorized("Invalid credentials in Authorization header")
        return identity

    def _lookup(self, token: str) -> Identity | None:
        for known, identity in self._by_token.items():
            if hmac.compare_digest(known.encode(), token.encode()):
                return identity
        return None


class UrlSigner:
    """HMAC-signed, expiring credentials carried in LFS upload URLs (the client sends no auth on the PUT)."""

    def __init__(self, secret: bytes, ttl_s: int = 3600) -> None:
        self.secret = secret
        self.ttl_s = ttl_s

    def sign(self, *parts: str, expires: int | None = None) -> tuple[str, int]:
        expires = expires or int(time.time()) + self.ttl_s
        msg = json.dumps([*parts, expires]).encode()
        return hmac.new(self.secret, msg, hashlib.sha256).hexdigest(), expires

    def check(self, signature: str, expires: str, *parts: str) -> None:
        try:
            exp = int(expires)
        except (TypeError, ValueError):
            raise errors.forbidden("Invalid or missing upload signature") from None
        expected, _ = self.sign(*parts, expires=exp)
        if not hmac.compare_digest(expected, signature or ""):
            raise errors.forbidden("Invalid upload signature")
        if exp < time.time():
            raise errors.forbidden("Upload URL expired: request a new one through the LFS batch API")
