"""`gaokerena release push`: commit what changed, verify at the commits, tag; idempotent; refuses to rewrite."""

from __future__ import annotations

import yaml
from huggingface_hub import ModelCard

from hub_tools.release import cli
from hub_tools.release.manifest import load_manifest


def _commits(api, manifest):
    return {a.repo_id: [c.commit_id for c in api.list_repo_commits(a.repo_id, repo_type=a.repo_type)]
            for a in manifest.artifacts}  # fmt: skip


def _tags(api, manifest):
    out = {}
    for a in manifest.artifacts:
        refs = api.list_repo_refs(a.repo_id, repo_type=a.repo_type)
        out[a.repo_id] = {t.name: t.target_commit for t in refs.tags}
    return out


def test_plan_on_an_empty_hub_lists_every_file(release_manifest, manifest, local_hub, capsys):
    assert cli.main(["plan", str(release_manifest)]) == 0
    out = capsys.readouterr().out
    assert "8 repo(s) to commit" in out
    assert f"{manifest.artifact('model').repo_id}" in out and "+ README.md" in out and "+ model.safetensors" in out
    assert "+ checkpoints/" not in out and "+ __pycache__" not in out  # never published, and the plan says why
    assert "skip checkpoints/checkpoint-1/optimizer.pt: pickle" in out
    assert "skip __pycache__/app.cpython-311.pyc: cache" in out


def test_push_verifies_then_tags_and_a_second_push_changes_nothing(
    release_manifest, manifest, hf_api, hub_requests, capsys
):
    assert cli.main(["push", str(release_manifest)]) == 0
    out = capsys.readouterr().out
    for check in ("checksums", "structure (CohereForCausalLM", "structure on base", "parquet metadata",
                  "result documents"):  # fmt: skip
        assert check in out
    commits, tags = _commits(hf_api, manifest), _tags(hf_api, manifest)
    for artifact in manifest.artifacts:
        history = hf_api.list_repo_commits(artifact.repo_id, repo_type=artifact.repo_type)
        released = [c.commit_id for c in history if c.title == "Release v1.0"]
        assert len(released) == 1, artifact.repo_id
        if artifact.type == "results":  # one more commit on the verified one, the release record; the tag is there
            assert [c.title for c in history[:2]] == ["Release record v1.0", "Release v1.0"]
            assert tags[artifact.repo_id] == {"v1.0": history[0].commit_id}
            assert (f"release record: releases/v1.0/release.json at commit {history[0].commit_id} of "
                    f"{artifact.repo_id} (its v1.0 tag)") in out
        else:
            assert tags[artifact.repo_id] == {"v1.0": released[0]} and history[0].title == "Release v1.0"
    space = manifest.artifact("space")
    variables = {k: v.value for k, v in hf_api.get_space_variables(space.repo_id).items()}
    assert variables == {"MODEL_ID": manifest.artifact("model").repo_id, "REVISION": "v1.0"}
    # Every generated card, read back from the Hub: the exact metadata keys, and the honest base model.
    model_keys = {"base_model", "base_model_relation", "co2_eq_emissions", "datasets", "language", "library_name",
                  "license", "model-index", "pipeline_tag", "tags"}  # fmt: skip
    expected = {
        "cpt-lora": (model_keys - {"model-index"}, manifest.base_model, "adapter"),
        "cpt-merged": (model_keys - {"model-index"}, manifest.base_model, "finetune"),
        "sft-lora": (model_keys - {"model-index"}, manifest.artifact("cpt-merged").repo_id, "adapter"),
        "model": (model_keys, manifest.base_model, "finetune"),
    }
    for name, (keys, base, relation) in expected.items():
        card = ModelCard.load(manifest.artifact(name).repo_id)
        front = yaml.safe_load(card.content.split("---\n", 2)[1])
        assert set(front) == keys, name
        assert (front["base_model"], front["base_model_relation"]) == (base, relation), name
        assert front["datasets"] and all("/" in d and not d.startswith("/") for d in front["datasets"]), name
    files = set(hf_api.list_repo_files(manifest.artifact("cpt-lora").repo_id))
    assert {"README.md", "adapter_model.safetensors", "training_metadata.json"} <= files
    assert not any(f.startswith("checkpoints/") for f in files)

    hub_requests.mark()
    assert cli.main(["push", str(release_manifest)]) == 0
    out = capsys.readouterr().out
    assert "0 commit(s), 0 bytes uploaded, 0 tag(s) created" in out
    writes = hub_requests.writes()
    assert writes == []
    assert _commits(hf_api, manifest) == commits and _tags(hf_api, manifest) == tags


def test_a_released_version_is_immutable(release_manifest, manifest, hf_api, capsys):
    assert cli.main(["push", str(release_manifest)]) == 0
    before = _commits(hf_api, manifest)
    (manifest.artifact("space").source / "app.py").write_text("print('changed after the release')\n")
    assert cli.main(["push", str(release_manifest)]) == 2
    err = capsys.readouterr().err
    assert "refusing to push v1.0" in err and manifest.artifact("space").repo_id in err
    assert _commits(hf_api, manifest) == before  # refused before any write

    # A later commit on main does not touch the release: the push checks the tag and finds it intact.
    (manifest.artifact("space").source / "app.py").write_text("print('synthetic space')\n")
    space = manifest.artifact("space")
    hf_api.upload_file(path_or_fileobj=b"x", path_in_repo="extra.txt", repo_id=space.repo_id, repo_type="space")
    assert cli.main(["push", str(release_manifest)]) == 0
    assert "v1.0 verified at" in capsys.readouterr().out

    # Nor can a repo join a released version.
    raw = yaml.safe_load(release_manifest.read_text())
    extra = raw["artifacts"]["mmlu-fa"]["repo_id"] + "-extra"
    raw["artifacts"]["extra"] = {"type": "dataset", "repo_id": extra, "source": "datasets/mmlu-fa"}
    release_manifest.write_text(yaml.safe_dump(raw, sort_keys=False))
    assert cli.main(["push", str(release_manifest)]) == 2
    assert f"{extra}: not part of the recorded release v1.0" in capsys.readouterr().err
    assert not hf_api.repo_exists(extra, repo_type="dataset")


def test_failed_verification_tags_nothing_and_names_the_failure(release_manifest, manifest, hf_api, capsys):
    parquet = manifest.artifact("mmlu-fa").source / "all" / "test-00000-of-00001.parquet"
    parquet.write_bytes(b"this is not a parquet file" * 10)
    assert cli.main(["push", str(release_manifest)]) == 1
    err = capsys.readouterr().err
    assert "FAILED verification; no repo was tagged" in err
    assert f"FAIL {manifest.artifact('mmlu-fa').repo_id}: parquet metadata" in err and "no PAR1 footer" in err
    assert all(tags == {} for tags in _tags(hf_api, manifest).values())
    assert hf_api.get_space_variables(manifest.artifact("space").repo_id) == {}  # the Space still points nowhere


def test_an_adapter_on_the_wrong_base_fails_verification(release_manifest, hf_api, tiny_base_repo, capsys):
    raw = yaml.safe_load(release_manifest.read_text())
    # The stage-2 adapter declared on a model whose layers it does not fit: a 1-layer, differently sized model.
    from transformers import CohereConfig, CohereForCausalLM

    other = release_manifest.parent / "other-base"
    CohereForCausalLM(CohereConfig(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                                   num_attention_heads=2, num_key_value_heads=1)).save_pretrained(other)  # fmt: skip
    raw["artifacts"]["other-base"] = {"type": "model", "repo_id": raw["artifacts"]["model"]["repo_id"] + "-other",
                                      "source": "other-base", "stages": ["cpt-lora"]}  # fmt: skip
    raw["artifacts"]["sft-lora"]["base_model"] = raw["artifacts"]["other-base"]["repo_id"]
    release_manifest.write_text(yaml.safe_dump(raw, sort_keys=False))
    manifest = load_manifest(release_manifest)
    assert cli.main(["push", str(release_manifest)]) == 1
    err = capsys.readouterr().err
    assert f"FAIL {manifest.artifact('sft-lora').repo_id}: structure on base" in err
    assert all(tags == {} for tags in _tags(hf_api, manifest).values())


def test_dry_run_writes_nothing(release_manifest, manifest, hub_requests, capsys):
    hub_requests.mark()
    assert cli.main(["push", str(release_manifest), "--dry-run"]) == 0
    assert "dry run: nothing was written" in capsys.readouterr().out
    assert hub_requests.writes() == []
