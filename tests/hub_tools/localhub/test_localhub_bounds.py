"""Bounded work per request, nothing private shown, no 5xx under races: one regression test per probe of the
adversarial pass (issue 22). Each check is a behaviour limit with generous bounds (a 4xx or a success within its
time limit, memory growth within a multiple of the request), never a benchmark.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
import uuid

import httpx
import pytest

from hub_tools.localhub import LocalHub
from hub_tools.localhub.storage import Operation, RepoRef

pytestmark = pytest.mark.timeout(180)
TOKEN = "hf_bounds_token_0123456789abcdef"
OTHER = "hf_bounds_other_0123456789abcdef"
AUTH = {"authorization": f"Bearer {TOKEN}"}
T = 30  # client timeout of every request


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    with LocalHub(tmp_path_factory.mktemp("bounds") / "hub",
                  tokens={TOKEN: {"user": "owner", "orgs": []}, OTHER: {"user": "stranger", "orgs": []}},
                  body_timeout=10, body_grace=1.0, min_body_rate=1024, worker_threads=8, stream_workers=2) as hub:
        yield hub


@pytest.fixture()
def repo(hub) -> str:
    name = f"owner/r-{uuid.uuid4().hex[:8]}"
    assert httpx.post(f"{hub.url}/api/repos/create", json={"name": name}, headers=AUTH, timeout=T).status_code == 200
    return name


@pytest.fixture(autouse=True)
def _no_5xx(hub):
    start = len(hub.request_log)
    yield
    bad = [e for e in hub.request_log[start:] if e["status"] >= 500]
    assert not bad, f"local Hub answered 5xx: {bad}"


def _commit(hub, repo: str, files: dict[str, bytes], summary: str = "c") -> dict:
    lines = [json.dumps({"key": "header", "value": {"summary": summary}})]
    lines += [json.dumps({"key": "file", "value": {"path": p, "encoding": "base64",
                                                    "content": base64.b64encode(c).decode()}}) for p, c in files.items()]
    r = httpx.post(f"{hub.url}/api/models/{repo}/commit/main", content="\n".join(lines).encode(), headers=AUTH,
                   timeout=T)
    assert r.status_code == 200, r.text
    return r.json()


def _rss_kb(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(field)


def _peak_growth_bytes(fn) -> int:
    """Peak RSS growth of this process (the server runs in it) while ``fn`` runs."""
    before = _rss_kb("VmRSS")
    with open("/proc/self/clear_refs", "w") as fh:  # resets the VmHWM peak
        fh.write("5")
    fn()
    return max(0, _rss_kb("VmHWM") - before) * 1024


# ----------------------------------------------------------------------------------------- slow and large bodies
def _trickler(hub, path: str, head_bytes: int, stop: threading.Event, out: list) -> None:
    """A client that declares a big body, sends ``head_bytes`` of it at once, then one byte every 0.3 s."""
    try:
        with socket.create_connection((hub.host, hub.port), timeout=T) as sock:
            sock.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         f"Authorization: Bearer {TOKEN}\r\nContent-Length: {head_bytes + 10_000}\r\n\r\n".encode())
            sock.sendall(b" " * head_bytes)
            while not stop.is_set():
                sock.sendall(b" ")
                time.sleep(0.3)
            sock.settimeout(1)
            out.append(sock.recv(200))
    except OSError as exc:  # the server cut the connection: what the floor is for
        out.append(repr(exc).encode())


def test_health_and_reads_served_while_40_slow_bodies_trickle(hub, repo):
    hub.clear_request_log()
    stop, answers, threads = threading.Event(), [], []
    commit_path = f"/api/models/{repo}/commit/main"
    for i in range(40):  # half trickle from the first byte, half after a fast first 1.5 MB (they hold a thread)
        head = 0 if i % 2 else 1_500_000
        path = commit_path if head else "/api/validate-yaml"
        threads.append(threading.Thread(target=_trickler, args=(hub, path, head, stop, answers), daemon=True))
    for t in threads:
        t.start()
    try:
        time.sleep(1.5)
        for _ in range(5):
            start = time.monotonic()
            assert httpx.get(f"{hub.url}/api/health", timeout=T).status_code == 200
            assert time.monotonic() - start < 1.0
            start = time.monotonic()
            assert httpx.get(f"{hub.url}/api/models/{repo}", timeout=T).status_code == 200
            assert time.monotonic() - start < 1.0
            time.sleep(0.2)
    finally:
        stop.set()
        for t in threads:
            t.join(T)
    # The bodies that trickled from their first byte fell under the rate floor: 408, not a held connection.
    cut = [e for e in hub.request_log if e["path"] == "/api/validate-yaml" and e["status"] == 408]
    assert len(cut) >= 15, hub.request_log[-5:]


def test_trickled_body_cut_off_by_the_rate_floor(hub):
    # The hub is shared by the module: only the entries logged after this test starts are its own.
    before = hub.count_requests("POST", "/api/validate-yaml")
    started = time.monotonic()
    out: list = []
    stop = threading.Event()
    runner = threading.Thread(target=_trickler, args=(hub, "/api/validate-yaml", 0, stop, out), daemon=True)
    runner.start()
    deadline = time.monotonic() + 20
    while hub.count_requests("POST", "/api/validate-yaml") == before and time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    runner.join(T)
    log = [e for e in hub.request_log if e["path"] == "/api/validate-yaml"][before:]
    assert len(log) == 1 and log[0]["status"] == 408 and time.monotonic() - started < 20, log


@pytest.mark.parametrize("path", ["/api/validate-yaml", "/api/models/owner/x/paths-info/main",
                                  "/owner/x.git/info/lfs/objects/upload/" + "a" * 64 + "/3"])
def test_absurd_content_length_refused_up_front(hub, path):
    with socket.create_connection((hub.host, hub.port), timeout=T) as sock:
        start = time.monotonic()
        method = "PUT" if "upload" in path else "POST"
        sock.sendall(f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {10 ** 18}\r\n\r\n".encode())
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413") and time.monotonic() - start < 5


def test_json_bodies_capped_before_parsing(hub, repo):
    url = f"{hub.url}/api/models/{repo}/paths-info/main"
    big = json.dumps({"paths": [f"p{i}" for i in range(2_000_000)]}).encode()  # ~22 MB, 2 M strings

    def send_chunked():
        def chunks():
            for i in range(0, len(big), 1 << 20):
                yield big[i:i + (1 << 20)]
        r = httpx.post(url, content=chunks(), headers={"content-type": "application/json"}, timeout=T)
        assert r.status_code == 413

    growth = _peak_growth_bytes(send_chunked)
    assert growth <= min(10 * len(big), 256 << 20), growth
    # Many tiny objects (a 2-byte {} becomes a 64-byte dict): refused by their count before parsing.
    dense = b"[" + b"{}," * 1_000_000 + b"{}]"
    growth = _peak_growth_bytes(lambda: _expect(httpx.post(url, content=dense, timeout=T,
                                                           headers={"content-type": "application/json"}), 413))
    assert growth <= min(10 * len(dense), 256 << 20), growth


def _expect(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text[:300]


def test_unclosed_front_matter_answers_promptly(hub):
    content = "---\n" + "a: b\n" * 1_200_000  # 6 MB of front matter that never closes
    start = time.monotonic()
    r = httpx.post(f"{hub.url}/api/validate-yaml", json={"content": content}, timeout=T)
    assert r.status_code == 400 and "too large" in r.json()["errors"][0]["message"]
    assert time.monotonic() - start < 5


# -------------------------------------------------------------------------------------------- tree and paths-info
def test_tree_and_paths_info_cost_the_page(hub, repo):
    state = hub.storage.load(RepoRef("model", *repo.split("/")))
    ops = [Operation("file", f"d{i:05d}/f.txt", content=b"x") for i in range(20_000)]
    hub.storage.apply_commit(state, "main", ops, title="20k folders", message="", author="owner",
                             parent_commit=None)
    base = f"{hub.url}/api/models/{repo}"
    r = httpx.get(f"{base}/tree/main?recursive=true", timeout=T)  # builds the commit's folder index once
    assert r.status_code == 200 and len(r.json()) == 50
    start = time.monotonic()
    for cursor in (50, 10_000, 39_951):
        page = httpx.get(f"{base}/tree/main?recursive=true&expand=true&cursor={cursor}", timeout=T)
        assert page.status_code == 200 and len(page.json()) == 50
    assert time.monotonic() - start < 10
    assert page.headers.get("Link") is None  # the last page: 20,000 folders + 20,000 files + .gitattributes
    folders = [f"d{i:05d}" for i in range(10_000)]
    start = time.monotonic()
    r = httpx.post(f"{base}/paths-info/main", json={"paths": folders, "expand": True}, timeout=T)
    assert r.status_code == 200 and len(r.json()) == 10_000 and time.monotonic() - start < 20
    assert all(e["type"] == "directory" and e["lastCommit"]["title"] == "20k folders" for e in r.json())


def test_folder_oid_changes_with_its_content(hub, repo):
    _commit(hub, repo, {"a/x.txt": b"1", "b/y.txt": b"2"})
    first = {e["path"]: e["oid"] for e in httpx.get(f"{hub.url}/api/models/{repo}/tree/main", timeout=T).json()}
    _commit(hub, repo, {"a/x.txt": b"changed"})
    second = {e["path"]: e["oid"] for e in httpx.get(f"{hub.url}/api/models/{repo}/tree/main", timeout=T).json()}
    assert first["a"] != second["a"] and first["b"] == second["b"]


# --------------------------------------------------------------------------------------------- nothing private
def test_collections_hide_items_the_viewer_cannot_read(hub, repo):
    secret = repo + "-private"
    assert httpx.post(f"{hub.url}/api/repos/create", json={"name": secret, "private": True}, headers=AUTH,
                      timeout=T).status_code == 200
    title = f"c-{uuid.uuid4().hex[:6]}"
    slug = httpx.post(f"{hub.url}/api/collections", json={"title": title, "namespace": "owner"}, headers=AUTH,
                      timeout=T).json()["slug"]
    for item, note in ((repo, "public one"), (secret, "the secret plan")):
        r = httpx.post(f"{hub.url}/api/collections/{slug}/items", headers=AUTH, timeout=T,
                       json={"item": {"id": item, "type": "model"}, "note": note})
        assert r.status_code == 200
    owner_view = httpx.get(f"{hub.url}/api/collections/{slug}", headers=AUTH, timeout=T).json()
    assert [i["id"] for i in owner_view["items"]] == [repo, secret]
    for headers in ({}, {"authorization": f"Bearer {OTHER}"}):
        view = httpx.get(f"{hub.url}/api/collections/{slug}", headers=headers, timeout=T)
        assert [i["id"] for i in view.json()["items"]] == [repo] and "secret plan" not in view.text
        listed = httpx.get(f"{hub.url}/api/collections?owner=owner", headers=headers, timeout=T)
        assert secret not in listed.text and "secret plan" not in listed.text
        by_item = httpx.get(f"{hub.url}/api/collections?item=models/{secret}", headers=headers, timeout=T)
        assert by_item.status_code == 200 and by_item.json() == []
    assert httpx.get(f"{hub.url}/api/collections?item=models/{secret}", headers=AUTH, timeout=T).json()


def test_deleted_and_recreated_repo_serves_nothing_of_the_old_one(hub, repo):
    old = _commit(hub, repo, {"secret-name.txt": b"old secret", "README.md": b"---\nlicense: mit\n---\n"})["commitOid"]
    base = f"{hub.url}/api/models/{repo}"
    assert httpx.get(f"{base}/revision/{old}", timeout=T).json()["cardData"] == {"license": "mit"}  # cached now
    assert httpx.get(f"{base}/tree/{old}", timeout=T).status_code == 200
    assert httpx.request("DELETE", f"{hub.url}/api/repos/delete", json={"name": repo}, headers=AUTH,
                         timeout=T).status_code == 200
    assert httpx.post(f"{hub.url}/api/repos/create", json={"name": repo}, headers=AUTH, timeout=T).status_code == 200
    for url in (f"{base}/revision/{old}", f"{base}/tree/{old}", f"{hub.url}/{repo}/commit/{old}",
                f"{base}/commits/{old}", f"{hub.url}/{repo}/resolve/{old}/secret-name.txt"):
        r = httpx.get(url, timeout=T)
        assert r.status_code == 404 and "secret" not in r.text, (url, r.text)


def test_writes_racing_delete_and_recreate_give_no_5xx(hub):
    name = f"owner/race-{uuid.uuid4().hex[:6]}"
    base = f"{hub.url}/api/models/{name}"
    assert httpx.post(f"{hub.url}/api/repos/create", json={"name": name}, headers=AUTH, timeout=T).status_code == 200
    stop, statuses = threading.Event(), []

    def churn():
        while not stop.is_set():
            httpx.request("DELETE", f"{hub.url}/api/repos/delete", json={"name": name}, headers=AUTH, timeout=T)
            httpx.post(f"{hub.url}/api/repos/create", json={"name": name}, headers=AUTH, timeout=T)

    def writer(kind: int):
        with httpx.Client(timeout=T, headers=AUTH) as client:
            for i in range(40):
                if kind == 0:
                    r = client.post(f"{base}/tag/main", json={"tag": f"v{kind}-{i}-{uuid.uuid4().hex[:4]}"})
                elif kind == 1:
                    r = client.put(f"{base}/settings", json={"private": bool(i % 2)})
                elif kind == 2:
                    r = client.post(f"{base}/discussions", json={"title": "pr", "pullRequest": True})
                else:
                    r = client.post(f"{base}/branch/b-{i}-{uuid.uuid4().hex[:4]}", json={})
                statuses.append(r.status_code)

    churner = threading.Thread(target=churn, daemon=True)
    churner.start()
    writers = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for w in writers:
        w.start()
    for w in writers:
        w.join(120)
    stop.set()
    churner.join(T)
    assert statuses and max(statuses) < 500
    state = hub.storage.load(RepoRef("model", *name.split("/")))
    if state is not None:  # every tag and branch points at a commit of this repo
        for kind in ("tags", "branches"):
            for ref, sha in state.refs[kind].items():
                assert hub.storage.get_commit(state, sha) is not None, (kind, ref)


# ----------------------------------------------------------------------------------------------- parameters
@pytest.mark.parametrize("method,path,body,field", [
    ("GET", "/api/collections?limit=abc", None, "limit"),
    ("PATCH", "/api/collections/{slug}", {"title": 5}, "title"),
    ("PATCH", "/api/collections/{slug}", {"position": "first"}, "position"),
    ("PATCH", "/api/collections/{slug}", {"private": "yes"}, "private"),
    ("PATCH", "/api/collections/{slug}/items/{item}", {"position": "x"}, "position"),
    ("PATCH", "/api/collections/{slug}/items/{item}", {"note": ["x"]}, "note"),
    ("POST", "/api/models/{repo}/branch/dev", {"startingPoint": 5}, "startingPoint"),
    ("PUT", "/api/models/{repo}/settings", {"gated": 3}, "gated"),
    ("POST", "/api/models/{repo}/discussions", {"title": 3, "pullRequest": True}, "title"),
], ids=lambda v: v if isinstance(v, str) and " " not in v and "/" not in v else None)
def test_bad_parameter_types_are_400_naming_the_field(hub, repo, method, path, body, field):
    slug = httpx.post(f"{hub.url}/api/collections", json={"title": f"p-{uuid.uuid4().hex[:6]}", "namespace": "owner"},
                      headers=AUTH, timeout=T).json()["slug"]
    item = httpx.post(f"{hub.url}/api/collections/{slug}/items", json={"item": {"id": repo, "type": "model"}},
                      headers=AUTH, timeout=T).json()["items"][0]["_id"]
    r = httpx.request(method, hub.url + path.format(slug=slug, item=item, repo=repo), json=body, headers=AUTH,
                      timeout=T)
    assert r.status_code == 400 and field in r.json()["error"], r.text
