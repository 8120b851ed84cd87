"""The publishing engine: stage, plan, commit and check one repo. ``publish dataset``, ``space deploy`` and
``release push`` all publish through it, so one rule decides what leaves the machine.

    staged = stage_folder(folder, artifact_type("dataset"), sanitizer=Sanitizer(...), secrets=[token])
    plan = plan_repo(api, repo_id="gaokerena/MMLU-fa", kind=artifact_type("dataset"), staged=staged)
    commit = commit_repo(api, plan, message="Publish dataset build")      # None when nothing changed
    problems = compare_tree(remote_tree(api, repo_id, "dataset", commit), staged.digests())   # [] = intact

1. **stage**: the files of a source folder that its artifact type allows (:mod:`hub_tools.publishing.artifacts`),
   each skipped file with its reason; the JSON metadata it declares rewritten so no local path ships
   (:mod:`hub_tools.publishing.sanitize`); every text file searched for the token and this machine's paths
   (a hit refuses the publish, naming the file). Each file is hashed exactly once, here: its git blob sha1 (files
   up to 10 MiB, the largest the Hub stores outside LFS) and its sha256. Those hashes serve the plan, the commit
   (the upload is not hashed again) and the release record.
2. **plan**: the repo's head and tree (one tree listing), compared by the Hub's own identity: LFS sha256 or git blob
   id. The repo ends up holding exactly the staged files (plus ``.gitattributes`` and the type's ``keep_remote``).
3. **commit**: one ``create_commit`` with only the added, changed and deleted files and ``parent_commit`` = the head
   the plan read, so a concurrent push is refused instead of overwritten.
4. **check**: the tree at a commit against the staged digests, from the Hub's metadata only; nothing is downloaded.

The commit can instead be *proposed*: ``commit_repo(..., create_pr=True)`` opens a pull request (``refs/pr/N``) and
leaves main alone; ``find_proposal`` finds an open one by title (plan against its ``revision`` to update it in
place) and ``merge_proposal`` merges it into main. Review first, merge later, through the same one commit path.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from hub_tools.hashing import hash_bytes, hash_file
from hub_tools.publishing.artifacts import ArtifactType, matches, matches_deep, skip_reason
from hub_tools.publishing.sanitize import LeakError, Sanitizer, find_leaks_in_file


logger = logging.getLogger(__name__)

# Files the Hub manages itself; the engine never deletes them.
PROTECTED_REMOTE_FILES = ("**/.gitattributes",)
TEXT_SUFFIXES = (".json", ".md", ".txt", ".jinja", ".py", ".css", ".yaml", ".yml", ".csv", ".jsonl", ".cfg")
TEXT_NAMES = ("template", "system", "params")


class PublishError(RuntimeError):
    """Refused before anything was written: a folder that is not the artifact, or a file that would leak."""


# ------------------------------------------------------------------------------------------------------ local files
@dataclass(frozen=True)
class FileDigest:
    """What identifies a file's content on the Hub: size, sha256, and the git blob sha1 when it can be regular."""

    size: int
    sha256: str
    sha1: str | None = None

    def to_dict(self) -> dict:
        out = {"size": self.size, "sha256": self.sha256}
        if self.sha1:
            out["git_blob_id"] = self.sha1
        return out

    @classmethod
    def from_dict(cls, data: dict) -> FileDigest:
        return cls(size=int(data["size"]), sha256=str(data["sha256"]), sha1=data.get("git_blob_id"))


@dataclass(frozen=True)
class LocalFile:
    """One file to publish: from disk (``path``) or generated in memory (``content``: a card, sanitised JSON)."""

    path_in_repo: str
    digest: FileDigest
    path: Path | None = None
    content: bytes | None = None

    @property
    def size(self) -> int:
        return self.digest.size

    @property
    def sha256(self) -> str:
        return self.digest.sha256

    @property
    def sha1(self) -> str | None:
        return self.digest.sha1

    def operation(self):
        """A public ``CommitOperationAdd`` for this file (no private hook: huggingface_hub takes the file's sha256
        itself, inside hf_xet's chunking pass with Xet on, or in one more read on the LFS path; see README
        "Publishing"). A file whose size changed since staging is refused here; any other change shows in the
        verification that compares the Hub's files with the staged digests."""
        from huggingface_hub import CommitOperationAdd

        source = self.content if self.content is not None else str(self.path)
        op = CommitOperationAdd(path_in_repo=self.path_in_repo, path_or_fileobj=source)
        if op.upload_info.size != self.size:
            raise PublishError(f"{self.path_in_repo} changed on disk since it was staged ({self.path}): stage again")
        return op

    def read_bytes(self) -> bytes:
        return self.content if self.content is not None else self.path.read_bytes()  # type: ignore[union-attr]


def local_file(path_in_repo: str, path: Path) -> LocalFile:
    """A file on disk, hashed at staging (what the plan compares with the Hub's files)."""
    sha1, sha256, size, _ = hash_file(path)
    return LocalFile(path_in_repo=path_in_repo, digest=FileDigest(size, sha256, sha1), path=path)


def generated_file(path_in_repo: str, content: bytes | str) -> LocalFile:
    """A file rendered in memory (a card, sanitised metadata)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    sha1, sha256 = hash_bytes(data)
    return LocalFile(path_in_repo=path_in_repo, digest=FileDigest(len(data), sha256, sha1), content=data)


# ---------------------------------------------------------------------------------------------------------- staging
@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass
class Staged:
    """What one repo would hold: the allowed files (hashed, sanitised) and every skipped file with its reason."""

    kind: ArtifactType
    files: dict[str, LocalFile] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)

    def add(self, file: LocalFile) -> None:
        """A generated file (card, rendered Space file); it must be in the type's allow-list too."""
        if not self.kind.allows(file.path_in_repo):
            raise PublishError(f"{file.path_in_repo} is not in the {self.kind.name} allow-list")
        self.files[file.path_in_repo] = file
        self.files = dict(sorted(self.files.items()))

    def digests(self) -> dict[str, FileDigest]:
        return {path: file.digest for path, file in self.files.items()}

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files.values())


def stage_folder(
    folder: Path,
    kind: ArtifactType,
    *,
    sanitizer: Sanitizer | None = None,
    secrets: tuple[str, ...] | list[str] = (),
    roots: tuple[str, ...] | list[str] = (),
    exclude: tuple[str, ...] | list[str] = (),
    generated: tuple[str, ...] | list[str] = (),
) -> Staged:
    """The files of ``folder`` that ``kind`` publishes (hashed once; JSON metadata sanitised), and what it skips.

    ``exclude`` removes allowed files too (a manifest's own exclusions); ``generated`` names files the caller
    renders itself (a generated card), so the folder's own copy is skipped. ``secrets`` and ``roots`` must not occur
    in any published text file: one that holds them refuses the whole publish (:class:`PublishError`).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise PublishError(f"source folder {folder} does not exist")
    staged = Staged(kind=kind)
    chosen: dict[str, Path] = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink() and not path.resolve().is_relative_to(folder.resolve()):
            staged.skipped.append(Skipped(rel, "symbolic link out of the folder"))
        elif not kind.allows(rel) or any(part.startswith(".") for part in rel.split("/")):
            staged.skipped.append(Skipped(rel, skip_reason(kind, rel)))
        elif rel in generated:
            staged.skipped.append(Skipped(rel, "replaced by the generated file"))
        elif exclude and matches_deep(rel, tuple(exclude)):
            staged.skipped.append(Skipped(rel, "excluded by the manifest"))
        else:
            chosen[rel] = path
    sanitizer = sanitizer or Sanitizer(artifact_root=folder, secrets=tuple(secrets))

    def stage_one(item: tuple[str, Path]) -> LocalFile:
        rel, path = item
        if kind.sanitizes(rel):
            data = path.read_bytes()
            try:
                clean = sanitizer.sanitize_json(rel, data, base_model_key=kind.base_model_keys.get(rel))
            except LeakError as error:
                raise PublishError(f"{folder / rel}: {error}") from error
            if clean is not data:
                return generated_file(rel, clean)
        return local_file(rel, path)

    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        for file in pool.map(stage_one, chosen.items()):
            staged.files[file.path_in_repo] = file
    check_leaks(staged, secrets=secrets, roots=roots, where=folder)
    return staged


def is_text(path_in_repo: str) -> bool:
    name = path_in_repo.rsplit("/", 1)[-1]
    return name.endswith(TEXT_SUFFIXES) or name in TEXT_NAMES


def check_leaks(staged: Staged, *, secrets, roots, where: Path | str = "") -> None:
    """Refuse when a file to publish holds a secret or a local root in what the Hub will show: text files, card
    metadata, JSON fields, parquet cells and schema metadata (see :func:`sanitize.find_leaks_in_file`)."""
    secrets, roots = [s for s in secrets if s], [r for r in roots if r]
    if not secrets and not roots:
        return
    problems = []
    for path, file in staged.files.items():
        if is_text(path) or path.endswith(".parquet"):
            try:
                found = find_leaks_in_file(path, file.read_bytes(), secrets=secrets, roots=roots)
            except LeakError as error:
                found = [str(error)]
            if found:
                problems.append(f"{path} holds {'; '.join(found)}")
    if problems:
        raise PublishError(f"{where}: refusing to publish: " + "; ".join(problems))


# ---------------------------------------------------------------------------------------------------------- remote
@dataclass(frozen=True)
class RemoteFile:
    path_in_repo: str
    size: int
    blob_id: str
    lfs_sha256: str | None

    def same_content(self, digest: FileDigest) -> bool:
        if self.size != digest.size:
            return False
        if self.lfs_sha256 is not None:
            return self.lfs_sha256 == digest.sha256
        return digest.sha1 is not None and self.blob_id == digest.sha1


def remote_tree(api, repo_id: str, repo_type: str, revision: str) -> dict[str, RemoteFile]:
    """Every file of the repo at ``revision``: size, blob id, LFS sha256 (one paginated tree listing, no download)."""
    remote: dict[str, RemoteFile] = {}
    for entry in api.list_repo_tree(repo_id, repo_type=repo_type, revision=revision, recursive=True):
        if getattr(entry, "blob_id", None) is None:  # a folder
            continue
        lfs = entry.lfs.sha256 if entry.lfs is not None else None
        remote[entry.path] = RemoteFile(entry.path, entry.size, entry.blob_id, lfs)
    return remote


def remote_state(api, repo_id: str, repo_type: str, revision: str | None = None):
    """(head commit of ``revision`` (main), files at that commit); (None, {}) when the repo or branch is missing."""
    from huggingface_hub.errors import RepositoryNotFoundError, RevisionNotFoundError

    try:
        head = api.repo_info(repo_id, repo_type=repo_type, revision=revision).sha
    except (RepositoryNotFoundError, RevisionNotFoundError):
        return None, {}
    return head, remote_tree(api, repo_id, repo_type, head)


def compare_tree(remote: dict[str, RemoteFile], expected: dict[str, FileDigest], *, keep=()) -> list[str]:
    """What differs between the files at a commit and the expected digests ([] when identical)."""
    problems = []
    for path, digest in sorted(expected.items()):
        entry = remote.get(path)
        if entry is None:
            problems.append(f"{path}: missing")
        elif not entry.same_content(digest):
            problems.append(f"{path}: content differs (size {entry.size:,} on the Hub, {digest.size:,} recorded)")
    for path in sorted(set(remote) - set(expected)):
        if not matches(path, PROTECTED_REMOTE_FILES) and not matches(path, tuple(keep)):
            problems.append(f"{path}: not part of the release")
    return problems


# ------------------------------------------------------------------------------------------------------------ plan
@dataclass
class RepoPlan:
    """What a commit would change in one repo, against the head it was computed from."""

    repo_id: str
    repo_type: str
    head: str | None  # None: the repo (or branch) does not exist yet
    files: dict[str, LocalFile]
    remote: dict[str, RemoteFile]
    keep: tuple[str, ...] = ()
    revision: str | None = None  # the branch committed to (None: main)
    skipped: list[Skipped] = field(default_factory=list)
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


def diff(plan: RepoPlan) -> RepoPlan:
    """Fill ``added``/``changed``/``deleted`` from ``files`` and ``remote``."""
    plan.added = sorted(p for p in plan.files if p not in plan.remote)
    plan.changed = sorted(p for p in plan.files if p in plan.remote and not plan.remote[p].same_content(plan.files[p].digest))
    plan.deleted = sorted(p for p in plan.remote if p not in plan.files and not matches(p, PROTECTED_REMOTE_FILES)
                          and not matches(p, plan.keep))  # fmt: skip
    return plan


def plan_repo(api, *, repo_id: str, kind: ArtifactType, staged: Staged, revision: str | None = None) -> RepoPlan:
    """Compare ``staged`` with the repo's ``revision`` (default main); read-only."""
    head, remote = remote_state(api, repo_id, kind.repo_type, revision)
    if head is None and revision is not None:  # a branch not created yet starts from main
        head, remote = remote_state(api, repo_id, kind.repo_type)
    return diff(RepoPlan(repo_id=repo_id, repo_type=kind.repo_type, head=head, files=staged.files, remote=remote,
                         keep=kind.keep_remote, revision=revision, skipped=list(staged.skipped)))  # fmt: skip


def commit_repo(api, plan: RepoPlan, *, message: str, description: str = "",
                create_pr: bool = False) -> str | Proposal | None:  # fmt: skip
    """One commit with exactly the plan's changes, on top of ``plan.head``; returns its id (None: nothing to do).

    ``parent_commit`` makes the server refuse the commit if the branch moved since the plan was made, so a
    concurrent push can never be silently overwritten. With ``create_pr`` the commit opens a pull request against
    ``plan.revision`` (main) instead, whose title is ``message``, and a :class:`Proposal` is returned.
    """
    from huggingface_hub import CommitOperationDelete

    if plan.unchanged:
        return None
    operations = [plan.files[p].operation() for p in plan.added + plan.changed]
    operations += [CommitOperationDelete(path_in_repo=p) for p in plan.deleted]
    info = api.create_commit(
        plan.repo_id,
        operations,
        repo_type=plan.repo_type,
        revision=plan.revision or "main",
        commit_message=message,
        commit_description=description or describe(plan),
        parent_commit=plan.head,
        create_pr=create_pr,
    )
    logger.debug("committed %s %s: %s%s", plan.repo_type, plan.repo_id, info.oid,
                 f" (pull request #{info.pr_num})" if create_pr else "")  # fmt: skip
    if create_pr:
        return Proposal(num=int(info.pr_num), commit=info.oid)
    return info.oid


# --------------------------------------------------------------------------------------------------- pull requests
@dataclass(frozen=True)
class Proposal:
    """An open pull request: its number and head commit (``revision`` is what to plan and commit against)."""

    num: int
    commit: str

    @property
    def revision(self) -> str:
        return f"refs/pr/{self.num}"


def find_proposal(api, repo_id: str, repo_type: str, title: str) -> Proposal | None:
    """The open pull request titled ``title`` (the newest, should there be several); None when there is none or
    the repo does not exist."""
    from huggingface_hub.errors import RepositoryNotFoundError

    try:
        found = [d for d in api.get_repo_discussions(repo_id, repo_type=repo_type, discussion_type="pull_request",
                                                     discussion_status="open")
                 if d.is_pull_request and d.status == "open" and d.title == title]  # fmt: skip
    except RepositoryNotFoundError:
        return None
    if not found:
        return None
    num = max(d.num for d in found)
    return Proposal(num=num, commit=api.repo_info(repo_id, repo_type=repo_type, revision=f"refs/pr/{num}").sha)


def merge_proposal(api, repo_id: str, repo_type: str, proposal: Proposal, *, comment: str) -> str:
    """Merge ``proposal`` into main; returns main's new head (the server refuses a PR that conflicts with main)."""
    api.merge_pull_request(repo_id, proposal.num, repo_type=repo_type, comment=comment)
    head = api.repo_info(repo_id, repo_type=repo_type).sha
    logger.debug("merged %s %s #%d: main at %s", repo_type, repo_id, proposal.num, head)
    return head


def ensure_repo(api, repo_id: str, kind: ArtifactType, *, private: bool = False, space_sdk: str | None = None,
                branch: str | None = None) -> None:  # fmt: skip
    """Create the repo (and ``branch``, from main) when missing; an existing repo is left as it is."""
    api.create_repo(repo_id, repo_type=kind.repo_type, private=private, exist_ok=True,
                    space_sdk=(space_sdk or "gradio") if kind.repo_type == "space" else None)  # fmt: skip
    if branch and branch != "main":
        api.create_branch(repo_id, branch=branch, repo_type=kind.repo_type, exist_ok=True)


def publish(api, *, repo_id: str, kind: ArtifactType, staged: Staged, message: str, private: bool = False,
            revision: str | None = None, space_sdk: str | None = None) -> tuple[RepoPlan, str | None]:  # fmt: skip
    """Create the repo if needed, plan against its current head and commit the difference.

    Returns (the plan the commit was made from, the new commit id or None when nothing changed).
    """
    ensure_repo(api, repo_id, kind, private=private, space_sdk=space_sdk, branch=revision)
    plan = plan_repo(api, repo_id=repo_id, kind=kind, staged=staged, revision=revision)
    return plan, commit_repo(api, plan, message=message)


def describe(plan: RepoPlan) -> str:
    """The commit description: one line per added, changed or deleted file (at most 200)."""
    lines = [f"added {p}" for p in plan.added] + [f"changed {p}" for p in plan.changed]
    lines += [f"deleted {p}" for p in plan.deleted]
    return "\n".join(lines[:200])


def plan_lines(plan: RepoPlan) -> list[str]:
    """The plan as printable lines: + added, ~ changed, - deleted, and every skipped file with its reason."""
    lines = []
    for mark, paths, sizes in (("+", plan.added, plan.files), ("~", plan.changed, plan.files),
                               ("-", plan.deleted, plan.remote)):  # fmt: skip
        lines += [f"{mark} {path} ({sizes[path].size:,} bytes)" for path in paths]
    lines += [f"skip {s.path}: {s.reason}" for s in plan.skipped]
    return lines
