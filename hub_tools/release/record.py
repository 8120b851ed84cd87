"""The release record: what a version is, file by file, and the check that the Hub still holds exactly that.

``gaokerena release push`` writes ``releases/<version>/release.json`` to the results repo once every repo is
tagged (on its main branch, after the tag: the record names the results repo's own tagged commit too)::

    {"record_version": 1, "version": "v1.0", "namespace": "gaokerena", "created_at": "...",
     "repos": [{"repo_id": "gaokerena/gaokerena-v1", "repo_type": "model", "artifact_type": "model",
                "private": false, "tag": "v1.0", "commit": "<40 hex>",
                "files": {"model.safetensors": {"size": 123, "sha256": "<64 hex>"},
                          "config.json": {"size": 456, "sha256": "<64 hex>", "git_blob_id": "<40 hex>"}}}]}

:func:`verify_record` checks, from the Hub's metadata only (refs and one tree listing per repo: nothing is
downloaded), that every tag still points to the recorded commit and that every file at that commit has the recorded
LFS sha256 or git blob id, with no file missing or added.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from hub_tools.publishing.engine import FileDigest, compare_tree, remote_tree


RECORD_VERSION = 1


def record_path(version: str) -> str:
    """Where in the results repo a version's record lives."""
    return f"releases/{version}/release.json"


@dataclass
class RepoRecord:
    repo_id: str
    repo_type: str
    artifact_type: str
    tag: str
    commit: str
    files: dict[str, FileDigest]
    private: bool = False

    def to_dict(self) -> dict:
        return {"repo_id": self.repo_id, "repo_type": self.repo_type, "artifact_type": self.artifact_type,
                "private": self.private, "tag": self.tag, "commit": self.commit,
                "files": {path: digest.to_dict() for path, digest in sorted(self.files.items())}}  # fmt: skip


@dataclass
class ReleaseRecord:
    version: str
    namespace: str
    repos: list[RepoRecord]
    created_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))

    @property
    def size(self) -> int:
        return sum(d.size for repo in self.repos for d in repo.files.values())

    def to_json(self) -> str:
        data = {"record_version": RECORD_VERSION, "version": self.version, "namespace": self.namespace,
                "created_at": self.created_at, "repos": [r.to_dict() for r in self.repos]}  # fmt: skip
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


class RecordError(ValueError):
    """A file that is not a release record."""


def parse_record(text: str, *, where: str = "release record") -> ReleaseRecord:
    try:
        data = json.loads(text)
        if data.get("record_version") != RECORD_VERSION:
            raise RecordError(f"{where}: record_version {data.get('record_version')!r}, expected {RECORD_VERSION}")
        repos = [
            RepoRecord(repo_id=r["repo_id"], repo_type=r["repo_type"], artifact_type=r["artifact_type"], tag=r["tag"],
                       commit=r["commit"], private=bool(r.get("private", False)),
                       files={p: FileDigest.from_dict(d) for p, d in r["files"].items()})  # fmt: skip
            for r in data["repos"]
        ]
        return ReleaseRecord(version=data["version"], namespace=data["namespace"], repos=repos,
                             created_at=data.get("created_at", ""))  # fmt: skip
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as error:
        raise RecordError(f"{where}: not a release record ({type(error).__name__}: {error})") from error


def load_record(path: str | Path) -> ReleaseRecord:
    path = Path(path)
    return parse_record(path.read_text(encoding="utf-8"), where=str(path))


@dataclass
class RepoVerdict:
    repo_id: str
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        if self.ok:
            return f"ok   {self.repo_id}"
        return f"FAIL {self.repo_id}: " + "; ".join(self.problems)


def verify_repo(api, repo: RepoRecord, *, keep: tuple[str, ...] = ()) -> RepoVerdict:
    """The tag still points to the recorded commit, and the files there are the recorded ones (metadata only)."""
    from huggingface_hub.errors import HfHubHTTPError

    try:
        refs = api.list_repo_refs(repo.repo_id, repo_type=repo.repo_type)
    except HfHubHTTPError as error:
        return RepoVerdict(repo.repo_id, [f"cannot read the repo: {_short(error)}"])
    tag = next((t.target_commit for t in refs.tags if t.name == repo.tag), None)
    if tag is None:
        return RepoVerdict(repo.repo_id, [f"tag {repo.tag} is missing"])
    problems = []
    if tag != repo.commit:
        problems.append(f"tag {repo.tag} points to {tag[:12]}, the record says {repo.commit[:12]}")
    try:
        remote = remote_tree(api, repo.repo_id, repo.repo_type, repo.commit)
    except HfHubHTTPError as error:
        return RepoVerdict(repo.repo_id, problems + [f"recorded commit {repo.commit[:12]} unreadable: {_short(error)}"])
    problems += compare_tree(remote, repo.files, keep=keep)
    return RepoVerdict(repo.repo_id, problems)


def verify_record(record: ReleaseRecord, *, api_for) -> list[RepoVerdict]:
    """Every repo of ``record``; ``api_for(repo_record)`` gives the HfApi to read it with (anonymous if public)."""
    from hub_tools.publishing.artifacts import ARTIFACT_TYPES

    verdicts = []
    for repo in record.repos:
        kind = ARTIFACT_TYPES.get(repo.artifact_type)
        verdicts.append(verify_repo(api_for(repo), repo, keep=kind.keep_remote if kind else ()))
    return verdicts


def _short(error: Exception) -> str:
    return str(error).splitlines()[0][:200]
