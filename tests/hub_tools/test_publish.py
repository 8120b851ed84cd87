"""`gaokerena publish dataset`: build from samples (and the real files), push to the local Hub, load back."""

from __future__ import annotations

import datasets
import pytest
from huggingface_hub import DatasetCard

from hub_tools.data.builders import BuildOptions, default_sources, get_builder
from hub_tools.publish import PublishError, PublishPlan, publish_dataset
from hub_tools.publish import main as publish_main


def _build(name, out, sources=None):
    return get_builder(name).build(sources or default_sources(name), out, BuildOptions())


def _expected(folder, config):
    return datasets.load_dataset(str(folder), config, split="test").to_list()


def _assert_round_trip(hf_api, folder, repo_id, report, revision=None):
    for config in report.outputs:
        remote = datasets.load_dataset(
            repo_id, config, split="test", revision=revision, download_mode="force_redownload"
        )
        assert remote.to_list() == _expected(folder, config), config
    remote_card = DatasetCard.load(repo_id, repo_type="dataset") if revision is None else None
    if remote_card is not None:
        assert remote_card.data.to_dict() == DatasetCard.load(folder / "README.md").data.to_dict()


@pytest.mark.parametrize(("name", "repo"), [("mmlu-fa", "MMLU-fa"), ("ibmsee", "IBMSEE"), ("kqa-fa", "K-QA-fa")])
def test_publish_samples_round_trip(hf_api, tmp_path, name, repo):
    folder = tmp_path / name
    report = _build(name, folder)
    repo_id = f"gaokerena/{repo}-sample-{tmp_path.name[-6:]}"
    info = publish_dataset(hf_api, folder, repo_id)
    assert info.oid
    files = set(hf_api.list_repo_files(repo_id, repo_type="dataset"))
    assert "README.md" in files and "build_report.json" in files and "quarantine.jsonl" not in files
    assert {f for f in files if f.endswith(".parquet")} == {
        f"{c}/{s}-00000-of-00001.parquet" for c, splits in report.outputs.items() for s in splits
    }
    _assert_round_trip(hf_api, folder, repo_id, report)


def test_republish_removes_stale_files_in_one_commit(hf_api, tmp_path):
    folder = tmp_path / "mmlu"
    _build("mmlu-fa", folder)
    repo_id = f"tester/mmlu-stale-{tmp_path.name[-6:]}"
    publish_dataset(hf_api, folder, repo_id, private=True)
    commits_before = len(hf_api.list_repo_commits(repo_id, repo_type="dataset"))
    (folder / "quarantine.jsonl").write_text('{"raw": "secret row"}\n', encoding="utf-8")
    report = _build("mmlu-fa", folder, sources=[default_sources("mmlu-fa")[0] / "mmlu-anatomy_fa.xlsx"])
    (folder / "quarantine.jsonl").write_text('{"raw": "secret row"}\n', encoding="utf-8")
    plan = publish_dataset(hf_api, folder, repo_id, dry_run=True)
    assert isinstance(plan, PublishPlan) and plan.repo_exists
    assert "college_biology/test-00000-of-00001.parquet" in plan.delete and "quarantine.jsonl" in plan.skipped
    publish_dataset(hf_api, folder, repo_id)
    assert len(hf_api.list_repo_commits(repo_id, repo_type="dataset")) == commits_before + 1
    files = set(hf_api.list_repo_files(repo_id, repo_type="dataset"))
    assert {f for f in files if f.endswith(".parquet")} == {
        "all/test-00000-of-00001.parquet",
        "anatomy/test-00000-of-00001.parquet",
    }
    assert "quarantine.jsonl" not in files
    _assert_round_trip(hf_api, folder, repo_id, report)


def test_publish_cli_with_revision_and_dry_run(hf_api, local_hub, tmp_path, capsys):
    folder = tmp_path / "kqa"
    report = _build("kqa-fa", folder)
    repo_id = f"tester/kqa-rev-{tmp_path.name[-6:]}"
    assert publish_main(["dataset", str(folder), "--repo", repo_id, "--dry-run", "--endpoint", local_hub.url]) == 0
    out = capsys.readouterr().out
    assert "would be created" in out and "upload  default/test-00000-of-00001.parquet" in out
    assert "hf_" not in out  # the token is never printed
    assert publish_main(["dataset", str(folder), "--repo", repo_id, "--endpoint", local_hub.url]) == 0
    assert (
        publish_main(["dataset", str(folder), "--repo", repo_id, "--revision", "v1.0", "--endpoint", local_hub.url])
        == 0
    )
    out = capsys.readouterr().out
    assert "hf_" not in out
    refs = hf_api.list_repo_refs(repo_id, repo_type="dataset")
    assert "v1.0" in {b.name for b in refs.branches}
    _assert_round_trip(hf_api, folder, repo_id, report, revision="v1.0")


def test_publish_refuses_a_folder_that_is_not_a_build(hf_api, tmp_path):
    with pytest.raises(PublishError, match="README.md"):
        publish_dataset(hf_api, tmp_path, "tester/nothing")


@pytest.mark.parametrize(
    ("name", "folder_name", "configs"),
    [
        ("mmlu-fa", "MMLU_fa", {"all": 1089, "anatomy": 135, "college_medicine": 173}),
        ("ibmsee", "IBMSEE", {"medicine-1402-06": 168}),
        ("kqa-fa", "KQA_fa", {"default": 201}),
    ],
)
def test_publish_real_round_trip(hf_api, shared_data, tmp_path, name, folder_name, configs):
    folder = tmp_path / name
    report = _build(name, folder, sources=[shared_data / folder_name])
    repo_id = f"tester/{name}-real-{tmp_path.name[-6:]}"
    publish_dataset(hf_api, folder, repo_id)
    for config, n in configs.items():
        remote = datasets.load_dataset(repo_id, config, split="test")
        assert len(remote) == n
        assert remote.to_list() == _expected(folder, config)
    assert (
        DatasetCard.load(repo_id, repo_type="dataset").data.to_dict()
        == DatasetCard.load(folder / "README.md").data.to_dict()
    )
    assert report.outputs[next(iter(configs))]["test"] == next(iter(configs.values()))
