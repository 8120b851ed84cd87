"""space.settings: every setting from the environment, read at call time, malformed values rejected early."""

from __future__ import annotations

import pytest

from space.settings import DEFAULT_MODEL_ID, DEFAULT_RESULTS_REPO, get_settings


def test_defaults_from_an_empty_environment():
    settings = get_settings({})
    assert settings.model_id == DEFAULT_MODEL_ID
    assert settings.results_repo == DEFAULT_RESULTS_REPO
    assert settings.revision is None and settings.hf_token is None
    assert settings.hf_endpoint == "https://huggingface.co"
    assert settings.zero_gpu is False
    assert (settings.server_name, settings.server_port) == ("127.0.0.1", 7860)


def test_values_from_the_environment():
    settings = get_settings({
        "MODEL_ID": "me/model", "REVISION": "v1.0", "RESULTS_REPO": "me/results", "HF_ENDPOINT": "http://hub:8080/",
        "MAX_INPUT_TOKEN_LENGTH": "2048", "MAX_NEW_TOKENS": "100", "DEFAULT_MAX_NEW_TOKENS": "500",
        "SPACES_ZERO_GPU": "true", "GRADIO_SERVER_NAME": "0.0.0.0", "GRADIO_SERVER_PORT": "7861", "DTYPE": "bfloat16",
    })  # fmt: skip
    assert (settings.model_id, settings.revision, settings.results_repo) == ("me/model", "v1.0", "me/results")
    assert settings.hub_url == "http://hub:8080"
    assert settings.max_input_tokens == 2048
    assert settings.default_new_tokens == 100  # clipped to MAX_NEW_TOKENS
    assert settings.zero_gpu and settings.dtype == "bfloat16"
    assert (settings.server_name, settings.server_port) == ("0.0.0.0", 7861)


def test_read_at_call_time(monkeypatch):
    monkeypatch.setenv("MODEL_ID", "first/model")
    assert get_settings().model_id == "first/model"
    monkeypatch.setenv("MODEL_ID", "second/model")
    assert get_settings().model_id == "second/model"


@pytest.mark.parametrize(
    ("key", "value", "match"),
    [("MAX_NEW_TOKENS", "many", "MAX_NEW_TOKENS must be an integer"), ("MAX_INPUT_TOKEN_LENGTH", "4", ">= 16"),
     ("DTYPE", "int8", "DTYPE must be one of"), ("DEVICE", "tpu", "DEVICE must be one of"),
     ("LEADERBOARD_TTL_S", "soon", "must be a number"), ("GPU_SIZE", "huge", "GPU_SIZE must be large or xlarge"),
     ("GPU_S_PER_TOKEN", "fast", "must be a number"), ("LEADERBOARD_MIN_N", "-1", ">= 0")],
)  # fmt: skip
def test_malformed_values_raise(key, value, match):
    with pytest.raises(ValueError, match=match):
        get_settings({key: value})


def test_zerogpu_leaderboard_and_mcp_settings():
    defaults = get_settings({})
    assert (defaults.gpu_size, defaults.gpu_duration, defaults.leaderboard_min_n) == ("large", 120, 30)
    assert defaults.mcp_server is False  # off the Hub: the mcp extra is not installed here
    assert get_settings({"SPACE_ID": "gaokerena/chat"}).mcp_server is True  # the Hub sets SPACE_ID
    assert get_settings({"SPACE_ID": "gaokerena/chat", "MCP_SERVER": "0"}).mcp_server is False
    custom = get_settings({"GPU_SIZE": "XLarge", "GPU_BASE_S": "5", "GPU_S_PER_TOKEN": "0.1", "LEADERBOARD_MIN_N": "0"})
    assert (custom.gpu_size, custom.gpu_base_s, custom.gpu_s_per_token, custom.leaderboard_min_n) == (
        "xlarge", 5.0, 0.1, 0)
