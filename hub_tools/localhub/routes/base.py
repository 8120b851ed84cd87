"""What every route mixin shares: the app's attributes, visibility and write checks, revisions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import errors
from ..auth import Identity, TokenStore, UrlSigner
from ..collections import Collections
from ..http import Request, seg
from ..storage import Commit, RepoRef, RepoState, Storage
from ..xet import XetCas

_SHA256_RE = re.compile(r"\A[0-9a-f]{64}\Z")
MAX_REF_CHARS = 255  # no branch, tag or refs/pr/N name is longer: bounds the revision search in a URL
DEFAULT_MAX_JSON_BYTES = 8 * 1024 * 1024


@dataclass
class HubConfig:
    """Tunables of one server."""

    max_request_bytes: int = 512 * 1024 * 1024
    max_file_bytes: int = 50 * 1024 * 1024 * 1024
    tree_page_size: int = 50
    commits_page_size: int = 50
    max_json_bytes: int = DEFAULT_MAX_JSON_BYTES


class RouteBase:
    """The attributes every route mixin relies on (set by ``HubApp.__init__``) and the helpers they share."""

    storage: Storage
    tokens: TokenStore
    config: HubConfig
    signer: UrlSigner
    collections: Collections
    xet: XetCas | None

    def _visible_repo(self, req: Request, ref: RepoRef) -> RepoState:
        """The repo, or 404 RepoNotFound when it is absent or private and the caller is not a member."""
        state = self.storage.load(ref)
        if state is None or (state.meta.get("private") and not req.identity.can_write(state.ref.namespace)):
            raise errors.repo_not_found(ref.id)
        return state

    @staticmethod
    def _require_write(req: Request, state_or_ns: RepoState | str) -> None:
        namespace = state_or_ns if isinstance(state_or_ns, str) else state_or_ns.ref.namespace
        identity: Identity = req.identity
        if identity.is_anonymous:
            raise errors.HubError(401, "Unauthorized", "You must be authenticated (a write token) to do this")
        if not identity.can_write(namespace):
            raise errors.forbidden(f"You don't have the rights to write to the namespace {namespace!r}")

    @staticmethod
    def _join_rev(args: list[str]) -> str:
        if not args:
            raise errors.bad_request("Missing revision")
        return "/".join(seg(a) for a in args)

    def _split_rev(self, state: RepoState, args: list[str], need_path: bool) -> tuple[str, list[str]]:
        """Split raw segments into (revision, remaining raw segments); a literal '/' in a ref is allowed."""
        if not args:
            return "main", []
        first = seg(args[0])
        if self.storage.is_revision(state, first):
            return first, args[1:]
        # Candidates "a/b", "a/b/c"...: built incrementally and only up to the longest possible ref name, so a URL
        # of 16,000 segments costs a few lookups, not 16,000 joins of 16,000 segments.
        upper = len(args) - (1 if need_path else 0)
        candidates, joined = [], first
        for i in range(2, upper + 1):
            joined += "/" + seg(args[i - 1])
            if len(joined) > MAX_REF_CHARS:
                break
            candidates.append((joined, i))
        for candidate, i in reversed(candidates):  # longest matching ref first
            if self.storage.is_revision(state, candidate):
                return candidate, args[i:]
        raise errors.revision_not_found(first, state.ref.id)

    def _resolve(self, state: RepoState, revision: str) -> tuple[Commit, str | None]:
        return self.storage.resolve_revision(state, revision)

    @staticmethod
    def repo_url(req: Request, ref: RepoRef) -> str:
        return f"{req.base_url}/{ref.url_prefix}{ref.id}"


    def _check_gate(self, req: Request, state: RepoState) -> None:
        if state.meta.get("gated") and not req.identity.can_write(state.ref.namespace):
            status = 401 if req.identity.is_anonymous else 403
            raise errors.HubError(status, "GatedRepo", f"Access to model {state.ref.id} is restricted. "
                                  "You must have access to it and be authenticated to access it.")
