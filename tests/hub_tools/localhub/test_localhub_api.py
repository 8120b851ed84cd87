"""The local Hub against the real huggingface_hub client: repos, uploads (regular and LFS), refs, downloads."""

from __future__ import annotations

import hashlib
import json
import os
import threading

import pytest
from huggingface_hub import (CommitOperationAdd, HfApi, HfFileSystem, hf_hub_download,
                             snapshot_download)
from huggingface_hub.errors import (BadRequestError, EntryNotFoundError, HfHubHTTPError, RepositoryNotFoundError,
                                    RevisionNotFoundError)


def _write(root, files: dict[str, bytes]):
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


# ------------------------------------------------------------------------------------------------------ repos
@pytest.mark.parametrize("repo_type", ["model", "dataset", "space"])
def test_create_repo_each_type_and_exist_ok(hf_api, repo_name, repo_type):
    kwargs = {"space_sdk": "gradio"} if repo_type == "space" else {}
    url = hf_api.create_repo(repo_name, repo_type=repo_type, **kwargs)
    assert url.repo_id == repo_name
    with pytest.raises(HfHubHTTPError) as exc:
        hf_api.create_repo(repo_name, repo_type=repo_type, **kwargs)
    assert exc.value.response.status_code == 409
    assert hf_api.create_repo(repo_name, repo_type=repo_type, exist_ok=True, **kwargs).repo_id == repo_name
    info = hf_api.repo_info(repo_name, repo_type=repo_type)
    assert info.id == repo_name and len(info.sha) == 40 and info.last_modified is not None
    assert [s.rfilename for s in info.siblings] == [".gitattributes"]
    assert hf_api.repo_exists(repo_name, repo_type=repo_type)
    hf_api.delete_repo(repo_name, repo_type=repo_type)
    assert not hf_api.repo_exists(repo_name, repo_type=repo_type)
    hf_api.delete_repo(repo_name, repo_type=repo_type, missing_ok=True)


def test_bare_name_goes_to_user_namespace_and_whoami(hf_api):
    assert hf_api.whoami()["name"] == "tester"
    name = f"bare-{os.urandom(3).hex()}"
    assert hf_api.create_repo(name).repo_id == f"tester/{name}"


def test_private_repo_hidden_and_bad_token_refused(local_hub, hf_api, repo_name, other_token):
    hf_api.create_repo(repo_name, private=True)
    hf_api.upload_file(path_or_fileobj=b"secret", path_in_repo="s.txt", repo_id=repo_name)
    assert hf_api.model_info(repo_name).private is True
    anonymous, foreign = HfApi(endpoint=local_hub.url, token=False), HfApi(endpoint=local_hub.url, token=other_token)
    for api in (anonymous, foreign):
        with pytest.raises(RepositoryNotFoundError):
            api.model_info(repo_name)
        assert not api.repo_exists(repo_name)
        with pytest.raises(RepositoryNotFoundError):
            hf_hub_download(repo_name, "s.txt", endpoint=local_hub.url, token=api.token,
                            cache_dir=local_hub.root.parent / "dl-cache")
    with pytest.raises(HfHubHTTPError) as exc:  # a foreign user cannot write to tester's namespace
        foreign.create_repo(f"tester/intrusion-{os.urandom(2).hex()}")
    assert exc.value.response.status_code == 403
    bad = HfApi(endpoint=local_hub.url, token="hf_not_a_real_token_000000000")
    for call in (bad.whoami, lambda: bad.model_info(repo_name)):
        with pytest.raises(HfHubHTTPError) as exc:
            call()
        assert exc.value.response.status_code == 401
        assert exc.value.response.headers["X-Error-Message"] == "Invalid credentials in Authorization header"
    hf_api.update_repo_settings(repo_name, private=False)
    assert anonymous.model_info(repo_name).private is False


# ----------------------------------------------------------------------------------------------------- uploads
def test_upload_regular_and_lfs_then_download(local_hub, hf_api, repo_name, tmp_path):
    hf_api.create_repo(repo_name)
    weights = os.urandom(300_000)
    folder = _write(tmp_path / "up", {"README.md": b"---\nlicense: apache-2.0\n---\n# hi\n", "config.json": b"{}",
                                      "sub/dir/notes.txt": b"notes", "model.safetensors": weights,
                                      "data/train.parquet": os.urandom(5000)})
    commit = hf_api.upload_folder(repo_id=repo_name, folder_path=folder, commit_message="first")
    assert len(commit.oid) == 40
    info = hf_api.model_info(repo_name, files_metadata=True)
    sib = {s.rfilename: s for s in info.siblings}
    assert sib["model.safetensors"].lfs.sha256 == hashlib.sha256(weights).hexdigest()
    assert sib["model.safetensors"].size == len(weights)
    assert sib["data/train.parquet"].lfs is not None and sib["config.json"].lfs is None
    assert info.card_data["license"] == "apache-2.0"
    files = hf_api.list_repo_files(repo_name)
    assert sorted(files) == sorted([".gitattributes", "README.md", "config.json", "sub/dir/notes.txt",
                                    "model.safetensors", "data/train.parquet"])
    tree = list(hf_api.list_repo_tree(repo_name, recursive=True))
    assert {e.path for e in tree if type(e).__name__ == "RepoFolder"} == {"sub", "sub/dir", "data"}
    path = hf_hub_download(repo_name, "model.safetensors", endpoint=local_hub.url)
    assert open(path, "rb").read() == weights
    # unchanged files are dropped by the preupload oid: a re-upload makes no commit
    again = hf_api.upload_folder(repo_id=repo_name, folder_path=folder)
    assert again.oid == commit.oid
    hf_api.upload_file(path_or_fileobj=b"v2", path_in_repo="sub/dir/notes.txt", repo_id=repo_name)
    hf_api.delete_file("config.json", repo_name)
    with pytest.raises(EntryNotFoundError):
        hf_api.delete_file("config.json", repo_name)
    assert "config.json" not in hf_api.list_repo_files(repo_name)
    hf_api.delete_folder("data", repo_name)
    assert not any(f.startswith("data/") for f in hf_api.list_repo_files(repo_name))
    old = hf_hub_download(repo_name, "sub/dir/notes.txt", endpoint=local_hub.url, revision=commit.oid,
                          cache_dir=tmp_path / "c")
    new = hf_hub_download(repo_name, "sub/dir/notes.txt", endpoint=local_hub.url, cache_dir=tmp_path / "c")
    assert open(old, "rb").read() == b"notes" and open(new, "rb").read() == b"v2"


def test_stale_parent_commit_refused(hf_api, repo_name):
    hf_api.create_repo(repo_name)
    parent = hf_api.model_info(repo_name).sha
    hf_api.upload_file(path_or_fileobj=b"one", path_in_repo="a.txt", repo_id=repo_name, parent_commit=parent)
    with pytest.raises(HfHubHTTPError) as exc:
        hf_api.create_commit(repo_name, [CommitOperationAdd("b.txt", b"two")], commit_message="late",
                             parent_commit=parent)
    assert exc.value.response.status_code == 412
    assert hf_api.list_repo_files(repo_name) == [".gitattributes", "a.txt"]


def test_lfs_file_must_be_uploaded_before_commit(local_hub, repo_name, tester_token):
    import httpx

    HfApi(endpoint=local_hub.url, token=tester_token).create_repo(repo_name)
    body = ('{"key":"header","value":{"summary":"x"}}\n'
            '{"key":"lfsFile","value":{"path":"w.bin","algo":"sha256","oid":"' + "a" * 64 + '","size":3}}\n')
    r = httpx.post(f"{local_hub.url}/api/models/{repo_name}/commit/main", content=body,
                   headers={"authorization": f"Bearer {tester_token}", "content-type": "application/x-ndjson"})
    assert r.status_code == 400 and "not uploaded" in r.headers["X-Error-Message"]


# -------------------------------------------------------------------------------------------------------- refs
def test_branches_tags_refs_commits(local_hub, hf_api, repo_name):
    hf_api.create_repo(repo_name)
    for i in range(3):
        hf_api.upload_file(path_or_fileobj=f"v{i}".encode(), path_in_repo="f.txt", repo_id=repo_name,
                           commit_message=f"commit {i}")
    hf_api.create_branch(repo_name, branch="dev/x")
    hf_api.create_branch(repo_name, branch="dev/x", exist_ok=True)
    with pytest.raises(HfHubHTTPError):
        hf_api.create_branch(repo_name, branch="dev/x")
    hf_api.upload_file(path_or_fileobj=b"dev", path_in_repo="f.txt", repo_id=repo_name, revision="dev/x")
    hf_api.create_tag(repo_name, tag="v1.0", tag_message="first release")
    hf_api.create_tag(repo_name, tag="v1.0", exist_ok=True)
    refs = hf_api.list_repo_refs(repo_name)
    assert {b.name for b in refs.branches} == {"main", "dev/x"}
    main_sha = next(b.target_commit for b in refs.branches if b.name == "main")
    assert [(t.name, t.target_commit) for t in refs.tags] == [("v1.0", main_sha)]
    commits = hf_api.list_repo_commits(repo_name)
    assert [c.title for c in commits] == ["commit 2", "commit 1", "commit 0", "initial commit"]
    assert commits[0].commit_id == main_sha
    assert len(hf_api.list_repo_commits(repo_name, revision="dev/x")) == 5
    path = hf_hub_download(repo_name, "f.txt", revision="dev/x", endpoint=local_hub.url)
    assert open(path).read() == "dev"
    assert open(hf_hub_download(repo_name, "f.txt", revision="v1.0", endpoint=local_hub.url)).read() == "v2"
    with pytest.raises(RevisionNotFoundError):
        hf_api.model_info(repo_name, revision="nope")
    hf_api.delete_tag(repo_name, tag="v1.0")
    hf_api.delete_branch(repo_name, branch="dev/x")
    assert [b.name for b in hf_api.list_repo_refs(repo_name).branches] == ["main"]


def test_create_pr_commit(hf_api, repo_name):
    hf_api.create_repo(repo_name)
    info = hf_api.create_commit(repo_name, [CommitOperationAdd("pr.txt", b"proposal")], commit_message="proposal",
                                create_pr=True)
    assert info.pr_num == 1 and info.pr_revision == "refs/pr/1"
    assert "pr.txt" not in hf_api.list_repo_files(repo_name)
    assert "pr.txt" in hf_api.list_repo_files(repo_name, revision="refs/pr/1")
    assert [p.ref for p in hf_api.list_repo_refs(repo_name, include_pull_requests=True).pull_requests] == ["refs/pr/1"]


# ---------------------------------------------------------------------------------------------------- downloads
def test_snapshot_download_twice_sends_no_second_get(local_hub, hf_api, repo_name, tmp_path):
    hf_api.create_repo(repo_name)
    _write(tmp_path / "up", {f"f{i}.txt": f"file {i}".encode() for i in range(5)})
    _write(tmp_path / "up", {"w.safetensors": os.urandom(20_000)})
    hf_api.upload_folder(repo_id=repo_name, folder_path=tmp_path / "up")
    cache = tmp_path / "cache"
    local_hub.clear_request_log()
    first = snapshot_download(repo_name, cache_dir=cache, endpoint=local_hub.url)

    def downloads() -> int:  # plain GETs, and reconstructions for what came through Xet (the safetensors file)
        return local_hub.count_requests("GET", "/resolve/") + local_hub.count_requests("GET", "/xet/v1/reconstructions/")

    gets_before = downloads()
    assert gets_before >= 7
    second = snapshot_download(repo_name, cache_dir=cache, endpoint=local_hub.url)
    assert second == first
    assert downloads() == gets_before
    one = hf_hub_download(repo_name, "f1.txt", cache_dir=cache, endpoint=local_hub.url)
    assert open(one).read() == "file 1"
    assert downloads() == gets_before


def test_tree_pagination_and_paths_info(local_hub, hf_api, repo_name):
    hf_api.create_repo(repo_name)
    ops = [CommitOperationAdd(f"many/f{i:03d}.txt", f"{i}".encode()) for i in range(120)]
    hf_api.create_commit(repo_name, ops, commit_message="many files")
    before = local_hub.count_requests("GET", f"/api/models/{repo_name}/tree/")
    files = hf_api.list_repo_files(repo_name)
    assert len(files) == 121
    assert local_hub.count_requests("GET", f"/api/models/{repo_name}/tree/") - before >= 3  # 50 per page
    entries = list(hf_api.list_repo_tree(repo_name, path_in_repo="many", expand=True))
    assert len(entries) == 120 and entries[0].last_commit.title == "many files"
    infos = hf_api.get_paths_info(repo_name, ["many/f001.txt", "many", "missing.txt"])
    assert [(type(i).__name__, i.path) for i in infos] == [("RepoFile", "many/f001.txt"), ("RepoFolder", "many")]
    with pytest.raises(EntryNotFoundError):
        list(hf_api.list_repo_tree(repo_name, path_in_repo="nope"))


def test_hffilesystem_ls_glob_ranged_read(local_hub, hf_api, repo_name, tester_token):
    hf_api.create_repo(repo_name, repo_type="dataset")
    blob = bytes(range(256)) * 400
    hf_api.create_commit(repo_name, [CommitOperationAdd("data/a.bin", blob), CommitOperationAdd("data/b.txt", b"b"),
                                     CommitOperationAdd("top.txt", b"top")], commit_message="fs", repo_type="dataset")
    fs = HfFileSystem(endpoint=local_hub.url, token=tester_token)
    root = f"datasets/{repo_name}"
    assert sorted(fs.ls(f"{root}/data", detail=False)) == [f"{root}/data/a.bin", f"{root}/data/b.txt"]
    assert fs.glob(f"{root}/**/*.txt") == [f"{root}/data/b.txt", f"{root}/top.txt"]
    assert fs.info(f"{root}/data/a.bin")["size"] == len(blob)
    with fs.open(f"{root}/data/a.bin", "rb", block_size=1000) as fh:
        fh.seek(5000)
        assert fh.read(300) == blob[5000:5300]
    assert fs.read_text(f"{root}/top.txt") == "top"
    assert not fs.exists(f"{root}/nope.txt")
    import httpx

    url = f"{local_hub.url}/datasets/{repo_name}/resolve/main/data/a.bin"
    ranged = httpx.get(url, headers={"Range": "bytes=10-19"})
    assert ranged.status_code == 206 and ranged.content == blob[10:20]
    assert ranged.headers["Content-Range"] == f"bytes 10-19/{len(blob)}"
    assert httpx.get(url, headers={"Range": f"bytes={len(blob)}-"}).status_code == 416
    missing = httpx.head(f"{local_hub.url}/datasets/{repo_name}/resolve/main/missing.txt")
    assert missing.status_code == 404 and missing.headers["X-Error-Code"] == "EntryNotFound"
    assert len(missing.headers["X-Repo-Commit"]) == 40


# ------------------------------------------------------------------------------------------------ concurrency
def test_eight_concurrent_committers_lose_nothing(local_hub, tester_token, repo_name):
    HfApi(endpoint=local_hub.url, token=tester_token).create_repo(repo_name)
    failures: list[BaseException] = []

    def worker(n: int) -> None:
        api = HfApi(endpoint=local_hub.url, token=tester_token)
        try:
            for k in range(3):
                api.upload_file(path_or_fileobj=f"{n}-{k}".encode(), path_in_repo=f"w{n}/f{k}.txt",
                                repo_id=repo_name)
        except BaseException as exc:  # noqa: BLE001 (collected and asserted below)
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    api = HfApi(endpoint=local_hub.url, token=tester_token)
    assert len(api.list_repo_files(repo_name)) == 1 + 8 * 3
    assert len(api.list_repo_commits(repo_name)) == 1 + 8 * 3


# ---------------------------------------------------------------------------------------------------- safety
def test_bad_paths_refused(local_hub, hf_api, repo_name, tester_token):
    import httpx

    hf_api.create_repo(repo_name)
    auth = {"authorization": f"Bearer {tester_token}"}
    for bad in ("../escape.txt", "/abs.txt", "a/../../b", "..\\b.txt", "\\b.txt", "nul\u0000.txt", "a//b"):
        body = ('{"key":"header","value":{"summary":"x"}}\n'
                + json.dumps({"key": "file", "value": {"content": "eA==", "encoding": "base64", "path": bad}}) + "\n")
        r = httpx.post(f"{local_hub.url}/api/models/{repo_name}/commit/main", content=body, headers=auth)
        if "\\" in bad:  # the Hub's answer to a path that starts with a backslash or "..\\"
            assert r.status_code == 422, bad
            continue
        assert r.status_code == 400, bad
        assert r.headers["X-Error-Code"] == "BadRequest"
    r = httpx.get(f"{local_hub.url}/{repo_name}/resolve/main/%2e%2e/%2e%2e/secret.key")
    assert r.status_code == 400
    r = httpx.get(f"{local_hub.url}/api/models/{repo_name}/tree/main/..%2F..")
    assert r.status_code == 400
    with pytest.raises((ValueError, BadRequestError)):
        hf_api.upload_file(path_or_fileobj=b"x", path_in_repo="../x.txt", repo_id=repo_name)
    assert hf_api.list_repo_files(repo_name) == [".gitattributes"]


def test_malformed_bodies_are_400(local_hub, repo_name, tester_token):
    import httpx

    HfApi(endpoint=local_hub.url, token=tester_token).create_repo(repo_name)
    auth = {"authorization": f"Bearer {tester_token}"}
    base = f"{local_hub.url}/api/models/{repo_name}"
    assert httpx.post(f"{base}/commit/main", content=b"{not json", headers=auth).status_code == 400
    assert httpx.post(f"{base}/commit/main", content=b'{"key":"file","value":{}}', headers=auth).status_code == 400
    assert httpx.post(f"{base}/preupload/main", content=b"[1,2", headers=auth).status_code == 400
    assert httpx.post(f"{local_hub.url}/api/repos/create", content=b"nope", headers=auth).status_code == 400
    r = httpx.post(f"{local_hub.url}/api/validate-yaml", json={"content": "---\na: [1\n---\n", "repoType": "model"})
    assert r.status_code == 400 and r.json()["errors"]
    with pytest.raises(ValueError):
        HfApi(endpoint=local_hub.url, token=tester_token).upload_file(
            path_or_fileobj=b"---\nkey: [unclosed\n---\n", path_in_repo="README.md", repo_id=repo_name)


def test_spaces_endpoints_are_stateful(hf_api, repo_name):
    hf_api.create_repo(repo_name, repo_type="space", space_sdk="gradio")
    hf_api.add_space_variable(repo_name, "MODEL_ID", "gaokerena/model", description="model")
    hf_api.add_space_secret(repo_name, "API_KEY", "s3cret")
    variables = hf_api.get_space_variables(repo_name)
    assert variables["MODEL_ID"].value == "gaokerena/model"
    assert "API_KEY" in hf_api.get_space_secrets(repo_name)
    hf_api.delete_space_variable(repo_name, "MODEL_ID")
    assert "MODEL_ID" not in hf_api.get_space_variables(repo_name)
    assert hf_api.get_space_runtime(repo_name).stage == "RUNNING"
    assert hf_api.pause_space(repo_name).stage == "PAUSED"
    assert hf_api.restart_space(repo_name).stage == "RUNNING"
    assert hf_api.request_space_hardware(repo_name, "t4-small").requested_hardware == "t4-small"
    assert hf_api.set_space_sleep_time(repo_name, 600).sleep_time == 600
    assert hf_api.space_info(repo_name).sdk == "gradio"
