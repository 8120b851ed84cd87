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


# Every route of the local Hub (``{repo}`` is the fuzz target, ``{slug}`` a collection of its owner): each gets
# hostile query strings and JSON bodies of any shape.
_ROUTES = [
    ("GET", "/api/whoami-v2"), ("POST", "/api/validate-yaml"), ("GET", "/api/health"),
    ("POST", "/api/repos/create"), ("DELETE", "/api/repos/delete"), ("POST", "/api/repos/move"),
    ("GET", "/api/models"), ("GET", "/api/datasets"), ("GET", "/api/spaces"),
    ("GET", "/api/models/{repo}"), ("GET", "/api/models/{repo}/revision/main"), ("PUT", "/api/models/{repo}/settings"),
    ("GET", "/api/models/{repo}/tree/main"), ("GET", "/api/models/{repo}/tree/main/dir"),
    ("POST", "/api/models/{repo}/paths-info/main"), ("POST", "/api/models/{repo}/preupload/main"),
    ("POST", "/api/models/{repo}/commit/main"), ("POST", "/api/models/{repo}/branch/fz"),
    ("DELETE", "/api/models/{repo}/branch/fz"), ("POST", "/api/models/{repo}/tag/main"),
    ("DELETE", "/api/models/{repo}/tag/fz"), ("GET", "/api/models/{repo}/refs"),
    ("GET", "/api/models/{repo}/commits/main"), ("POST", "/api/models/{repo}/discussions"),
    ("GET", "/api/models/{repo}/discussions"), ("GET", "/api/models/{repo}/discussions/1"),
    ("POST", "/api/models/{repo}/discussions/1/comment"), ("POST", "/api/models/{repo}/discussions/1/status"),
    ("POST", "/api/models/{repo}/discussions/1/merge"),
    ("GET", "/{repo}/resolve/main/dir/a.txt"), ("HEAD", "/{repo}/resolve/main/dir/a.txt"),
    ("GET", "/{repo}/commit/main"), ("POST", "/{repo}.git/info/lfs/objects/batch"),
    ("POST", "/{repo}.git/info/lfs/objects/verify"),
    ("PUT", "/{repo}.git/info/lfs/objects/upload/" + "a" * 64 + "/1"),
    ("POST", "/api/collections"), ("GET", "/api/collections"), ("GET", "/api/collections/{slug}"),
    ("PATCH", "/api/collections/{slug}"), ("POST", "/api/collections/{slug}/items"),
    ("PATCH", "/api/collections/{slug}/items/0123456789abcdef01234567"),
    ("DELETE", "/api/collections/{slug}/items/0123456789abcdef01234567"),
    ("GET", "/api/models/{repo}/xet-write-token/main"), ("GET", "/api/models/{repo}/xet-read-token/main"),
    ("POST", "/xet/v1/xorbs/default/" + "ab" * 32), ("HEAD", "/xet/v1/xorbs/default/" + "ab" * 32),
    ("POST", "/xet/v1/shards"), ("GET", "/xet/v1/chunks/default/" + "ab" * 32),
    ("GET", "/xet/v1/reconstructions/" + "ab" * 32), ("GET", "/xet/v1/get_xorb/" + "ab" * 32),
    ("POST", "/xet/v2/shards"), ("POST", "/xet/v1/xorb-grants/default/" + "ab" * 32),
]
_SPACE_ROUTES = [(m, f"/api/spaces/fuzzer/space/{a}") for m, a in (
    ("GET", "secrets"), ("POST", "secrets"), ("DELETE", "secrets"), ("GET", "variables"), ("POST", "variables"),
    ("DELETE", "variables"), ("GET", "runtime"), ("POST", "hardware"), ("POST", "sleeptime"), ("POST", "pause"),
    ("POST", "restart"), ("POST", "dev-mode"))]
_PARAM = st.sampled_from(["limit", "cursor", "p", "recursive", "expand", "blobs", "search", "author", "owner",
                          "item", "create_pr", "type", "status", "include_prs", "expand[]", "sort", "full"])
_QUERY = st.lists(st.tuples(_PARAM, _TEXT | st.integers().map(str)), max_size=4)
_FIELD = st.sampled_from(["title", "description", "private", "position", "note", "item", "paths", "expand",
                          "files", "startingPoint", "tag", "message", "name", "type", "organization", "visibility",
                          "gated", "sdk", "variables", "secrets", "hardware", "flavor", "seconds", "enabled", "key",
                          "value", "comment", "status", "pullRequest", "operation", "objects", "oid", "size",
                          "content", "namespace", "theme", "fromRepo", "toRepo", "gitIgnore", "sleepTimeSeconds"])
_BODY = st.one_of(_JSON, st.dictionaries(_FIELD, _JSON, max_size=5))


@pytest.fixture(scope="module")
def fuzz_slug(fuzz_hub):
    hub, client, _ = fuzz_hub
    assert client.post("/api/repos/create", json={"name": "fuzzer/space", "type": "space",
                                                  "sdk": "gradio"}).status_code == 200
    return client.post("/api/collections", json={"title": "fuzz", "namespace": "fuzzer"}).json()["slug"]


@FUZZ
@given(route=st.sampled_from(_ROUTES + _SPACE_ROUTES), query=_QUERY, body=_BODY)
def test_fuzz_every_route_query_and_json_body(fuzz_hub, fuzz_slug, route, query, body):
    hub, client, _ = fuzz_hub
    method, path = route
    url = path.format(repo=REPO, slug=fuzz_slug)
    params = [(k, v.encode("utf-8", "surrogatepass").decode("utf-8", "replace")) for k, v in query]
    content = json.dumps(body).encode()
    _ok(client.request(method, url, params=params, content=content, headers={"content-type": "application/json"}))
    assert client.get("/api/health").status_code == 200
