"""Shared fixtures: one local Hub server on loopback for the whole session, and the tiny aya-shaped model.

The Hugging Face libraries read ``HF_ENDPOINT`` when they are imported, so this module picks a free port and
sets the environment *before* any test module imports them. Every push/load test talks to the real server
through the real clients; nothing here mocks ``HfApi``.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import tempfile
import warnings
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


class HubRequests:
    """The session's local Hub requests made since :meth:`mark` (or since the fixture was made). The log is shared
    by every test of the session: a test reads its own window of it and never clears it."""

    WRITES = ("POST", "PUT", "DELETE")

    def __init__(self, hub):
        self._hub = hub
        self.mark()

    def mark(self) -> None:
        self._start = len(self._hub.request_log)

    @property
    def entries(self) -> list[dict]:
        return self._hub.request_log[self._start :]

    def writes(self) -> list[dict]:
        return [entry for entry in self.entries if entry["method"] in self.WRITES]

    def count(self, method: str, path_contains: str) -> int:
        return sum(1 for entry in self.entries if entry["method"] == method and path_contains in entry["path"])


@pytest.fixture()
def hub_requests(local_hub) -> HubRequests:
    """The local Hub's requests from now on (``.mark()`` starts a new window, ``.writes()`` lists the writes)."""
    return HubRequests(local_hub)


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
    """The authors' real files; tests that need them skip with a reason where the folder is absent (a clean clone),
    and fail where it is present (CI) or ``--require-real-data`` is given: see ``pytest_runtest_makereport``."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real Gaokerena data not found at {SHARED_DATA} (it lives in ../shared beside the checkout)")
    return SHARED_DATA


def pytest_addoption(parser):
    parser.addoption("--require-real-data", action="store_true",
                     help="fail, instead of skipping, every test that needs ../shared when it is absent (CI)")


def pytest_runtest_setup(item):
    if item.get_closest_marker("llama_cpp") and importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed (dev extra: pip install -e '.[dev]')")


def real_data_skip_is_failure(item, report, require: bool) -> bool:
    """A skipped test that uses the real data (the ``shared_data`` fixture, directly or through another fixture)
    fails where the data exists or is required: there a skip could only hide a broken test."""
    return (report.skipped and not hasattr(report, "wasxfail") and "shared_data" in item.fixturenames
            and (require or SHARED_DATA.is_dir()))  # fmt: skip


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if real_data_skip_is_failure(item, report, item.config.getoption("--require-real-data")):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = (f"a real-data test was skipped ({reason}), but {SHARED_DATA} exists or "
                           "--require-real-data was given: a skip here would hide a failure")  # fmt: skip


def pytest_unconfigure(config):
    """The session's temporary folder (the local Hub's storage, HF_HOME) goes with the session."""
    if _SESSION_TMP.is_dir():
        try:
            shutil.rmtree(_SESSION_TMP)
        except OSError as error:  # a daemon thread still writing there: say so without failing a finished run
            warnings.warn(f"could not remove the session's temporary folder {_SESSION_TMP}: {error}", stacklevel=1)
