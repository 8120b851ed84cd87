"""Release test helpers: the tiny base model on the session's local Hub, and a fresh synthetic release per test."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def tiny_base_repo(local_hub, tiny_model_dir) -> str:
    """The tiny aya-shaped model as a model repo: the synthetic releases' base_model."""
    from huggingface_hub import HfApi

    api = HfApi(endpoint=local_hub.url, token=os.environ["HF_TOKEN"])  # the test user's, set by tests/conftest.py
    repo_id = f"gaokerena/tiny-aya-base-{uuid.uuid4().hex[:8]}"  # named once per session
    api.create_repo(repo_id, exist_ok=True)
    api.upload_folder(repo_id=repo_id, folder_path=str(tiny_model_dir))
    return repo_id


@pytest.fixture()
def release_manifest(tmp_path, tiny_model_dir, tiny_base_repo) -> Path:
    """A synthetic release (8 repos) whose repo names are unique to this test."""
    from tests.support.synthetic import build_synthetic_release

    return build_synthetic_release(
        tmp_path / "release",
        base_model_dir=tiny_model_dir,
        base_model_id=tiny_base_repo,
        suffix="-" + uuid.uuid4().hex[:6],
    )


@pytest.fixture()
def manifest(release_manifest):
    from hub_tools.release.manifest import load_manifest

    return load_manifest(release_manifest)
