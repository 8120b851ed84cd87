"""Publish a release: stage every repo's files, commit only what changed, verify at the commits, then tag.

    api = HfApi(endpoint="http://127.0.0.1:8080", token=token)
    report = push_release(api, load_manifest("release/gaokerena-v1.yaml"))

The sequence is what makes a push safe to repeat or to resume after it was killed:

1. stage: hash each source folder and render the generated cards (README.md of models and adapters);
2. preflight: read every repo's head and version tag; refuse before any write if the tag already points to a
   commit other than the head, or if a tagged repo would change (a released version is immutable);
3. commit: per repo, ``create_commit`` with ``parent_commit`` = the head just read, holding only the added,
   changed and deleted files; an unchanged repo gets no commit. Each commit is atomic on the server, so a
   killed push leaves every repo either at its old head or at its release commit, and the rerun's diff finds
   the committed repos unchanged;
4. verify every repo not yet tagged, at the commit it now has (see ``verify``);
5. only when every check passed, ``create_tag`` at the verified commits, then the Spaces' variables (which pin the
   version). A failed check leaves no tag and no variable changed.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from huggingface_hub import DatasetCard, DatasetCardData, HfApi
from huggingface_hub.errors import HfHubHTTPError

from hub_tools.cards.model import CardError, build_adapter_card, build_model_card, load_training_metadata
from hub_tools.release import verify
from hub_tools.release.collection import sync_release_collection
from hub_tools.release.manifest import REPO_ID_PATTERN, Artifact, Manifest, base_model_of
from hub_tools.release.sync import LocalFile, RepoPlan, collect_files, commit_repo, diff, generated_file, remote_state


logger = logging.getLogger(__name__)

# Test-only hook: seconds to sleep after each repo's commit, so a test can SIGKILL a push half way.
PAUSE_ENV = "GAOKERENA_RELEASE_PAUSE_AFTER_COMMIT"


class ReleaseError(RuntimeError):
    """A release that must not go ahead (refused before any write)."""


@dataclass
class RepoState:
    """One artifact through the push: staged files, plan against the Hub, the commit it ends at, the tag."""

    artifact: Artifact
    files: dict[str, LocalFile]
    plan: RepoPlan | None = None
    tag_commit: str | None = None  # where the version tag points now (None: no tag)
    commit: str | None = None  # the commit the release ends at in this repo
    committed: bool = False  # this run made a commit
    checks: list[verify.CheckResult] = field(default_factory=list)
    tagged: bool = False  # this run created the tag

    @property
    def released(self) -> bool:
        """Already tagged at the current head with nothing to change: verified by an earlier push."""
        return self.plan is not None and self.plan.unchanged and self.tag_commit == self.plan.head


@dataclass
class ReleaseReport:
    version: str
    repos: list[RepoState]
    dry_run: bool = False
    stage_seconds: dict[str, float] = field(default_factory=dict)
    collection: str | None = None  # slug of the release's Hub Collection, once tagged

    @property
    def failures(self) -> list[verify.CheckResult]:
        return [check for repo in self.repos for check in repo.checks if not check.ok]

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def commits(self) -> int:
        return sum(repo.committed for repo in self.repos)

    @property
    def uploaded_bytes(self) -> int:
        return sum(repo.plan.upload_bytes for repo in self.repos if repo.committed and repo.plan)


# --------------------------------------------------------------------------------------------------------- staging
def stage_release(manifest: Manifest, *, hub_url: str) -> list[RepoState]:
    """Hash every artifact's files and render its generated card; no network."""
    states = []
    for artifact in manifest.artifacts:
        files = collect_files(artifact.source, artifact.exclude) if artifact.source else _space_files(artifact)
        if artifact.type == "gguf":
            files = _gguf_files(manifest, artifact, files, hub_url)
        card = _generated_card(manifest, artifact, hub_url)
        if card is not None:
            files["README.md"] = generated_file("README.md", card)
        if artifact.type == "dataset" and "README.md" not in files:
            raise ReleaseError(f"{artifact.repo_id}: {artifact.source} has no README.md (the dataset card)")
        states.append(RepoState(artifact=artifact, files=dict(sorted(files.items()))))
    return states


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


def _gguf_files(manifest: Manifest, artifact: Artifact, files: dict[str, LocalFile], hub_url: str):
    """The allow-listed files of an export folder plus the generated card and Ollama files (hub_tools.release.gguf)."""
    from hub_tools.release.gguf import gguf_generated_files, is_published

    generated = gguf_generated_files(
        artifact.source, repo_id=artifact.repo_id, version=manifest.version, base_model=artifact.base_model,
        root_model=manifest.base_model, namespace=manifest.namespace, title=manifest.title, license=manifest.license,
        language=manifest.language, hub_url=hub_url,
    )  # fmt: skip
    kept = {path: file for path, file in files.items() if is_published(path) and path not in generated}
    return kept | {path: generated_file(path, content) for path, content in generated.items()}


def _space_files(artifact: Artifact) -> dict[str, LocalFile]:
    """The Space repo as ``space.deploy`` renders it (app shim, the ``space`` package, README, requirements)."""
    try:
        from space.deploy import front_matter, space_files
    except ImportError as error:
        raise ReleaseError(f"{artifact.repo_id}: no source, and space.deploy is unavailable: {error}") from error
    variables = artifact.variables
    meta = front_matter(model_id=variables["MODEL_ID"], results_repo=variables["RESULTS_REPO"],
                        adapter_id=variables.get("ADAPTER_ID"))  # fmt: skip
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
def plan_release(api: HfApi, manifest: Manifest, *, hub_url: str | None = None) -> list[RepoState]:
    """Stage every artifact and compare it with the Hub (read-only)."""
    states = stage_release(manifest, hub_url=hub_url or api.endpoint)
    for state in states:
        _refresh(api, state, manifest.version)
    return states


def push_release(
    api: HfApi,
    manifest: Manifest,
    *,
    dry_run: bool = False,
    hub_url: str | None = None,
    on_phase: Callable[[str], None] | None = None,
) -> ReleaseReport:
    """Plan, commit, verify and tag (see the module docstring); never raises for a failed check.

    ``on_phase`` is called with each phase's name (plan, commit, verify, tag) as it starts and with "end NAME"
    as it ends, e.g. to split a request log by phase.
    """
    report = ReleaseReport(version=manifest.version, repos=[], dry_run=dry_run)
    with _phase(report, "plan", on_phase):
        report.repos = plan_release(api, manifest, hub_url=hub_url)
    _preflight(report.repos, manifest.version)
    if dry_run:
        return report
    with _phase(report, "commit", on_phase):
        for state in report.repos:
            _commit(api, state, manifest)
    with _phase(report, "verify", on_phase):
        for state in report.repos:
            _verify(api, state, manifest, report.repos)
    if not report.ok:
        logger.error("verification failed: no repo was tagged %s", manifest.version)
        return report
    with _phase(report, "tag", on_phase):
        for state in report.repos:
            _tag(api, state, manifest.version)
        # Space variables (MODEL_ID, REVISION=the version, ...) change only once the release is verified and tagged.
        for state in report.repos:
            if state.artifact.variables:
                _set_space_variables(api, state.artifact)
        report.collection = sync_release_collection(api, manifest).slug
    return report


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


def _refresh(api: HfApi, state: RepoState, version: str, *, tags: bool = True) -> None:
    """Re-read the repo's head and tree (and, with ``tags``, where the version tag points) and re-diff."""
    artifact = state.artifact
    head, remote = remote_state(api, artifact.repo_id, artifact.repo_type)
    state.plan = diff(RepoPlan(artifact.repo_id, artifact.repo_type, head, state.files, remote))
    if tags:
        state.tag_commit = _tag_commit(api, artifact, version) if head else None


def _tag_commit(api: HfApi, artifact: Artifact, version: str) -> str | None:
    refs = api.list_repo_refs(artifact.repo_id, repo_type=artifact.repo_type)
    return next((tag.target_commit for tag in refs.tags if tag.name == version), None)


def _preflight(states: list[RepoState], version: str) -> None:
    problems = []
    for state in states:
        plan = state.plan
        if state.tag_commit is None:
            continue
        if state.tag_commit != plan.head:
            problems.append(
                f"{plan.repo_id}: tag {version} points to {state.tag_commit[:12]} but the head is {plan.head[:12]}"
            )
        elif not plan.unchanged:
            problems.append(f"{plan.repo_id}: {version} is already released and the staged files differ from it")
    if problems:
        raise ReleaseError(
            f"refusing to push {version}: a released version is immutable (bump the version in the manifest)\n  "
            + "\n  ".join(problems)
        )


def _commit(api: HfApi, state: RepoState, manifest: Manifest) -> None:
    artifact = state.artifact
    if state.plan.unchanged:
        state.commit = state.plan.head
        logger.info("  %-8s %-45s unchanged at %s", artifact.type, artifact.repo_id, state.commit[:12])
        return
    api.create_repo(
        artifact.repo_id,
        repo_type=artifact.repo_type,
        private=artifact.private,
        exist_ok=True,
        space_sdk=artifact.sdk if artifact.repo_type == "space" else None,
    )
    # A fresh head: create_repo may have made an initial commit. The tag state stays the one preflight checked.
    _refresh(api, state, manifest.version, tags=False)
    plan = state.plan
    summary = f"+{len(plan.added)} ~{len(plan.changed)} -{len(plan.deleted)}"
    state.commit = commit_repo(api, plan, message=f"Release {manifest.version}", description=_description(plan))
    state.committed = state.commit is not None
    state.commit = state.commit or plan.head
    logger.info(
        "  %-8s %-45s committed %s (%s, %s bytes)", artifact.type, artifact.repo_id, state.commit[:12], summary,
        f"{plan.upload_bytes:,}",
    )  # fmt: skip
    pause = float(os.environ.get(PAUSE_ENV, "0") or 0)
    if pause and state.committed:
        logger.info("  (test hook %s: pausing %.0f s)", PAUSE_ENV, pause)
        time.sleep(pause)


def _description(plan: RepoPlan) -> str:
    lines = [f"added {p}" for p in plan.added] + [f"changed {p}" for p in plan.changed]
    lines += [f"deleted {p}" for p in plan.deleted]
    return "\n".join(lines[:200])


def _set_space_variables(api: HfApi, artifact: Artifact) -> None:
    """Set the Space's variables (MODEL_ID, REVISION, ...) where they differ; settings, not a commit."""
    try:
        current = {k: v.value for k, v in api.get_space_variables(artifact.repo_id).items()}
    except HfHubHTTPError:
        current = {}
    for key, value in artifact.variables.items():
        if current.get(key) != value:
            api.add_space_variable(artifact.repo_id, key, value)


def _verify(api: HfApi, state: RepoState, manifest: Manifest, states: list[RepoState]) -> None:
    artifact, commit = state.artifact, state.commit
    if state.released:
        logger.info("  %-45s already released at %s: not re-verified", artifact.repo_id, commit[:12])
        return
    cache = Path(os.environ.get("HF_HOME", Path.home() / ".cache" / "huggingface"))
    cache.mkdir(parents=True, exist_ok=True)
    checks = [verify.run_check(artifact.repo_id, "checksums", verify.check_checksums, api, artifact.repo_id,
                               artifact.repo_type, commit, state.files, cache)]  # fmt: skip
    if artifact.type == "model":
        checks.append(
            verify.run_check(artifact.repo_id, "load + generate", verify.check_model, artifact.repo_id, commit)
        )
    elif artifact.type == "adapter":
        base = base_model_of(manifest, artifact)
        base_state = next((s for s in states if s.artifact.repo_id == base), None)
        base_revision = base_state.commit if base_state else None
        checks.append(verify.run_check(artifact.repo_id, "PeftModel on base", verify.check_adapter, artifact.repo_id,
                                       commit, base, base_revision))  # fmt: skip
    elif artifact.type == "dataset":
        readme = state.files.get("README.md")
        configs = list(artifact.configs) or verify.dataset_configs(readme.read_bytes() if readme else None)
        checks.append(verify.run_check(artifact.repo_id, "load_dataset", verify.check_dataset, artifact.repo_id,
                                       commit, artifact.source, configs))  # fmt: skip
    elif artifact.type == "results":
        checks.append(verify.run_check(artifact.repo_id, "result documents", verify.check_results, state.files))
    elif artifact.type == "gguf":
        from hub_tools.release.gguf import check_gguf_repo

        checks.append(verify.run_check(artifact.repo_id, "GGUF + llama.cpp", check_gguf_repo, api, artifact.repo_id,
                                       commit, list(state.files)))  # fmt: skip
    state.checks = checks
    for check in checks:
        (logger.info if check.ok else logger.error)("  %s [%.1f s]", check, check.seconds)


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
