"""Commits: NDJSON commits (optionally as pull requests), the commit list, commit pages."""

from __future__ import annotations

import base64
import binascii
from typing import Iterator
from urllib.parse import urlencode

from .. import errors
from ..http import Request, Response, load_json
from ..storage import Commit, Operation, RepoState, validate_path
from .base import _SHA256_RE, RouteBase


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


class CommitRoutes(RouteBase):
    """NDJSON commits (optionally as pull requests), the commit list and commit pages."""

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


    def commit_page(self, req: Request, state: RepoState, sha: str) -> Response:
        commit, _ = self._resolve(state, sha)
        return Response.json({"id": commit.id, "title": commit.title, "message": commit.message,
                              "date": commit.date, "parents": commit.parents, "files": sorted(commit.files)})
