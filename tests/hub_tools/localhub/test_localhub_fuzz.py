"""A bounded fuzz test of the local Hub: hostile paths, repo names and NDJSON commit bodies never give a 5xx or a
hang, and nothing is written outside ``--root``."""

from __future__ import annotations

import json
import os
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub_tools.localhub import LocalHub

pytestmark = pytest.mark.timeout(300)
TOKEN = "hf_fuzz_token_0123456789abcdef"
REPO = "fuzzer/target"
FUZZ = settings(max_examples=100, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Characters that matter to paths and names: separators, dots, escapes, controls, a lone surrogate, non-ASCII.
_HOSTILE = st.sampled_from(["/", "\\", ".", "..", "%", "%2F", "%00", "\0", "\n", "\r", " ", "~", ":", "*", "?",
                            "\ud800", "é", "ß", "²", "٣", "a", "b", "-", "_", "refs", "pr", ".git", "README.md"])
_TEXT = st.lists(st.one_of(_HOSTILE, st.text(max_size=4)), max_size=12).map("".join)
_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | _TEXT,
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
                     max_leaves=12)
_OP = st.fixed_dictionaries({"key": st.sampled_from(["file", "lfsFile", "deletedFile", "deletedFolder", "header",
                                                     "x"]),
                             "value": st.dictionaries(st.sampled_from(["path", "content", "encoding", "oid", "size",
                                                                       "summary", "algo"]), _JSON, max_size=5)})


@pytest.fixture(scope="module")
def fuzz_hub(tmp_path_factory):
    base = tmp_path_factory.mktemp("fuzz")
    with LocalHub(base / "hub", tokens={TOKEN: {"user": "fuzzer", "orgs": []}}, header_timeout=5,
                  body_timeout=5) as hub:
        client = httpx.Client(base_url=hub.url, timeout=30, headers={"authorization": f"Bearer {TOKEN}"})
        assert client.post("/api/repos/create", json={"name": REPO}).status_code == 200
        client.post(f"/api/models/{REPO}/commit/main", content=(
            '{"key":"header","value":{"summary":"seed"}}\n'
            '{"key":"file","value":{"path":"dir/a.txt","content":"YQ==","encoding":"base64"}}\n').encode())
        yield hub, client, base
        client.close()
    assert sorted(os.listdir(base)) == ["hub"]  # nothing written beside the root
    outside = [p for p in (base / "hub").rglob("*") if not p.resolve().is_relative_to((base / "hub").resolve())]
    assert not outside


def _ok(response: httpx.Response) -> None:
    assert response.status_code < 500, (response.request.method, response.request.url, response.text[:300])


@FUZZ
@given(path=_TEXT)
def test_fuzz_paths(fuzz_hub, path):
    hub, client, _ = fuzz_hub
    raw = quote(path.encode("utf-8", "surrogatepass"), safe="/%")
    for url in (f"/{REPO}/resolve/main/{raw}", f"/api/models/{REPO}/tree/main/{raw}", f"/{raw}"):
        _ok(client.get(hub.url + url))
    body = json.dumps({"key": "file", "value": {"path": path, "content": "eA==", "encoding": "base64"}})
    _ok(client.post(f"/api/models/{REPO}/commit/main",
                    content=('{"key":"header","value":{"summary":"f"}}\n' + body + "\n").encode()))
    _ok(client.post(f"/api/models/{REPO}/paths-info/main", content=json.dumps({"paths": [path]}).encode(),
                    headers={"content-type": "application/json"}))
    _ok(client.post(f"/api/models/{REPO}/preupload/main", content=json.dumps(
        {"files": [{"path": path, "sample": "", "size": 1}]}).encode()))


@FUZZ
@given(name=_TEXT, kind=st.sampled_from(["model", "dataset", "space"]))
def test_fuzz_names(fuzz_hub, name, kind):
    hub, client, _ = fuzz_hub
    _ok(client.post("/api/repos/create", content=json.dumps({"name": name, "type": kind, "sdk": "gradio"}).encode()))
    raw = quote(name.encode("utf-8", "surrogatepass"), safe="%")
    _ok(client.get(f"/api/{kind}s/fuzzer/{raw}"))
    _ok(client.post(f"/api/models/{REPO}/branch/{raw}"))
    _ok(client.post(f"/api/models/{REPO}/tag/main", content=json.dumps({"tag": name}).encode()))
    _ok(client.get(f"/api/models/{REPO}/revision/{raw}"))


@FUZZ
@given(ops=st.lists(_OP, max_size=6), garbage=st.binary(max_size=64))
def test_fuzz_ndjson_bodies(fuzz_hub, ops, garbage):
    hub, client, _ = fuzz_hub
    lines = [json.dumps(op) for op in ops]
    _ok(client.post(f"/api/models/{REPO}/commit/main", content="\n".join(lines).encode() + b"\n" + garbage))
    _ok(client.post(f"/api/models/{REPO}/commit/main",
                    content=('{"key":"header","value":{"summary":"f"}}\n' + "\n".join(lines)).encode()))
    _ok(client.get(f"/api/models/{REPO}/commits/main"))
    _ok(client.get("/api/models"))
