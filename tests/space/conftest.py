"""Fixtures for the Space: the tiny model and a results repo on the local Hub, and the app itself served on
loopback (one server for the whole session, shared by the live, load and browser tests)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from resultfiles import RESULTS_REPO, TINY_REPO, standard_results, write_results


@pytest.fixture(scope="session")
def session_api(local_hub, hub_tokens):
    """An ``HfApi`` for the test user "tester", for session-scoped uploads (``hf_api`` is per test)."""
    from huggingface_hub import HfApi

    token = next(token for token, who in hub_tokens.items() if who["user"] == "tester")
    return HfApi(endpoint=local_hub.url, token=token)


@pytest.fixture(scope="session")
def tiny_hub_model(session_api, tiny_model_dir) -> str:
    """The tiny aya-shaped model uploaded to the local Hub as ``TINY_REPO`` (``tester/tiny-aya-<session>``)."""
    api = session_api
    api.create_repo(TINY_REPO, exist_ok=True)
    api.upload_folder(repo_id=TINY_REPO, folder_path=str(tiny_model_dir))
    return TINY_REPO


@pytest.fixture(scope="session")
def results_repo(session_api, tmp_path_factory) -> str:
    """A results dataset repo on the local Hub holding ``standard_results()`` under ``results/``."""
    api = session_api
    api.create_repo(RESULTS_REPO, repo_type="dataset", exist_ok=True)
    folder = tmp_path_factory.mktemp("results-upload")
    write_results(folder / "results", standard_results())
    api.upload_folder(repo_id=RESULTS_REPO, repo_type="dataset", folder_path=str(folder))
    return RESULTS_REPO


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def app_url(local_hub, tiny_hub_model, results_repo):
    """The Space served on loopback with the tiny model and the local results repo; yields its URL."""
    env = {
        "MODEL_ID": tiny_hub_model,
        "RESULTS_REPO": results_repo,
        "MAX_NEW_TOKENS": "1500",
        "DEFAULT_MAX_NEW_TOKENS": "48",
        "MAX_INPUT_TOKEN_LENGTH": "1024",
        "CONCURRENCY_LIMIT": "2",
        "QUEUE_SIZE": "40",
        "LEADERBOARD_TTL_S": "3600",
        # Send every streamed token: the tiny model is fast enough to fit a whole reply in one 50 ms interval.
        "STREAM_INTERVAL_S": "0",
        "MCP_SERVER": "1",  # as on the Hub: tests/space/test_space_mcp.py drives it with the mcp client
    }
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        from space import app

        app.STORE.fetched_at = 0.0
        demo = app.build_demo()
        port = _free_port()
        demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True,
                    ssr_mode=False, **app.launch_options())
        try:
            yield f"http://127.0.0.1:{port}/"
        finally:
            demo.close()


@pytest.fixture()
def artifacts_dir(tmp_path_factory) -> Path:
    """Where screenshots go: $TEST_ARTIFACTS_DIR if set, else ``<pytest tmp>/artifacts``."""
    root = os.environ.get("TEST_ARTIFACTS_DIR")
    folder = Path(root) if root else tmp_path_factory.getbasetemp() / "artifacts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
