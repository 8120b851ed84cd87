"""The Hub API of the local server: routing to one small handler per endpoint (the handlers: :mod:`.routes`).

Endpoints follow ``docs/hub-protocol.md`` (huggingface_hub 2.4.0 as the client): whoami, repo CRUD and settings,
repo info, tree and paths-info (``Link`` pagination), resolve (HEAD/GET, ``Range``), validate-yaml, preupload,
NDJSON commits (optionally as pull requests), branches/tags/refs/commits, LFS batch + signed upload + verify,
pull-request discussions (details, comment, status, merge) and the Space management endpoints. Errors always
carry ``X-Error-Code``; every repo route checks visibility before it reveals anything.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Callable

from . import errors
from .auth import TokenStore, UrlSigner
from .collections import Collections
from .http import Request, Response, seg
from .routes.base import DEFAULT_MAX_JSON_BYTES, HubConfig  # noqa: F401 (DEFAULT_MAX_JSON_BYTES: re-exported)
from .routes.commits import CommitRoutes
from .routes.files import FileRoutes
from .routes.refs import RefRoutes
from .routes.repos import RepoRoutes
from .routes.spaces import SpaceRoutes
from .routes.users import UserRoutes
from .storage import REPO_TYPES, RepoRef, Storage
from .xet import MAX_XORB_BYTES, XetCas

logger = logging.getLogger(__name__)

_TYPE_BY_PLURAL = {f"{t}s": t for t in REPO_TYPES}


def _repo_ref(repo_type: str, raw_namespace: str, raw_name: str) -> RepoRef:
    """A repo address from raw URL segments; 400 for anything that could escape the storage root."""
    namespace, name = seg(raw_namespace), seg(raw_name)
    for part in (namespace, name):
        if not part or "/" in part or "\\" in part or "\0" in part or part in (".", "..") or ".." in part:
            raise errors.bad_request(f"Invalid repo id {namespace}/{name!r}")
    return RepoRef(repo_type, namespace, name)


_UPLOAD_ROUTE = re.compile(r"/info/lfs/objects/upload/[^/]+/[^/]+\Z")
_XET_UPLOAD_ROUTE = re.compile(r"\A/xet/v[12]/(xorbs/|shards\Z)")
_COMMIT_ROUTE = re.compile(r"\A/api/(models|datasets|spaces)/[^/]+/[^/]+/commit/")


@dataclass(frozen=True)
class BodyRule:
    """What a route accepts as a body: at most ``limit`` bytes; ``upload``: a file's content, streamed to disk."""

    limit: int
    upload: bool = False


class HubApp(UserRoutes, RepoRoutes, SpaceRoutes, FileRoutes, CommitRoutes, RefRoutes):
    """Dispatches a :class:`Request` to its handler (one mixin per resource, see :mod:`.routes`) and returns a
    :class:`Response`."""

    def __init__(self, storage: Storage, tokens: TokenStore, config: HubConfig, xet: bool = False) -> None:
        self.storage = storage
        self.tokens = tokens
        self.config = config
        self.signer = UrlSigner(storage.secret)
        self.collections = Collections(storage)
        self.xet = XetCas(storage, self.signer, config.max_file_bytes) if xet else None

    # ------------------------------------------------------------------------------------------------ routing
    def body_rule(self, method: str, raw_path: str) -> BodyRule:
        """The body cap of a route, known from its method and path alone (the transport refuses a larger
        ``Content-Length`` before reading a byte): file uploads ``max_file_bytes``, NDJSON commits (which carry
        small files inline) ``max_request_bytes``, every other body, JSON, ``max_json_bytes``."""
        config = self.config
        if method == "PUT" and _UPLOAD_ROUTE.search(raw_path):
            return BodyRule(config.max_file_bytes, upload=True)
        if method == "POST" and _XET_UPLOAD_ROUTE.match(raw_path):
            return BodyRule(MAX_XORB_BYTES, upload=True)
        if method == "POST" and _COMMIT_ROUTE.match(raw_path):
            return BodyRule(config.max_request_bytes)
        return BodyRule(min(config.max_json_bytes, config.max_request_bytes))

    def handle(self, req: Request) -> Response:
        segs = req.segments
        if segs and segs[0] == "xet" and self.xet is not None:  # CAS calls carry a Xet token, not a Hub token
            return self.xet.route(req, segs[1:])
        req.identity = self.tokens.identify(req.headers.get("Authorization"))
        if segs and segs[0] == "api":
            return self._route_api(req, segs[1:])
        return self._route_files(req, segs)

    def _route_api(self, req: Request, segs: list[str]) -> Response:
        head = segs[0] if segs else ""
        simple: dict[tuple[str, str], Callable[[Request], Response]] = {
            ("GET", "whoami-v2"): self.whoami,
            ("GET", "agent-harnesses"): lambda r: Response.json({"standardEnvVars": [], "harnesses": {}}),
            ("POST", "validate-yaml"): self.validate_yaml,
            ("GET", "health"): lambda r: Response.json({"status": "ok"}),
        }
        if len(segs) == 1 and (req.method, head) in simple:
            return simple[(req.method, head)](req)
        if head == "collections":
            return self.collections.route(req, segs[1:])
        if head == "repos" and len(segs) == 2:
            action = {("POST", "create"): self.create_repo, ("DELETE", "delete"): self.delete_repo,
                      ("POST", "move"): self.move_repo}.get((req.method, segs[1]))
            if action:
                return action(req)
        if head in _TYPE_BY_PLURAL:
            repo_type = _TYPE_BY_PLURAL[head]
            if len(segs) == 1 and req.method == "GET":
                return self.list_repos(req, repo_type)
            if len(segs) >= 3:
                return self._route_repo_api(req, repo_type, segs[1:])
            if len(segs) == 2 and segs[1] != "templates":  # a single-segment id: never stored here
                raise errors.repo_not_found(seg(segs[1]))
        if head == "spaces" and len(segs) == 2 and segs[1] == "templates":
            return Response.json([])
        raise errors.HubError(404, "NotFound", f"Unknown API route: {req.method} {req.raw_path}")

    def _route_repo_api(self, req: Request, repo_type: str, segs: list[str]) -> Response:
        ref = _repo_ref(repo_type, segs[0], segs[1])
        state = self._visible_repo(req, ref)
        rest, m = segs[2:], req.method
        if not rest:
            if m == "GET":
                return self.repo_info(req, state, None)
        else:
            action, args = rest[0], rest[1:]
            handler = self._repo_routes().get((m, action))
            if handler is not None:
                return handler(req, state, args)
            if repo_type == "space" and not args:
                space_handler = self._space_routes().get((m, action))
                if space_handler is not None:
                    self._require_write(req, state)
                    return space_handler(req, state)
            if action in ("xet-write-token", "xet-read-token") and m == "GET" and self.xet is not None:
                if action == "xet-write-token":
                    self._require_write(req, state)
                else:
                    self._check_gate(req, state)  # a gated repo's files go to those it lets in
                return self.xet.token(req, state, "write" if action == "xet-write-token" else "read")
            if action.startswith("xet-"):
                raise errors.HubError(404, "NotFound", "Xet is off on this local Hub (start it with --xet): set "
                                      "HF_HUB_DISABLE_XET=1 before importing huggingface_hub (plain LFS is used)")
        raise errors.HubError(404, "NotFound", f"Unknown API route: {m} {req.raw_path}")

    def _repo_routes(self) -> dict:
        return {
            ("GET", "revision"): lambda r, s, a: self.repo_info(r, s, self._join_rev(a)),
            ("PUT", "settings"): self.settings,
            ("GET", "tree"): self.tree,
            ("POST", "paths-info"): self.paths_info,
            ("POST", "preupload"): self.preupload,
            ("POST", "commit"): self.commit,
            ("POST", "branch"): self.create_branch,
            ("DELETE", "branch"): self.delete_branch,
            ("POST", "tag"): self.create_tag,
            ("DELETE", "tag"): self.delete_tag,
            ("GET", "refs"): self.refs,
            ("GET", "commits"): self.commits,
            ("POST", "discussions"): self.create_discussion,
            ("GET", "discussions"): self.discussions,
        }

    def _space_routes(self) -> dict:
        return {
            ("GET", "secrets"): self.space_get_secrets,
            ("POST", "secrets"): self.space_add_secret,
            ("DELETE", "secrets"): self.space_delete_secret,
            ("GET", "variables"): self.space_get_variables,
            ("POST", "variables"): self.space_add_variable,
            ("DELETE", "variables"): self.space_delete_variable,
            ("GET", "runtime"): lambda r, s: self._runtime_response(s),
            ("POST", "hardware"): self.space_hardware,
            ("POST", "sleeptime"): self.space_sleeptime,
            ("POST", "pause"): lambda r, s: self._set_stage(s, "PAUSED"),
            ("POST", "restart"): lambda r, s: self._set_stage(s, "RUNNING"),
            ("POST", "dev-mode"): self.space_dev_mode,
        }

    def _route_files(self, req: Request, segs: list[str]) -> Response:
        repo_type = "model"
        if segs and segs[0] in ("datasets", "spaces"):
            repo_type, segs = _TYPE_BY_PLURAL[segs[0]], segs[1:]
        if len(segs) < 3:
            raise errors.HubError(404, "NotFound", f"Unknown route: {req.method} {req.raw_path}")
        if segs[1].endswith(".git") and segs[2:5] == ["info", "lfs", "objects"]:
            return self._route_lfs(req, _repo_ref(repo_type, segs[0], segs[1][:-4]), segs[5:])
        ref = _repo_ref(repo_type, segs[0], segs[1])
        state = self._visible_repo(req, ref)
        if segs[2] == "resolve" and req.method in ("GET", "HEAD") and len(segs) >= 5:
            return self.resolve(req, state, segs[3:])
        if segs[2] == "commit" and req.method == "GET" and len(segs) == 4:
            return self.commit_page(req, state, seg(segs[3]))
        if segs[2] == "discussions" and req.method == "GET" and len(segs) == 4:
            return self.discussion_details(req, state, [segs[3]])
        if segs[2] == "resolve":
            raise errors.entry_not_found("/".join(seg(s) for s in segs[4:]))
        raise errors.HubError(404, "NotFound", f"Unknown route: {req.method} {req.raw_path}")

    def _route_lfs(self, req: Request, ref: RepoRef, segs: list[str]) -> Response:
        if segs == ["batch"] and req.method == "POST":
            return self.lfs_batch(req, self._visible_repo(req, ref))
        if len(segs) == 3 and segs[0] == "upload" and req.method == "PUT":
            return self.lfs_upload(req, ref, seg(segs[1]), seg(segs[2]))
        if segs == ["verify"] and req.method == "POST":
            return self.lfs_verify(req, self._visible_repo(req, ref))
        raise errors.HubError(404, "NotFound", f"Unknown LFS route: {req.method} {req.raw_path}")
