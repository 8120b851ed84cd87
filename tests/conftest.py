"""Shared fixtures: one local Hub server on loopback for the whole session, and the tiny aya-shaped model.

The Hugging Face libraries read ``HF_ENDPOINT`` when they are imported, so this module picks a free port and
sets the environment *before* any test module imports them. Every push/load test talks to the real server
through the real clients; nothing here mocks ``HfApi``.
"""

from __future__ import annotations

import os
import socket
import tempfile
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


HUB_PORT = _free_port()
HUB_URL = f"http://127.0.0.1:{HUB_PORT}"
# A token for the test user "tester", who may write to their own namespace and to the "gaokerena" org.
HUB_TOKEN = "hf_test_" + "x" * 24
HUB_USER = "tester"
HUB_ORGS = ("gaokerena",)
# A second valid user, for "foreign token" checks.
OTHER_TOKEN = "hf_other_" + "y" * 24
OTHER_USER = "mallory"

_SESSION_TMP = Path(tempfile.mkdtemp(prefix="gaokerena-tests-"))
os.environ["HF_ENDPOINT"] = HUB_URL
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ.pop("HF_HUB_DISABLE_XET", None)  # Xet on, as for huggingface.co (the local Hub speaks it); LFS has its test
os.environ["HF_HOME"] = str(_SESSION_TMP / "hf_home")
os.environ["HF_TOKEN"] = HUB_TOKEN
os.environ["DISABLE_SAFETENSORS_CONVERSION"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ["HF_DATASETS_DISABLE_PROGRESS_BARS"] = "1"
os.environ.pop("HF_HUB_OFFLINE", None)
os.environ.pop("HUGGINGFACE_CO_STAGING", None)

# ../shared beside the checkout; GAOKERENA_SHARED_DATA points elsewhere (a worktree one level deeper)
SHARED_DATA = Path(
    os.environ.get("GAOKERENA_SHARED_DATA") or Path(__file__).resolve().parents[1].parent / "shared" / "data" / "gaokerena"
)


@pytest.fixture(scope="session")
def hub_tokens() -> dict[str, dict]:
    """Token -> identity, as the local Hub takes them."""
    return {
        HUB_TOKEN: {"user": HUB_USER, "orgs": list(HUB_ORGS)},
        OTHER_TOKEN: {"user": OTHER_USER, "orgs": []},
    }


@pytest.fixture(scope="session")
def local_hub(hub_tokens):
    """The session's local Hub, running in-process on ``HUB_URL`` (the endpoint the HF libraries were given)."""
    from hub_tools.localhub import LocalHub

    hub = LocalHub(root=_SESSION_TMP / "hub", host="127.0.0.1", port=HUB_PORT, tokens=hub_tokens)
    hub.start()
    yield hub
    hub.stop()


@pytest.fixture()
def hf_api(local_hub):
    """An ``HfApi`` for the test user, pointed at the local Hub."""
    from huggingface_hub import HfApi

    return HfApi(endpoint=local_hub.url, token=HUB_TOKEN)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A randomly initialised aya-shaped CohereForCausalLM with its tokenizer and chat template (built once)."""
    from training.tiny import init_tiny

    return init_tiny(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The authors' real files; tests that need them skip with a reason where the folder is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real Gaokerena data not found at {SHARED_DATA} (it lives in ../shared beside the checkout)")
    return SHARED_DATA
