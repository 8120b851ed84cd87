"""The publishing engine: allow-lists with reasons, sanitised metadata, hashes computed once, plans and commits
against the local Hub, and every command that writes to a Hub going through it."""

from __future__ import annotations

import ast
import hashlib
import json
import uuid
from pathlib import Path

import pytest

from hub_tools.hashing import hash_bytes, hash_file
from hub_tools.publishing import engine
from hub_tools.publishing.artifacts import ARTIFACT_TYPES, ArtifactType, artifact_type, register, skip_reason
from hub_tools.publishing.engine import PublishError, commit_repo, compare_tree, plan_repo, remote_tree, stage_folder
from hub_tools.publishing.sanitize import LOCAL, REDACTED, Sanitizer


REPO_ROOT = Path(__file__).resolve().parents[3]


def _write(folder: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return folder


def test_hashes_are_git_blob_sha1_and_sha256(tmp_path):
    assert hash_bytes(b"")[0] == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"  # `git hash-object /dev/null`
    assert hash_bytes(b"hello\n")[0] == "ce013625030ba8dba906f756967f9e9ca394464a"  # `echo hello | git hash-object`
    data = bytes(range(256)) * 1000
    (tmp_path / "f.bin").write_bytes(data)
    sha1, sha256, size, sample = hash_file(tmp_path / "f.bin")
    assert (sha1, sha256, size, sample) == (*hash_bytes(data), len(data), data[:512])
    assert hash_file(tmp_path / "f.bin", sha1_limit=10)[0] is None  # LFS-sized: sha256 only


@pytest.mark.parametrize(
    ("kind", "path", "allowed", "reason"),
    [
        ("dataset", "all/test-00000-of-00001.parquet", True, None),
        ("dataset", "build_report.json", True, None),
        ("dataset", "quarantine.jsonl", False, "quarantine file"),
        ("dataset", "all/nested/x.parquet", False, "not in the dataset allow-list"),
        ("adapter", "adapter_model.safetensors", True, None),
        ("adapter", "training_args.bin", False, "pickle"),
        ("adapter", "checkpoints/checkpoint-8/adapter_model.safetensors", False, "training checkpoint"),
        ("adapter", "emissions.csv", False, "log of a local run"),
        ("model", "model-00001-of-00004.safetensors", True, None),
        ("model", "pytorch_model.bin", False, "pickle"),
        ("model", ".cache/huggingface/download/x.lock", False, "hidden file"),
        ("results", "results/a__mmlu-fa__generate.json", True, None),
        ("results", "notes.txt", False, "not in the results allow-list"),
        ("space", "space/app.py", True, None),
        ("space", "space/__pycache__/app.cpython-311.pyc", False, "cache"),
        ("gguf", "gaokerena-v1-Q4_K_M.gguf", True, None),
        ("gguf", "template", True, None),
    ],
)
def test_allow_lists_and_skip_reasons(kind, path, allowed, reason):
    assert artifact_type(kind).allows(path) is allowed
    if reason:
        assert reason in skip_reason(artifact_type(kind), path)


def test_a_new_artifact_type_is_one_registration(tmp_path):
    kind = register(ArtifactType(name="onnx-test", repo_type="model", allow=("README.md", "**/*.onnx"),
                                 description="ONNX exports"))  # fmt: skip
    try:
        _write(tmp_path, {"README.md": "# x", "onnx/model.onnx": b"\0", "model.onnx": b"\1", "notes.txt": "x"})
        staged = stage_folder(tmp_path, kind)
        assert sorted(staged.files) == ["README.md", "model.onnx", "onnx/model.onnx"]
        assert [(s.path, s.reason) for s in staged.skipped] == [("notes.txt", "not in the onnx-test allow-list")]
    finally:
        del ARTIFACT_TYPES["onnx-test"]


def test_staging_an_adapter_folder_keeps_only_its_allow_list_and_sanitises_metadata(tmp_path):
    base = tmp_path / "work" / "tiny-base"
    data = tmp_path / "work" / "datasets" / "corpus"
    adapter = tmp_path / "work" / "train" / "cpt"
    token = "hf_" + uuid.uuid4().hex
    _write(adapter, {
        "adapter_model.safetensors": b"\0" * 64,
        "adapter_config.json": json.dumps({"base_model_name_or_path": str(base), "r": 8}),
        "training_metadata.json": json.dumps({
            "base_model": str(base), "datasets": [{"name": str(data)}],
            "recipe": {"output_dir": str(adapter), "logging_dir": str(adapter / "runs"), "hub_token": token},
            "recipe_path": str(REPO_ROOT / "training" / "recipes" / "tiny" / "cpt.yaml"),
            "resumed_from_checkpoint": str(adapter / "checkpoints" / "checkpoint-8"),
            "elsewhere": "/home/someone/private/file.txt",
        }),
        "training_args.bin": b"\x80\x04pickle",
        "checkpoints/checkpoint-8/optimizer.pt": b"state",
        "emissions.csv": "timestamp,emissions\n",
        "README.md": f"---\nbase_model: {base}\n---\n",  # PEFT's own card: the release renders another
    })  # fmt: skip
    sanitizer = Sanitizer(artifact_root=adapter, base_model="gaokerena/tiny-base", secrets=(token,),
                          known={data: "gaokerena/medical_corpus", REPO_ROOT: ""})  # fmt: skip
    staged = stage_folder(adapter, artifact_type("adapter"), sanitizer=sanitizer, secrets=[token],
                          roots=[str(tmp_path)], generated=["README.md"])  # fmt: skip
    assert sorted(staged.files) == ["adapter_config.json", "adapter_model.safetensors", "training_metadata.json"]
    reasons = {s.path: s.reason for s in staged.skipped}
    assert reasons["training_args.bin"].startswith("pickle") and reasons["emissions.csv"] == "log of a local run"
    assert reasons["checkpoints/checkpoint-8/optimizer.pt"].startswith("pickle")
    assert reasons["README.md"] == "replaced by the generated file"
    config = json.loads(staged.files["adapter_config.json"].read_bytes())
    assert config == {"base_model_name_or_path": "gaokerena/tiny-base", "r": 8}
    meta = json.loads(staged.files["training_metadata.json"].read_bytes())
    assert meta["base_model"] == "gaokerena/tiny-base"
    assert meta["datasets"] == [{"name": "gaokerena/medical_corpus"}]
    assert meta["recipe"] == {"output_dir": ".", "logging_dir": "runs", "hub_token": REDACTED}
    assert meta["recipe_path"] == "training/recipes/tiny/cpt.yaml"
    assert meta["resumed_from_checkpoint"] == "checkpoints/checkpoint-8"
    assert meta["elsewhere"] == f"{LOCAL}/file.txt"
    for file in staged.files.values():  # the hash is of what ships, not of the file on disk
        assert file.sha256 == hashlib.sha256(file.read_bytes()).hexdigest()


def test_a_text_file_holding_the_token_or_a_local_path_refuses_the_publish(tmp_path):
    token = "hf_" + uuid.uuid4().hex
    folder = _write(tmp_path / "ds", {"README.md": f"token {token}", "all/test-0.parquet": b"PAR1"})
    with pytest.raises(PublishError, match=r"README.md holds a token"):
        stage_folder(folder, artifact_type("dataset"), secrets=[token])
    (folder / "README.md").write_text(f"built in {folder}")
    with pytest.raises(PublishError, match="README.md holds the local path"):
        stage_folder(folder, artifact_type("dataset"), roots=[str(folder)])
    assert token not in str(pytest.raises(PublishError, stage_folder, folder, artifact_type("dataset"),
                                          secrets=[token], roots=[str(folder)]).value)  # fmt: skip


def test_plan_commit_and_compare_against_the_local_hub(hf_api, tmp_path):
    repo_id = f"tester/engine-{uuid.uuid4().hex[:8]}"
    kind = artifact_type("model")
    folder = _write(tmp_path / "src", {"config.json": "{}", "model.safetensors": b"\0" * 2048})
    plan = plan_repo(hf_api, repo_id=repo_id, kind=kind, staged=stage_folder(folder, kind))
    assert not plan.exists and plan.added == ["config.json", "model.safetensors"] and not plan.unchanged

    # The commit goes through huggingface_hub's public CommitOperationAdd: a file whose size changed since staging
    # is refused rather than published under a plan that no longer holds.
    hf_api.create_repo(repo_id)
    staged = stage_folder(folder, kind)
    plan = plan_repo(hf_api, repo_id=repo_id, kind=kind, staged=staged)
    (folder / "model.safetensors").write_bytes(b"\1" * 4096)
    with pytest.raises(PublishError, match="model.safetensors changed on disk since it was staged"):
        commit_repo(hf_api, plan, message="first")
    (folder / "model.safetensors").write_bytes(b"\0" * 2048)
    commit = commit_repo(hf_api, plan, message="first")
    assert commit == hf_api.repo_info(repo_id).sha
    assert compare_tree(remote_tree(hf_api, repo_id, "model", commit), staged.digests()) == []

    plan = plan_repo(hf_api, repo_id=repo_id, kind=kind, staged=stage_folder(folder, kind))
    assert plan.unchanged and plan.head == commit
    assert plan.remote["model.safetensors"].lfs_sha256 == hashlib.sha256(b"\0" * 2048).hexdigest()
    assert commit_repo(hf_api, plan, message="nothing") is None

    (folder / "config.json").write_text('{"changed": true}')
    (folder / "model.safetensors").unlink()
    (folder / "tokenizer.json").write_text("{}")
    (folder / "training_args.bin").write_bytes(b"pickle")
    staged = stage_folder(folder, kind)
    plan = plan_repo(hf_api, repo_id=repo_id, kind=kind, staged=staged)
    assert (plan.added, plan.changed, plan.deleted) == (["tokenizer.json"], ["config.json"], ["model.safetensors"])
    assert [line for line in engine.plan_lines(plan) if line.startswith("skip")] == [
        "skip training_args.bin: pickle or raw tensor dump: may execute code on load and is not part of the artifact"]
    second = commit_repo(hf_api, plan, message="second")
    assert set(hf_api.list_repo_files(repo_id)) - {".gitattributes"} == {"config.json", "tokenizer.json"}
    problems = compare_tree(remote_tree(hf_api, repo_id, "model", commit), staged.digests())
    assert "config.json: content differs" in problems[0] and "model.safetensors: not part of the release" in problems
    assert hf_api.list_repo_commits(repo_id)[0].commit_id == second


def test_a_commit_proposed_as_a_pull_request_updated_in_place_then_merged(hf_api, tmp_path):
    repo_id = f"tester/engine-pr-{uuid.uuid4().hex[:8]}"
    kind = artifact_type("model")
    hf_api.create_repo(repo_id)
    folder = _write(tmp_path / "src", {"config.json": "{}", "model.safetensors": b"\1" * 2048})
    staged = stage_folder(folder, kind)
    assert engine.find_proposal(hf_api, repo_id, "model", "Release v2") is None
    proposal = commit_repo(hf_api, plan_repo(hf_api, repo_id=repo_id, kind=kind, staged=staged),
                           message="Release v2", create_pr=True)  # fmt: skip
    assert proposal == engine.Proposal(1, hf_api.repo_info(repo_id, revision="refs/pr/1").sha)
    assert hf_api.list_repo_files(repo_id) == [".gitattributes"]  # main untouched
    assert engine.find_proposal(hf_api, repo_id, "model", "Release v2") == proposal
    assert engine.find_proposal(hf_api, repo_id, "model", "Release v3") is None

    # Planned against the pull request's head, an unchanged folder is nothing to do, a change a commit on refs/pr/1.
    on_pr = plan_repo(hf_api, repo_id=repo_id, kind=kind, staged=staged, revision=proposal.revision)
    assert on_pr.unchanged and on_pr.head == proposal.commit
    (folder / "config.json").write_text('{"reviewed": true}')
    staged = stage_folder(folder, kind)
    on_pr = plan_repo(hf_api, repo_id=repo_id, kind=kind, staged=staged, revision=proposal.revision)
    assert on_pr.changed == ["config.json"]
    update = commit_repo(hf_api, on_pr, message="Release v2")
    assert update == hf_api.repo_info(repo_id, revision="refs/pr/1").sha
    assert engine.find_proposal(hf_api, repo_id, "model", "Release v2") == engine.Proposal(1, update)

    head = engine.merge_proposal(hf_api, repo_id, "model", engine.Proposal(1, update), comment="merged")
    assert head == hf_api.repo_info(repo_id).sha
    assert compare_tree(remote_tree(hf_api, repo_id, "model", head), staged.digests()) == []
    assert engine.find_proposal(hf_api, repo_id, "model", "Release v2") is None  # merged: no longer open


# huggingface_hub calls that write files to a Hub (merging a pull request too): only the engine makes them.
WRITE_CALLS = {"create_commit", "upload_folder", "upload_file", "upload_large_folder", "CommitOperationAdd",
               "merge_pull_request"}  # fmt: skip


def test_no_second_copy_of_the_commit_logic():
    """Only the engine commits files to a Hub; every other module (publish, deploy, release, training, evaluation,
    the Space) goes through it."""
    offenders = []
    for folder in ("hub_tools", "space", "training"):
        for path in (REPO_ROOT / folder).rglob("*.py"):
            if path.parts[-2:] == ("publishing", "engine.py") or "localhub" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None
                if name in WRITE_CALLS:
                    offenders.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno} {name}")
    assert offenders == []


def test_publish_dataset_and_space_deploy_commit_through_the_engine(hf_api, tmp_path, monkeypatch):
    from hub_tools.data.builders import BuildOptions, default_sources, get_builder
    from hub_tools.publish import publish_dataset
    from space.deploy import deploy_space

    calls = []
    real = engine.commit_repo

    def recording(api, plan, **kwargs):
        calls.append((plan.repo_id, sorted(plan.files)))
        return real(api, plan, **kwargs)

    monkeypatch.setattr(engine, "commit_repo", recording)
    folder = tmp_path / "kqa"
    get_builder("kqa-fa").build(default_sources("kqa-fa"), folder, BuildOptions())
    (folder / "quarantine.jsonl").write_text('{"raw": "x"}\n')
    dataset_repo = f"tester/kqa-engine-{uuid.uuid4().hex[:6]}"
    space_repo = f"tester/space-engine-{uuid.uuid4().hex[:6]}"
    publish_dataset(hf_api, folder, dataset_repo)
    deploy_space(hf_api, space_repo, model_id="tester/m", results_repo="tester/r", hardware=None)
    assert [repo for repo, _ in calls] == [dataset_repo, space_repo]
    assert "quarantine.jsonl" not in calls[0][1] and "space/app.py" in calls[1][1]
    assert all(artifact_type("space").allows(path) for path in calls[1][1])


def test_sanitizer_rules_in_order(tmp_path):
    """Another artifact -> its repo id; a base-model key -> the declared base; the checkout -> relative; the artifact
    itself -> relative; anything else absolute -> <local>/NAME; prose, URLs and repo ids untouched."""
    artifact = tmp_path / "train" / "sft"
    sanitizer = Sanitizer(artifact_root=artifact, base_model="gaokerena/gaokerena-v1-cpt",
                          known={tmp_path / "merged" / "cpt": "gaokerena/gaokerena-v1-cpt", REPO_ROOT: ""})  # fmt: skip
    in_checkout = str(REPO_ROOT / "rehearsal" / "artifacts" / "tiny")  # `make demo`'s workdir is inside the checkout
    assert sanitizer.rewrite(str(tmp_path / "merged" / "cpt"), key="base_model") == "gaokerena/gaokerena-v1-cpt"
    assert sanitizer.rewrite(str(tmp_path / "merged" / "cpt" / "config.json")) == "gaokerena/gaokerena-v1-cpt/config.json"
    assert sanitizer.rewrite(in_checkout, key="base_model_name_or_path") == "gaokerena/gaokerena-v1-cpt"
    assert sanitizer.rewrite(in_checkout, key="logging_dir") == "rehearsal/artifacts/tiny"
    assert sanitizer.rewrite(str(artifact / "runs" / "x"), key="logging_dir") == "runs/x"
    assert sanitizer.rewrite("/opt/cache/hf/models--x", key="cache_dir") == f"{LOCAL}/models--x"
    assert sanitizer.rewrite("~/data/file.csv") == f"{LOCAL}/file.csv"
    assert sanitizer.rewrite("C:\\Users\\someone\\file.txt") == f"{LOCAL}/file.txt"
    for untouched in ("gaokerena/MF3QA", "https://huggingface.co/gaokerena/MF3QA", "see /docs for details", "cpu"):
        assert sanitizer.rewrite(untouched) == untouched


def test_the_release_manifest_accepts_every_registered_type(tmp_path):
    from hub_tools.release.manifest import parse_manifest

    raw = {"namespace": "gaokerena", "version": "v1.0", "base_model": "CohereForAI/aya-expanse-8b",
           "artifacts": {"gguf": {"type": "gguf", "repo_id": "gaokerena/gaokerena-v1-GGUF", "source": "gguf",
                                   "base_model": "gaokerena/gaokerena-v1"}}}  # fmt: skip
    manifest = parse_manifest(raw, base_dir=tmp_path)
    assert manifest.artifact("gguf").repo_type == "model"
