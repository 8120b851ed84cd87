"""Structural verification: safetensors headers by HTTP range requests against the model on the meta device, the
tokenizer's chat template and EOS, a few kilobytes read instead of the weights."""

from __future__ import annotations

import json
import shutil
import uuid

import pytest

from hub_tools.publishing.artifacts import artifact_type
from hub_tools.publishing.engine import publish, stage_folder
from hub_tools.release.verify import RemoteReader, check_model_structure


def _push(hf_api, folder):
    kind = artifact_type("model")
    staged = stage_folder(folder, kind)
    repo_id = f"tester/structure-{uuid.uuid4().hex[:8]}"
    _, commit = publish(hf_api, repo_id=repo_id, kind=kind, staged=staged, message="model")
    return repo_id, commit, staged.digests()


def test_an_intact_model_passes_reading_only_headers_and_small_files(hf_api, hub_requests, tiny_model_dir):
    repo_id, commit, files = _push(hf_api, tiny_model_dir)
    reader = RemoteReader(hf_api)
    hub_requests.mark()
    detail = check_model_structure(reader, repo_id, commit, files)
    assert "CohereForCausalLM" in detail and "chat template and EOS" in detail
    weights = files["model.safetensors"].size
    small = sum(d.size for p, d in files.items() if not p.endswith(".safetensors"))
    assert reader.downloaded - small < 0.05 * weights  # the weights' header only
    assert hub_requests.count("GET", "model.safetensors") == 2  # its length, then the header


def test_a_config_that_does_not_fit_the_weights_fails_naming_the_tensors(hf_api, tiny_model_dir, tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(tiny_model_dir, folder)
    config = json.loads((folder / "config.json").read_text())
    config["num_hidden_layers"] += 1
    (folder / "config.json").write_text(json.dumps(config))
    repo_id, commit, files = _push(hf_api, folder)
    with pytest.raises(AssertionError, match=r"tensors of the CohereForCausalLM missing, e\.g\. model\.layers\.2\."):
        check_model_structure(RemoteReader(hf_api), repo_id, commit, files)

    config["num_hidden_layers"] -= 1
    config["intermediate_size"] *= 2
    (folder / "config.json").write_text(json.dumps(config))
    repo_id, commit, files = _push(hf_api, folder)
    with pytest.raises(AssertionError, match="with another dtype/shape, e.g. model.layers.0.mlp"):
        check_model_structure(RemoteReader(hf_api), repo_id, commit, files)


def test_a_tokenizer_without_chat_template_fails(hf_api, tiny_model_dir, tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(tiny_model_dir, folder)
    (folder / "chat_template.jinja").unlink()
    tokenizer_config = json.loads((folder / "tokenizer_config.json").read_text())
    tokenizer_config.pop("chat_template", None)
    (folder / "tokenizer_config.json").write_text(json.dumps(tokenizer_config))
    repo_id, commit, files = _push(hf_api, folder)
    with pytest.raises(AssertionError, match="no chat template"):
        check_model_structure(RemoteReader(hf_api), repo_id, commit, files)
