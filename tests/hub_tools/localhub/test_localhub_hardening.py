"""Hostile input gets a prompt 4xx: one regression test per defect found by probing the local Hub.

Every request carries a client timeout, and each test a pytest timeout, so a hang fails instead of waiting.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os

import httpx
import pytest

from hub_tools.localhub import LocalHub
from hub_tools.localhub.storage import Operation

pytestmark = pytest.mark.timeout(60)
T = 20  # seconds: the client timeout of every request below

ALIAS_BOMB = "---\n" + "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, "
    f"*a{i - 1}]\n" for i in range(1, 9)) + "---\n"


def _auth(token: str) -> dict:
    return {"authorization": f"Bearer {token}"}


def _ndjson(summary: str, ops: list[dict]) -> bytes:
    lines = [json.dumps({"key": "header", "value": {"summary": summary}})]
    lines += [json.dumps(op) for op in ops]
    return ("\n".join(lines) + "\n").encode()


def _file_op(path: str, content: bytes) -> dict:
    return {"key": "file", "value": {"path": path, "encoding": "base64", "content": base64.b64encode(content).decode()}}


def test_yaml_alias_bomb_refused_and_never_expanded(local_hub, hf_api, repo_name, tester_token):
    hf_api.create_repo(repo_name)
    r = httpx.post(f"{local_hub.url}/api/validate-yaml", json={"content": ALIAS_BOMB, "repoType": "model"}, timeout=T)
    assert r.status_code == 400 and "too large" in r.json()["errors"][0]["message"]
    r = httpx.post(f"{local_hub.url}/api/models/{repo_name}/commit/main", timeout=T, headers=_auth(tester_token),
                   content=_ndjson("bomb", [_file_op("README.md", ALIAS_BOMB.encode())]))
    assert r.status_code == 400 and "too large" in r.json()["error"]
    # A bomb already stored (written before this check existed) is served without its metadata, promptly.
    state = local_hub.storage.load(_ref(repo_name))
    local_hub.storage.apply_commit(state, "main", [Operation("file", "README.md", content=ALIAS_BOMB.encode())],
                                   title="old bomb", message="", author="tester", parent_commit=None)
    for url in (f"{local_hub.url}/api/models/{repo_name}", f"{local_hub.url}/api/models?search={repo_name.split('/')[1]}"):
        r = httpx.get(url, timeout=T)
        assert r.status_code == 200 and len(r.content) < 100_000 and "cardData" not in r.text


def _ref(repo_name: str):
    from hub_tools.localhub.storage import RepoRef

    return RepoRef("model", *repo_name.split("/"))


def test_recursive_and_deep_yaml_refused(local_hub):
    for content in ("---\na: &a [*a]\n---\n", "---\na: " + "[" * 5000 + "]" * 5000 + "\n---\n",
                    '---\nlicense: "\\ud800"\n---\n', "---\nlicense: MIT\n---\n"):
        r = httpx.post(f"{local_hub.url}/api/validate-yaml", json={"content": content}, timeout=T)
        assert r.status_code == 400 and r.json()["errors"], content[:40]
        r = httpx.post(f"{local_hub.url}/api/validate-yaml", json={"content": content}, timeout=T,
                       headers={"accept": "text/plain"})
        assert r.status_code == 400 and r.text.startswith("- Error: ")
    r = httpx.post(f"{local_hub.url}/api/validate-yaml", json={"content": "---\nlicense: apache-2.0\n---\n"},
                   timeout=T)
    assert r.status_code == 200 and r.json() == {"errors": [], "warnings": []}
    for empty in ("---\n---\n# card", "# no metadata"):  # a warning, as on the Hub
        r = httpx.post(f"{local_hub.url}/api/validate-yaml", json={"content": empty}, timeout=T)
        assert r.status_code == 200 and "empty or missing yaml metadata" in r.json()["warnings"][0]["message"]


def test_many_url_segments_answer_promptly(local_hub, hf_api, repo_name):
    hf_api.create_repo(repo_name)
    for prefix in (f"/api/models/{repo_name}/tree/", f"/{repo_name}/resolve/", f"/api/models/{repo_name}/commits/"):
        r = httpx.get(local_hub.url + prefix + "/".join(["a"] * 16_000), timeout=T)
        assert 400 <= r.status_code < 500


def test_paths_info_is_bounded_and_indexed(local_hub, hf_api, repo_name):
    hf_api.create_repo(repo_name)
    url = f"{local_hub.url}/api/models/{repo_name}/paths-info/main"
    r = httpx.post(url, json={"paths": [f"p{i}" for i in range(10_001)]}, timeout=T)
    assert r.status_code == 400
    r = httpx.post(url, json={"paths": [f"p{i}" for i in range(9_999)] + [".gitattributes"]}, timeout=T)
    assert r.status_code == 200 and [e["path"] for e in r.json()] == [".gitattributes"], r.text


@pytest.mark.parametrize("where", ["summary", "path", "front matter", "tag", "space variable"])
def test_lone_surrogates_refused_before_anything_is_written(local_hub, hf_api, repo_name, tester_token, where):
    hf_api.create_repo(repo_name)
    base = f"{local_hub.url}/api/models/{repo_name}"
    before = hf_api.model_info(repo_name).sha
    if where == "summary":
        r = httpx.post(f"{base}/commit/main", content=_ndjson("\ud800", [_file_op("a.txt", b"a")]),
                       headers=_auth(tester_token), timeout=T)
    elif where == "path":
        r = httpx.post(f"{base}/commit/main", content=_ndjson("ok", [_file_op("\ud800.txt", b"a")]),
                       headers=_auth(tester_token), timeout=T)
    elif where == "front matter":
        r = httpx.post(f"{base}/commit/main", content=_ndjson("ok", [_file_op("README.md", b'---\nx: "\\ud800"\n---\n')]),
                       headers=_auth(tester_token), timeout=T)
    elif where == "tag":
        r = httpx.post(f"{base}/tag/main", content=b'{"tag": "v\\ud800"}', headers=_auth(tester_token), timeout=T)
    else:
        r = httpx.post(f"{local_hub.url}/api/repos/create", headers=_auth(tester_token), timeout=T,
                       content=json.dumps({"name": repo_name.split("/")[1] + "-s", "type": "space", "sdk": "gradio",
                                           "variables": [{"key": "K", "value": "\ud800"}]}, ensure_ascii=True))
    assert r.status_code == 400, r.text
    assert hf_api.model_info(repo_name).sha == before
    for url in (f"{base}/commits/main", f"{base}/refs", f"{local_hub.url}/api/models", f"{local_hub.url}/api/spaces"):
        assert httpx.get(url, timeout=T).status_code == 200


def test_stored_lone_surrogate_never_gives_500(local_hub, hf_api, repo_name):
    hf_api.create_repo(repo_name)
    state = local_hub.storage.load(_ref(repo_name))
    local_hub.storage.apply_commit(state, "main", [Operation("file", "x.txt", content=b"x")], title="\ud800 old",
                                   message="", author="tester", parent_commit=None)
    r = httpx.get(f"{local_hub.url}/api/models/{repo_name}/commits/main", timeout=T)
    assert r.status_code == 200 and r.json()[0]["title"] == "\ud800 old"


@pytest.mark.parametrize("name", ["bad\n", "bad%0A", "-bad", "a" * 97], ids=["lf", "pct", "dash", "long"])
def test_strict_repo_names(local_hub, tester_token, name):
    r = httpx.post(f"{local_hub.url}/api/repos/create", json={"name": f"tester/{name}"}, headers=_auth(tester_token),
                   timeout=T)
    assert r.status_code == 400
    assert "\n" not in r.headers.get("Link", "")


@pytest.mark.parametrize("name", ["v1\n", "v1\r", "a..b", "refs/heads/x"], ids=["lf", "cr", "dots", "refs"])
def test_strict_branch_and_tag_names(local_hub, hf_api, repo_name, tester_token, name):
    hf_api.create_repo(repo_name)
    base = f"{local_hub.url}/api/models/{repo_name}"
    quoted = httpx.URL(base + "/branch/x").copy_with(raw_path=f"/api/models/{repo_name}/branch/".encode()
                                                     + name.encode().replace(b"\n", b"%0A").replace(b"\r", b"%0D"))
    assert httpx.post(quoted, headers=_auth(tester_token), timeout=T).status_code == 400
    assert httpx.post(f"{base}/tag/main", json={"tag": name}, headers=_auth(tester_token),
                      timeout=T).status_code == 400


def test_lfs_verify_needs_the_stored_size(local_hub, hf_api, repo_name, tester_token):
    hf_api.create_repo(repo_name)
    url = f"{local_hub.url}/{repo_name}.git/info/lfs/objects/verify"
    oid = hashlib.sha256(b"never uploaded").hexdigest()
    assert httpx.post(url, json={"oid": oid}, headers=_auth(tester_token), timeout=T).status_code == 400
    assert httpx.post(url, json={"oid": oid, "size": 14}, headers=_auth(tester_token), timeout=T).status_code == 404
    data = os.urandom(2000)
    hf_api.upload_file(path_or_fileobj=data, path_in_repo="w.bin", repo_id=repo_name)
    oid = hashlib.sha256(data).hexdigest()
    assert httpx.post(url, json={"oid": oid, "size": 1999}, headers=_auth(tester_token), timeout=T).status_code == 404
    assert httpx.post(url, json={"oid": oid, "size": 2000}, headers=_auth(tester_token), timeout=T).json() == {
        "success": True}


def test_user_and_org_namespaces_disjoint(tmp_path):
    with pytest.raises(ValueError, match="disjoint"):
        LocalHub(tmp_path / "hub", tokens={"hf_a": {"user": "gaokerena"}, "hf_b": {"user": "x", "orgs": ["Gaokerena"]}})


def test_unauthenticated_lfs_upload_does_not_reveal_private_repos(local_hub, hf_api, repo_name):
    hf_api.create_repo(repo_name, private=True)
    oid = "a" * 64
    answers = []
    for repo in (repo_name, repo_name + "-missing"):
        r = httpx.put(f"{local_hub.url}/{repo}.git/info/lfs/objects/upload/{oid}/3?sig=x&exp=99999999999",
                      content=b"abc", timeout=T)
        answers.append((r.status_code, r.headers["X-Error-Code"]))
    assert answers[0] == answers[1] == (403, "Forbidden")


def test_deep_json_and_odd_numbers_are_400(local_hub, hf_api, repo_name, tester_token):
    hf_api.create_repo(repo_name)
    deep = b"[" * 100_000 + b"]" * 100_000
    assert httpx.post(f"{local_hub.url}/api/validate-yaml", content=deep, timeout=T).status_code == 400
    assert httpx.post(f"{local_hub.url}/api/models/{repo_name}/paths-info/main", content=deep, timeout=T,
                      headers={"content-type": "application/json"}).status_code == 400
    for query in ("limit=²", "limit=-1", "limit=1e3"):
        assert httpx.get(f"{local_hub.url}/api/models?{query}", timeout=T).status_code == 400
    assert httpx.get(f"{local_hub.url}/api/models/{repo_name}/commits/main?p=٣", timeout=T).status_code == 400
    r = httpx.post(f"{local_hub.url}/api/models/{repo_name}/preupload/main", headers=_auth(tester_token), timeout=T,
                   content=b'{"files": [{"path": "a.bin", "sample": "", "size": 1e400}]}')
    assert r.status_code == 400
    for variables in ("nope", [1], [{"value": "no key"}], {"K": "V"}):
        r = httpx.post(f"{local_hub.url}/api/repos/create", headers=_auth(tester_token), timeout=T,
                       json={"name": f"{repo_name}-sp", "type": "space", "sdk": "gradio", "variables": variables})
        assert r.status_code == 400, variables
