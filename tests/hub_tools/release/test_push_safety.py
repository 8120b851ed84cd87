"""Safe on repos that already exist: a push deletes only what this tool published; sample builds stay local."""

from __future__ import annotations

import json

import pytest
import yaml
from huggingface_hub import HfApi

from hub_tools.release import cli
from hub_tools.release.push import ReleaseError, is_local_endpoint, push_release
from hub_tools.release.record import load_record, record_path


def _prepopulate(api: HfApi, repo_id: str, repo_type: str, files: dict[str, bytes]) -> None:
    """Files somebody else put in the repo before this tool ever touched it."""
    api.create_repo(repo_id, repo_type=repo_type, exist_ok=True)
    for path, data in files.items():
        api.upload_file(path_or_fileobj=data, path_in_repo=path, repo_id=repo_id, repo_type=repo_type)


def _record(api: HfApi, manifest, tmp_path):
    results = manifest.artifact("results")
    return load_record(api.hf_hub_download(results.repo_id, record_path(manifest.version), repo_type="dataset",
                                           cache_dir=tmp_path / "record"))  # fmt: skip


def test_push_keeps_files_it_never_published_and_prunes_only_the_listed_ones(
    release_manifest, manifest, hf_api, tmp_path, capsys
):
    model, dataset = manifest.artifact("model"), manifest.artifact("mmlu-fa")
    _prepopulate(hf_api, model.repo_id, "model", {"notes/paper.pdf": b"%PDF the authors' paper",
                                                  "draft-card.md": b"an old draft"})  # fmt: skip
    _prepopulate(hf_api, dataset.repo_id, "dataset", {"extra/questions.csv": b"q,a\n"})

    assert cli.main(["plan", str(release_manifest)]) == 0
    out = capsys.readouterr().out
    for repo_id, path in ((model.repo_id, "notes/paper.pdf"), (model.repo_id, "draft-card.md"),
                          (dataset.repo_id, "extra/questions.csv")):  # fmt: skip
        assert f"keep {path} (not published by gaokerena; --prune {repo_id}:{path} deletes it)" in out
    assert "3 remote file(s) kept (this tool never published them); the prune list: " in out
    assert "- notes/paper.pdf" not in out and "- extra/questions.csv" not in out

    # A prune that names a file the plan does not keep is refused before any write.
    assert cli.main(["push", str(release_manifest), "--prune", f"{model.repo_id}:config.json"]) == 2
    assert "--prune names files that are not kept remote files" in capsys.readouterr().err

    assert cli.main(["push", str(release_manifest), "--prune", f"{model.repo_id}:draft-card.md"]) == 0
    capsys.readouterr()
    assert {"notes/paper.pdf", "config.json"} <= set(hf_api.list_repo_files(model.repo_id, revision="v1.0"))
    assert "draft-card.md" not in hf_api.list_repo_files(model.repo_id, revision="v1.0")
    assert "extra/questions.csv" in hf_api.list_repo_files(dataset.repo_id, repo_type="dataset", revision="v1.0")
    record = _record(hf_api, manifest, tmp_path)
    assert record.repo(model.repo_id).kept == ("notes/paper.pdf",)
    assert record.repo(dataset.repo_id).kept == ("extra/questions.csv",)
    assert cli.main(["verify", str(release_manifest)]) == 0  # the kept files are not part of the release


def test_a_later_version_deletes_what_an_earlier_record_published(release_manifest, manifest, hf_api, tmp_path,
                                                                  capsys):  # fmt: skip
    dataset = manifest.artifact("mmlu-fa")
    _prepopulate(hf_api, dataset.repo_id, "dataset", {"authors-notes.txt": b"kept across versions"})
    assert cli.main(["push", str(release_manifest)]) == 0
    assert "build_report.json" in hf_api.list_repo_files(dataset.repo_id, repo_type="dataset")
    (dataset.source / "build_report.json").unlink()
    raw = yaml.safe_load(release_manifest.read_text())
    raw["version"] = "v1.1"
    raw["artifacts"]["space"]["variables"]["REVISION"] = "v1.1"
    release_manifest.write_text(yaml.safe_dump(raw, sort_keys=False))
    assert cli.main(["push", str(release_manifest)]) == 0
    files = hf_api.list_repo_files(dataset.repo_id, repo_type="dataset", revision="v1.1")
    assert "build_report.json" not in files and "authors-notes.txt" in files
    # Both records stay on the results repo; the older one is still what its tag says.
    assert cli.main(["verify", str(release_manifest)]) == 0


def test_a_sample_build_is_refused_for_any_hub_but_a_local_one(manifest):
    assert is_local_endpoint("http://127.0.0.1:8080") and is_local_endpoint("http://localhost:9")
    assert not is_local_endpoint("https://huggingface.co")
    remote = HfApi(endpoint="https://hub.example.org", token="hf_not_used_" + "z" * 20)
    with pytest.raises(ReleaseError, match="refusing to publish to https://hub.example.org: built from the bundled "
                                           "samples or with no recorded provenance"):  # fmt: skip
        push_release(remote, manifest, dry_run=True)  # refused before the first request


def test_a_build_from_source_files_is_not_a_sample_build(manifest):
    from hub_tools.data.provenance import SOURCE_FILES, is_sample_build

    folders = [a.source for a in manifest.of_type("dataset")]
    assert all(is_sample_build(folder) for folder in folders)
    for folder in folders:
        report = {"stats": {"provenance": {"kind": SOURCE_FILES, "files": [{"path": "x.xlsx", "size": 1,
                                                                              "sha256": "0" * 64}]}}}  # fmt: skip
        (folder / "build_report.json").write_text(json.dumps(report))
    assert not any(is_sample_build(folder) for folder in folders)
