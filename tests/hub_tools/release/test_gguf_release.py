"""The GGUF repo in a release: manifest type, allow-listed staging, push by LFS + verify + tag, the Collection."""

from __future__ import annotations

import uuid

import pytest
import yaml

from hub_tools.release.manifest import ManifestError, load_manifest, parse_manifest


def _write_manifest(path, artifacts: dict, *, title: str, version: str = "v1.0"):
    raw = {"namespace": "gaokerena", "version": version, "title": title, "base_model": "CohereForAI/aya-expanse-8b",
           "root": ".", "artifacts": artifacts}  # fmt: skip
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def export_folder(tiny_model_dir, tmp_path_factory):
    """What `gaokerena export gguf --out` leaves, plus litter that must not be published."""
    from hub_tools.export.gguf import write_f16

    folder = tmp_path_factory.mktemp("gguf-export")
    write_f16(tiny_model_dir, folder / "tiny-aya-F16.gguf", name="tiny-aya", progress=False)
    (folder / "notes.txt").write_text("/home/maintainer/secret path")
    (folder / "tiny-aya-Q8_0.gguf.partial").write_bytes(b"half")
    (folder / "old").mkdir()
    (folder / "old" / "stale.gguf").write_bytes(b"stale")
    return folder


def test_gguf_artifacts_need_their_model(tmp_path):
    spec = {"type": "gguf", "repo_id": "gaokerena/m-GGUF", "source": "gguf"}
    raw = {"namespace": "gaokerena", "version": "v1.0", "base_model": "CohereForAI/aya-expanse-8b",
           "artifacts": {"gguf": spec}}  # fmt: skip
    with pytest.raises(ManifestError, match="artifacts.gguf: a gguf artifact needs base_model"):
        parse_manifest(raw, base_dir=tmp_path)
    spec["base_model"] = "gaokerena/m"
    (artifact,) = parse_manifest(raw, base_dir=tmp_path).artifacts
    assert artifact.type == "gguf" and artifact.repo_type == "model" and artifact.base_model == "gaokerena/m"


def test_the_real_manifest_has_a_gguf_repo_of_the_merged_model():
    from pathlib import Path

    manifest = load_manifest(Path(__file__).resolve().parents[3] / "release" / "gaokerena-v1.yaml")
    (gguf,) = manifest.of_type("gguf")
    assert gguf.repo_id == "gaokerena/gaokerena-v1-GGUF" and gguf.base_model == manifest.artifact("model").repo_id


def test_staging_publishes_only_the_allow_list(export_folder, tmp_path):
    from hub_tools.release.gguf import build_gguf_repo
    from hub_tools.release.push import stage_release

    path = _write_manifest(tmp_path / "m.yaml", {"gguf": {"type": "gguf", "repo_id": "gaokerena/t-GGUF",
                           "source": str(export_folder), "base_model": "gaokerena/t"}}, title="T")  # fmt: skip
    (state,) = stage_release(load_manifest(path), hub_url="https://huggingface.co")
    assert sorted(state.files) == ["README.md", "params", "system", "template", "tiny-aya-F16.gguf"]
    assert b"base_model_relation: quantized" in state.files["README.md"].read_bytes()
    written = build_gguf_repo(export_folder, tmp_path / "repo", repo_id="gaokerena/t-GGUF", version="v1.0",
                              base_model="gaokerena/t")  # fmt: skip
    assert written == sorted(state.files)
    assert (tmp_path / "repo" / "system").read_text() == state.files["system"].read_bytes().decode()


def test_push_publishes_gguf_by_lfs_verifies_tags_and_collects(export_folder, hf_api, tmp_path):
    from hub_tools.release.push import push_release

    suffix = uuid.uuid4().hex[:6]
    repo_id = f"gaokerena/tiny-aya-GGUF-{suffix}"
    title = f"GGUF test {suffix}"
    path = _write_manifest(tmp_path / "m.yaml", {"gguf": {"type": "gguf", "repo_id": repo_id,
                           "source": str(export_folder), "base_model": "gaokerena/tiny-aya"}}, title=title)  # fmt: skip
    manifest = load_manifest(path)
    report = push_release(hf_api, manifest)
    assert report.ok, report.failures
    (state,) = report.repos
    assert [c.check for c in state.checks] == ["checksums", "GGUF metadata"]  # structural by default
    assert "GGUF files by LFS, command-r metadata ok (headers read by range requests)" in state.checks[1].detail
    assert "llama.cpp" not in state.checks[1].detail  # nothing downloaded whole without --full-load
    files = sorted(hf_api.list_repo_files(repo_id, revision="v1.0"))
    # the only repo of this release also holds its record, at the tag
    assert files == [".gitattributes", "README.md", "params", "releases/v1.0/release.json", "system", "template",
                     "tiny-aya-F16.gguf"]  # fmt: skip
    (info,) = hf_api.get_paths_info(repo_id, ["tiny-aya-F16.gguf"], revision="v1.0", expand=True)
    assert info.lfs is not None
    collection = hf_api.get_collection(report.collection)
    assert collection.title == f"{title} v1.0" and collection.owner == "gaokerena"
    assert [(i.item_id, i.item_type) for i in collection.items] == [(repo_id, "model")]

    again = push_release(hf_api, manifest)
    assert again.ok and again.commits == 0 and again.collection == report.collection


@pytest.mark.llama_cpp
def test_full_load_has_llama_cpp_load_and_generate_from_the_hub(export_folder, hf_api, tmp_path):
    from hub_tools.release.gguf import check_gguf_repo
    from hub_tools.release.push import push_release

    suffix = uuid.uuid4().hex[:6]
    repo_id = f"gaokerena/tiny-aya-GGUF-full-{suffix}"
    path = _write_manifest(tmp_path / "m.yaml", {"gguf": {"type": "gguf", "repo_id": repo_id,
                           "source": str(export_folder), "base_model": "gaokerena/tiny-aya"}},
                           title=f"GGUF full load {suffix}")  # fmt: skip
    report = push_release(hf_api, load_manifest(path))
    assert report.ok, report.failures
    (state,) = report.repos
    full = check_gguf_repo(hf_api, repo_id, state.commit, list(state.files), full_load=True)
    assert "llama.cpp loads tiny-aya-F16.gguf and generated" in full


def test_gguf_metadata_is_read_from_the_head_of_the_file_only(export_folder):
    import gguf

    from hub_tools.release.gguf import read_gguf_metadata

    data = (export_folder / "tiny-aya-F16.gguf").read_bytes()
    ranges = []

    def read_range(start: int, end: int) -> bytes:
        ranges.append((start, end))
        return data[start:end + 1]

    metadata = read_gguf_metadata(read_range, len(data))
    reference = gguf.GGUFReader(export_folder / "tiny-aya-F16.gguf")
    assert metadata["general.architecture"] == "command-r"
    assert metadata["tokenizer.ggml.tokens"] == reference.get_field("tokenizer.ggml.tokens").contents()
    assert metadata["tokenizer.chat_template"] == reference.get_field("tokenizer.chat_template").contents()
    assert ranges[0][0] == 0 and all(a == b_prev + 1 for (a, _), (_, b_prev) in zip(ranges[1:], ranges))
    with pytest.raises(AssertionError, match="bad magic"):
        read_gguf_metadata(lambda s, e: b"NOPE" + bytes(64), 68)


def test_collection_holds_the_release_in_order(hf_api, tmp_path):
    from hub_tools.release.collection import sync_release_collection

    sx = uuid.uuid4().hex[:6]
    artifacts = {
        "data": {"type": "dataset", "repo_id": f"gaokerena/data-{sx}", "source": "d"},
        "model": {"type": "model", "repo_id": f"gaokerena/model-{sx}", "source": "m"},
        "gguf": {"type": "gguf", "repo_id": f"gaokerena/model-{sx}-GGUF", "source": "g",
                 "base_model": f"gaokerena/model-{sx}"},
        "space": {"type": "space", "repo_id": f"gaokerena/chat-{sx}", "source": "s"},
    }  # fmt: skip
    manifest = load_manifest(_write_manifest(tmp_path / "m.yaml", artifacts, title=f"C{sx}", version="v2.1"))
    for artifact in manifest.artifacts:
        hf_api.create_repo(artifact.repo_id, repo_type=artifact.repo_type,
                           space_sdk="gradio" if artifact.repo_type == "space" else None)  # fmt: skip
    hf_api.create_repo(f"gaokerena/stray-{sx}")
    slug = hf_api.create_collection(f"C{sx} v2.1", namespace="gaokerena").slug
    hf_api.add_collection_item(slug, f"gaokerena/chat-{sx}", "space")  # out of order
    hf_api.add_collection_item(slug, f"gaokerena/stray-{sx}", "model")  # not in the release

    collection = sync_release_collection(hf_api, manifest)
    expected = [(a.repo_id, a.repo_type) for a in manifest.artifacts]
    assert collection.slug == slug and collection.title == f"C{sx} v2.1"
    assert [(i.item_id, i.item_type) for i in sorted(collection.items, key=lambda i: i.position)] == expected
    assert [i.item_id for i in sync_release_collection(hf_api, manifest).items] == [r for r, _ in expected]
