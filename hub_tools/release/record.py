"""The release record: what a version is, file by file, and the check that the Hub still holds exactly that.

``gaokerena release push`` writes ``releases/<version>/release.json`` to the results repo (the *holder*) once every
other repo is tagged, as one commit on top of the holder's verified release commit, and then tags the holder at that
commit: the version tag of the holder points to the record, so the record is read at a tag, never at ``main``::

    {"record_version": 2, "version": "v1.0", "namespace": "gaokerena", "created_at": "...",
     "holder": "gaokerena/leaderboard-results", "tool_version": "0.1.0",
     "recipes": {"gaokerena/gaokerena-v1-cpt-lora": "<sha256 of the training recipe>", ...},
     "repos": [{"repo_id": "gaokerena/gaokerena-v1", "repo_type": "model", "artifact_type": "model",
                "private": false, "tag": "v1.0", "commit": "<40 hex>",
                "files": {"model.safetensors": {"size": 123, "sha256": "<64 hex>"},
                          "config.json": {"size": 456, "sha256": "<64 hex>", "git_blob_id": "<40 hex>"}},
                "kept": ["notes/paper.pdf"]}]}

``kept`` lists the repo's files this tool did not publish and left in place (see push.py); they are not part of the
release, and verification ignores them. The holder's entry names the commit the record was committed on top of;
its tag points to the record's own commit (``holder_commit`` below).

:func:`verify_record` checks, from the Hub's metadata only (refs and one tree listing per repo: nothing is
downloaded), that every tag still points to the recorded commit and that every file at that commit has the recorded
LFS sha256 or git blob id, with no file missing or added. :func:`check_against_manifest` checks the record itself
against the manifest: the version, every repo and its type, every tag, the tool version and a recipe per adapter.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from hub_tools.publishing.engine import FileDigest, compare_tree, remote_tree


RECORD_VERSION = 2
READABLE_VERSIONS = (1, 2)


RECORD_GLOB = "releases/*/release.json"  # every record in the holder repo, as an allow/keep pattern


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
    kept: tuple[str, ...] = ()  # files of the repo this tool did not publish, left in place

    def to_dict(self) -> dict:
        return {"repo_id": self.repo_id, "repo_type": self.repo_type, "artifact_type": self.artifact_type,
                "private": self.private, "tag": self.tag, "commit": self.commit,
                "files": {path: digest.to_dict() for path, digest in sorted(self.files.items())},
                "kept": sorted(self.kept)}  # fmt: skip


@dataclass
class ReleaseRecord:
    version: str
    namespace: str
    repos: list[RepoRecord]
    created_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    holder: str | None = None  # the repo holding the record (its tag points to the record's commit)
    tool_version: str = ""  # hub_tools.__version__ of the push
    recipes: dict[str, str] = field(default_factory=dict)  # adapter repo id -> sha256 of its training recipe

    def repo(self, repo_id: str) -> RepoRecord | None:
        return next((r for r in self.repos if r.repo_id == repo_id), None)

    @property
    def size(self) -> int:
        return sum(d.size for repo in self.repos for d in repo.files.values())

    def to_json(self) -> str:
        data = {"record_version": RECORD_VERSION, "version": self.version, "namespace": self.namespace,
                "created_at": self.created_at, "holder": self.holder, "tool_version": self.tool_version,
                "recipes": dict(sorted(self.recipes.items())), "repos": [r.to_dict() for r in self.repos]}  # fmt: skip
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


class RecordError(ValueError):
    """A file that is not a release record."""


def parse_record(text: str, *, where: str = "release record") -> ReleaseRecord:
    try:
        data = json.loads(text)
        if data.get("record_version") not in READABLE_VERSIONS:
            raise RecordError(f"{where}: record_version {data.get('record_version')!r}, expected one of "
                              f"{list(READABLE_VERSIONS)}")  # fmt: skip
        repos = [
            RepoRecord(repo_id=r["repo_id"], repo_type=r["repo_type"], artifact_type=r["artifact_type"], tag=r["tag"],
                       commit=r["commit"], private=bool(r.get("private", False)),
                       files={p: FileDigest.from_dict(d) for p, d in r["files"].items()},
                       kept=tuple(r.get("kept", ())))  # fmt: skip
            for r in data["repos"]
        ]
        return ReleaseRecord(version=data["version"], namespace=data["namespace"], repos=repos,
                             created_at=data.get("created_at", ""), holder=data.get("holder"),
                             tool_version=data.get("tool_version", ""),
                             recipes=dict(data.get("recipes", {})))  # fmt: skip
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


def verify_repo(api, repo: RepoRecord, *, keep: tuple[str, ...] = (), holder: bool = False,
                holder_commit: str | None = None) -> RepoVerdict:  # fmt: skip
    """The tag still points to the recorded commit, and the files there are the recorded ones (metadata only).

    The ``holder`` (the repo holding the record) is tagged at the record's own commit, one commit after the
    recorded one: its tag must point to ``holder_commit`` (where the record was read; None: wherever the tag is) and
    the files there are the recorded ones plus the release records."""
    from huggingface_hub.errors import HfHubHTTPError

    try:
        refs = api.list_repo_refs(repo.repo_id, repo_type=repo.repo_type)
    except HfHubHTTPError as error:
        return RepoVerdict(repo.repo_id, [f"cannot read the repo: {_short(error)}"])
    tag = next((t.target_commit for t in refs.tags if t.name == repo.tag), None)
    if tag is None:
        return RepoVerdict(repo.repo_id, [f"tag {repo.tag} is missing"])
    problems = []
    expected = (holder_commit or tag) if holder else repo.commit
    if tag != expected:
        problems.append(f"tag {repo.tag} points to {tag[:12]}, the record says {expected[:12]}")
    try:
        remote = remote_tree(api, repo.repo_id, repo.repo_type, expected)
    except HfHubHTTPError as error:
        return RepoVerdict(repo.repo_id, problems + [f"recorded commit {expected[:12]} unreadable: {_short(error)}"])
    problems += compare_tree(remote, repo.files, keep=(*keep, *repo.kept, *((RECORD_GLOB,) if holder else ())))
    return RepoVerdict(repo.repo_id, problems)


def verify_record(record: ReleaseRecord, *, api_for, holder_commit: str | None = None) -> list[RepoVerdict]:
    """Every repo of ``record``; ``api_for(repo_record)`` gives the HfApi to read it with (anonymous if public).
    ``holder_commit``: the commit the record was read at, where the holder's tag must point (None: the holder is
    checked like any repo, at its recorded commit)."""
    from hub_tools.publishing.artifacts import ARTIFACT_TYPES

    verdicts = []
    for repo in record.repos:
        kind = ARTIFACT_TYPES.get(repo.artifact_type)
        verdicts.append(verify_repo(api_for(repo), repo, keep=kind.keep_remote if kind else (),
                                    holder=repo.repo_id == record.holder, holder_commit=holder_commit))
    return verdicts


def check_against_manifest(record: ReleaseRecord, manifest) -> list[str]:
    """What the record says that the manifest does not: version, namespace, the set of repos, each repo's type and
    tag, the tool version, and a training recipe for every adapter ([] when they agree)."""
    problems = []
    if record.version != manifest.version:
        problems.append(f"the record is of {record.version}, the manifest releases {manifest.version}")
    if record.namespace != manifest.namespace:
        problems.append(f"the record's namespace is {record.namespace}, the manifest's {manifest.namespace}")
    recorded = {repo.repo_id: repo for repo in record.repos}
    for artifact in manifest.artifacts:
        repo = recorded.get(artifact.repo_id)
        if repo is None:
            problems.append(f"{artifact.repo_id}: in the manifest, missing from the record")
            continue
        if (repo.repo_type, repo.artifact_type) != (artifact.repo_type, artifact.type):
            problems.append(f"{artifact.repo_id}: recorded as a {repo.artifact_type} ({repo.repo_type} repo), the "
                            f"manifest says {artifact.type}")  # fmt: skip
        if repo.tag != manifest.version:
            problems.append(f"{artifact.repo_id}: recorded tag {repo.tag!r}, the manifest's version is "
                            f"{manifest.version!r}")  # fmt: skip
    extra = sorted(set(recorded) - {a.repo_id for a in manifest.artifacts})
    problems += [f"{repo_id}: in the record, not in the manifest" for repo_id in extra]
    if not record.tool_version:
        problems.append("the record names no tool version")
    adapters = [a.repo_id for a in manifest.of_type("adapter")]
    problems += [f"{repo_id}: the record names no training recipe for this adapter" for repo_id in adapters
                 if not record.recipes.get(repo_id)]  # fmt: skip
    problems += [f"{repo_id}: the record names a recipe for a repo that is not an adapter of the manifest"
                 for repo_id in sorted(set(record.recipes) - set(adapters))]  # fmt: skip
    return problems


def recipe_fingerprint(training_metadata: dict) -> str:
    """The sha256 of a run's training recipe (``training_metadata.json``'s ``recipe``, canonical JSON)."""
    import hashlib

    recipe = training_metadata.get("recipe")
    if not isinstance(recipe, dict):
        raise RecordError("training_metadata.json has no recipe")
    return hashlib.sha256(json.dumps(recipe, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def _short(error: Exception) -> str:
    return str(error).splitlines()[0][:200]
