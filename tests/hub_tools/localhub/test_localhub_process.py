"""Isolated servers: kill -9 in the middle of a commit, request size limits, the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import httpx
import pytest
from huggingface_hub import CommitOperationAdd, HfApi, hf_hub_download
from huggingface_hub.errors import HfHubHTTPError

from hub_tools.localhub import LocalHub, LocalHubProcess

TOKENS = {"hf_crash_token_0123456789": {"user": "tester", "orgs": ["gaokerena"]}}
TOKEN = next(iter(TOKENS))
REPO = "gaokerena/crash"


def _commit_in_thread(api: HfApi, failures: list) -> threading.Thread:
    def run() -> None:
        try:
            api.create_commit(REPO, [CommitOperationAdd("a.txt", b"after"),
                                     CommitOperationAdd("w.safetensors", os.urandom(50_000)),
                                     CommitOperationAdd("new.txt", b"new")], commit_message="c2")
        except Exception as exc:  # noqa: BLE001 (the server dies under it: expected)
            failures.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _wait_for(path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


def test_kill9_mid_commit_leaves_a_consistent_repo(tmp_path):
    root = tmp_path / "hub"
    with LocalHubProcess(root, tokens=TOKENS) as hub:
        api = HfApi(endpoint=hub.url, token=TOKEN)
        api.create_repo(REPO)
        old = api.create_commit(REPO, [CommitOperationAdd("a.txt", b"before")], commit_message="c1").oid

    # A server that pauses between writing the commit object and moving the ref: SIGKILL it right there.
    marker = tmp_path / "paused-before-ref"
    hub = LocalHubProcess(root, tokens=TOKENS, launcher=["-m", "tests.support.pausing_localhub", str(marker), "60"])
    hub.start()
    failures: list = []
    thread = _commit_in_thread(HfApi(endpoint=hub.url, token=TOKEN), failures)
    _wait_for(marker)
    hub.kill()
    thread.join(30)
    assert failures, "the commit cannot have succeeded: its server was killed before answering"
    commit_objects = list((root / "repos" / "models" / "gaokerena" / "crash").glob("objects/commits/*/*.json"))
    assert len(commit_objects) == 3  # initial, c1 and the orphaned c2: the kill happened after c2 was written

    with LocalHubProcess(root, tokens=TOKENS) as hub:
        api = HfApi(endpoint=hub.url, token=TOKEN)
        info = api.model_info(REPO, files_metadata=True)
        assert info.sha == old  # the interrupted commit is not visible at all
        assert sorted(s.rfilename for s in info.siblings) == [".gitattributes", "a.txt"]
        path = hf_hub_download(REPO, "a.txt", endpoint=hub.url, token=TOKEN, cache_dir=tmp_path / "c")
        assert open(path, "rb").read() == b"before"
        assert [c.title for c in api.list_repo_commits(REPO)] == ["c1", "initial commit"]
        # the repo still takes commits, on top of the old head
        failures.clear()
        new = api.create_commit(REPO, [CommitOperationAdd("a.txt", b"after"), CommitOperationAdd("b.txt", b"b")],
                                commit_message="c3", parent_commit=old).oid
        assert api.list_repo_refs(REPO).branches[0].target_commit == new
        assert api.list_repo_files(REPO) == [".gitattributes", "a.txt", "b.txt"]


def test_oversized_request_and_file_refused(tmp_path):
    with LocalHub(tmp_path / "hub", tokens=TOKENS, max_request_bytes=1 << 20, max_file_bytes=2 << 20) as hub:
        api = HfApi(endpoint=hub.url, token=TOKEN)
        api.create_repo(REPO)
        with pytest.raises(HfHubHTTPError) as exc:  # a regular file whose base64 commit body is above 1 MB
            api.upload_file(path_or_fileobj=b"x" * (900 << 10), path_in_repo="big.txt", repo_id=REPO)
        assert exc.value.response.status_code == 413
        with pytest.raises((HfHubHTTPError, ValueError)):  # an LFS file above the 2 MB file limit
            api.upload_file(path_or_fileobj=os.urandom(3 << 20), path_in_repo="w.safetensors", repo_id=REPO)
        raw = httpx.post(f"{hub.url}/api/repos/create", content=b"{" + b" " * (2 << 20) + b"}",
                         headers={"authorization": f"Bearer {TOKEN}"})
        assert raw.status_code == 413 and raw.headers["X-Error-Code"] == "PayloadTooLarge"
        # the server still answers normally afterwards
        api.upload_file(path_or_fileobj=b"small", path_in_repo="small.txt", repo_id=REPO)
        assert api.list_repo_files(REPO) == [".gitattributes", "small.txt"]


def test_cli_serve_with_token_file(tmp_path):
    token_file = tmp_path / "tokens.yaml"
    token_file.write_text("tokens:\n  hf_cli_token_abcdef: {user: alice, orgs: [gaokerena]}\n")
    ready = tmp_path / "ready.json"
    log = open(tmp_path / "serve.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "hub_tools.cli", "hub", "serve", "--root", str(tmp_path / "h"),
                             "--port", "0", "--token-file", str(token_file), "--token", "hf_cli_2=bob",
                             "--ready-file", str(ready)], stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for(ready)
        url = f"http://127.0.0.1:{json.loads(ready.read_text())['port']}"
        assert HfApi(endpoint=url, token="hf_cli_token_abcdef").whoami()["name"] == "alice"
        assert HfApi(endpoint=url, token="hf_cli_2").create_repo("bob/x").repo_id == "bob/x"
    finally:
        proc.terminate()
        assert proc.wait(10) == 0
        log.close()
    text = (tmp_path / "serve.log").read_text()
    assert "hf_cli_token_abcdef" not in text and "hf_cli_2" not in text  # tokens are never logged


def test_regular_only_serves_clients_with_xet_on(tmp_path, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", False)  # as a client without HF_HUB_DISABLE_XET=1
    with LocalHub(tmp_path / "hub", tokens=TOKENS, regular_only=True) as hub:
        api = HfApi(endpoint=hub.url, token=TOKEN)
        api.create_repo(REPO)
        weights = os.urandom(40_000)
        (tmp_path / "up").mkdir()
        (tmp_path / "up" / "model.safetensors").write_bytes(weights)
        (tmp_path / "up" / "config.json").write_text("{}")
        api.upload_folder(repo_id=REPO, folder_path=tmp_path / "up")
        assert hub.count_requests(path_contains="xet") == 0 and hub.count_requests(path_contains="lfs") == 0
        path = hf_hub_download(REPO, "model.safetensors", endpoint=hub.url, token=TOKEN, cache_dir=tmp_path / "c")
        assert open(path, "rb").read() == weights


def test_gated_repo_needs_access(tmp_path):
    from huggingface_hub.errors import GatedRepoError

    with LocalHub(tmp_path / "hub", tokens=TOKENS) as hub:
        api = HfApi(endpoint=hub.url, token=TOKEN)
        api.create_repo(REPO)
        api.upload_file(path_or_fileobj=b"w", path_in_repo="w.txt", repo_id=REPO)
        api.update_repo_settings(REPO, gated="auto")
        anonymous = HfApi(endpoint=hub.url, token=False)
        assert anonymous.model_info(REPO).gated == "auto"  # the page is public, the files are not
        with pytest.raises(GatedRepoError):
            hf_hub_download(REPO, "w.txt", endpoint=hub.url, token=False, cache_dir=tmp_path / "c")
        assert hf_hub_download(REPO, "w.txt", endpoint=hub.url, token=TOKEN, cache_dir=tmp_path / "c2")


def test_small_pages_for_commits_and_nested_tree_paths(tmp_path):
    with LocalHub(tmp_path / "hub", tokens=TOKENS, tree_page_size=3, commits_page_size=4) as hub:
        api = HfApi(endpoint=hub.url, token=TOKEN)
        api.create_repo(REPO)
        api.create_branch(REPO, branch="dev/x")
        for i in range(9):
            api.upload_file(path_or_fileobj=f"{i}".encode(), path_in_repo=f"a/b/f{i}.txt", repo_id=REPO,
                            revision="dev/x", commit_message=f"c{i}")
        commits = api.list_repo_commits(REPO, revision="dev/x", formatted=True)
        assert [c.title for c in commits] == [f"c{i}" for i in reversed(range(9))] + ["initial commit"]
        assert hub.count_requests("GET", "/commits/") == 3  # 10 commits, 4 per page
        entries = list(api.list_repo_tree(REPO, path_in_repo="a/b", revision="dev/x"))
        assert [e.path for e in entries] == [f"a/b/f{i}.txt" for i in range(9)]
        assert hub.count_requests("GET", "/tree/dev%2Fx/a%2Fb") == 1 and hub.count_requests("GET", "/tree/") == 3
        assert api.list_repo_files(REPO) == [".gitattributes"]  # main untouched
