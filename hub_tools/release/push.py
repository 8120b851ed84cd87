"""Publish a release: stage every repo's files, commit only what changed, verify at the commits, then tag.

    api = HfApi(endpoint="http://127.0.0.1:8080", token=token)
    report = push_release(api, load_manifest("release/gaokerena-v1.yaml"))

The sequence is what makes a push safe to repeat or to resume after it was killed:

1. stage: each source folder through the publishing engine (:mod:`hub_tools.publishing`): only what the
   artifact type allows, metadata sanitised, every file hashed once; plus the generated cards (README.md of
   models, adapters and results);
2. preflight: read every repo's head and version tag. A repo already tagged with the version is checked, not
   assumed: the release record (``releases/<version>/release.json`` in the results repo) is verified against the
   Hub (tags and file hashes, from metadata), and the staged files must be the tagged ones, else the push is
   refused before any write (a released version is immutable);
3. commit: per untagged repo, ``create_commit`` with ``parent_commit`` = the head just read, holding only the
   added, changed and deleted files; an unchanged repo gets no commit. Each commit is atomic on the server, so a
   killed push leaves every repo either at its old head or at its release commit, and the rerun's diff finds
   the committed repos unchanged;
4. verify every repo not yet tagged, at the commit it now has (see ``verify``: checksums from the Hub's metadata,
   structural checks by default, load and generate with ``full_load``);
5. only when every check passed, ``create_tag`` at the verified commits, then the release record (a commit on the
   results repo's main branch on top of its verified commit), then the results repo's tag at the record's commit,
   then the Spaces' variables (which pin the version). A failed check leaves no tag, no record and no variable
   changed.

Safe on repos that already exist: a push deletes only the files that this tool published in an earlier release
record of that repo (``releases/*/release.json`` in the results repo). Any other remote file is kept, listed by
``release plan`` and recorded as ``kept``; ``prune`` (``release push --prune REPO_ID:PATH``) deletes files of that
list by name, and nothing else. A dataset built from the bundled samples (``hub_tools.data.provenance``) is refused
for any Hub but a local one unless ``allow_samples``.

A release can go through review first. ``create_pr=True`` (``release push --create-pr``) stages, preflights and
diffs the same way, but each repo's difference becomes one pull request titled "Release <version>" (the engine's
``commit_repo(create_pr=True)``); main is untouched, nothing is tagged, and the pull requests are verified at their
head commits. Re-running updates an open pull request of that title in place (a commit on ``refs/pr/N``) or leaves
it alone when it already holds the staged files; it never opens a second one. ``merge_prs=True``
(``release push --merge-prs``) uploads nothing: every repo whose main differs from the staged files must have an
open "Release <version>" pull request holding exactly them (else the push is refused before any write, naming the
repo); those are merged, then verify, tag, record and Space variables run as in step 4-5.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from huggingface_hub import DatasetCard, DatasetCardData, HfApi
from huggingface_hub.errors import EntryNotFoundError, HfHubHTTPError

from hub_tools import __version__
from hub_tools.cards.model import CardError, build_adapter_card, build_model_card, load_training_metadata
from hub_tools.publishing.artifacts import artifact_type, matches
from hub_tools.publishing.engine import (
    LocalFile, Proposal, PublishError, RepoPlan, Staged, check_leaks, commit_repo, compare_tree, describe, diff,
    ensure_repo, find_proposal, generated_file, merge_proposal, plan_lines, plan_repo, remote_state,
    remote_tree, stage_folder,
)  # fmt: skip
from hub_tools.publishing.sanitize import Sanitizer, local_roots
from hub_tools.release import record as records
from hub_tools.release import verify
from hub_tools.release.collection import sync_release_collection
from hub_tools.release.manifest import REPO_ID_PATTERN, Artifact, Manifest, base_model_of


logger = logging.getLogger(__name__)

GENERATED_CARDS = ("adapter", "model", "results")  # artifact types whose README.md the release renders
GENERATED_PATHS = {"gguf": ("README.md", "template", "system", "params")}  # rendered, never taken from the folder
CHECKOUT = Path(__file__).resolve().parents[2]  # paths of the toolkit's own files ship relative to it


class ReleaseError(RuntimeError):
    """A release that must not go ahead (refused before any write)."""


@dataclass
class RepoState:
    """One artifact through the push: staged files, plan against the Hub, the commit it ends at, the tag."""

    artifact: Artifact
    staged: Staged
    plan: RepoPlan | None = None
    tag_commit: str | None = None  # where the version tag points now (None: no tag)
    commit: str | None = None  # the commit the release ends at in this repo
    committed: bool = False  # this run made a commit
    checks: list[verify.CheckResult] = field(default_factory=list)
    tagged: bool = False  # this run created the tag
    kept: list[str] = field(default_factory=list)  # remote files this tool never published: left in place
    holder: bool = False  # this repo holds the release records (record_repo)
    proposal: Proposal | None = None  # the open "Release <version>" pull request (create_pr / merge_prs)
    pr_plan: RepoPlan | None = None  # the staged files against that pull request's head
    pr_action: str = ""  # what this run did with it: opened, updated, up to date, merged

    @property
    def files(self) -> dict[str, LocalFile]:
        return self.staged.files

    @property
    def keep(self) -> tuple[str, ...]:
        """Remote paths the checks ignore: the type's own, the files kept in place and, in the repo holding them,
        the release records."""
        return (*self.staged.kind.keep_remote, *self.kept, *((records.RECORD_GLOB,) if self.holder else ()))

    @property
    def released(self) -> bool:
        """Tagged by an earlier push (preflight checked that the tag holds exactly the staged files)."""
        return self.tag_commit is not None


@dataclass
class ReleaseReport:
    version: str
    repos: list[RepoState]
    dry_run: bool = False
    mode: str = "commit"  # commit, create-pr or merge-prs
    stage_seconds: dict[str, float] = field(default_factory=dict)
    record: records.ReleaseRecord | None = None
    record_written: bool = False
    record_commit: str | None = None  # the results repo's commit holding the record (its version tag points there)
    record_failures: list[records.RepoVerdict] = field(default_factory=list)  # an earlier release that changed
    collection: str | None = None  # slug of the release's Hub Collection, once tagged

    @property
    def failures(self) -> list:
        return [check for repo in self.repos for check in repo.checks if not check.ok] + self.record_failures

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def commits(self) -> int:
        return sum(repo.committed for repo in self.repos)

    @property
    def uploaded_bytes(self) -> int:
        return sum((repo.pr_plan if repo.pr_action == "updated" else repo.plan).upload_bytes
                   for repo in self.repos if repo.committed and repo.plan and repo.pr_action != "merged")  # fmt: skip

    def with_pr(self, action: str) -> list[RepoState]:
        return [repo for repo in self.repos if repo.pr_action == action]

    @property
    def verify_downloaded_bytes(self) -> int:
        """Bytes the verification downloaded (structural checks; the full-load checks are not counted)."""
        return sum(check.downloaded for repo in self.repos for check in repo.checks)


# --------------------------------------------------------------------------------------------------------- staging
def stage_release(manifest: Manifest, *, hub_url: str, secrets: tuple[str, ...] = ()) -> list[RepoState]:
    """Stage every artifact through the publishing engine and render its generated card; no network."""
    known = {a.source: a.repo_id for a in manifest.artifacts if a.source is not None}
    known[CHECKOUT] = ""
    sources = [a.source for a in manifest.artifacts if a.source is not None]
    common = Path(os.path.commonpath([str(p) for p in sources])) if sources else None
    roots = local_roots(common, CHECKOUT, *sources)

    def stage(artifact: Artifact) -> RepoState:
        kind = artifact_type(artifact.type)
        try:
            if artifact.source:
                sanitizer = Sanitizer(artifact_root=artifact.source, known=known, secrets=secrets,
                                      base_model=base_model_of(manifest, artifact))  # fmt: skip
                generated = GENERATED_PATHS.get(artifact.type, ("README.md",) if artifact.type in GENERATED_CARDS else ())
                staged = stage_folder(artifact.source, kind, sanitizer=sanitizer, secrets=secrets, roots=roots,
                                      exclude=artifact.exclude, generated=generated)  # fmt: skip
            else:
                staged = Staged(kind=kind)
                for file in _space_files(manifest, artifact).values():
                    staged.add(file)
            rendered = _rendered_files(manifest, artifact, hub_url)
            for path, content in rendered.items():
                staged.add(generated_file(path, content))
            if rendered:
                check_leaks(staged, secrets=secrets, roots=roots, where=artifact.repo_id)
        except PublishError as error:
            raise ReleaseError(f"{artifact.repo_id}: {error}") from error
        if artifact.type == "dataset" and "README.md" not in staged.files:
            raise ReleaseError(f"{artifact.repo_id}: {artifact.source} has no README.md (the dataset card)")
        return RepoState(artifact=artifact, staged=staged)

    # Artifacts in parallel: one's files hash (hashlib releases the GIL) while another's card renders.
    with ThreadPoolExecutor(max_workers=min(4, len(manifest.artifacts))) as pool:
        return list(pool.map(stage, manifest.artifacts))


def _generated_card(manifest: Manifest, artifact: Artifact, hub_url: str) -> str | None:
    common = dict(
        repo_id=artifact.repo_id,
        version=manifest.version,
        dataset_id=_dataset_resolver(manifest),
        root_model=manifest.base_model,
        namespace=manifest.namespace,
        title=manifest.title,
        license=manifest.license,
        language=manifest.language,
        hub_url=hub_url,
        hub_metadata=hub_metadata(artifact),
    )
    if artifact.type == "adapter":
        stage = load_training_metadata(artifact.source)
        merged = [a for a in manifest.of_type("model") if artifact.name in a.stages]
        return str(
            build_adapter_card(
                base_model=base_model_of(manifest, artifact),
                stage=stage,
                stage_index=_stage_index(manifest, artifact, stage),
                merged_repo=merged[-1].repo_id if merged else None,
                **common,
            )
        )
    if artifact.type == "model":
        stages = [manifest.artifact(name) for name in artifact.stages]
        results_repo = manifest.artifact(artifact.results).repo_id if artifact.results else None
        return str(
            build_model_card(
                base_model=base_model_of(manifest, artifact),
                stages=[load_training_metadata(stage.source) for stage in stages],
                stage_bases=[base_model_of(manifest, stage) for stage in stages],
                adapter_repos=[stage.repo_id for stage in stages],
                results=_results_for(manifest, artifact),
                results_repo=results_repo,
                **common,
            )
        )
    if artifact.type == "results":
        return _results_card(manifest, artifact)
    return None


def hub_metadata(artifact: Artifact) -> dict:
    """Card metadata the Hub acts on: ``new_version`` (the successor) and the access-request form of a gated repo."""
    metadata: dict = {}
    if artifact.new_version:
        metadata["new_version"] = artifact.new_version
    if artifact.extra_gated_prompt:
        metadata["extra_gated_prompt"] = artifact.extra_gated_prompt
    if artifact.extra_gated_fields:
        metadata["extra_gated_fields"] = dict(artifact.extra_gated_fields)
    return metadata


def _eval_results_files(manifest: Manifest, artifact: Artifact) -> dict[str, str]:
    """A model's ``.eval_results/<benchmark>__<protocol>.yaml`` files (the Hub's format: dataset id and revision,
    value, date, source, notes), from the same result documents as its model-index. A benchmark of this release
    with no recorded revision is named at the release's tag, where the release pins it."""
    from hub_tools.evaluation.schema import Result, eval_results_yaml_filename, to_hub_eval_results_yaml

    released = {a.repo_id for a in manifest.of_type("dataset")}
    files = {}
    for document in _results_for(manifest, artifact):
        result = Result.from_dict(document)
        if result.benchmark.dataset_id in released and not result.benchmark.dataset_revision:
            result.benchmark.dataset_revision = manifest.version
        files[eval_results_yaml_filename(result)] = to_hub_eval_results_yaml(result)
    return files


def _rendered_files(manifest: Manifest, artifact: Artifact, hub_url: str) -> dict[str, str]:
    """The files a release renders for an artifact, by repo path: its generated card (and a model's
    ``.eval_results/*.yaml``), and for a GGUF repo also Ollama's ``template``, ``system`` and ``params``
    (hub_tools.release.gguf)."""
    if artifact.type == "gguf":
        from hub_tools.release.gguf import gguf_generated_files

        return gguf_generated_files(
            artifact.source, quants=artifact.quants, repo_id=artifact.repo_id, version=manifest.version, base_model=artifact.base_model,
            root_model=manifest.base_model, namespace=manifest.namespace, title=manifest.title,
            license=manifest.license, language=manifest.language, hub_url=hub_url,
        )  # fmt: skip
    card = _generated_card(manifest, artifact, hub_url)
    files = {} if card is None else {"README.md": card}
    if artifact.type == "model":
        files.update(_eval_results_files(manifest, artifact))
    return files


def _space_files(manifest: Manifest, artifact: Artifact) -> dict[str, LocalFile]:
    """The Space repo as ``space deploy`` renders it (:mod:`hub_tools.space_repo`: app shim, the ``space`` package,
    README, requirements); with a REVISION, ``preload_from_hub`` names the model's files as this release publishes
    them."""
    from hub_tools.space_repo import front_matter, model_files, space_files

    variables = artifact.variables
    revision, files = variables.get("REVISION"), ()
    if revision is not None:
        model = manifest.by_repo_id(variables["MODEL_ID"])
        if model is None or model.source is None or not model.source.is_dir():
            raise ReleaseError(f"{artifact.repo_id}: REVISION {revision} pins MODEL_ID {variables['MODEL_ID']}, "
                               "which is not a model of this release with a source folder: its files for "
                               "preload_from_hub are unknown")  # fmt: skip
        published = artifact_type(model.type).allow  # the files the release publishes of that folder
        files = model_files(path.name for path in model.source.iterdir()
                            if path.is_file() and matches(path.name, published))
        if not files:
            raise ReleaseError(f"{artifact.repo_id}: {model.source} holds no model files for preload_from_hub")
    meta = front_matter(model_id=variables["MODEL_ID"], results_repo=variables["RESULTS_REPO"],
                        adapter_id=variables.get("ADAPTER_ID"), revision=revision, preload_files=files)  # fmt: skip
    return {path: generated_file(path, content) for path, content in space_files(meta).items()}


def _stage_index(manifest: Manifest, adapter: Artifact, stage: dict) -> int:
    for model in manifest.of_type("model"):
        if adapter.name in model.stages:
            return model.stages.index(adapter.name) + 1
    return 1 if stage["stage"] == "cpt" else 2


def _results_for(manifest: Manifest, model: Artifact) -> list[dict]:
    """Result documents of the model's results artifact whose ``model.id`` is this repo, sorted for stable cards."""
    if not model.results:
        return []
    folder = manifest.artifact(model.results).source
    documents = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.rglob("*.json"))]
    mine = [d for d in documents if d.get("model", {}).get("id") == model.repo_id]
    return sorted(mine, key=lambda d: (d["benchmark"]["name"], d["benchmark"].get("config", ""), d["protocol"]))


def _dataset_resolver(manifest: Manifest):
    """Map a dataset name recorded by training (a Hub id or a local folder) to the Hub id the card names."""
    datasets = manifest.of_type("dataset")

    def resolve(name: str) -> str:
        if any(a.repo_id == name for a in datasets):
            return name
        path = Path(name).expanduser()
        if path.exists():
            path = path.resolve()
            for artifact in datasets:
                if path == artifact.source or artifact.source in path.parents:
                    return artifact.repo_id
            raise CardError(f"training used the local dataset {name}, which is not a dataset of this release")
        if REPO_ID_PATTERN.fullmatch(name):
            return name
        raise CardError(f"training used dataset {name!r}: neither a Hub id nor a dataset folder of this release")

    return resolve


def _results_card(manifest: Manifest, artifact: Artifact) -> str:
    data = DatasetCardData(
        license=manifest.license,
        language=[manifest.language],
        pretty_name=f"{manifest.title} leaderboard results",
        tags=["leaderboard", "evaluation", "medical", "persian"],
    )
    body = (
        f"# {manifest.title} leaderboard results\n\n"
        "One JSON document per model × revision × benchmark × protocol under `results/`, named\n"
        "`<model_slug>__<benchmark>__<protocol>.json`. The leaderboard Space and the model cards read these files;\n"
        "`source` says whether a result was computed by `gaokerena eval` or imported from the paper's published\n"
        "per-question answers (Ghassabi et al., arXiv:2505.16000).\n"
    )
    return str(DatasetCard(f"---\n{data.to_yaml()}\n---\n\n{body}"))


# --------------------------------------------------------------------------------------------------------- pushing
def plan_release(api: HfApi, manifest: Manifest, *, hub_url: str | None = None, prune: tuple[str, ...] = (),
                 allow_samples: bool = False) -> list[RepoState]:  # fmt: skip
    """Stage every artifact and compare it with the Hub (read-only). ``prune``: ``REPO_ID:PATH`` of kept files to
    delete (each must be one the plan keeps)."""
    check_samples(manifest, endpoint=api.endpoint, allow_samples=allow_samples)
    states = stage_release(manifest, hub_url=hub_url or api.endpoint, secrets=_secrets(api))
    published = published_files(api, manifest)
    pruned = _parse_prune(prune)
    for state in states:
        state.holder = state.artifact.repo_id == record_repo(manifest).repo_id
        _refresh(api, state, manifest.version, published=published.get(state.artifact.repo_id, set()),
                 prune=pruned.get(state.artifact.repo_id, set()))  # fmt: skip
    unknown = [f"{repo_id}:{path}" for repo_id, paths in pruned.items() for path in sorted(paths)
               if not any(s.artifact.repo_id == repo_id and path in s.plan.deleted for s in states)]  # fmt: skip
    if unknown:
        raise ReleaseError("--prune names files that are not kept remote files of this release (see `gaokerena "
                           "release plan`): " + ", ".join(unknown))  # fmt: skip
    return states


def is_local_endpoint(endpoint: str) -> bool:
    """A Hub on this machine (the local Hub), not huggingface.co or another server."""
    from urllib.parse import urlparse

    return (urlparse(endpoint).hostname or "") in ("127.0.0.1", "localhost", "::1")


def check_samples(manifest: Manifest, *, endpoint: str, allow_samples: bool) -> None:
    """Refuse to publish a dataset built from the bundled samples (or recording no provenance) to a Hub that is not
    local, unless ``allow_samples``."""
    from hub_tools.data.provenance import is_sample_build

    if allow_samples or is_local_endpoint(endpoint):
        return
    samples = [a for a in manifest.of_type("dataset") if a.source is not None and a.source.is_dir()
               and is_sample_build(a.source)]  # fmt: skip
    if samples:
        raise ReleaseError(
            f"refusing to publish to {endpoint}: built from the bundled samples or with no recorded provenance: "
            + ", ".join(f"{a.repo_id} ({a.source})" for a in samples)
            + ". Build them with `gaokerena data build NAME --source ...`, or pass --allow-samples"
        )


def published_files(api: HfApi, manifest: Manifest) -> dict[str, set[str]]:
    """Per repo id, every file an earlier release record says this tool published: the only remote files a push may
    delete without ``prune``. Each ``releases/<version>/release.json`` is read at its version's tag of the results
    repo (a record on main that no tag holds does not count: its files are kept, the safe side)."""
    from huggingface_hub.errors import RepositoryNotFoundError, RevisionNotFoundError

    holder = record_repo(manifest)
    try:
        paths = [p for p in api.list_repo_files(holder.repo_id, repo_type=holder.repo_type)
                 if p.startswith("releases/") and p.endswith("/release.json")]  # fmt: skip
        tags = {t.name for t in api.list_repo_refs(holder.repo_id, repo_type=holder.repo_type).tags}
    except RepositoryNotFoundError:
        return {}
    published: dict[str, set[str]] = {}
    for path in paths:
        version = path.split("/")[1]
        if version not in tags:
            continue
        try:
            local = api.hf_hub_download(holder.repo_id, path, repo_type=holder.repo_type, revision=version)
        except (EntryNotFoundError, RevisionNotFoundError):
            continue
        record = records.parse_record(Path(local).read_text(encoding="utf-8"), where=f"{holder.repo_id}/{path}")
        for repo in record.repos:
            published.setdefault(repo.repo_id, set()).update(repo.files)
    return published


def _parse_prune(prune: tuple[str, ...]) -> dict[str, set[str]]:
    pruned: dict[str, set[str]] = {}
    for item in prune:
        repo_id, sep, path = item.partition(":")
        if not sep or not path or not REPO_ID_PATTERN.fullmatch(repo_id):
            raise ReleaseError(f"--prune {item!r}: expected REPO_ID:PATH, e.g. gaokerena/gaokerena-v1:notes.txt")
        pruned.setdefault(repo_id, set()).add(path)
    return pruned


def push_release(
    api: HfApi,
    manifest: Manifest,
    *,
    dry_run: bool = False,
    full_load: bool = False,
    hub_url: str | None = None,
    on_phase: Callable[[str], None] | None = None,
    on_commit: Callable[[str], None] | None = None,
    create_pr: bool = False,
    merge_prs: bool = False,
    prune: tuple[str, ...] = (),
    allow_samples: bool = False,
) -> ReleaseReport:
    """Plan, commit, verify and tag (see the module docstring); never raises for a failed check.

    ``create_pr`` proposes the release as one pull request per repo instead (verified, not tagged); ``merge_prs``
    merges those pull requests, then verifies and tags. A missing or outdated pull request raises
    :class:`ReleaseError` before any write.

    ``full_load`` verifies models and adapters by loading them and generating (downloads every weight) instead
    of the structural check. ``on_phase`` is called with each phase's name (plan, commit, verify, tag) as it
    starts and with "end NAME" as it ends, e.g. to split a request log by phase. ``on_commit`` is called with
    a repo's id each time this run commits to it (a crash test kills the push there).
    """
    if create_pr and merge_prs:
        raise ReleaseError("--create-pr and --merge-prs are two steps: run one, then the other")
    mode = "create-pr" if create_pr else "merge-prs" if merge_prs else "commit"
    report = ReleaseReport(version=manifest.version, repos=[], dry_run=dry_run, mode=mode)
    with _phase(report, "plan", on_phase):
        report.repos = plan_release(api, manifest, hub_url=hub_url, prune=prune, allow_samples=allow_samples)
        _preflight(api, report, manifest)
        if mode != "commit" and report.ok:
            _find_proposals(api, report, manifest)
        if merge_prs and report.ok:
            _check_proposals(report, manifest)
    if dry_run or not report.ok:
        return report
    step = {"commit": _commit, "create-pr": _propose, "merge-prs": _merge}[mode]
    with _phase(report, {"commit": "commit", "create-pr": "propose", "merge-prs": "merge"}[mode], on_phase):
        for state in report.repos:
            step(api, state, manifest)
            if state.committed and on_commit is not None:
                on_commit(state.artifact.repo_id)
    with _phase(report, "verify", on_phase):
        for state in report.repos:
            _verify(api, state, manifest, report.repos, full_load=full_load)
    if create_pr:  # proposed for review: nothing is tagged until --merge-prs
        return report
    if not report.ok:
        logger.error("verification failed: no repo was tagged %s", manifest.version)
        return report
    with _phase(report, "tag", on_phase):
        holder = record_repo(manifest).repo_id
        for state in report.repos:
            if state.artifact.repo_id != holder:
                _tag(api, state, manifest.version)
        _write_record(api, report, manifest)
        _tag(api, next(s for s in report.repos if s.artifact.repo_id == holder), manifest.version)
        # Space variables (MODEL_ID, REVISION=the version, ...) change only once the release is verified and tagged.
        for state in report.repos:
            if state.artifact.variables:
                _set_space_variables(api, state.artifact)
        report.collection = sync_release_collection(api, manifest).slug
    return report


def _secrets(api: HfApi) -> tuple[str, ...]:
    token = api.token if isinstance(api.token, str) else None
    return (token,) if token else ()


@contextmanager
def _phase(report: ReleaseReport, name: str, on_phase: Callable[[str], None] | None):
    if on_phase is not None:
        on_phase(name)
    start = time.perf_counter()
    try:
        yield
    finally:
        report.stage_seconds[name] = time.perf_counter() - start
        if on_phase is not None:
            on_phase(f"end {name}")


def _refresh(api: HfApi, state: RepoState, version: str, *, published: set[str], prune: set[str]) -> None:
    """Read the repo's head, tree and where the version tag points, and diff: a remote file the release does not
    stage is deleted only when an earlier record published it or ``prune`` names it; any other is kept."""
    artifact = state.artifact
    head, remote = remote_state(api, artifact.repo_id, artifact.repo_type)
    plan = diff(RepoPlan(artifact.repo_id, artifact.repo_type, head, state.files, remote, keep=state.keep,
                         skipped=list(state.staged.skipped)))  # fmt: skip
    state.kept = [path for path in plan.deleted if path not in published and path not in prune]
    plan.deleted = [path for path in plan.deleted if path not in state.kept]
    plan.keep = state.keep
    state.plan = plan
    state.tag_commit = _tag_commit(api, artifact, version) if head else None


def _tag_commit(api: HfApi, artifact: Artifact, version: str) -> str | None:
    refs = api.list_repo_refs(artifact.repo_id, repo_type=artifact.repo_type)
    return next((tag.target_commit for tag in refs.tags if tag.name == version), None)


def record_repo(manifest: Manifest) -> Artifact:
    """The repo whose main branch holds the release records: the results repo (else the first dataset, else the
    first artifact)."""
    for type_ in ("results", "dataset"):
        if manifest.of_type(type_):
            return manifest.of_type(type_)[0]
    return manifest.artifacts[0]


@dataclass(frozen=True)
class FetchedRecord:
    """A release record and the commit of the results repo it was read at (its version tag, else main)."""

    record: records.ReleaseRecord
    commit: str
    at_tag: bool
    text: str


def fetch_record(api: HfApi, manifest: Manifest, *, revision: str | None = None) -> FetchedRecord | None:
    """The version's release record, read at the commit the results repo's version tag points to (at main while
    that tag does not exist yet: a push killed between the record and the tag); None when there is none.
    ``revision`` reads it there instead (e.g. "main")."""
    from huggingface_hub.errors import LocalEntryNotFoundError, RepositoryNotFoundError, RevisionNotFoundError

    holder = record_repo(manifest)
    path_in_repo = records.record_path(manifest.version)
    try:
        tag = _tag_commit(api, holder, manifest.version) if revision is None else None
        commit = api.repo_info(holder.repo_id, repo_type=holder.repo_type, revision=tag or revision or "main").sha
        path = api.hf_hub_download(holder.repo_id, path_in_repo, repo_type=holder.repo_type, revision=commit)
    except LocalEntryNotFoundError as error:  # the Hub did not answer (and no cached copy)
        raise records.RecordError(f"cannot read {holder.repo_id}/{path_in_repo} from {api.endpoint}: "
                                  f"{str(error).splitlines()[0]}") from error  # fmt: skip
    except (EntryNotFoundError, RepositoryNotFoundError, RevisionNotFoundError):
        return None
    text = Path(path).read_text(encoding="utf-8")
    where = f"{holder.repo_id}@{commit[:12]}: release record"
    return FetchedRecord(records.parse_record(text, where=where), commit, tag is not None, text)


def _preflight(api: HfApi, report: ReleaseReport, manifest: Manifest) -> None:
    """A version already (partly) tagged is checked against the Hub instead of assumed; see the module docstring."""
    version, states = manifest.version, report.repos
    tagged = [state for state in states if state.tag_commit is not None]
    if not tagged:
        return
    fetched = fetch_record(api, manifest)
    record = fetched.record if fetched else None
    if record is not None:
        report.record, report.record_commit = record, fetched.commit
        holder_commit = fetched.commit if fetched.at_tag else None
        report.record_failures = [v for v in records.verify_record(record, api_for=lambda _: api,
                                                                   holder_commit=holder_commit)
                                  if not v.ok and (fetched.at_tag or v.repo_id != record.holder)]  # fmt: skip
        for verdict in report.record_failures:
            logger.error("  %s", verdict)
        if report.record_failures:
            return
    problems = []
    if record is not None:
        recorded = {repo.repo_id for repo in record.repos}
        problems += [f"{state.artifact.repo_id}: not part of the recorded release {version}" for state in states
                     if state.artifact.repo_id not in recorded]  # fmt: skip
    for state in tagged:
        remote = remote_tree(api, state.artifact.repo_id, state.artifact.repo_type, state.tag_commit)
        differences = compare_tree(remote, state.staged.digests(), keep=state.keep)
        if differences:
            problems.append(f"{state.artifact.repo_id}: {version} is already released and the staged files differ "
                            f"from it: {'; '.join(differences[:5])}")  # fmt: skip
        else:
            logger.info("  %-45s %s verified at %s (tag and file hashes)", state.artifact.repo_id, version,
                        state.tag_commit[:12])  # fmt: skip
    if problems:
        raise ReleaseError(
            f"refusing to push {version}: a released version is immutable (bump the version in the manifest)\n  "
            + "\n  ".join(problems)
        )


def _apply_gating(api: HfApi, artifact: Artifact) -> None:
    """A repo the manifest gates gets access requests (auto or manual) before its release commit is public."""
    if artifact.gated is None:
        return
    current = getattr(api.repo_info(artifact.repo_id, repo_type=artifact.repo_type), "gated", False)
    if current != artifact.gated:
        api.update_repo_settings(artifact.repo_id, gated=artifact.gated, repo_type=artifact.repo_type)
        logger.info("  %-8s %-45s gated: %s", artifact.type, artifact.repo_id, artifact.gated)


def _commit(api: HfApi, state: RepoState, manifest: Manifest) -> None:
    artifact = state.artifact
    if state.released:
        state.commit = state.tag_commit
        logger.info("  %-8s %-45s released at %s", artifact.type, artifact.repo_id, state.commit[:12])
        return
    if state.plan.unchanged:
        state.commit = state.plan.head
        logger.info("  %-8s %-45s unchanged at %s", artifact.type, artifact.repo_id, state.commit[:12])
        return
    if not state.plan.exists:
        # A new repo: its only file is the .gitattributes create_repo commits, which the plan leaves alone, so the
        # commit goes on top of whatever create_repo made (no parent check, like upload_folder). Should another
        # writer have created the repo in between, the checksum check finds its files and nothing is tagged.
        ensure_repo(api, artifact.repo_id, state.staged.kind, private=artifact.private, space_sdk=artifact.sdk)
    _apply_gating(api, artifact)
    plan = state.plan
    summary = f"+{len(plan.added)} ~{len(plan.changed)} -{len(plan.deleted)}"
    state.commit = commit_repo(api, plan, message=release_title(manifest.version), description=describe(plan))
    state.committed = state.commit is not None
    state.commit = state.commit or plan.head
    logger.info(
        "  %-8s %-45s committed %s (%s, %s bytes)", artifact.type, artifact.repo_id, state.commit[:12], summary,
        f"{plan.upload_bytes:,}",
    )  # fmt: skip


def release_title(version: str) -> str:
    """The commit message of a release, and the title of its pull requests."""
    return f"Release {version}"


def _find_proposals(api: HfApi, report: ReleaseReport, manifest: Manifest) -> None:
    """For each repo still to release: its open "Release <version>" pull request and the staged files against it."""
    title = release_title(manifest.version)
    for state in report.repos:
        if state.released or state.plan.unchanged or not state.plan.exists:
            continue
        state.proposal = find_proposal(api, state.artifact.repo_id, state.artifact.repo_type, title)
        if state.proposal is not None:
            state.pr_plan = plan_repo(api, repo_id=state.artifact.repo_id, kind=state.staged.kind,
                                      staged=state.staged, revision=state.proposal.revision)  # fmt: skip


def _check_proposals(report: ReleaseReport, manifest: Manifest) -> None:
    """Before merging anything: every repo whose main differs from the release has a pull request holding it."""
    title, problems = release_title(manifest.version), []
    for state in report.repos:
        if state.released or state.plan.unchanged:
            continue
        if state.proposal is None:
            problems.append(f"{state.artifact.repo_id}: no open pull request titled {title!r} "
                            "(run `gaokerena release push --create-pr` first)")  # fmt: skip
        elif not state.pr_plan.unchanged:
            problems.append(f"{state.artifact.repo_id}: pull request #{state.proposal.num} differs from the staged "
                            f"release ({'; '.join(plan_lines(state.pr_plan)[:5])}); re-run --create-pr to update it")
    if problems:
        raise ReleaseError(f"cannot merge release {manifest.version}; nothing was merged:\n  " + "\n  ".join(problems))


def _propose(api: HfApi, state: RepoState, manifest: Manifest) -> None:
    """The repo's difference as a pull request: opened, updated in place, or left alone when it already holds it."""
    artifact, title = state.artifact, release_title(manifest.version)
    if state.released or state.plan.unchanged:
        _commit(api, state, manifest)  # nothing to propose: logs and sets the commit to verify
        return
    if state.proposal is not None:
        plan = state.pr_plan
        commit = commit_repo(api, plan, message=title, description=describe(plan))  # on refs/pr/N
        state.committed, state.commit = commit is not None, commit or state.proposal.commit
        state.pr_action = "updated" if commit else "up to date"
        state.proposal = Proposal(state.proposal.num, state.commit)
    else:
        if not state.plan.exists:
            ensure_repo(api, artifact.repo_id, state.staged.kind, private=artifact.private, space_sdk=artifact.sdk)
        plan = state.plan
        state.proposal = commit_repo(api, plan, message=title, description=describe(plan), create_pr=True)
        state.committed, state.commit, state.pr_action = True, state.proposal.commit, "opened"
    logger.info("  %-8s %-45s pull request #%d %s at %s", artifact.type, artifact.repo_id, state.proposal.num,
                state.pr_action, state.commit[:12])  # fmt: skip


def _merge(api: HfApi, state: RepoState, manifest: Manifest) -> None:
    """Merge the repo's release pull request (checked by ``_check_proposals``); main then holds the release."""
    if state.released or state.plan.unchanged:
        _commit(api, state, manifest)
        return
    artifact = state.artifact
    state.commit = merge_proposal(api, artifact.repo_id, artifact.repo_type, state.proposal,
                                      comment=f"Merged by `gaokerena release push --merge-prs` ({manifest.version})")
    state.committed, state.pr_action = True, "merged"
    logger.info("  %-8s %-45s merged pull request #%d: main at %s", artifact.type, artifact.repo_id,
                state.proposal.num, state.commit[:12])  # fmt: skip


def _write_record(api: HfApi, report: ReleaseReport, manifest: Manifest) -> None:
    """``releases/<version>/release.json``, one commit on the holder's verified release commit (unless an earlier
    push wrote it); the holder's state then ends at that commit, where its version tag goes."""
    holder = record_repo(manifest)
    state = next(s for s in report.repos if s.artifact.repo_id == holder.repo_id)
    if report.record is not None:
        return
    record = build_record(report, manifest, holder=holder.repo_id)
    path = records.record_path(manifest.version)
    head, remote = remote_state(api, holder.repo_id, holder.repo_type)
    if head != state.commit:
        raise ReleaseError(f"{holder.repo_id}: main moved from the verified {state.commit[:12]} to {head[:12]} "
                           "during the push; nothing recorded, the other repos are tagged: push again")  # fmt: skip
    plan = RepoPlan(holder.repo_id, holder.repo_type, head, {path: generated_file(path, record.to_json())}, remote)
    plan.added = [path]
    commit = commit_repo(api, plan, message=f"Release record {manifest.version}",
                         description=f"{len(record.repos)} repos, {record.size:,} bytes")  # fmt: skip
    report.record, report.record_written, report.record_commit = record, True, commit
    state.commit = commit
    logger.info("  recorded %s in %s/%s at %s", manifest.version, holder.repo_id, path, commit[:12])


def build_record(report: ReleaseReport, manifest: Manifest, *, holder: str) -> records.ReleaseRecord:
    """The record of the verified release: every repo's commit, files and kept files, the tool version and the
    fingerprint of each adapter's training recipe (from its published training_metadata.json)."""
    recipes = {}
    for state in report.repos:
        if state.artifact.type == "adapter" and "training_metadata.json" in state.files:
            metadata = json.loads(state.files["training_metadata.json"].read_bytes())
            recipes[state.artifact.repo_id] = records.recipe_fingerprint(metadata)
    return records.ReleaseRecord(
        version=manifest.version,
        namespace=manifest.namespace,
        holder=holder,
        tool_version=__version__,
        recipes=recipes,
        repos=[records.RepoRecord(repo_id=s.artifact.repo_id, repo_type=s.artifact.repo_type,
                                  artifact_type=s.artifact.type, tag=manifest.version, commit=s.commit,
                                  files=s.staged.digests(), private=s.artifact.private, kept=tuple(s.kept))
               for s in report.repos],
    )  # fmt: skip


def _set_space_variables(api: HfApi, artifact: Artifact) -> None:
    """Set the Space's variables (MODEL_ID, REVISION, ...) where they differ; settings, not a commit."""
    try:
        current = {k: v.value for k, v in api.get_space_variables(artifact.repo_id).items()}
    except HfHubHTTPError:
        current = {}
    for key, value in artifact.variables.items():
        if current.get(key) != value:
            api.add_space_variable(artifact.repo_id, key, value)


def _verify(api: HfApi, state: RepoState, manifest: Manifest, states: list[RepoState], *,
            full_load: bool = False) -> None:  # fmt: skip
    artifact, commit = state.artifact, state.commit
    if state.released:
        logger.info("  %-45s already released at %s: checked in preflight", artifact.repo_id, commit[:12])
        return
    reader = verify.RemoteReader(api)
    digests = state.staged.digests()
    checks = [verify.run_check(artifact.repo_id, "checksums", verify.check_checksums, api, artifact.repo_id,
                               artifact.repo_type, commit, digests, state.keep)]  # fmt: skip
    if artifact.type == "model":
        if full_load:
            checks.append(verify.run_check(artifact.repo_id, "load + generate", verify.check_model, artifact.repo_id,
                                           commit))  # fmt: skip
        else:
            checks.append(verify.run_check(artifact.repo_id, "structure", verify.check_model_structure, reader,
                                           artifact.repo_id, commit, digests, reader=reader))  # fmt: skip
    elif artifact.type == "adapter":
        base = base_model_of(manifest, artifact)
        base_state = next((s for s in states if s.artifact.repo_id == base), None)
        base_revision = base_state.commit if base_state else None
        if full_load:
            checks.append(verify.run_check(artifact.repo_id, "PeftModel on base", verify.check_adapter,
                                           artifact.repo_id, commit, base, base_revision))  # fmt: skip
        else:
            checks.append(verify.run_check(artifact.repo_id, "structure on base", verify.check_adapter_structure,
                                           reader, artifact.repo_id, commit, digests, base, base_revision,
                                           reader=reader))  # fmt: skip
    elif artifact.type == "dataset":
        readme = state.files.get("README.md")
        readme_bytes = readme.read_bytes() if readme else None
        configs = list(artifact.configs) or verify.dataset_configs(readme_bytes)
        if full_load:
            checks.append(verify.run_check(artifact.repo_id, "load_dataset", verify.check_dataset, artifact.repo_id,
                                           commit, artifact.source, configs))  # fmt: skip
        else:
            checks.append(verify.run_check(artifact.repo_id, "parquet metadata", verify.check_dataset_structure,
                                           reader, artifact.repo_id, commit, digests, readme_bytes, artifact.source,
                                           configs, reader=reader))  # fmt: skip
    elif artifact.type == "results":
        checks.append(verify.run_check(artifact.repo_id, "result documents", verify.check_results, state.files))
    elif artifact.type == "gguf":
        from hub_tools.release.gguf import check_gguf_repo

        name = "GGUF + llama.cpp" if full_load else "GGUF metadata"
        checks.append(verify.run_check(artifact.repo_id, name, check_gguf_repo, api, artifact.repo_id, commit,
                                       list(state.files), reader=reader, full_load=full_load))  # fmt: skip
    state.checks = checks
    for check in checks:
        (logger.info if check.ok else logger.error)("  %s [%.1f s, %s bytes read]", check, check.seconds,
                                                    f"{check.downloaded:,}")  # fmt: skip


def _tag(api: HfApi, state: RepoState, version: str) -> None:
    artifact = state.artifact
    if state.tag_commit == state.commit:
        return
    api.create_tag(
        artifact.repo_id,
        tag=version,
        revision=state.commit,
        repo_type=artifact.repo_type,
        tag_message=f"{artifact.repo_id} {version}",
    )
    state.tagged = True
    logger.info("  tagged %-45s %s at %s", artifact.repo_id, version, state.commit[:12])
