"""The Hub API of the local server: routing and one small handler per endpoint.

Endpoints follow ``docs/hub-protocol.md`` (huggingface_hub 2.4.0 as the client): whoami, repo CRUD and settings,
repo info, tree and paths-info (``Link`` pagination), resolve (HEAD/GET, ``Range``), validate-yaml, preupload,
NDJSON commits (optionally as pull requests), branches/tags/refs/commits, LFS batch + signed upload + verify,
pull-request discussions (details, comment, status, merge) and the Space management endpoints. Errors always
carry ``X-Error-Code``; every repo route checks visibility before it reveals anything.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import re
import uuid
from dataclasses import dataclass
from typing import Callable, Iterator
from urllib.parse import quote, urlencode

from . import errors
from .auth import Identity, TokenStore, UrlSigner
from .cards import parse_eval_results, parse_front_matter, validate_card_metadata
from .http import Request, Response, check_types, header_safe, load_json, parse_range, seg
from .storage import (REPO_TYPES, Commit, Operation, RepoRef, RepoState, Storage, gitignored, now_iso,
                      validate_path, validate_ref_name)
from .collections import Collections
from .xet import MAX_XORB_BYTES, XetCas

logger = logging.getLogger(__name__)

_TYPE_BY_PLURAL = {f"{t}s": t for t in REPO_TYPES}
_SHA256_RE = re.compile(r"\A[0-9a-f]{64}\Z")
MAX_REF_CHARS = 255  # no branch, tag or refs/pr/N name is longer: bounds the revision search in a URL
MAX_PATHS_INFO = 10_000
_SPACE_SDKS = {"gradio", "streamlit", "docker", "static"}
DEFAULT_RUNTIME_HARDWARE = "cpu-basic"


def _lines(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The ``\n``-separated lines of a body given in chunks."""
    parts: list[bytes] = []
    for chunk in chunks:
        start = 0
        while (end := chunk.find(b"\n", start)) >= 0:
            parts.append(chunk[start:end])
            yield b"".join(parts)
            parts, start = [], end + 1
        parts.append(chunk[start:])
    if any(parts):
        yield b"".join(parts)


def _repo_ref(repo_type: str, raw_namespace: str, raw_name: str) -> RepoRef:
    """A repo address from raw URL segments; 400 for anything that could escape the storage root."""
    namespace, name = seg(raw_namespace), seg(raw_name)
    for part in (namespace, name):
        if not part or "/" in part or "\\" in part or "\0" in part or part in (".", "..") or ".." in part:
            raise errors.bad_request(f"Invalid repo id {namespace}/{name!r}")
    return RepoRef(repo_type, namespace, name)


DEFAULT_MAX_JSON_BYTES = 8 * 1024 * 1024
_UPLOAD_ROUTE = re.compile(r"/info/lfs/objects/upload/[^/]+/[^/]+\Z")
_XET_UPLOAD_ROUTE = re.compile(r"\A/xet/v[12]/(xorbs/|shards\Z)")
_COMMIT_ROUTE = re.compile(r"\A/api/(models|datasets|spaces)/[^/]+/[^/]+/commit/")


@dataclass
class HubConfig:
    """Tunables of one server."""

    max_request_bytes: int = 512 * 1024 * 1024
    max_file_bytes: int = 50 * 1024 * 1024 * 1024
    tree_page_size: int = 50
    commits_page_size: int = 50
    max_json_bytes: int = DEFAULT_MAX_JSON_BYTES


@dataclass(frozen=True)
class BodyRule:
    """What a route accepts as a body: at most ``limit`` bytes; ``upload``: a file's content, streamed to disk."""

    limit: int
    upload: bool = False


class HubApp:
    """Dispatches a :class:`Request` to its handler and returns a :class:`Response`."""

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

    # ---------------------------------------------------------------------------------------------- helpers
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

    # ------------------------------------------------------------------------------------------------ identity
    def whoami(self, req: Request) -> Response:
        identity: Identity = req.identity
        if identity.is_anonymous:
            raise errors.unauthorized("Invalid user token. A token is required (Authorization: Bearer ...)")
        return Response.json({
            "type": "user", "id": hashlib.sha1(identity.user.encode()).hexdigest()[:24], "name": identity.user,
            "fullname": identity.user, "email": None, "emailVerified": False, "isPro": False, "canPay": False,
            "orgs": [{"type": "org", "name": org, "fullname": org, "roleInOrg": "write"} for org in identity.orgs],
            "auth": {"type": "access_token", "accessToken": {"displayName": "localhub", "role": "write"}},
        })

    # --------------------------------------------------------------------------------------------- repo CRUD
    def _ref_from_body(self, req: Request, body: dict) -> RepoRef:
        check_types(body, {"type": str, "name": str, "organization": str})
        repo_type = body.get("type") or "model"
        if repo_type not in REPO_TYPES:
            raise errors.bad_request(f"Invalid repo type {repo_type!r}")
        name, org = body.get("name"), body.get("organization")
        if not isinstance(name, str) or not name:
            raise errors.bad_request("Missing 'name'")
        if "/" in name and not org:
            org, name = name.split("/", 1)
        if not org:
            if req.identity.is_anonymous:
                raise errors.HubError(401, "Unauthorized", "You must be authenticated to create or delete a repo")
            org = req.identity.user
        if not isinstance(org, str):
            raise errors.bad_request("Invalid 'organization'")
        return RepoRef(repo_type, org, name)

    def create_repo(self, req: Request) -> Response:
        body = req.json_object()
        ref = self._ref_from_body(req, body)
        check_types(body, {"private": bool, "visibility": str, "sdk": str, "hardware": str, "sleepTimeSeconds": int,
                           "variables": list, "secrets": list})
        self._require_write(req, ref.namespace)
        private = body.get("visibility") == "private" or body.get("private") is True
        extra: dict = {}
        if ref.type == "space":
            sdk = body.get("sdk")
            if sdk not in _SPACE_SDKS:
                raise errors.bad_request(f"Invalid or missing Space sdk {sdk!r}: one of {sorted(_SPACE_SDKS)}")
            extra["space"] = self._new_space_settings(body)
        existing = self.storage.load(ref)
        url = self.repo_url(req, existing.ref if existing else ref)
        if existing is not None:
            raise errors.conflict(f"You already created this {ref.type} repo", url=url)
        try:
            state = self.storage.create_repo(ref, private=private, author=req.identity.user, extra_meta=extra)
        except errors.HubError as err:
            if err.status == 409:
                err.extra["url"] = url
            raise
        return Response.json({"url": self.repo_url(req, state.ref), "name": state.ref.id, "id": state.ref.id})

    @staticmethod
    def _new_space_settings(body: dict) -> dict:
        for name in ("variables", "secrets"):
            items = body.get(name) or []
            if not isinstance(items, list) or not all(isinstance(v, dict) and isinstance(v.get("key"), str)
                                                      and isinstance(v.get("value", ""), str)
                                                      and isinstance(v.get("description") or "", str) for v in items):
                raise errors.bad_request(f"'{name}' must be a list of {{\"key\": str, \"value\": str}} objects")
        variables = {v["key"]: {"key": v["key"], "value": v.get("value", ""), "description": v.get("description"),
                                "updatedAt": now_iso()} for v in body.get("variables") or [] if v.get("key")}
        secrets = {s["key"]: {"key": s["key"], "description": s.get("description"), "updatedAt": now_iso()}
                   for s in body.get("secrets") or [] if s.get("key")}
        hardware = body.get("hardware") or DEFAULT_RUNTIME_HARDWARE
        return {"sdk": body.get("sdk"), "stage": "RUNNING", "hardware": hardware, "requested": hardware,
                "sleepTime": body.get("sleepTimeSeconds"), "devMode": False, "variables": variables,
                "secrets": secrets}

    def delete_repo(self, req: Request) -> Response:
        ref = self._ref_from_body(req, req.json_object())
        state = self._visible_repo(req, ref)
        self._require_write(req, state)
        self.storage.delete_repo(state)
        return Response.json({})

    def move_repo(self, req: Request) -> Response:
        body = req.json_object()
        repo_type = body.get("type") or "model"
        src, dst = body.get("fromRepo"), body.get("toRepo")
        if repo_type not in REPO_TYPES or not all(isinstance(x, str) and x.count("/") == 1 for x in (src, dst)):
            raise errors.bad_request("move needs fromRepo and toRepo as 'namespace/name' and a valid type")
        state = self._visible_repo(req, RepoRef(repo_type, *src.split("/")))
        new_ref = RepoRef(repo_type, *dst.split("/"))
        self._require_write(req, state)
        self._require_write(req, new_ref.namespace)
        self.storage.move_repo(state, new_ref)
        return Response.json({"url": self.repo_url(req, new_ref)})

    def settings(self, req: Request, state: RepoState, args: list[str]) -> Response:
        self._require_write(req, state)
        body = req.json_object()
        check_types(body, {"visibility": str, "private": bool, "gated": (str, bool), "discussionsDisabled": bool,
                           "xetEnabled": bool})
        updates: dict = {}
        if "visibility" in body:
            if body["visibility"] not in ("private", "public", "protected"):
                raise errors.bad_request(f"Invalid visibility {body['visibility']!r}")
            updates["private"] = body["visibility"] == "private"
        if "private" in body:
            updates["private"] = bool(body["private"])
        if "gated" in body:
            if body["gated"] not in ("auto", "manual", False):
                raise errors.bad_request("gated must be 'auto', 'manual' or false")
            updates["gated"] = body["gated"]
        for key in ("discussionsDisabled", "xetEnabled"):
            if key in body:
                updates[key] = body[key]
        self.storage.update_meta(state, updates)
        return Response.json({})

    def list_repos(self, req: Request, repo_type: str) -> Response:
        author, search = req.q("author"), (req.q("search") or "").lower()
        limit = req.int_q("limit", 1000)
        out = []
        for state in self.storage.list_repos(repo_type):
            if state.meta.get("private") and not req.identity.can_write(state.ref.namespace):
                continue
            if author and state.ref.namespace.lower() != author.lower():
                continue
            if search and search not in state.ref.id.lower():
                continue
            commit, _ = self._resolve(state, "main")
            out.append(self._info_json(req, state, commit, blobs=False, siblings=False))
            if len(out) >= limit:
                break
        return Response.json(out)

    # ------------------------------------------------------------------------------------------------- info
    def repo_info(self, req: Request, state: RepoState, revision: str | None) -> Response:
        commit, _ = self._resolve(state, revision or "main")
        return Response.json(self._info_json(req, state, commit, blobs=req.flag("blobs")))

    def _info_json(self, req: Request, state: RepoState, commit: Commit, blobs: bool, siblings: bool = True) -> dict:
        meta, ref = state.meta, state.ref
        card = self.storage.card_data(state, commit)
        info = {
            "_id": hashlib.sha1(f"{ref.type}/{meta.get('createdAt')}/{ref.id}".encode()).hexdigest()[:24],
            "id": ref.id, "author": ref.namespace, "sha": commit.id, "lastModified": commit.date,
            "createdAt": meta.get("createdAt"), "private": bool(meta.get("private")),
            "gated": meta.get("gated", False),
            "disabled": False, "downloads": 0, "likes": 0,
            "tags": [t for t in (card or {}).get("tags", []) or [] if isinstance(t, str)],
            "usedStorage": sum(e["size"] for e in commit.files.values()),
        }
        if card is not None:
            info["cardData"] = card
        if siblings:
            info["siblings"] = [self._sibling(path, entry, blobs) for path, entry in sorted(commit.files.items())]
        if ref.type == "model":
            info["modelId"] = ref.id
            info["evalResults"] = [
                item for path in sorted(filter(_is_eval_results, commit.files))
                for item in parse_eval_results(path, self.storage.read_text(state, commit, path) or "")
            ]  # fmt: skip
            for key in ("library_name", "pipeline_tag"):
                if card and isinstance(card.get(key), str):
                    info[key] = card[key]
        if ref.type == "space":
            space = meta.get("space", {})
            info.update({"sdk": space.get("sdk"), "subdomain": f"{ref.namespace}-{ref.name}".lower().replace(".", "-"),
                         "host": f"{req.base_url}/spaces/{ref.id}", "runtime": self._runtime_json(state)})
        return info

    @staticmethod
    def _sibling(path: str, entry: dict, blobs: bool) -> dict:
        sib: dict = {"rfilename": path}
        if blobs:
            sib["size"] = entry["size"]
            sib["blobId"] = entry["oid"]
            if entry.get("lfs"):
                lfs = entry["lfs"]
                sib["lfs"] = {"size": lfs["size"], "sha256": lfs["sha256"], "pointerSize": lfs["pointerSize"]}
        return sib

    # ------------------------------------------------------------------------------------------------- tree
    def tree(self, req: Request, state: RepoState, args: list[str]) -> Response:
        revision, rest = self._split_rev(state, args, need_path=False)
        commit, _ = self._resolve(state, revision)
        path = "/".join(seg(a) for a in rest).strip("/")
        if path:
            validate_path(path)
        recursive, expand = req.flag("recursive"), req.flag("expand")
        index = commit.tree_index()
        if path in commit.files:
            names = [path]
        elif path == "" or index.is_dir(path):
            names = index.listing(path, recursive)
        else:
            raise errors.entry_not_found(path or "/", commit.id)
        page_size = self.config.tree_page_size
        cursor = req.int_q("cursor", 0)
        page = [index.entry(name) for name in names[cursor:cursor + page_size]]
        if expand:
            self._add_last_commits(state, commit, page)
        headers = {}
        if cursor + page_size < len(names):
            next_url = (f"{req.base_url}/api/{state.ref.type}s/{state.ref.id}/tree/{commit.id}"
                        + (f"/{quote(path, safe='')}" if path else "")
                        + "?" + urlencode({"recursive": str(recursive).lower(), "expand": str(expand).lower(),
                                           "cursor": cursor + page_size}))
            headers["Link"] = f'<{next_url}>; rel="next"'
        return Response.json(page, headers=headers)

    def _add_last_commits(self, state: RepoState, head: Commit, entries: list[dict]) -> None:
        """Fill ``lastCommit`` for each entry: the newest commit that changed it (first-parent walk; what each
        commit changed is computed once per commit, so a page costs its entries times the history walked)."""
        pending = {e["path"]: e for e in entries}
        for commit in self.storage.history(state, head, limit=1000):
            if not pending:
                break
            parent = self.storage.get_commit(state, commit.parents[0]) if commit.parents else None
            changed = commit.changed_since(parent)
            for path in [p for p in pending if parent is None or p in changed]:
                pending.pop(path)["lastCommit"] = {"id": commit.id, "title": commit.title, "date": commit.date}

    def paths_info(self, req: Request, state: RepoState, args: list[str]) -> Response:
        revision, _ = self._split_rev(state, args, need_path=False)
        commit, _ = self._resolve(state, revision)
        ctype = (req.headers.get("Content-Type") or "").lower()
        if "json" in ctype:
            body = req.json_object()
            check_types(body, {"paths": list, "expand": bool})
            paths, expand = body.get("paths") or [], bool(body.get("expand"))
        else:
            form = req.form()
            paths, expand = form.get("paths", []), (form.get("expand", ["false"])[-1].lower() == "true")
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise errors.bad_request("'paths' must be a list of strings")
        if len(paths) > MAX_PATHS_INFO:
            raise errors.bad_request(f"Too many paths: {len(paths)} (at most {MAX_PATHS_INFO} per request)")
        index = commit.tree_index()
        out = []
        for path in paths:
            path = validate_path(path.strip("/"))
            if path in commit.files or index.is_dir(path):
                out.append(index.entry(path))
        if expand:
            self._add_last_commits(state, commit, out)
        return Response.json(out)

    # ---------------------------------------------------------------------------------------------- resolve
    def resolve(self, req: Request, state: RepoState, args: list[str]) -> Response:
        revision, rest = self._split_rev(state, args, need_path=True)
        commit, _ = self._resolve(state, revision)
        if not rest:
            raise errors.entry_not_found("", commit.id)
        path = validate_path("/".join(seg(a) for a in rest))
        self._check_gate(req, state)
        entry = commit.files.get(path)
        if entry is None:
            raise errors.entry_not_found(path, commit.id)
        file_path, size = self.storage.open_file(state, entry)
        etag = entry["lfs"]["sha256"] if entry.get("lfs") else entry["oid"]
        headers = {"X-Repo-Commit": commit.id, "ETag": f'"{etag}"', "Accept-Ranges": "bytes",
                   "Content-Type": "application/octet-stream",
                   "Content-Disposition": f"inline; filename*=UTF-8''{quote(path.rsplit('/', 1)[-1])}"}
        if entry.get("lfs"):
            headers.update({"X-Linked-Etag": f'"{etag}"', "X-Linked-Size": str(size)})
            xet_hash = self.xet.hash_for_sha256(etag) if self.xet is not None else None
            if xet_hash:  # Xet clients then download through the CAS; others ignore these headers
                token_url = f"{req.base_url}/api/{state.ref.type}s/{state.ref.id}/xet-read-token/{commit.id}"
                headers.update({"X-Xet-Hash": xet_hash, "Link": f'<{token_url}>; rel="xet-auth"'})
        rng = req.headers.get("Range")
        if rng and req.method == "GET":
            try:
                start, end = parse_range(rng, size)
            except errors.HubError as err:
                err.headers["X-Repo-Commit"] = commit.id
                raise
            if start is not None:
                headers["Content-Range"] = f"bytes {start}-{end}/{size}"
                return Response(206, headers=headers, file=file_path, offset=start, length=end - start + 1)
        return Response(200, headers=headers, file=file_path, offset=0, length=size)

    def _check_gate(self, req: Request, state: RepoState) -> None:
        if state.meta.get("gated") and not req.identity.can_write(state.ref.namespace):
            status = 401 if req.identity.is_anonymous else 403
            raise errors.HubError(status, "GatedRepo", f"Access to model {state.ref.id} is restricted. "
                                  "You must have access to it and be authenticated to access it.")

    def commit_page(self, req: Request, state: RepoState, sha: str) -> Response:
        commit, _ = self._resolve(state, sha)
        return Response.json({"id": commit.id, "title": commit.title, "message": commit.message,
                              "date": commit.date, "parents": commit.parents, "files": sorted(commit.files)})

    # ----------------------------------------------------------------------------------------- validate-yaml
    def validate_yaml(self, req: Request) -> Response:
        """Errors (400) and warnings as the Hub gives them: JSON ``{"errors", "warnings"}`` for ``HfApi``'s commit
        path, and ``- Error: ...`` lines when the client asks for text (``RepoCard.validate`` sends
        ``Accept: text/plain``). Empty or missing metadata is a warning, as on the Hub."""
        body = req.json_object()
        content = body.get("content")
        if not isinstance(content, str):
            raise errors.bad_request("'content' must be a string")
        problems = self._card_problems(content)
        warnings = []
        if not problems and not parse_front_matter(content)[0]:
            warnings.append("empty or missing yaml metadata in repo card "
                            "(https://huggingface.co/docs/hub/model-cards#model-card-metadata)")
        status = 400 if problems else 200
        headers = {"X-Error-Code": "InvalidYaml", "X-Error-Message": header_safe(problems[0])} if problems else {}
        if "text/plain" in (req.headers.get("Accept") or ""):
            text = "\n".join([f"- Error: {p}" for p in problems] + [f"- Warning: {w}" for w in warnings])
            return Response(status, text.encode(), {"Content-Type": "text/plain; charset=utf-8", **headers})
        return Response.json({"errors": [{"message": p} for p in problems],
                              "warnings": [{"message": w} for w in warnings]}, status, headers)

    @staticmethod
    def _card_problems(content: str) -> list[str]:
        data, error = parse_front_matter(content)
        if error:
            return [error]
        return validate_card_metadata(data or {})

    # -------------------------------------------------------------------------------------------- preupload
    def preupload(self, req: Request, state: RepoState, args: list[str]) -> Response:
        self._require_write(req, state)
        revision, _ = self._split_rev(state, args, need_path=False)
        commit, _ = self._resolve(state, revision)
        body = req.json_object()
        files = body.get("files")
        if not isinstance(files, list):
            raise errors.bad_request("'files' must be a list")
        gitignore = body.get("gitIgnore")
        if gitignore is None:
            gitignore = self.storage.read_text(state, commit, ".gitignore") or ""
        if not isinstance(gitignore, str):
            raise errors.bad_request("'gitIgnore' must be a string")
        out = []
        for item in files:
            if not isinstance(item, dict) or not isinstance(item.get("path"), str):
                raise errors.bad_request("each file needs a 'path'")
            path = validate_path(item["path"])
            size = item.get("size", 0)
            if isinstance(size, bool) or not isinstance(size, int) or size < 0:
                raise errors.bad_request(f"Invalid size for {path!r}: expected a non-negative integer")
            try:
                sample = base64.b64decode(item.get("sample") or "", validate=False)
            except (binascii.Error, ValueError, TypeError):
                raise errors.bad_request(f"Invalid sample for {path!r}") from None
            if size > self.config.max_file_bytes:
                raise errors.too_large(f"{path}: {size} bytes is above the file size limit "
                                       f"({self.config.max_file_bytes} bytes)")
            answer = {"path": item["path"], "uploadMode": self.storage.upload_mode(state, commit, path, size, sample),
                      "shouldIgnore": gitignored(gitignore, path)}
            existing = commit.files.get(path)
            if existing is not None:
                answer["oid"] = existing["lfs"]["sha256"] if existing.get("lfs") else existing["oid"]
            out.append(answer)
        return Response.json({"files": out, "commitOid": commit.id})

    # ------------------------------------------------------------------------------------------------ commit
    def commit(self, req: Request, state: RepoState, args: list[str]) -> Response:
        self._require_write(req, state)
        revision, _ = self._split_rev(state, args, need_path=False)
        self._resolve(state, revision)
        header, ops = self._parse_ndjson(req.body.iter_chunks(req.max_request_bytes))
        parent = header.get("parentCommit")
        if parent is not None and not isinstance(parent, str):
            raise errors.bad_request("parentCommit must be a string")
        summary = header.get("summary") or "Commit with localhub"
        description = header.get("description") or ""
        if not isinstance(summary, str) or not isinstance(description, str):
            raise errors.bad_request("summary and description must be strings")
        create_pr = req.flag("create_pr")
        result = self.storage.apply_commit(state, revision, ops, title=summary, message=description,
                                           author=req.identity.user, parent_commit=parent, create_pr=create_pr)
        pr_url = None
        if result.pr_num is not None:
            self._record_pr(state, result.pr_num, summary, req.identity.user, result.commit.parents[0],
                            result.target or "main")
            pr_url = f"{self.repo_url(req, state.ref)}/discussions/{result.pr_num}"
        return Response.json({"success": True, "commitOid": result.commit.id, "commitMessage": summary,
                              "commitUrl": f"{self.repo_url(req, state.ref)}/commit/{result.commit.id}",
                              "pullRequestUrl": pr_url, "branch": result.branch})

    def _parse_ndjson(self, chunks: Iterator[bytes]) -> tuple[dict, list[Operation]]:
        """Parse a commit body line by line as it arrives: only the decoded file contents are held, never the
        body's text as well."""
        header: dict | None = None
        ops: list[Operation] = []
        for number, line in enumerate(_lines(chunks), 1):
            if not line.strip():
                continue
            item = load_json(line, f"NDJSON at line {number}")
            if not isinstance(item, dict) or not isinstance(item.get("value"), dict):
                raise errors.bad_request(f"Line {number}: expected {{'key': ..., 'value': {{...}}}}")
            key, value = item.get("key"), item["value"]
            if key == "header":
                header = value
            else:
                ops.append(self._parse_op(key, value, number))
        if header is None:
            raise errors.bad_request("Commit body needs a 'header' line")
        self._check_readme(ops)
        return header, ops

    def _parse_op(self, key: str, value: dict, number: int) -> Operation:
        path = value.get("path")
        if not isinstance(path, str):
            raise errors.bad_request(f"Line {number}: missing 'path'")
        if key == "deletedFolder":
            return Operation("deletedFolder", validate_path(path.rstrip("/")))
        path = validate_path(path)
        if key == "file":
            if value.get("encoding", "base64") != "base64" or not isinstance(value.get("content"), str):
                raise errors.bad_request(f"Line {number}: 'file' needs base64 'content'")
            try:
                content = base64.b64decode(value["content"], validate=True)
            except (binascii.Error, ValueError):
                raise errors.bad_request(f"Line {number}: invalid base64 content for {path!r}") from None
            if len(content) > self.config.max_file_bytes:
                raise errors.too_large(f"{path}: file above the size limit ({self.config.max_file_bytes} bytes)")
            return Operation("file", path, content=content)
        if key == "lfsFile":
            oid, size = value.get("oid"), value.get("size")
            if value.get("algo", "sha256") != "sha256" or not isinstance(oid, str) or not _SHA256_RE.match(oid):
                raise errors.bad_request(f"Line {number}: 'lfsFile' needs a sha256 'oid'")
            if size is not None and (not isinstance(size, int) or size < 0):
                raise errors.bad_request(f"Line {number}: invalid 'size'")
            return Operation("lfsFile", path, sha256=oid, size=size)
        if key == "deletedFile":
            return Operation("deletedFile", path)
        raise errors.bad_request(f"Line {number}: unknown key {key!r}")

    def _check_readme(self, ops: list[Operation]) -> None:
        for op in ops:
            if op.kind == "file" and op.path == "README.md":
                problems = self._card_problems(op.content.decode("utf-8", errors="replace"))
                if problems:
                    raise errors.bad_request(f"Invalid metadata in README.md: {problems[0]}")

    # -------------------------------------------------------------------------------------------------- refs
    def create_branch(self, req: Request, state: RepoState, args: list[str]) -> Response:
        self._require_write(req, state)
        branch = self._join_rev(args)
        if branch.startswith("refs/"):
            raise errors.bad_request(f"Invalid reference for a branch: {branch}")
        validate_ref_name(branch, "branch")
        body = req.json_object(default={})
        check_types(body, {"startingPoint": str})
        start = body.get("startingPoint") or "main"
        commit, _ = self._resolve(state, start)

        def add(refs: dict) -> None:
            if branch in refs["branches"]:  # a tag of the same name is no conflict on the Hub
                raise errors.conflict(f"Reference refs/heads/{branch} already exists")
            refs["branches"][branch] = commit.id

        self.storage.update_refs(state, add)
        return Response.json({})

    def delete_branch(self, req: Request, state: RepoState, args: list[str]) -> Response:
        self._require_write(req, state)
        branch = self._join_rev(args)
        if branch == "main":
            raise errors.forbidden("Cannot delete refs/heads/main: it is the default branch")

        def remove(refs: dict) -> None:
            if branch not in refs["branches"]:
                raise errors.revision_not_found(branch, state.ref.id)
            del refs["branches"][branch]

        self.storage.update_refs(state, remove)
        return Response.json({})

    def create_tag(self, req: Request, state: RepoState, args: list[str]) -> Response:
        self._require_write(req, state)
        commit, _ = self._resolve(state, self._join_rev(args))
        body = req.json_object()
        check_types(body, {"tag": str, "message": str})
        tag = body.get("tag")
        if not isinstance(tag, str):
            raise errors.bad_request("Missing 'tag'")
        if tag.startswith("refs/"):
            raise errors.bad_request(f"Invalid reference for a tag: {tag}")
        validate_ref_name(tag, "tag")

        def add(refs: dict) -> None:
            if tag in refs["tags"]:
                raise errors.conflict(f"Reference refs/tags/{tag} already exists")
            refs["tags"][tag] = commit.id

        self.storage.update_refs(state, add)
        return Response.json({})

    def delete_tag(self, req: Request, state: RepoState, args: list[str]) -> Response:
        self._require_write(req, state)
        tag = self._join_rev(args)

        def remove(refs: dict) -> None:
            if tag not in refs["tags"]:
                raise errors.revision_not_found(tag, state.ref.id)
            del refs["tags"][tag]

        self.storage.update_refs(state, remove)
        return Response.json({})

    def refs(self, req: Request, state: RepoState, args: list[str]) -> Response:
        refs = state.refs
        out = {
            "branches": [{"name": n, "ref": f"refs/heads/{n}", "targetCommit": s}
                         for n, s in sorted(refs["branches"].items())],
            "tags": [{"name": n, "ref": f"refs/tags/{n}", "targetCommit": s} for n, s in sorted(refs["tags"].items())],
            "converts": [],
        }
        if req.flag("include_prs"):
            out["pullRequests"] = [{"name": n.split("/")[-1], "ref": n, "targetCommit": s}
                                   for n, s in sorted(refs.get("prs", {}).items())]
        return Response.json(out)

    def commits(self, req: Request, state: RepoState, args: list[str]) -> Response:
        revision, _ = self._split_rev(state, args, need_path=False)
        head, _ = self._resolve(state, revision)
        page = min(req.int_q("p", 0), 1_000_000)
        size = self.config.commits_page_size
        formatted = "formatted" in req.query.get("expand[]", []) + req.query.get("expand", [])
        history = list(self.storage.history(state, head, limit=(page + 1) * size + 1))
        items = [self._commit_json(c, formatted) for c in history[page * size:(page + 1) * size]]
        headers = {}
        if len(history) > (page + 1) * size:
            params = [("p", page + 1)] + [("expand[]", "formatted")] * formatted
            next_url = f"{req.base_url}/api/{state.ref.type}s/{state.ref.id}/commits/{head.id}?{urlencode(params)}"
            headers["Link"] = f'<{next_url}>; rel="next"'
        return Response.json(items, headers=headers)

    @staticmethod
    def _commit_json(commit: Commit, formatted: bool) -> dict:
        out = {"id": commit.id, "title": commit.title, "message": commit.message, "date": commit.date,
               "authors": [{"user": commit.author, "avatar": None}]}
        if formatted:
            out["formatted"] = {"title": commit.title, "message": commit.message}
        return out

    # ------------------------------------------------------------------------------------------- discussions
    def _record_pr(self, state: RepoState, num: int, title: str, author: str, base: str,
                   target: str = "main") -> None:
        def add(meta: dict) -> None:
            meta.setdefault("discussions", {})[str(num)] = {
                "num": num, "title": title, "author": author, "createdAt": now_iso(), "status": "open",
                "isPullRequest": True, "base": base, "target": target, "events": []}

        self.storage.mutate_meta(state, add)

    def create_discussion(self, req: Request, state: RepoState, args: list[str]) -> Response:
        if args:
            return self._discussion_action(req, state, args)
        self._require_write(req, state)
        body = req.json_object()
        check_types(body, {"title": str, "description": str, "pullRequest": bool})
        if not body.get("pullRequest"):
            raise errors.bad_request("This local Hub only supports pull requests (pullRequest: true)")
        title = body.get("title") or "Pull request"
        if not isinstance(title, str):
            raise errors.bad_request("'title' must be a string")
        head, _ = self._resolve(state, "main")
        holder: dict = {}

        def add(refs: dict) -> None:
            holder["num"] = refs.get("next_pr", 1)
            refs["next_pr"] = holder["num"] + 1
            refs.setdefault("prs", {})[f"refs/pr/{holder['num']}"] = head.id

        self.storage.update_refs(state, add)
        self._record_pr(state, holder["num"], title, req.identity.user, head.id)
        return Response.json({"num": holder["num"], "url": f"{self.repo_url(req, state.ref)}/discussions/"
                                                        f"{holder['num']}"})

    def _discussion(self, state: RepoState, raw_num: str) -> dict:
        num = seg(raw_num)
        disc = state.meta.get("discussions", {}).get(num) if num.isascii() and num.isdigit() else None
        if disc is None:
            raise errors.HubError(404, "NotFound", f"Discussion {num} not found")
        return disc

    def _discussion_action(self, req: Request, state: RepoState, args: list[str]) -> Response:
        """POST .../discussions/{num}/{merge|status|comment}: what huggingface_hub's client sends."""
        if len(args) != 2 or args[1] not in ("merge", "status", "comment"):
            raise errors.HubError(404, "NotFound", f"Unknown API route: {req.method} {req.raw_path}")
        self._require_write(req, state)
        disc = self._discussion(state, args[0])
        body = req.json_object(default={})
        check_types(body, {"comment": str, "status": str})
        comment = body.get("comment")
        if comment is not None and not isinstance(comment, str):
            raise errors.bad_request("'comment' must be a string")
        num, action = disc["num"], args[1]
        if action == "merge":
            if not disc["isPullRequest"] or disc["status"] != "open":
                raise errors.bad_request(f"Pull request #{num} is {disc['status']}: only an open pull request "
                                         "can be merged")
            commit = self.storage.merge_pull_request(state, f"refs/pr/{num}", disc.get("base", ""),
                                                     title=disc["title"], author=req.identity.user,
                                                     target=disc.get("target", "main"))
            event = self._add_event(state, num, "status-change", req.identity.user,
                                    {"status": "merged"}, {"status": "merged", "mergeCommitId": commit.id})
            return Response.json({"newStatus": event})
        if action == "status":
            status = body.get("status")
            if status not in ("open", "closed") or disc["status"] == "merged":
                raise errors.bad_request("'status' must be 'open' or 'closed' (a merged pull request stays merged)")
            event = self._add_event(state, num, "status-change", req.identity.user, {"status": status},
                                    {"status": status})
            return Response.json({"newStatus": event})
        if not comment or not comment.strip():
            raise errors.bad_request("'comment' must not be empty")
        event = self._add_event(state, num, "comment", req.identity.user,
                                {"edited": False, "hidden": False, "latest": {"raw": comment}}, {})
        return Response.json({"newMessage": event})

    def _add_event(self, state: RepoState, num: int, kind: str, author: str, data: dict, updates: dict) -> dict:
        event = {"id": uuid.uuid4().hex[:24], "type": kind, "createdAt": now_iso(),
                 "author": {"name": author, "type": "user"}, "data": data}

        def add(meta: dict) -> None:
            disc = meta["discussions"][str(num)]
            disc.update(updates)
            disc.setdefault("events", []).append(event)

        self.storage.mutate_meta(state, add)
        return event

    def discussions(self, req: Request, state: RepoState, args: list[str]) -> Response:
        if args:
            return self.discussion_details(req, state, args)
        kind, status, author = req.q("type") or "all", req.q("status") or "all", req.q("author")
        items = [self._discussion_json(state, d) for d in sorted(state.meta.get("discussions", {}).values(),
                                                                  key=lambda d: -d["num"])
                 if (kind == "all" or (kind == "pull_request") == d["isPullRequest"])
                 and status in ("all", d["status"]) and author in (None, d["author"])]
        closed = sum(1 for d in items if d["status"] != "open")
        return Response.json({"discussions": items, "count": len(items), "start": 0, "numClosedDiscussions": closed})

    def discussion_details(self, req: Request, state: RepoState, args: list[str]) -> Response:
        if len(args) > 1:
            raise errors.HubError(404, "NotFound", f"Unknown API route: {req.method} {req.raw_path}")
        disc = self._discussion(state, args[0])
        out = self._discussion_json(state, disc)
        changes = {"base": f"refs/heads/{disc.get('target', 'main')}"}
        if disc.get("mergeCommitId"):
            changes["mergeCommitId"] = disc["mergeCommitId"]
        out.update({"events": disc.get("events", []), "changes": changes, "filesWithConflicts": [], "diff": ""})
        return Response.json(out)

    @staticmethod
    def _discussion_json(state: RepoState, disc: dict) -> dict:
        return {"num": disc["num"], "title": disc["title"], "status": disc["status"],
                "createdAt": disc["createdAt"], "isPullRequest": disc["isPullRequest"],
                "author": {"name": disc["author"], "type": "user"},
                "repo": {"name": state.ref.id, "type": state.ref.type}}

    # --------------------------------------------------------------------------------------------------- LFS
    def lfs_batch(self, req: Request, state: RepoState) -> Response:
        body = req.json_object()
        check_types(body, {"operation": str, "objects": list})
        if body.get("operation") != "upload":
            raise errors.bad_request("Only the 'upload' LFS operation is supported (downloads use resolve URLs)")
        self._require_write(req, state)
        objects = body.get("objects")
        if not isinstance(objects, list):
            raise errors.bad_request("'objects' must be a list")
        answers = [self._lfs_object_answer(req, state, obj) for obj in objects]
        return Response.json({"transfer": "basic", "objects": answers, "hash_algo": "sha256"},
                             content_type="application/vnd.git-lfs+json")

    def _lfs_object_answer(self, req: Request, state: RepoState, obj) -> dict:
        if (not isinstance(obj, dict) or not isinstance(obj.get("oid"), str) or not isinstance(obj.get("size"), int)
                or isinstance(obj.get("size"), bool)):
            raise errors.bad_request("each LFS object needs 'oid' (a string) and 'size' (an integer)")
        oid, size = obj["oid"], obj["size"]
        if not _SHA256_RE.match(oid) or size < 0:
            return {"oid": oid, "size": size, "error": {"code": 422, "message": "Invalid oid or size"}}
        if size > self.config.max_file_bytes:
            return {"oid": oid, "size": size,
                    "error": {"code": 413, "message": f"File above the size limit ({self.config.max_file_bytes})"}}
        if self.storage.lfs_exists(state, oid, size):
            return {"oid": oid, "size": size}
        sig, exp = self.signer.sign(state.ref.type, state.ref.id.lower(), oid, str(size))
        base = f"{req.base_url}/{state.ref.url_prefix}{state.ref.id}.git/info/lfs/objects"
        return {"oid": oid, "size": size, "authenticated": True, "actions": {
            "upload": {"href": f"{base}/upload/{oid}/{size}?{urlencode({'exp': exp, 'sig': sig})}",
                       "expires_in": 3600},
            "verify": {"href": f"{base}/verify", "expires_in": 3600}}}

    def lfs_upload(self, req: Request, ref: RepoRef, oid: str, size_text: str) -> Response:
        if not _SHA256_RE.match(oid) or not re.fullmatch(r"[0-9]{1,15}", size_text):
            raise errors.bad_request("Invalid LFS upload URL")
        # The signature first: without a valid one, a missing repo and a private one answer the same 403.
        self.signer.check(req.q("sig") or "", req.q("exp") or "", ref.type, ref.id.lower(), oid, size_text)
        state = self.storage.load(ref)
        if state is None:
            raise errors.repo_not_found(ref.id)
        size = int(size_text)
        if self.storage.lfs_exists(state, oid, size):
            req.body.drain()
            return Response.json({})
        chunks = req.body.iter_chunks(self.config.max_file_bytes)
        self.storage.store_lfs_stream(state, oid, size, chunks, self.config.max_file_bytes)
        return Response.json({})

    def lfs_verify(self, req: Request, state: RepoState) -> Response:
        self._require_write(req, state)
        body = req.json_object()
        oid, size = body.get("oid"), body.get("size")
        if not isinstance(oid, str) or not _SHA256_RE.match(oid):
            raise errors.bad_request("verify needs a sha256 'oid'")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise errors.bad_request("verify needs the object's 'size' (a non-negative integer)")
        if not self.storage.lfs_exists(state, oid, size):
            raise errors.HubError(404, "LfsObjectNotFound", f"LFS object {oid} with size {size} was not uploaded")
        return Response.json({"success": True})

    # ------------------------------------------------------------------------------------------------ Spaces
    @staticmethod
    def _space(state: RepoState) -> dict:
        return state.meta.get("space") or {}

    def _runtime_json(self, state: RepoState) -> dict:
        space = self._space(state)
        return {"stage": space.get("stage", "RUNNING"),
                "hardware": {"current": space.get("hardware", DEFAULT_RUNTIME_HARDWARE)
                             if space.get("stage", "RUNNING") == "RUNNING" else None,
                             "requested": space.get("requested", DEFAULT_RUNTIME_HARDWARE)},
                "gcTimeout": space.get("sleepTime"), "storage": None, "devMode": bool(space.get("devMode")),
                "replicas": {"current": 1, "requested": 1}}

    def _runtime_response(self, state: RepoState) -> Response:
        return Response.json(self._runtime_json(state))

    def _mutate_space(self, state: RepoState, fn) -> None:
        self.storage.mutate_meta(state, lambda meta: fn(meta.setdefault("space", {})))

    def _set_stage(self, state: RepoState, stage: str) -> Response:
        self._mutate_space(state, lambda space: space.update({"stage": stage}))
        return self._runtime_response(state)

    def space_hardware(self, req: Request, state: RepoState) -> Response:
        body = req.json_object()
        check_types(body, {"flavor": str, "sleepTimeSeconds": int})
        flavor = body.get("flavor")
        if not isinstance(flavor, str) or not flavor:
            raise errors.bad_request("'flavor' is required")
        updates = {"hardware": flavor, "requested": flavor}
        if "sleepTimeSeconds" in body:
            updates["sleepTime"] = body["sleepTimeSeconds"]
        self._mutate_space(state, lambda space: space.update(updates))
        return self._runtime_response(state)

    def space_sleeptime(self, req: Request, state: RepoState) -> Response:
        seconds = req.json_object().get("seconds")
        if not isinstance(seconds, int) or isinstance(seconds, bool):
            raise errors.bad_request("'seconds' must be an integer")
        self._mutate_space(state, lambda space: space.update({"sleepTime": seconds}))
        return self._runtime_response(state)

    def space_dev_mode(self, req: Request, state: RepoState) -> Response:
        body = req.json_object()
        check_types(body, {"enabled": bool})
        enabled = bool(body.get("enabled"))
        self._mutate_space(state, lambda space: space.update({"devMode": enabled}))
        return self._runtime_response(state)

    def _key_value(self, req: Request, need_value: bool) -> dict:
        body = req.json_object()
        check_types(body, {"key": str, "description": str})
        key = body.get("key")
        if not isinstance(key, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise errors.bad_request(f"Invalid key {key!r}: letters, digits and '_' only")
        if need_value and not isinstance(body.get("value", ""), str):
            raise errors.bad_request("'value' must be a string")
        return body

    def space_get_secrets(self, req: Request, state: RepoState) -> Response:
        return Response.json(self._space(state).get("secrets", {}))

    def space_add_secret(self, req: Request, state: RepoState) -> Response:
        body = self._key_value(req, need_value=True)
        entry = {"key": body["key"], "description": body.get("description"), "updatedAt": now_iso()}
        self._mutate_space(state, lambda space: space.setdefault("secrets", {}).update({body["key"]: entry}))
        return Response.json({})

    def space_delete_secret(self, req: Request, state: RepoState) -> Response:
        body = self._key_value(req, need_value=False)
        self._mutate_space(state, lambda space: space.setdefault("secrets", {}).pop(body["key"], None))
        return Response.json({})

    def space_get_variables(self, req: Request, state: RepoState) -> Response:
        return Response.json(self._space(state).get("variables", {}))

    def space_add_variable(self, req: Request, state: RepoState) -> Response:
        body = self._key_value(req, need_value=True)
        entry = {"key": body["key"], "value": body.get("value", ""), "description": body.get("description"),
                 "updatedAt": now_iso()}
        self._mutate_space(state, lambda space: space.setdefault("variables", {}).update({body["key"]: entry}))
        return Response.json(self._space(state).get("variables", {}))

    def space_delete_variable(self, req: Request, state: RepoState) -> Response:
        body = self._key_value(req, need_value=False)
        self._mutate_space(state, lambda space: space.setdefault("variables", {}).pop(body["key"], None))
        return Response.json(self._space(state).get("variables", {}))


def _is_eval_results(path: str) -> bool:
    """A file the Hub reads as evaluation results: ``.eval_results/<name>.yaml``."""
    return path.startswith(".eval_results/") and path.count("/") == 1 and path.endswith((".yaml", ".yml"))
