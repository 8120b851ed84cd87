"""A local Hugging Face Hub server: enough of the Hub's HTTP API for huggingface_hub, datasets, transformers and
peft to create repos, push, pull and list against it, on loopback, with no internet.

    from hub_tools.localhub import LocalHub
    with LocalHub("/tmp/hub", tokens={"hf_x": {"user": "alice", "orgs": ["gaokerena"]}}) as hub:
        ...  # HfApi(endpoint=hub.url, token="hf_x")

See ``server.py`` (HTTP transport: uvicorn + Starlette, limits and timeouts), ``api.py`` (routing) with
``routes/`` (the endpoints, one module per resource),
``storage.py`` (on-disk format), ``cards.py`` (README metadata on a budget), ``auth.py`` (tokens).
"""

from .server import LocalHub, LocalHubProcess

__all__ = ["LocalHub", "LocalHubProcess"]
