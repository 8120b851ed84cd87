"""Xet on the local Hub: the token endpoints and a content-addressed store (CAS) that ``hf_xet`` uploads to and
downloads from, following the published Xet protocol (v1 routes; the client falls back to them from v2).

    GET  /api/{type}s/{ns}/{name}/xet-write-token/{rev}   a write token for the repo (JSON + X-Xet-* headers)
    GET  /api/{type}s/{ns}/{name}/xet-read-token/{rev}    a read token (whoever may read the repo)
    POST /xet/v1/xorbs/default/{hash}                     a xorb (serialized chunks)    -> {"was_inserted"}
    HEAD /xet/v1/xorbs/default/{hash}                     200 when stored, else 404
    POST /xet/v1/shards                                   a shard: its files become known -> {"result": 1}
    GET  /xet/v1/chunks/default-merkledb/{chunk hash}     a shard holding that chunk (global dedup), else 404
    GET  /xet/v1/reconstructions/{file hash}              terms and signed xorb byte-range URLs (Range allowed)
    GET  /xet/v1/get_xorb/{hash}?exp=&sig=                xorb bytes (a signed URL; Range allowed)

When a shard arrives, each of its files is rebuilt from the stored xorbs and kept as the repo's LFS object under
its sha256 (checked against the sha256 the client declares), so commits name it as usual (``lfsFile``), clients
without Xet download it with a plain GET, and ``resolve`` answers Xet clients with ``X-Xet-Hash``. Layout under
the storage root::

    xet/xorbs/ab/<hash>          a xorb as uploaded, and <hash>.json: its chunk byte offsets
    xet/files/ab/<hash>.json     a file: its size, sha256 and segments (xorb, first chunk, end chunk, bytes)
    xet/by-sha256/ab/<sha256>    the Xet hash of an LFS object
    xet/xorb-info/ab/<hash>      a xorb's chunk records from its shard, and xet/dedup/ab/<chunk hash>: its xorb

Tokens are HMAC-signed (repo, mode, expiry), like the LFS upload URLs. Limits: the CAS is shared by the repos of
one server (chunks dedup across them), a xorb's hash is not recomputed (the rebuilt file's sha256 is what is
checked), and a reconstruction's terms are whole segments.
"""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Iterator

from . import errors
from .auth import UrlSigner
from .http import Request, Response, parse_range
from .storage import RepoRef, RepoState, Storage, atomic_write
from .xet_format import (CHUNK_FLAG_GLOBAL_DEDUP, FileInfo, XetFormatError, build_shard, decode_chunks, is_hash_hex,
                         parse_shard, xorb_chunk_offsets)

TOKEN_TTL_S = 3600
DEDUP_SHARD_TTL_S = 7 * 24 * 3600
MAX_XORB_BYTES = 128 * 1024 * 1024  # xet-core caps a xorb at 64 MiB of chunks


class XetCas:
    """The Xet token endpoints and CAS of one local Hub."""

    def __init__(self, storage: Storage, signer: UrlSigner, max_file_bytes: int) -> None:
        self.storage = storage
        self.signer = signer
        self.max_file_bytes = max_file_bytes
        self.root = Path(storage.root) / "xet"

    # --------------------------------------------------------------------------------------------- tokens
    def token(self, req: Request, state: RepoState, mode: str) -> Response:
        """``mode`` "read" or "write"; the caller has checked the caller may do that to the repo."""
        repo = [mode, state.ref.type, state.ref.namespace, state.ref.name]
        sig, exp = self.signer.sign("xet", *repo, expires=int(time.time()) + TOKEN_TTL_S)
        payload = base64.urlsafe_b64encode(json.dumps([*repo, exp]).encode()).decode().rstrip("=")
        token, cas_url = f"{payload}.{sig}", f"{req.base_url}/xet"
        return Response.json({"accessToken": token, "exp": exp, "casUrl": cas_url},
                             headers={"X-Xet-Cas-Url": cas_url, "X-Xet-Access-Token": token,
                                      "X-Xet-Token-Expiration": str(exp)})

    def _caller(self, req: Request, need_write: bool) -> RepoRef:
        """The repo a CAS request's bearer token was issued for; 401 when it is missing, forged or expired."""
        scheme, _, token = (req.headers.get("Authorization") or "").partition(" ")
        payload, _, sig = token.strip().partition(".")
        try:
            mode, repo_type, namespace, name, exp = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            self.signer.check(sig, str(exp), "xet", mode, repo_type, namespace, name)
        except (ValueError, TypeError, errors.HubError):
            raise errors.unauthorized("Invalid or expired Xet token (ask the repo's xet-read/write-token route)") \
                from None
        if scheme.lower() != "bearer" or (need_write and mode != "write"):
            raise errors.forbidden("This Xet token does not allow writing")
        return RepoRef(repo_type, namespace, name)

    # -------------------------------------------------------------------------------------------- routing
    def route(self, req: Request, segs: list[str]) -> Response:
        """``segs``: the path after ``/xet``."""
        m = req.method
        if segs[:1] != ["v1"]:  # v2 routes: 404, and the client falls back to v1
            raise errors.HubError(404, "NotFound", f"Unknown Xet route: {m} {req.raw_path}")
        rest = segs[1:]
        if len(rest) == 3 and rest[0] == "xorbs" and m in ("POST", "HEAD"):
            return self.put_xorb(req, rest[2]) if m == "POST" else self.head_xorb(req, rest[2])
        if rest == ["shards"] and m == "POST":
            return self.put_shard(req)
        if len(rest) == 3 and rest[0] == "chunks" and m == "GET":
            return self.dedup_shard(req, rest[2])
        if len(rest) == 2 and rest[0] == "reconstructions" and m == "GET":
            return self.reconstruction(req, rest[1])
        if len(rest) in (2, 3) and rest[0] == "get_xorb" and m in ("GET", "HEAD"):
            return self.xorb_bytes(req, rest[1])
        if rest == ["telemetry"] and m == "POST":
            req.read_body()
            return Response.json({})
        raise errors.HubError(404, "NotFound", f"Unknown Xet route: {m} {req.raw_path}")

    # ------------------------------------------------------------------------------------------- storage
    def _path(self, kind: str, key: str, suffix: str = "") -> Path:
        if not is_hash_hex(key):
            raise errors.bad_request(f"Invalid Xet hash {key[:80]!r}")
        return self.root / kind / key[:2] / f"{key}{suffix}"

    def _offsets(self, xorb: str) -> list[int] | None:
        try:
            return json.loads(self._path("xorbs", xorb, ".json").read_bytes())
        except FileNotFoundError:
            return None

    def _file(self, file_hash: str) -> dict | None:
        try:
            return json.loads(self._path("files", file_hash, ".json").read_bytes())
        except FileNotFoundError:
            return None

    def hash_for_sha256(self, sha256: str) -> str | None:
        """The Xet hash of an LFS object that arrived through Xet (None for one uploaded through LFS)."""
        try:
            return (self.root / "by-sha256" / sha256[:2] / sha256).read_text().strip()
        except (FileNotFoundError, NotADirectoryError):
            return None

    # ----------------------------------------------------------------------------------------------- xorbs
    def put_xorb(self, req: Request, xorb: str) -> Response:
        self._caller(req, need_write=True)
        path = self._path("xorbs", xorb)
        data = req.body.read(MAX_XORB_BYTES)
        if path.exists() and self._offsets(xorb) is not None:
            return Response.json({"was_inserted": False})
        try:
            offsets = xorb_chunk_offsets(data)
        except XetFormatError as exc:
            raise errors.bad_request(f"Invalid xorb {xorb}: {exc}") from None
        atomic_write(path, data)
        atomic_write(self._path("xorbs", xorb, ".json"), json.dumps(offsets).encode())
        return Response.json({"was_inserted": True})

    def head_xorb(self, req: Request, xorb: str) -> Response:
        self._caller(req, need_write=False)
        if self._offsets(xorb) is None:
            raise errors.HubError(404, "NotFound", f"Xorb {xorb} not found")
        return Response.json({})

    def xorb_bytes(self, req: Request, xorb: str) -> Response:
        self.signer.check(req.q("sig") or "", req.q("exp") or "", "xorb", xorb)
        path = self._path("xorbs", xorb)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise errors.HubError(404, "NotFound", f"Xorb {xorb} not found") from None
        start, end = parse_range(req.headers.get("Range") or "", size)
        if start is not None:
            return Response(206, headers={"Content-Range": f"bytes {start}-{end}/{size}",
                                          "Content-Type": "application/octet-stream"},
                            file=path, offset=start, length=end - start + 1)
        return Response(200, headers={"Content-Type": "application/octet-stream"}, file=path, offset=0, length=size)

    # ---------------------------------------------------------------------------------------------- shards
    def put_shard(self, req: Request) -> Response:
        ref = self._caller(req, need_write=True)
        state = self.storage.load(ref)
        if state is None:
            raise errors.repo_not_found(ref.id)
        data = req.body.read(MAX_XORB_BYTES)
        try:
            files, xorbs = parse_shard(data)
        except XetFormatError as exc:
            raise errors.bad_request(f"Invalid shard: {exc}") from None
        for info in files:
            self._check_segments(info)
        for info in files:
            sha256 = self.storage.store_lfs_stream(state, info.sha256, info.size, self._file_bytes(info),
                                                   self.max_file_bytes)
            record = {"size": info.size, "sha256": sha256,
                      "segments": [[s.xorb, s.chunk_start, s.chunk_end, s.unpacked] for s in info.segments]}
            atomic_write(self._path("files", info.hash, ".json"), json.dumps(record).encode())
            atomic_write(self.root / "by-sha256" / sha256[:2] / sha256, info.hash.encode())
        for xorb in xorbs:  # chunks marked for global dedup (and each xorb's first) lead to their xorb's records
            atomic_write(self._path("xorb-info", xorb.hash), xorb.raw)
            for index, (chunk, _, _, flags) in enumerate(xorb.chunks):
                if index == 0 or flags & CHUNK_FLAG_GLOBAL_DEDUP:
                    atomic_write(self._path("dedup", chunk), xorb.hash.encode())
        return Response.json({"result": 1})

    def _check_segments(self, info: FileInfo) -> None:
        for seg in info.segments:
            offsets = self._offsets(seg.xorb)
            if offsets is None:
                raise errors.bad_request(f"File {info.hash}: xorb {seg.xorb} was not uploaded")
            if seg.chunk_end > len(offsets) - 1:
                raise errors.bad_request(f"File {info.hash}: chunks {seg.chunk_start}..{seg.chunk_end} are beyond "
                                         f"the {len(offsets) - 1} chunks of xorb {seg.xorb}")

    def _file_bytes(self, info: FileInfo) -> Iterator[bytes]:
        for seg in info.segments:
            offsets = self._offsets(seg.xorb)
            with open(self._path("xorbs", seg.xorb), "rb") as fh:
                fh.seek(offsets[seg.chunk_start])
                raw = fh.read(offsets[seg.chunk_end] - offsets[seg.chunk_start])
            try:
                chunks = decode_chunks(raw)
            except (XetFormatError, RuntimeError) as exc:  # lz4 raises RuntimeError on a corrupt frame
                raise errors.bad_request(f"File {info.hash}: xorb {seg.xorb} does not decode: {exc}") from None
            if sum(len(c) for c in chunks) != seg.unpacked:
                raise errors.bad_request(f"File {info.hash}: xorb {seg.xorb} chunks {seg.chunk_start}.."
                                         f"{seg.chunk_end} hold {sum(len(c) for c in chunks)} bytes, the shard says "
                                         f"{seg.unpacked}")
            yield from chunks

    def dedup_shard(self, req: Request, chunk: str) -> Response:
        self._caller(req, need_write=False)
        try:
            xorb = self._path("dedup", chunk).read_text().strip()
            records = self._path("xorb-info", xorb).read_bytes()
        except FileNotFoundError:
            raise errors.HubError(404, "NotFound", f"Chunk {chunk} is not known") from None
        shard = build_shard([records], expiry=int(time.time()) + DEDUP_SHARD_TTL_S)
        return Response(200, shard, {"Content-Type": "application/octet-stream"})

    # ------------------------------------------------------------------------------------------- downloads
    def reconstruction(self, req: Request, file_hash: str) -> Response:
        self._caller(req, need_write=False)
        record = self._file(file_hash)
        if record is None:
            raise errors.HubError(404, "NotFound", f"File {file_hash} not found")
        size = record["size"]
        first, last = parse_range(req.headers.get("Range") or "", size)
        if first is None:
            first, last = 0, size - 1
        terms, fetch, position, offset_into_first = [], {}, 0, None
        for xorb, start, end, unpacked in record["segments"]:
            seg_first, seg_last = position, position + unpacked - 1
            position += unpacked
            if seg_last < first or seg_first > last:
                continue
            if offset_into_first is None:
                offset_into_first = first - seg_first
            offsets = self._offsets(xorb)
            terms.append({"hash": xorb, "unpacked_length": unpacked, "range": {"start": start, "end": end}})
            sig, exp = self.signer.sign("xorb", xorb)
            fetch.setdefault(xorb, []).append({
                "range": {"start": start, "end": end},
                "url": f"{req.base_url}/xet/v1/get_xorb/{xorb}?exp={exp}&sig={sig}",
                "url_range": {"start": offsets[start], "end": offsets[end] - 1}})
        return Response.json({"offset_into_first_range": offset_into_first or 0, "terms": terms,
                              "fetch_info": fetch})
