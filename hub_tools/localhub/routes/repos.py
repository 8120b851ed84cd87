"""Repos: create, delete, move, settings, listing and info (``.eval_results`` files as ``evalResults``)."""

from __future__ import annotations

import hashlib

from .. import errors
from ..cards import parse_eval_results
from ..http import Request, Response, check_types
from ..storage import REPO_TYPES, Commit, RepoRef, RepoState, now_iso
from .base import RouteBase
from .spaces import DEFAULT_RUNTIME_HARDWARE, SPACE_SDKS


class RepoRoutes(RouteBase):
    """Repo CRUD, settings, listing and repo info."""

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
            if sdk not in SPACE_SDKS:
                raise errors.bad_request(f"Invalid or missing Space sdk {sdk!r}: one of {sorted(SPACE_SDKS)}")
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


def _is_eval_results(path: str) -> bool:
    """A file the Hub reads as evaluation results: ``.eval_results/<name>.yaml``."""
    return path.startswith(".eval_results/") and path.count("/") == 1 and path.endswith((".yaml", ".yml"))
