"""The release record and `gaokerena release verify`; and what a release lets out: nothing private, nothing local."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import yaml
from huggingface_hub import HfApi, snapshot_download

from hub_tools.publishing.artifacts import artifact_type
from hub_tools.release import cli
from hub_tools.release.manifest import load_manifest
from hub_tools.release.record import load_record, record_path


PHONE, EMAIL = "09123456789", "maryam.rezaei1360@example.com"


def _record(hf_api, manifest, tmp_path) -> Path:
    results = manifest.artifact("results")
    return Path(hf_api.hf_hub_download(results.repo_id, record_path(manifest.version), repo_type="dataset",
                                       cache_dir=tmp_path / "record"))  # fmt: skip


def test_verify_passes_on_an_intact_release_and_names_the_repo_whose_tag_moved(
    release_manifest, manifest, hf_api, hub_requests, tmp_path, capsys
):
    assert cli.main(["push", str(release_manifest)]) == 0
    capsys.readouterr()
    record_file = _record(hf_api, manifest, tmp_path)
    record = load_record(record_file)
    assert [r.repo_id for r in record.repos] == [a.repo_id for a in manifest.artifacts]
    model = next(r for r in record.repos if r.repo_id == manifest.artifact("model").repo_id)
    weights = (manifest.artifact("model").source / "model.safetensors").read_bytes()
    assert model.files["model.safetensors"].size == len(weights) and len(model.files["model.safetensors"].sha256) == 64
    tags = {t.name: t.target_commit for t in hf_api.list_repo_refs(model.repo_id).tags}
    assert model.commit == tags["v1.0"]

    hub_requests.mark()
    for target in (str(record_file), str(release_manifest)):
        assert cli.main(["verify", target]) == 0
        assert "match the record (tags and hashes)" in capsys.readouterr().out
    # metadata only: refs and trees (and the record itself, for a manifest); no file at a tag is downloaded
    resolves = [e["path"] for e in hub_requests.entries if "/resolve/" in e["path"]]
    assert all(record_path("v1.0") in path for path in resolves), resolves

    # Someone deletes the model's tag and re-creates it on a commit whose card says something else.
    readme = Path(hf_api.hf_hub_download(model.repo_id, "README.md", revision="v1.0", cache_dir=tmp_path / "c"))
    hf_api.delete_tag(model.repo_id, tag="v1.0")
    changed = hf_api.upload_file(path_or_fileobj=readme.read_bytes() + b"\nEdited after the release.\n",
                                 path_in_repo="README.md", repo_id=model.repo_id)  # fmt: skip
    hf_api.create_tag(model.repo_id, tag="v1.0", revision=changed.oid)
    assert cli.main(["verify", str(record_file)]) == 1
    err = capsys.readouterr().err
    assert f"FAIL {model.repo_id}: tag v1.0 points to {changed.oid[:12]}, the record says {model.commit[:12]}" in err
    assert f"1 of {len(record.repos)} repo(s) differ from the record: {model.repo_id}" in err

    # The same check, when the release is pushed again: the push does not assume, it refuses and names the repo.
    assert cli.main(["push", str(release_manifest)]) == 1
    err = capsys.readouterr().err
    assert "no longer matches its release record" in err and f"FAIL {model.repo_id}: tag v1.0" in err

    # A file changed behind the recorded commit is named too (a record edited to expect other content).
    data = json.loads(record_file.read_text())
    dataset = next(r for r in data["repos"] if r["artifact_type"] == "dataset")
    dataset["files"]["README.md"]["sha256"] = "0" * 64
    dataset["files"]["README.md"].pop("git_blob_id", None)
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data))
    assert cli.main(["verify", str(edited)]) == 1
    assert f"FAIL {dataset['repo_id']}: README.md: content differs" in capsys.readouterr().err


def _kqa_with_refused_rows(folder: Path, tmp_path: Path) -> Path:
    """A K-QA-fa build (--on-error skip) whose refused rows hold a phone number and an e-mail, unredacted in
    quarantine.jsonl."""
    from hub_tools.data.builders import BuildOptions, default_sources, get_builder

    source = tmp_path / "kqa-src"
    source.mkdir()
    sample = next(default_sources("kqa-fa")[0].glob("*.jsonl")).read_text(encoding="utf-8")
    refused = [
        {"Question": f"درد قفسه سینه دارم، با {PHONE} تماس بگیرید", "Free_form_answer": "",
         "Must_have": ["x"], "Nice_to_have": []},
        {"Question": f"نتیجه آزمایش را به {EMAIL} بفرستید", "Free_form_answer": "پاسخ",
         "Must_have": [], "Nice_to_have": []},
    ]  # fmt: skip
    lines = sample.rstrip("\n") + "\n" + "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in refused)
    (source / "questions_w_answers_fa.jsonl").write_text(lines, encoding="utf-8")
    get_builder("kqa-fa").build([source], folder, BuildOptions(on_error="skip"))
    quarantine = (folder / "quarantine.jsonl").read_text(encoding="utf-8")
    assert PHONE in quarantine and EMAIL in quarantine  # the build keeps them, locally, for the maintainer
    return folder


def test_a_release_publishes_nothing_private_or_local(release_manifest, local_hub, tmp_path):
    root = release_manifest.parent
    _kqa_with_refused_rows(root / "datasets" / "kqa-fa", tmp_path)
    raw = yaml.safe_load(release_manifest.read_text())
    suffix = raw["artifacts"]["model"]["repo_id"].removeprefix("gaokerena/gaokerena-v1")
    raw["artifacts"]["kqa-fa"] = {"type": "dataset", "repo_id": f"gaokerena/K-QA-fa{suffix}", "source": "datasets/kqa-fa"}
    release_manifest.write_text(yaml.safe_dump(raw, sort_keys=False))
    local_paths = {str(root), str(tmp_path)}
    for stage in ("cpt", "sft"):  # what a TRL run leaves beside the adapter
        (root / "train" / stage / "training_args.bin").write_bytes(b"\x80\x04\x95pickle")
        (root / "train" / stage / "emissions.csv").write_text(f"project,{root}\n")
        base_path = json.loads((root / "train" / stage / "adapter_config.json").read_text())["base_model_name_or_path"]
        assert base_path.startswith("/")  # PEFT recorded the local base model's path
        local_paths.add(base_path)
    manifest = load_manifest(release_manifest)
    assert cli.main(["push", str(release_manifest)]) == 0

    token = os.environ["HF_TOKEN"]
    anonymous = HfApi(endpoint=local_hub.url, token=False)
    published = 0
    for artifact in manifest.artifacts:
        folder = Path(snapshot_download(artifact.repo_id, repo_type=artifact.repo_type, revision="v1.0",
                                        cache_dir=tmp_path / "anonymous", endpoint=anonymous.endpoint,
                                        token=False))  # fmt: skip
        kind = artifact_type(artifact.type)
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            rel = path.relative_to(folder).as_posix()
            data = path.read_bytes()
            published += 1
            assert rel == ".gitattributes" or kind.allows(rel), (artifact.repo_id, rel)
            assert "quarantine" not in rel and not re.search(r"\.(bin|pt|pth|pkl|pickle)$", rel), rel
            for secret in (PHONE, EMAIL, token, *local_paths):
                assert secret.encode() not in data, (artifact.repo_id, rel, secret)
    assert published > 40



def _rewrite_record(hf_api, manifest, original: dict, edit, *, move_tag: bool) -> str:
    """Commit an edited copy of the original record on the results repo's main (and move its version tag there)."""
    results = manifest.artifact("results")
    data = json.loads(json.dumps(original))
    edit(data)
    info = hf_api.upload_file(path_or_fileobj=json.dumps(data, indent=2).encode(), repo_type="dataset",
                              path_in_repo=record_path(manifest.version), repo_id=results.repo_id)  # fmt: skip
    if move_tag:
        hf_api.delete_tag(results.repo_id, tag=manifest.version, repo_type="dataset")
        hf_api.create_tag(results.repo_id, tag=manifest.version, revision=info.oid, repo_type="dataset")
    return info.oid


def test_each_rewrite_of_the_record_is_caught(release_manifest, manifest, hf_api, tmp_path, capsys):
    assert cli.main(["push", str(release_manifest)]) == 0
    recorded = re.search(r"release record: \S+ at commit ([0-9a-f]{40})", capsys.readouterr().out).group(1)
    results = manifest.artifact("results")
    tags = {t.name: t.target_commit for t in hf_api.list_repo_refs(results.repo_id, repo_type="dataset").tags}
    assert tags["v1.0"] == recorded
    assert cli.main(["verify", str(release_manifest), "--expect", recorded[:12]]) == 0
    assert f"release record: {results.repo_id}@{recorded} (at the version tag)" in capsys.readouterr().out
    original = json.loads(_record(hf_api, manifest, tmp_path).read_text())
    assert original["tool_version"] and set(original["recipes"]) == {a.repo_id for a in manifest.of_type("adapter")}
    model = manifest.artifact("model").repo_id

    # 1. The record edited on main only (the tag still points to the real one): verify reads the tagged record and
    #    names the edit.
    _rewrite_record(hf_api, manifest, original, lambda d: d["repos"][0]["files"].clear(), move_tag=False)
    assert cli.main(["verify", str(release_manifest)]) == 1
    err = capsys.readouterr().err
    assert "the release record on main" in err and "it was edited after the release" in err
    assert "0 of 8 repo(s) differ" in err  # every repo still matches the tagged record

    # 2. A repo dropped from the record, and the tag moved to it: the manifest still lists the repo, and the
    #    commit push printed is not the record's any more.
    dropped = _rewrite_record(hf_api, manifest, original,
                              lambda d: d.update(repos=[r for r in d["repos"] if r["repo_id"] != model]),
                              move_tag=True)  # fmt: skip
    assert cli.main(["verify", str(release_manifest)]) == 1
    assert f"FAIL record: {model}: in the manifest, missing from the record" in capsys.readouterr().err
    assert cli.main(["verify", str(release_manifest), "--expect", recorded]) == 1
    assert f"the record is at {dropped[:12]}, --expect says {recorded}" in capsys.readouterr().err

    # 3. A repo's tag renamed in the record (and the repo tagged so, to match).
    hf_api.create_tag(model, tag="v1.0-rc", revision=tags_of(hf_api, model)["v1.0"])
    _rewrite_record(hf_api, manifest, original, lambda d: d.update(
        repos=[dict(r, tag="v1.0-rc") if r["repo_id"] == model else r for r in d["repos"]]), move_tag=True)
    assert cli.main(["verify", str(release_manifest)]) == 1
    err = capsys.readouterr().err
    assert f"FAIL record: {model}: recorded tag 'v1.0-rc', the manifest's version is 'v1.0'" in err
    assert "missing from the record" not in err


def tags_of(api, repo_id: str) -> dict[str, str]:
    return {t.name: t.target_commit for t in api.list_repo_refs(repo_id).tags}
