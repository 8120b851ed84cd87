"""Files: tree, paths-info, resolve (HEAD/GET, ``Range``), validate-yaml, preupload and LFS."""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import quote, urlencode

from .. import errors
from ..cards import parse_front_matter, validate_card_metadata
from ..http import Request, Response, check_types, header_safe, parse_range, seg
from ..storage import Commit, RepoRef, RepoState, gitignored, validate_path
from .base import _SHA256_RE, RouteBase


MAX_PATHS_INFO = 10_000


class FileRoutes(RouteBase):
    """Reading files (tree, paths-info, resolve), checking cards, preupload and LFS."""

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
