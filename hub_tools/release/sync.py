"""Compare a repo's staged local files with its Hub tree, and commit the difference in one atomic commit.

    plan = plan_repo(api, repo_id="gaokerena/MMLU-fa", repo_type="dataset", files=collect_files(folder))
    commit = commit_repo(api, plan, message="Release v1.0")      # None when nothing changed

Content identity is the Hub's own: the git blob sha1 of a regular file (the tree entry's ``oid``) and the sha256
of an LFS file (``lfs.oid``). Every local file gets both hashes, so the comparison holds whichever way the server
chose to store it.
"""

from __future__ import annotations

import fnmatch
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi
from huggingface_hub.errors import RepositoryNotFoundError, RevisionNotFoundError

from hub_tools.hashing import hash_bytes, hash_file


logger = logging.getLogger(__name__)

# Files the Hub manages itself; a release never deletes them.
PROTECTED_REMOTE_FILES = frozenset({".gitattributes"})


@dataclass(frozen=True)
class LocalFile:
    """One file to publish: from disk (``path``) or generated in memory (``content``, e.g. a card)."""

    path_in_repo: str
    size: int
    sha1: str  # git blob sha1
    sha256: str
    path: Path | None = None
    content: bytes | None = None

    def operation(self) -> CommitOperationAdd:
        source = self.content if self.content is not None else str(self.path)
        operation = CommitOperationAdd(path_in_repo=self.path_in_repo, path_or_fileobj=source)
        operation.upload_info.sha256 = bytes.fromhex(self.sha256)  # already known: the file is not read again
        return operation

    def read_bytes(self) -> bytes:
        return self.content if self.content is not None else self.path.read_bytes()  # type: ignore[union-attr]


@dataclass(frozen=True)
class RemoteFile:
    path_in_repo: str
    size: int
    blob_id: str
    lfs_sha256: str | None

    def same_content(self, local: LocalFile) -> bool:
        if self.lfs_sha256 is not None:
            return self.lfs_sha256 == local.sha256
        return self.blob_id == local.sha1


@dataclass
class RepoPlan:
    """What a commit would change in one repo, against the head it was computed from."""

    repo_id: str
    repo_type: str
    head: str | None  # None: the repo does not exist yet
    files: dict[str, LocalFile]
    remote: dict[str, RemoteFile]
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    @property
    def exists(self) -> bool:
        return self.head is not None

    @property
    def unchanged(self) -> bool:
        return self.exists and not (self.added or self.changed or self.deleted)

    @property
    def upload_bytes(self) -> int:
        return sum(self.files[p].size for p in self.added + self.changed)

    @property
    def deleted_bytes(self) -> int:
        return sum(self.remote[p].size for p in self.deleted)


def local_file(path_in_repo: str, path: Path) -> LocalFile:
    sha1, sha256 = hash_file(path)
    return LocalFile(path_in_repo=path_in_repo, size=path.stat().st_size, sha1=sha1, sha256=sha256, path=path)


def generated_file(path_in_repo: str, content: bytes | str) -> LocalFile:
    data = content.encode("utf-8") if isinstance(content, str) else content
    sha1, sha256 = hash_bytes(data)
    return LocalFile(path_in_repo=path_in_repo, size=len(data), sha1=sha1, sha256=sha256, content=data)


def is_excluded(path_in_repo: str, patterns: tuple[str, ...] | list[str]) -> bool:
    """fnmatch with ``**/`` also matching at the top level and ``dir/**`` matching everything under dir."""
    for pattern in patterns:
        candidates = {pattern}
        if pattern.startswith("**/"):
            candidates.add(pattern[3:])
        if any(fnmatch.fnmatchcase(path_in_repo, p) for p in candidates):
            return True
    return False


def collect_files(folder: Path, exclude: tuple[str, ...] | list[str] = ()) -> dict[str, LocalFile]:
    """Every regular file under ``folder`` (posix paths relative to it), minus the excluded ones, hashed."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"source folder {folder} does not exist")
    paths = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(folder).as_posix()
        if not is_excluded(rel, exclude):
            paths[rel] = path
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        hashed = pool.map(lambda item: local_file(*item), paths.items())
        return {file.path_in_repo: file for file in hashed}


def remote_state(api: HfApi, repo_id: str, repo_type: str) -> tuple[str | None, dict[str, RemoteFile]]:
    """(head commit of main, files at that commit); (None, {}) when the repo does not exist."""
    try:
        head = api.repo_info(repo_id, repo_type=repo_type).sha
    except (RepositoryNotFoundError, RevisionNotFoundError):
        return None, {}
    remote: dict[str, RemoteFile] = {}
    for entry in api.list_repo_tree(repo_id, repo_type=repo_type, revision=head, recursive=True, expand=True):
        if getattr(entry, "blob_id", None) is None:  # a folder
            continue
        lfs = entry.lfs.sha256 if entry.lfs is not None else None
        remote[entry.path] = RemoteFile(entry.path, entry.size, entry.blob_id, lfs)
    return head, remote


def diff(plan: RepoPlan) -> RepoPlan:
    """Fill ``added``/``changed``/``deleted`` from ``files`` and ``remote``."""
    plan.added = sorted(p for p in plan.files if p not in plan.remote)
    plan.changed = sorted(p for p in plan.files if p in plan.remote and not plan.remote[p].same_content(plan.files[p]))
    plan.deleted = sorted(p for p in plan.remote if p not in plan.files and p not in PROTECTED_REMOTE_FILES)
    return plan


def plan_repo(api: HfApi, *, repo_id: str, repo_type: str, files: dict[str, LocalFile]) -> RepoPlan:
    head, remote = remote_state(api, repo_id, repo_type)
    return diff(RepoPlan(repo_id=repo_id, repo_type=repo_type, head=head, files=files, remote=remote))


def commit_repo(api: HfApi, plan: RepoPlan, *, message: str, description: str = "") -> str | None:
    """One commit with exactly the plan's changes, on top of ``plan.head``; returns its id (None: nothing to do).

    ``parent_commit`` makes the server refuse the commit if the branch moved since the plan was made, so a
    concurrent push can never be silently overwritten.
    """
    if plan.unchanged:
        return None
    operations = [plan.files[p].operation() for p in plan.added + plan.changed]
    operations += [CommitOperationDelete(path_in_repo=p) for p in plan.deleted]
    info = api.create_commit(
        plan.repo_id,
        operations,
        repo_type=plan.repo_type,
        revision="main",
        commit_message=message,
        commit_description=description,
        parent_commit=plan.head,
    )
    logger.debug("committed %s %s: %s", plan.repo_type, plan.repo_id, info.oid)
    return info.oid
