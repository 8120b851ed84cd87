"""On-disk storage of the local Hub: repos, immutable commits, content-addressed blobs and atomic refs.

Layout under ``root``::

    secret.key                              HMAC key for the signed LFS upload URLs (0600)
    tmp/                                    scratch space, emptied at start-up
    trash/                                  deleted repos on their way out
    repos/{models|datasets|spaces}/{ns}/{name}/
        meta.json                           type, private, gated, createdAt, Space settings...
        refs.json                           {"branches": {...}, "tags": {...}, "prs": {...}, "next_pr": N}
        objects/blobs/ab/<git sha1>         regular file contents (git blob sha1)
        objects/lfs/ab/<sha256>             LFS file contents
        objects/commits/ab/<commit id>.json immutable commit objects (id = sha1 of the canonical JSON)

Crash safety: every file is written to a temporary name, fsynced, then ``os.replace``d into place. A commit
writes its blobs first, then the commit object, and the ref last, so a SIGKILL at any moment leaves the repo
at the old commit or the new one, never in between (an unreferenced commit object is harmless). Writers of one
repo hold a per-repo lock, so concurrent commits are applied one on top of the other.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Iterator

from hub_tools.hashing import git_blob_sha1

from . import errors
from .tree import TreeIndex
from .cards import CardYamlError, check_text, parse_front_matter, validate_card_metadata  # noqa: F401 (re-exported)

logger = logging.getLogger(__name__)

REPO_TYPES = ("model", "dataset", "space")
RESERVED_NAMESPACES = {"api", "models", "datasets", "spaces", "organizations", "settings", "login", "join"}
# Full matches only (``\Z``, never ``$``, which also matches before a final newline).
_NAME_RE = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,95}\Z")
_SHA1_RE = re.compile(r"\A[0-9a-f]{40}\Z")
_SHORT_SHA_RE = re.compile(r"\A[0-9a-f]{7,39}\Z")
_SHA256_RE = re.compile(r"\A[0-9a-f]{64}\Z")
_PR_RE = re.compile(r"\Arefs/pr/([1-9][0-9]{0,8})\Z")
LFS_POINTER_TEMPLATE = "version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {size}\n"
DEFAULT_LFS_THRESHOLD = 10 * 1024 * 1024
MAX_README_BYTES = 5 * 1024 * 1024  # a bigger README is served but its metadata is not read

_DEFAULT_LFS_PATTERNS = [
    "*.7z", "*.arrow", "*.bin", "*.bz2", "*.ckpt", "*.ftz", "*.gz", "*.h5", "*.joblib", "*.lfs.*", "*.mlmodel",
    "*.model", "*.msgpack", "*.npy", "*.npz", "*.onnx", "*.ot", "*.parquet", "*.pb", "*.pickle", "*.pkl", "*.pt",
    "*.pth", "*.rar", "*.safetensors", "saved_model/**/*", "*.tar.*", "*.tar", "*.tflite", "*.tgz", "*.wasm",
    "*.xz", "*.zip", "*.zst", "*tfevents*", "*.gguf",
]
_DATASET_EXTRA_PATTERNS = ["*.lz4", "*.mds", "*.mp3", "*.ogg", "*.wav", "*.flac", "*.jpg", "*.jpeg", "*.png",
                           "*.webp", "*.gif", "*.avro", "*.feather", "*.orc"]


def default_gitattributes(repo_type: str) -> bytes:
    """The ``.gitattributes`` of a fresh repo, as the Hub writes it (LFS for the usual binary formats)."""
    patterns = list(_DEFAULT_LFS_PATTERNS) + (_DATASET_EXTRA_PATTERNS if repo_type == "dataset" else [])
    lines = [f"{p} filter=lfs diff=lfs merge=lfs -text" for p in patterns]
    return ("\n".join(lines) + "\n").encode()


def now_iso() -> str:
    """Current UTC time as the Hub writes it: ``YYYY-MM-DDTHH:MM:SS.mmmZ``."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def lfs_pointer(sha256: str, size: int) -> bytes:
    return LFS_POINTER_TEMPLATE.format(oid=sha256, size=size).encode()


# ----------------------------------------------------------------------------------------------------------- paths


def validate_path(path: str, what: str = "path") -> str:
    """Return a safe repo-relative path or raise 400 (``..``, absolute, NUL, backslash, empty segments)."""
    if not isinstance(path, str) or not path:
        raise errors.bad_request(f"Invalid {what}: empty")
    check_utf8(path, what)
    if "\0" in path or any(ord(c) < 32 for c in path):
        raise errors.bad_request(f"Invalid {what}: control characters are not allowed")
    if path.startswith(("..\\", "\\")):  # the Hub answers 422 here; a backslash further in is a plain character
        raise errors.HubError(422, "UnprocessableEntity", f"Invalid {what} {path!r}: relative paths are not allowed")
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        raise errors.bad_request(f"Invalid {what} {path!r}: absolute paths are not allowed")
    parts = path.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise errors.bad_request(f"Invalid {what} {path!r}: '..', '.' and empty segments are not allowed")
    if parts[0] == ".git":
        raise errors.bad_request(f"Invalid {what} {path!r}: .git is reserved")
    if len(path.encode()) > 1000:
        raise errors.bad_request(f"Invalid {what}: longer than 1000 bytes")
    return path


def validate_ref_name(name: str, what: str = "branch") -> str:
    """Git-like ref name rules (no '..', no control chars, no spaces, no leading '-' or '/')."""
    if isinstance(name, str):
        check_utf8(name, f"{what} name")
    bad = (
        not name or len(name) > 200 or ".." in name or name.startswith(("/", "-", "."))
        or name.endswith(("/", ".lock"))
        or "//" in name or any(c in name for c in " ~^:?*[\\\0") or any(ord(c) < 32 for c in name)
    )
    if bad:
        raise errors.bad_request(f"Invalid {what} name: {name!r}")
    if _SHA1_RE.match(name):
        raise errors.bad_request(f"Invalid {what} name {name!r}: looks like a commit id")
    return name


def check_utf8(text: str, what: str) -> str:
    """``text`` when it encodes to UTF-8; 400 for a lone surrogate (``"\\ud800"`` in JSON), before anything is
    written."""
    try:
        check_text(text, what)
    except CardYamlError as exc:
        raise errors.bad_request(str(exc)) from None
    return text


def validate_repo_name(namespace: str, name: str) -> None:
    for part in (namespace, name):
        if not isinstance(part, str) or not _NAME_RE.match(part) or ".." in part or "--" in part:
            raise errors.bad_request(f"Invalid repo id {namespace}/{name}: use letters, digits, '-', '_', '.'")
        if part.endswith((".", "-")) or part.endswith(".git"):
            raise errors.bad_request(f"Invalid repo id {namespace}/{name}")
    if namespace.lower() in RESERVED_NAMESPACES:
        raise errors.bad_request(f"Invalid namespace {namespace!r}: reserved")


# ----------------------------------------------------------------------------------------------- atomic file I/O


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def _temp_file(directory: Path) -> Iterator[tuple[int, str]]:
    """``(fd, path)`` of a new temp file in ``directory``, removed if the block raises (the block moves it away
    with ``os.replace`` when it succeeds)."""
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
    try:
        yield fd, tmp
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def atomic_write(path: Path, data: bytes, fsync: bool = True) -> None:
    """Write ``data`` to ``path`` through a temp file + fsync + os.replace (+ fsync of the directory)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _temp_file(path.parent) as (fd, tmp):
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    if fsync:
        _fsync_dir(path.parent)


def atomic_write_json(path: Path, obj: Any) -> None:
    atomic_write(path, json.dumps(obj, indent=1, sort_keys=True).encode())


def _read_json(path: Path) -> Any:
    with open(path, "rb") as fh:
        return json.loads(fh.read())


# ------------------------------------------------------------------------------------------------------ data model


@dataclass(frozen=True)
class RepoRef:
    """A repo address: type ("model"/"dataset"/"space") and ``ns/name``."""

    type: str
    namespace: str
    name: str

    @property
    def id(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def url_prefix(self) -> str:
        return {"model": "", "dataset": "datasets/", "space": "spaces/"}[self.type]


@dataclass
class Commit:
    """An immutable commit: a flat map path -> file entry, with its parents and message."""

    id: str
    parents: list[str]
    title: str
    message: str
    date: str
    author: str
    files: dict[str, dict]

    @classmethod
    def from_json(cls, data: dict) -> "Commit":
        return cls(data["id"], data["parents"], data["title"], data["message"], data["date"], data["author"],
                   data["files"])

    def to_json(self) -> dict:
        return {"id": self.id, "parents": self.parents, "title": self.title, "message": self.message,
                "date": self.date, "author": self.author, "files": self.files}

    def tree_index(self) -> TreeIndex:
        """The folder index of this commit, built once (commits are immutable): listings cost the page."""
        index = self.__dict__.get("_tree_index")
        if index is None:
            index = self.__dict__["_tree_index"] = TreeIndex(self.files)
        return index

    def changed_since(self, parent: "Commit | None") -> frozenset[str]:
        """The files this commit changed relative to ``parent`` (its first parent) and every folder above them,
        computed once per commit."""
        changed = self.__dict__.get("_changed")
        if changed is None:
            before = parent.files if parent is not None else {}
            paths = {p for p in self.files.keys() | before.keys() if self.files.get(p) != before.get(p)}
            folders = {p.rsplit("/", i)[0] for p in paths for i in range(1, p.count("/") + 1)}
            changed = self.__dict__["_changed"] = frozenset(paths | folders)
        return changed


@dataclass
class Operation:
    """One operation of a commit, already validated (content for regular files is held in memory)."""

    kind: str  # "file" | "lfsFile" | "deletedFile" | "deletedFolder"
    path: str
    content: bytes | None = None
    sha256: str | None = None
    size: int | None = None


@dataclass
class CommitResult:
    commit: Commit
    branch: str
    pr_num: int | None = None
    target: str | None = None  # the branch a pull request is opened against


@dataclass
class RepoState:
    """Everything read for one request: meta and refs of a repo."""

    ref: RepoRef
    path: Path
    meta: dict
    refs: dict = field(default_factory=dict)

    @property
    def uid(self) -> str:
        """The storage identity of this repo: a deleted and re-created repo of the same name has another one, so
        nothing cached for the old one (commits, card data) is ever served for the new one. Repos created before
        ids were stored fall back to their path and creation time."""
        return self.meta.get("uid") or f"{self.path}@{self.meta.get('createdAt')}"


# ---------------------------------------------------------------------------------------------------------- storage


class Storage:
    """All repos of one local Hub, on disk under ``root``."""

    def __init__(self, root: str | os.PathLike, lfs_threshold: int = DEFAULT_LFS_THRESHOLD,
                 regular_only: bool = False, before_ref_move: Callable[[str], None] | None = None) -> None:
        self.root = Path(root).resolve()
        # Called with the repo id once a commit object is written and before the ref moves to it (crash tests
        # pass one that pauses there, see tests/support/pausing_localhub.py).
        self.before_ref_move = before_ref_move
        self.lfs_threshold = lfs_threshold
        self.regular_only = regular_only  # answer "regular" to every preupload (clients with Xet on)
        self._locks: dict[tuple, threading.RLock] = {}
        self._locks_guard = threading.Lock()
        self._commit_cache: OrderedDict[tuple, Commit] = OrderedDict()
        self._card_cache: OrderedDict[tuple, dict | None] = OrderedDict()
        self._cache_guard = threading.Lock()
        for sub in ("repos", "tmp", "trash"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.secret = self._load_secret()
        self._recover()

    # ----------------------------------------------------------------------------------------------- start-up
    def _load_secret(self) -> bytes:
        path = self.root / "secret.key"
        if not path.exists():
            atomic_write(path, os.urandom(32).hex().encode())
            os.chmod(path, 0o600)
        return path.read_bytes().strip()

    def _recover(self) -> None:
        """Empty scratch space left by a crash and check every ref points at a stored commit."""
        for sub in ("tmp", "trash"):
            for child in (self.root / sub).iterdir():
                shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink(missing_ok=True)
        for repo_dir in self.root.glob("repos/*/*/*"):
            for leftover in repo_dir.rglob(".tmp-*"):
                leftover.unlink(missing_ok=True)
            refs_path = repo_dir / "refs.json"
            if not refs_path.exists():
                logger.warning("repo %s has no refs.json; ignoring it", repo_dir)
                continue
            refs = _read_json(refs_path)
            for kind in ("branches", "tags", "prs"):
                for name, sha in refs.get(kind, {}).items():
                    if not self._commit_path(repo_dir, sha).exists():
                        logger.error("ref %s/%s of %s points at missing commit %s", kind, name, repo_dir, sha)

    # ------------------------------------------------------------------------------------------------ helpers
    def repo_dir(self, ref: RepoRef) -> Path:
        return self.root / "repos" / f"{ref.type}s" / ref.namespace / ref.name

    def lock(self, ref: RepoRef) -> threading.RLock:
        key = (ref.type, ref.namespace.lower(), ref.name.lower())
        with self._locks_guard:
            return self._locks.setdefault(key, threading.RLock())

    @staticmethod
    def _commit_path(repo_dir: Path, sha: str) -> Path:
        return repo_dir / "objects" / "commits" / sha[:2] / f"{sha}.json"

    @staticmethod
    def blob_path(repo_dir: Path, git_sha1: str) -> Path:
        return repo_dir / "objects" / "blobs" / git_sha1[:2] / git_sha1

    @staticmethod
    def lfs_path(repo_dir: Path, sha256: str) -> Path:
        return repo_dir / "objects" / "lfs" / sha256[:2] / sha256

    def find_repo(self, ref: RepoRef) -> Path | None:
        """The repo's directory, matching ns/name case-insensitively like the Hub; None when absent."""
        if ref.type not in REPO_TYPES or not (_NAME_RE.match(ref.namespace) and _NAME_RE.match(ref.name)):
            return None  # never turn an unchecked name into a filesystem path
        exact = self.repo_dir(ref)
        if (exact / "refs.json").exists():
            return exact
        base = self.root / "repos" / f"{ref.type}s"
        for ns_dir in base.glob("*"):
            if ns_dir.name.lower() != ref.namespace.lower():
                continue
            for name_dir in ns_dir.glob("*"):
                if name_dir.name.lower() == ref.name.lower() and (name_dir / "refs.json").exists():
                    return name_dir
        return None

    def load(self, ref: RepoRef) -> RepoState | None:
        path = self.find_repo(ref)
        if path is None:
            return None
        try:
            meta = _read_json(path / "meta.json")
            refs = _read_json(path / "refs.json")
        except FileNotFoundError:
            return None  # deleted meanwhile
        real = RepoRef(ref.type, path.parent.name, path.name)
        return RepoState(real, path, meta, refs)

    def list_repos(self, repo_type: str) -> list[RepoState]:
        out = []
        for path in sorted((self.root / "repos" / f"{repo_type}s").glob("*/*")):
            state = self.load(RepoRef(repo_type, path.parent.name, path.name))
            if state is not None:
                out.append(state)
        return out

    # -------------------------------------------------------------------------------------------------- repos
    def create_repo(self, ref: RepoRef, *, private: bool, author: str, extra_meta: dict | None = None) -> RepoState:
        """Create a repo with an initial commit holding ``.gitattributes``; 409 when it exists."""
        validate_repo_name(ref.namespace, ref.name)
        with self.lock(ref):
            if self.find_repo(ref) is not None:
                raise errors.conflict(f"You already created this {ref.type} repo")
            staging = self.root / "tmp" / f"create-{uuid.uuid4().hex}"
            staging.mkdir(parents=True)
            date = now_iso()
            meta = {"type": ref.type, "id": ref.id, "private": bool(private), "gated": False, "createdAt": date,
                    "author": author, "uid": uuid.uuid4().hex, **(extra_meta or {})}
            content = default_gitattributes(ref.type)
            blob = git_blob_sha1(content)
            atomic_write(self.blob_path(staging, blob), content)
            files = {".gitattributes": {"oid": blob, "size": len(content), "lfs": None}}
            commit = self._make_commit([], "initial commit", "", date, author, files)
            atomic_write_json(self._commit_path(staging, commit.id), commit.to_json())
            atomic_write_json(staging / "meta.json", meta)
            atomic_write_json(staging / "refs.json", {"branches": {"main": commit.id}, "tags": {}, "prs": {},
                                                       "next_pr": 1})
            final = self.repo_dir(ref)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging, final)
            _fsync_dir(final.parent)
            logger.info("created %s repo %s", ref.type, ref.id)
            return self.load(ref)

    def reload(self, state: RepoState) -> RepoState:
        """The repo as stored now, under its lock (the caller holds it); 404 when it was deleted, moved, or deleted
        and re-created since ``state`` was read (another storage identity)."""
        fresh = self.load(state.ref)
        if fresh is None or fresh.uid != state.uid:
            raise errors.repo_not_found(state.ref.id)
        return fresh

    def delete_repo(self, state: RepoState) -> None:
        with self.lock(state.ref):
            state = self.reload(state)
            trash = self.root / "trash" / uuid.uuid4().hex
            os.replace(state.path, trash)
            _fsync_dir(state.path.parent)
            shutil.rmtree(trash, ignore_errors=True)
            logger.info("deleted %s repo %s", state.ref.type, state.ref.id)

    def move_repo(self, state: RepoState, new_ref: RepoRef) -> None:
        validate_repo_name(new_ref.namespace, new_ref.name)
        with self.lock(state.ref), self.lock(new_ref):
            state = self.reload(state)
            if self.find_repo(new_ref) is not None:
                raise errors.conflict(f"A {new_ref.type} repository called {new_ref.id} already exists")
            target = self.repo_dir(new_ref)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(state.path, target)
            meta = _read_json(target / "meta.json")
            meta["id"] = new_ref.id
            atomic_write_json(target / "meta.json", meta)

    def update_meta(self, state: RepoState, updates: dict) -> dict:
        return self.mutate_meta(state, lambda meta: meta.update(updates))

    def mutate_meta(self, state: RepoState, fn) -> dict:
        """Apply ``fn(meta)`` under the repo lock and store the result atomically."""
        return self._mutate_json(state, "meta", fn)

    def _mutate_json(self, state: RepoState, name: str, fn) -> dict:
        """Read ``<name>.json``, apply ``fn`` to it under the repo lock, write it back atomically and keep it as
        ``state.<name>`` (``meta`` or ``refs``)."""
        with self.lock(state.ref):
            path = self.reload(state).path / f"{name}.json"
            data = _read_json(path)
            fn(data)
            atomic_write_json(path, data)
            setattr(state, name, data)
            return data

    # ------------------------------------------------------------------------------------------------ commits
    @staticmethod
    def _make_commit(parents: list[str], title: str, message: str, date: str, author: str,
                     files: dict[str, dict]) -> Commit:
        body = {"parents": parents, "title": title, "message": message, "date": date, "author": author,
                "files": files, "nonce": uuid.uuid4().hex}
        sha = hashlib.sha1(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
        return Commit(sha, parents, title, message, date, author, files)

    def get_commit(self, state: RepoState, sha: str) -> Commit | None:
        key = (state.uid, sha)
        with self._cache_guard:
            hit = self._commit_cache.get(key)
            if hit is not None:
                self._commit_cache.move_to_end(key)
                return hit
        path = self._commit_path(state.path, sha)
        try:
            commit = Commit.from_json(_read_json(path))
        except (FileNotFoundError, NotADirectoryError):
            return None
        with self._cache_guard:
            self._commit_cache[key] = commit
            while len(self._commit_cache) > 512:
                self._commit_cache.popitem(last=False)
        return commit

    def resolve_revision(self, state: RepoState, revision: str | None) -> tuple[Commit, str | None]:
        """Return (commit, branch name or None). Accepts a branch, tag, ``refs/pr/N``, refs/heads|tags/X or a sha."""
        revision = revision or "main"
        refs = state.refs
        sha, branch = None, None
        if revision in refs["branches"]:
            sha, branch = refs["branches"][revision], revision
        elif revision.startswith("refs/heads/") and revision[11:] in refs["branches"]:
            branch = revision[11:]
            sha = refs["branches"][branch]
        elif revision in refs["tags"]:
            sha = refs["tags"][revision]
        elif revision.startswith("refs/tags/") and revision[10:] in refs["tags"]:
            sha = refs["tags"][revision[10:]]
        elif _PR_RE.match(revision) and revision in refs.get("prs", {}):
            sha, branch = refs["prs"][revision], revision
        elif _SHA1_RE.match(revision):
            sha = revision
        elif _SHORT_SHA_RE.match(revision):
            sha = self._expand_short_id(state, revision)
        commit = self.get_commit(state, sha) if sha else None
        if commit is None:
            raise errors.revision_not_found(revision, state.ref.id)
        return commit, branch

    def _expand_short_id(self, state: RepoState, short: str) -> str | None:
        """The full id of the one stored commit starting with ``short`` (7+ hex digits), else None."""
        folder = state.path / "objects" / "commits" / short[:2]
        found = [p.name[:-5] for p in folder.glob(f"{short}*.json")] if folder.is_dir() else []
        return found[0] if len(found) == 1 else None

    def card_data(self, state: RepoState, commit: Commit) -> dict | None:
        """The README's metadata at ``commit``: a pre-parsed, size-capped copy kept per README blob (parsed on a
        budget the first time; None when there is no README, no front matter, or it is refused)."""
        entry = commit.files.get("README.md")
        if entry is None or entry.get("lfs") or entry["size"] > MAX_README_BYTES:
            return None
        key = (state.uid, entry["oid"])
        with self._cache_guard:
            if key in self._card_cache:
                self._card_cache.move_to_end(key)
                return self._card_cache[key]
        path = state.path / "objects" / "cards" / entry["oid"][:2] / f"{entry['oid']}.json"
        try:
            card = _read_json(path)["card"]
        except (FileNotFoundError, NotADirectoryError):
            card, _ = parse_front_matter(self.read_text(state, commit, "README.md") or "")
            atomic_write_json(path, {"card": card})
        with self._cache_guard:
            self._card_cache[key] = card
            while len(self._card_cache) > 256:
                self._card_cache.popitem(last=False)
        return card

    def is_revision(self, state: RepoState, revision: str) -> bool:
        try:
            self.resolve_revision(state, revision)
            return True
        except errors.HubError:
            return False

    def history(self, state: RepoState, head: Commit, limit: int | None = None) -> Iterable[Commit]:
        """First-parent history from ``head``, newest first."""
        count, current = 0, head
        while current is not None and (limit is None or count < limit):
            yield current
            count += 1
            current = self.get_commit(state, current.parents[0]) if current.parents else None

    def write_blob(self, state: RepoState, content: bytes) -> str:
        sha = git_blob_sha1(content)
        path = self.blob_path(state.path, sha)
        if not path.exists():
            atomic_write(path, content)
        return sha

    def lfs_exists(self, state: RepoState, sha256: str, size: int | None = None) -> bool:
        """Whether the object is stored (and, when ``size`` is given, has exactly that size)."""
        path = self.lfs_path(state.path, sha256)
        try:
            stored = path.stat().st_size
        except (FileNotFoundError, NotADirectoryError):
            return False
        return size is None or stored == size

    def store_lfs_stream(self, state: RepoState, sha256: str | None, size: int | None,
                         stream: BinaryIO | Iterable[bytes], max_bytes: int) -> str:
        """Stream an LFS object to disk, checking its sha256 and size (when given) before moving it into place;
        returns its sha256 (a file rebuilt from Xet chunks is stored under the digest computed here)."""
        tmp_dir = state.path / "objects" / "lfs" / "incoming"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        digest, written = hashlib.sha256(), 0
        with _temp_file(tmp_dir) as (fd, tmp):
            with os.fdopen(fd, "wb") as fh:
                for chunk in stream:
                    written += len(chunk)
                    if written > max_bytes:
                        raise errors.too_large(f"File too large: more than {max_bytes} bytes")
                    digest.update(chunk)
                    fh.write(chunk)
                fh.flush()
                os.fsync(fh.fileno())
            if (size is not None and written != size) or (sha256 is not None and digest.hexdigest() != sha256):
                raise errors.bad_request(
                    f"Uploaded content does not match: expected sha256 {sha256} and {size} bytes, got "
                    f"{digest.hexdigest()} and {written} bytes")
            final = self.lfs_path(state.path, digest.hexdigest())
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
            _fsync_dir(final.parent)
        return digest.hexdigest()

    def apply_commit(self, state: RepoState, revision: str, ops: list[Operation], *, title: str, message: str,
                     author: str, parent_commit: str | None, create_pr: bool = False) -> CommitResult:
        """Apply ``ops`` on top of the branch head under the repo lock; 412 when ``parent_commit`` is stale."""
        with self.lock(state.ref):
            fresh = self.reload(state)
            head, branch = self.resolve_revision(fresh, revision)
            if branch is None and create_pr:  # a pull request is opened against a branch, as on the Hub
                raise errors.revision_not_found(revision, state.ref.id)
            if branch is None:
                raise errors.bad_request(f"Invalid rev id: {revision} is not a branch, commits go to branches")
            if parent_commit and parent_commit != head.id:
                if not _SHA1_RE.match(parent_commit) or self.get_commit(fresh, parent_commit) is None:
                    raise errors.bad_request(f"Invalid parentCommit {parent_commit}: unknown commit")
                raise errors.precondition_failed(
                    f"A commit has happened since {parent_commit} on {branch} (head is {head.id}). "
                    "Please refresh and try again.")
            files = self._apply_ops(fresh, dict(head.files), ops)
            commit = self._make_commit([head.id], title, message, now_iso(), author, files)
            atomic_write_json(self._commit_path(fresh.path, commit.id), commit.to_json())
            if self.before_ref_move is not None:
                self.before_ref_move(fresh.ref.id)
            refs = _read_json(fresh.path / "refs.json")
            pr_num, target = None, None
            if create_pr:
                target = branch
                pr_num = refs.get("next_pr", 1)
                refs["next_pr"] = pr_num + 1
                refs.setdefault("prs", {})[f"refs/pr/{pr_num}"] = commit.id
                branch = f"refs/pr/{pr_num}"
            elif _PR_RE.match(branch):
                refs["prs"][branch] = commit.id
            else:
                refs["branches"][branch] = commit.id
            atomic_write_json(fresh.path / "refs.json", refs)
            logger.info("commit %s on %s %s@%s (%d ops)", commit.id[:12], state.ref.type, state.ref.id, branch,
                        len(ops))
            return CommitResult(commit, branch, pr_num, target)

    def merge_pull_request(self, state: RepoState, pr_ref: str, base_id: str, *, title: str,
                           author: str, target: str = "main") -> Commit:
        """Apply the changes of ``pr_ref`` (relative to ``base_id``, where it branched off) on top of the
        ``target`` branch; 409 naming the files that the target changed differently since."""
        with self.lock(state.ref):
            fresh = self.reload(state)
            pr_head, _ = self.resolve_revision(fresh, pr_ref)
            main, _ = self.resolve_revision(fresh, target)
            base = self.get_commit(fresh, base_id) or main
            changed = {p for p in set(base.files) | set(pr_head.files) if base.files.get(p) != pr_head.files.get(p)}
            conflicts = sorted(p for p in changed if main.files.get(p) not in (base.files.get(p),
                                                                               pr_head.files.get(p)))
            if conflicts:
                raise errors.conflict(f"Pull request {pr_ref} has conflicts with {target}: "
                                      f"{', '.join(conflicts[:20])}",
                                      filesWithConflicts=conflicts)
            files = dict(main.files)
            for path in changed:
                if path in pr_head.files:
                    files[path] = pr_head.files[path]
                else:
                    files.pop(path, None)
            self._check_tree(files)
            commit = self._make_commit([main.id, pr_head.id], title, "", now_iso(), author, files)
            atomic_write_json(self._commit_path(fresh.path, commit.id), commit.to_json())
            refs = _read_json(fresh.path / "refs.json")
            refs["branches"][target] = commit.id
            atomic_write_json(fresh.path / "refs.json", refs)
            state.refs = refs
            logger.info("merged %s into %s of %s %s as %s", pr_ref, target, state.ref.type, state.ref.id,
                        commit.id[:12])
            return commit

    def _apply_ops(self, state: RepoState, files: dict[str, dict], ops: list[Operation]) -> dict[str, dict]:
        for op in ops:
            if op.kind == "file":
                blob = self.write_blob(state, op.content or b"")
                files[op.path] = {"oid": blob, "size": len(op.content or b""), "lfs": None}
            elif op.kind == "lfsFile":
                if not self.lfs_exists(state, op.sha256, op.size):
                    raise errors.bad_request(
                        f"LFS object {op.sha256} for {op.path} was not uploaded (or its size differs): "
                        "upload it through the LFS batch API first")
                size = op.size if op.size is not None else self.lfs_path(state.path, op.sha256).stat().st_size
                pointer = lfs_pointer(op.sha256, size)
                files[op.path] = {"oid": git_blob_sha1(pointer), "size": size,
                                  "lfs": {"sha256": op.sha256, "size": size, "pointerSize": len(pointer)}}
            elif op.kind == "deletedFile":
                if op.path in files:
                    del files[op.path]
                    continue
                doomed = [p for p in files if p.startswith(op.path + "/")]  # a folder: the Hub deletes it
                if not doomed:
                    raise errors.entry_not_found(f"{op.path} (A file with this name doesn't exist)")
                for p in doomed:
                    del files[p]
            elif op.kind == "deletedFolder":
                prefix = op.path.rstrip("/") + "/"
                doomed = [p for p in files if p.startswith(prefix)]
                if not doomed:
                    raise errors.entry_not_found(f"{op.path} (A folder with this name doesn't exist)")
                for p in doomed:
                    del files[p]
        self._check_tree(files)
        return files

    @staticmethod
    def _check_tree(files: dict[str, dict]) -> None:
        """A path cannot be both a file and a directory."""
        dirs = {"/".join(p.split("/")[:i]) for p in files for i in range(1, p.count("/") + 1)}
        clash = dirs.intersection(files)
        if clash:
            raise errors.bad_request(f"Path conflict: {sorted(clash)[0]!r} is both a file and a directory")

    # --------------------------------------------------------------------------------------------------- refs
    def update_refs(self, state: RepoState, fn) -> dict:
        """Apply ``fn(refs)`` under the repo lock and store the result atomically."""
        return self._mutate_json(state, "refs", fn)

    # ------------------------------------------------------------------------------------------------ content
    def open_file(self, state: RepoState, entry: dict) -> tuple[Path, int]:
        if entry.get("lfs"):
            return self.lfs_path(state.path, entry["lfs"]["sha256"]), entry["lfs"]["size"]
        return self.blob_path(state.path, entry["oid"]), entry["size"]

    def read_text(self, state: RepoState, commit: Commit, path: str) -> str | None:
        entry = commit.files.get(path)
        if entry is None or entry.get("lfs") or entry["size"] > MAX_README_BYTES:
            return None
        file_path, _ = self.open_file(state, entry)
        return file_path.read_bytes().decode("utf-8", errors="replace")

    def lfs_patterns(self, state: RepoState, commit: Commit) -> list[str]:
        text = self.read_text(state, commit, ".gitattributes") or ""
        patterns = []
        for line in text.splitlines():
            parts = line.split()
            if len(parts) >= 2 and not parts[0].startswith("#") and "filter=lfs" in parts[1:]:
                patterns.append(parts[0])
        return patterns

    def upload_mode(self, state: RepoState, commit: Commit, path: str, size: int, sample: bytes) -> str:
        """"lfs" for files matching a ``filter=lfs`` pattern, above the threshold, or binary; else "regular"."""
        if self.regular_only:
            return "regular"
        if size >= self.lfs_threshold:
            return "lfs"
        if any(_match_attr(pattern, path) for pattern in self.lfs_patterns(state, commit)):
            return "lfs"
        if b"\0" in sample:
            return "lfs"
        return "regular"


def _match_attr(pattern: str, path: str) -> bool:
    """gitattributes-style match: patterns without '/' match the basename, others the whole path."""
    pattern = pattern.lstrip("/")
    if "/" not in pattern:
        return fnmatch.fnmatchcase(path.rsplit("/", 1)[-1], pattern)
    return fnmatch.fnmatchcase(path, pattern.replace("**/", "*").replace("/**", "/*"))


MAX_GITIGNORE_PATTERNS = 1000


def gitignored(gitignore: str, path: str) -> bool:
    """Whether ``.gitignore`` text ignores ``path`` (git's rules: last match wins, ``!`` re-includes, a trailing
    ``/`` matches folders only, a ``/`` inside anchors the pattern at the root, a folder match covers its files)."""
    parts = path.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]  # folders first, the file last
    ignored = False
    patterns = [line.rstrip() for line in gitignore.splitlines()]
    for line in [p for p in patterns if p and not p.startswith("#")][:MAX_GITIGNORE_PATTERNS]:
        negate = line.startswith("!")
        pattern = line[1:] if negate else line
        dir_only = pattern.endswith("/")
        pattern = pattern.rstrip("/")
        anchored = "/" in pattern
        pattern = pattern.lstrip("/").replace("**/", "*").replace("/**", "/*")
        if not pattern:
            continue
        candidates = prefixes[:-1] if dir_only else prefixes
        for candidate in candidates:
            subject = candidate if anchored else candidate.rsplit("/", 1)[-1]
            if fnmatch.fnmatchcase(subject, pattern):
                ignored = not negate
                break
    return ignored
