"""End to end: `gaokerena rehearse --no-serve` builds, trains, evaluates, releases and deploys on a local Hub."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from hub_tools.release.rehearse import TINY_REPO


REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.slow
@pytest.mark.timeout(900)  # training, the GGUF ladder (imatrix, measurement) and verification, on 2 cores
def test_rehearsal_releases_everything_without_leaking_the_token(tmp_path):
    workdir = tmp_path / "rehearsal"
    token = "hf_rehearsal_" + secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if k not in ("HF_ENDPOINT", "HF_TOKEN", "HF_HOME")}
    token_file = tmp_path / "token"  # outside the workdir, whose every file is searched for the token below
    token_file.write_text(token)
    proc = subprocess.run([sys.executable, "-m", "hub_tools.cli", "rehearse", "--no-serve", "--workdir", str(workdir),
                           "--token-file", str(token_file)],
                          capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=700)  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "rehearsal complete" in proc.stdout

    # Learning you can see: stage 1 lowers the held-out corpus loss >= 5%; the SFT model answers multiple choice in a
    # form the extractor parses; the figures are printed.
    import json

    cpt = json.loads((workdir / "artifacts" / "gaokerena-v1" / "cpt" / "training_metadata.json").read_text())
    assert cpt["eval_loss_reduction"] >= 0.05, cpt["eval_loss_before"]
    assert "cpt: held-out corpus loss before → after training:" in proc.stdout
    generated = list((workdir / "artifacts" / "results" / "results").glob("gaokerena--gaokerena-v1__*__generate.json"))
    assert len(generated) == 2 and "answers unparsable (invalid)" in proc.stdout
    for path in generated:
        metrics = json.loads(path.read_text())["metrics"]
        assert metrics["invalid"] < 0.5 * metrics["n"], path.name

    # Every file the rehearsal left behind (logs, caches, the Hub's storage) and its output are free of the token.
    assert token not in proc.stdout + proc.stderr
    files = [p for p in workdir.rglob("*") if p.is_file() and not p.is_symlink()]
    assert [str(p) for p in files if token.encode() in p.read_bytes()] == []

    # Reopen the rehearsal's Hub storage and check the release: every repo tagged v1.0 at its head.
    from huggingface_hub import HfApi, ModelCard

    from hub_tools.localhub import LocalHub

    manifest = yaml.safe_load((workdir / "release.yaml").read_text())
    reader = "hf_reader_" + secrets.token_hex(8)
    with LocalHub(workdir / "hub", tokens={reader: {"user": "reader", "orgs": []}}) as hub:
        api = HfApi(endpoint=hub.url, token=reader)
        repo_type = {"dataset": "dataset", "results": "dataset", "space": "space", "model": "model",
                     "adapter": "model", "gguf": "model"}
        # The release record, on the results repo's main branch, names every repo's tagged commit and file hashes.
        from hub_tools.publishing.artifacts import artifact_type
        from hub_tools.release.record import load_record, record_path, verify_record

        results_repo = manifest["artifacts"]["results"]["repo_id"]
        record = load_record(api.hf_hub_download(results_repo, record_path("v1.0"), repo_type="dataset",
                                                 cache_dir=tmp_path / "cache"))  # fmt: skip
        assert {r.repo_id for r in record.repos} == {spec["repo_id"] for spec in manifest["artifacts"].values()}
        anonymous = HfApi(endpoint=hub.url, token=False)
        assert [str(v) for v in verify_record(record, api_for=lambda _: anonymous) if not v.ok] == []
        for spec in manifest["artifacts"].values():
            kind = repo_type[spec["type"]]
            tags = {t.name: t.target_commit for t in api.list_repo_refs(spec["repo_id"], repo_type=kind).tags}
            recorded = next(r.commit for r in record.repos if r.repo_id == spec["repo_id"])
            if spec["repo_id"] == record.holder:  # tagged at the record's own commit, on top of the recorded one
                recorded = api.repo_info(results_repo, repo_type="dataset", revision="v1.0").sha
            assert tags == {"v1.0": recorded}
            # Every published file, downloaded anonymously at the tag: in its type's allow-list, and free of the
            # workdir's path (the maintainer's machine) and of the token.
            folder = Path(anonymous.snapshot_download(spec["repo_id"], repo_type=kind, revision="v1.0",
                                                      cache_dir=tmp_path / "anonymous"))  # fmt: skip
            for path in (p for p in folder.rglob("*") if p.is_file()):
                rel, data = path.relative_to(folder).as_posix(), path.read_bytes()
                assert rel == ".gitattributes" or artifact_type(spec["type"]).allows(rel), (spec["repo_id"], rel)
                assert str(workdir).encode() not in data and token.encode() not in data, (spec["repo_id"], rel)
        # HfApi's own download: ModelCard.load(repo_id) would go to the session's Hub (HF_ENDPOINT), not this one.
        card = ModelCard.load(api.hf_hub_download(manifest["artifacts"]["model"]["repo_id"], "README.md",
                                                  revision="v1.0", cache_dir=tmp_path / "cache"))  # fmt: skip
        assert card.data.base_model == TINY_REPO and card.data.base_model_relation == "finetune"
        assert "Learning: held-out corpus loss before → after training: " in card.text
        assert card.data.eval_results, "the merged model's card has no model-index from the rehearsal's evaluation"
        benchmarks = {result.dataset_type for result in card.data.eval_results}
        assert {"gaokerena/MMLU-fa", "gaokerena/IBMSEE", "gaokerena/K-QA-fa"} <= benchmarks
        # The same scores as the Hub's .eval_results files, read back through the real client.
        info = api.model_info(manifest["artifacts"]["model"]["repo_id"], revision="v1.0")
        assert {e.dataset_id for e in info.eval_results} == benchmarks
        assert {e.dataset_revision for e in info.eval_results} == {"v1.0"}
        results = [f for f in api.list_repo_files(manifest["artifacts"]["results"]["repo_id"], repo_type="dataset")
                   if f.startswith("results/")]  # fmt: skip
        assert len(results) >= 4
        # The GGUF repo: the manifest's ladder of llama.cpp quants of the merged model with the imatrix and its
        # provenance, the measured quality, Ollama's files, a card naming the model it quantizes.
        gguf_repo = manifest["artifacts"]["gguf"]["repo_id"]
        ladder = [f"gaokerena-v1-{q.upper()}.gguf" for q in manifest["artifacts"]["gguf"]["quants"]]
        assert sorted(api.list_repo_files(gguf_repo, revision="v1.0")) == sorted([
            ".gitattributes", "README.md", *ladder, "gaokerena-v1.imatrix", "imatrix.json", "quality.json", "params",
            "system", "template"])  # fmt: skip
        card = ModelCard.load(api.hf_hub_download(gguf_repo, "README.md", revision="v1.0", cache_dir=tmp_path / "c2"))
        assert card.data.base_model == manifest["artifacts"]["model"]["repo_id"]
        assert card.data.base_model_relation == "quantized"
        assert "KLD without imatrix" in card.text and "### Which file" in card.text
        assert all(f"| [`{name}`]" in card.text for name in ladder)
        # The release's Collection: every repo, in the manifest's order, the Space included.
        (collection,) = [c for c in api.list_collections(owner="gaokerena") if c.title == "Gaokerena v1.0"]
        items = api.get_collection(collection.slug).items
        assert [i.item_id for i in items] == [spec["repo_id"] for spec in manifest["artifacts"].values()]


def test_token_file_gives_the_token_and_refuses_an_empty_file(tmp_path):
    from hub_tools.release.rehearse import read_token_file

    good, empty = tmp_path / "token", tmp_path / "empty"
    good.write_text("hf_rehearsal_abc\n")
    empty.write_text("\n")
    assert read_token_file(good) == "hf_rehearsal_abc"
    with pytest.raises(SystemExit, match="must hold one token"):
        read_token_file(empty)
    with pytest.raises(SystemExit, match="cannot read --token-file"):
        read_token_file(tmp_path / "missing")
