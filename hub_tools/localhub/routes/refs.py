"""Refs and pull requests: branches, tags, the refs list, discussions (details, comment, status, merge)."""

from __future__ import annotations

import uuid

from .. import errors
from ..http import Request, Response, check_types, seg
from ..storage import RepoState, now_iso, validate_ref_name
from .base import RouteBase


class RefRoutes(RouteBase):
    """Branches, tags, refs, and pull requests with their discussions."""

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
