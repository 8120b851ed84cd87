"""Xet on the local Hub: ``hf_xet`` uploads and downloads through its token endpoints and CAS, chunk-level dedup
makes a one-tensor change re-upload a fraction of the model, clients without Xet still read every file, and
hostile CAS requests get a 4xx."""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import httpx
import pytest

from hub_tools.localhub import LocalHub

pytest.importorskip("hf_xet")
pytest.importorskip("lz4")
pytestmark = pytest.mark.timeout(180)
TOKEN = "hf_xet_tests_0123456789abcdef"
T = 30


@pytest.fixture(scope="module")
def xet_hub(tmp_path_factory):
    with LocalHub(tmp_path_factory.mktemp("xet") / "hub", tokens={TOKEN: {"user": "xu", "orgs": []}},
                  xet=True) as hub:
        yield hub


@pytest.fixture()
def xet_on(monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", False)


def _api(hub):
    from huggingface_hub import HfApi

    return HfApi(endpoint=hub.url, token=TOKEN)


def _model(path: Path, tensors: int = 8, tensor_bytes: int = 1 << 20) -> bytes:
    """A safetensors-shaped file: a JSON header, then ``tensors`` random float blocks."""
    header = {f"layer.{i}.weight": {"dtype": "F32", "shape": [tensor_bytes // 4],
                                    "data_offsets": [i * tensor_bytes, (i + 1) * tensor_bytes]}
              for i in range(tensors)}
    raw = json.dumps(header).encode()
    data = struct.pack("<Q", len(raw)) + raw + os.urandom(tensors * tensor_bytes)
    path.write_bytes(data)
    return data


def _xorb_bytes(hub) -> dict[str, int]:
    root = Path(hub.root) / "xet" / "xorbs"
    return {p.name: p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.name.endswith(".json")}


def test_upload_and_download_through_xet(xet_hub, xet_on, tmp_path):
    from huggingface_hub import hf_hub_download

    api = _api(xet_hub)
    api.create_repo("xu/model")
    data = _model(tmp_path / "model.safetensors")
    xet_hub.clear_request_log()
    api.upload_file(path_or_fileobj=tmp_path / "model.safetensors", path_in_repo="model.safetensors",
                    repo_id="xu/model")
    assert xet_hub.count_requests("POST", "/xet/v1/xorbs/") >= 1 and xet_hub.count_requests("POST", "/xet/v1/shards")
    assert xet_hub.count_requests("POST", ".git/info/lfs/objects/batch") == 0  # no LFS on this path
    got = hf_hub_download("xu/model", "model.safetensors", cache_dir=tmp_path / "dl", endpoint=xet_hub.url,
                          token=TOKEN)
    assert Path(got).read_bytes() == data
    assert xet_hub.count_requests("GET", "/xet/v1/reconstructions/") == 1
    # A client without Xet reads the same file with a plain GET.
    r = httpx.get(f"{xet_hub.url}/xu/model/resolve/main/model.safetensors", timeout=T, follow_redirects=True)
    assert r.status_code == 200 and r.content == data and r.headers["X-Xet-Hash"]


def test_one_tensor_change_reuploads_a_fraction(xet_hub, xet_on, tmp_path):
    from huggingface_hub import hf_hub_download

    api = _api(xet_hub)
    api.create_repo("xu/dedup")
    path = tmp_path / "model.safetensors"
    data = bytearray(_model(path, tensors=8, tensor_bytes=1 << 20))
    api.upload_file(path_or_fileobj=path, path_in_repo="model.safetensors", repo_id="xu/dedup")
    before = _xorb_bytes(xet_hub)
    header_end = 8 + struct.unpack_from("<Q", data)[0]
    start = header_end + 3 * (1 << 20)  # tensor 3 changes, the other seven stay
    data[start:start + (1 << 20)] = os.urandom(1 << 20)
    path.write_bytes(bytes(data))
    api.upload_file(path_or_fileobj=path, path_in_repo="model.safetensors", repo_id="xu/dedup")
    new = {h: n for h, n in _xorb_bytes(xet_hub).items() if h not in before}
    assert 0 < sum(new.values()) < 0.2 * len(data), (sum(new.values()), len(data))
    got = hf_hub_download("xu/dedup", "model.safetensors", cache_dir=tmp_path / "dl", endpoint=xet_hub.url,
                          token=TOKEN)
    assert Path(got).read_bytes() == bytes(data)


def test_lfs_path_still_works_with_xet_disabled(xet_hub, monkeypatch, tmp_path):
    from huggingface_hub import constants, hf_hub_download

    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)
    api = _api(xet_hub)
    api.create_repo("xu/lfs")
    data = _model(tmp_path / "m.safetensors", tensors=2, tensor_bytes=1 << 16)
    xet_hub.clear_request_log()
    api.upload_file(path_or_fileobj=tmp_path / "m.safetensors", path_in_repo="m.safetensors", repo_id="xu/lfs")
    assert xet_hub.count_requests("POST", ".git/info/lfs/objects/batch") == 1
    assert xet_hub.count_requests(path_contains="/xet/") == 0
    got = hf_hub_download("xu/lfs", "m.safetensors", cache_dir=tmp_path / "dl", endpoint=xet_hub.url, token=TOKEN)
    assert Path(got).read_bytes() == data


def test_hostile_cas_requests_are_4xx(xet_hub):
    api = _api(xet_hub)
    api.create_repo("xu/hostile")
    token = httpx.get(f"{xet_hub.url}/api/models/xu/hostile/xet-write-token/main", timeout=T,
                      headers={"authorization": f"Bearer {TOKEN}"}).json()["accessToken"]
    assert httpx.get(f"{xet_hub.url}/api/models/xu/hostile/xet-write-token/main", timeout=T).status_code == 401
    read = httpx.get(f"{xet_hub.url}/api/models/xu/hostile/xet-read-token/main", timeout=T).json()["accessToken"]
    auth = {"authorization": f"Bearer {token}"}
    base = f"{xet_hub.url}/xet/v1"
    h = "ab" * 32
    for headers in ({}, {"authorization": "Bearer nope.nope"}, {"authorization": f"Bearer {token[:-2]}xx"}):
        assert httpx.post(f"{base}/xorbs/default/{h}", content=b"x", headers=headers, timeout=T).status_code == 401
    assert httpx.post(f"{base}/xorbs/default/{h}", content=b"x", timeout=T,
                      headers={"authorization": f"Bearer {read}"}).status_code == 403  # a read token cannot write
    assert httpx.post(f"{base}/xorbs/default/{h}", content=b"\x00garbage", headers=auth, timeout=T).status_code == 400
    assert httpx.post(f"{base}/xorbs/default/not-a-hash", content=b"x", headers=auth, timeout=T).status_code == 400
    for body in (b"", b"x" * 200, bytes(32) + struct.pack("<QQ", 2, 0) + b"\xff" * 32 + bytes(16)):
        assert httpx.post(f"{base}/shards", content=body, headers=auth, timeout=T).status_code == 400
    missing = (bytes(32) + struct.pack("<QQ", 2, 0)  # a file made of a xorb never uploaded
               + b"\x01" * 32 + struct.pack("<IIQ", 0, 1, 0) + b"\x02" * 32 + struct.pack("<IIII", 0, 10, 0, 1)
               + b"\xff" * 32 + bytes(16) + b"\xff" * 32 + bytes(16))
    r = httpx.post(f"{base}/shards", content=missing, headers=auth, timeout=T)
    assert r.status_code == 400 and "was not uploaded" in r.json()["error"]
    assert httpx.get(f"{base}/reconstructions/{h}", headers=auth, timeout=T).status_code == 404
    assert httpx.get(f"{base}/get_xorb/{h}?exp=1&sig=x", timeout=T).status_code == 403
    api.create_repo("xu/hidden", private=True)
    api.create_repo("xu/gated")
    api.update_repo_settings("xu/gated", gated="auto")
    assert httpx.get(f"{xet_hub.url}/api/models/xu/hidden/xet-read-token/main", timeout=T).status_code == 404
    assert httpx.get(f"{xet_hub.url}/api/models/xu/gated/xet-read-token/main", timeout=T).status_code == 401


def test_global_dedup_across_processes(xet_hub, xet_on, tmp_path):
    """A fresh client (its own process and Xet cache) learns the stored chunks through the CAS's global dedup
    query, so a changed copy of a file pushed by someone else uploads only the change."""
    import subprocess
    import sys

    api = _api(xet_hub)
    api.create_repo("xu/first")
    path = tmp_path / "model.safetensors"
    data = bytearray(_model(path, tensors=8, tensor_bytes=1 << 20))
    api.upload_file(path_or_fileobj=path, path_in_repo="model.safetensors", repo_id="xu/first")
    data[-(1 << 20):] = os.urandom(1 << 20)
    path.write_bytes(bytes(data))
    before = _xorb_bytes(xet_hub)
    xet_hub.clear_request_log()
    env = {k: v for k, v in os.environ.items() if k != "HF_HUB_DISABLE_XET"}
    env.update(HF_HOME=str(tmp_path / "other-home"), HF_ENDPOINT=xet_hub.url, HF_TOKEN=TOKEN)
    script = ("from huggingface_hub import HfApi; api = HfApi(); api.create_repo('xu/second'); "
              f"api.upload_file(path_or_fileobj={str(path)!r}, path_in_repo='m.safetensors', repo_id='xu/second')")
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert any(e["status"] == 200 for e in xet_hub.request_log if "/xet/v1/chunks/" in e["path"])
    new = sum(n for h, n in _xorb_bytes(xet_hub).items() if h not in before)
    assert 0 < new < 0.2 * len(data), (new, len(data))
