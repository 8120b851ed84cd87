"""Throughput of the local Hub: LFS upload and download of ~200 MB in 20 files vs a plain disk copy, repo_info
requests per second, the worst repo_info latency while 3,000 idle connections are held open, the cost of one
anonymous request of each hostile kind (each must answer a prompt 4xx), and the time of one recursive tree page of
a repo with 20,000 folders (target: at most 50 ms once the commit's folder index is built; a one-folder repo's page
is the baseline measured in the same run).

    python bench/hub_bench.py [--mb 200] [--files 20] [--seconds 3] [--idle 3000]

The server runs in its own process (``LocalHubProcess``), the clients are the real ``huggingface_hub`` ones
(``upload_folder`` through the LFS batch/PUT flow with Xet off, ``snapshot_download``; then the same files through
``hf_xet`` and the local Hub's Xet CAS). The baseline copies the
same bytes with ``shutil.copytree`` in the same run, so the ratios compare like with like on this machine.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TOKEN = "hf_bench_" + "b" * 24
REPO = "bench/throughput"
XET_REPO = "bench/throughput-xet"


def _make_files(folder: Path, total_mb: int, count: int) -> int:
    folder.mkdir(parents=True)
    per_file = max(1, total_mb * 1024 * 1024 // count)
    block = os.urandom(1024 * 1024)
    for i in range(count):
        with open(folder / f"shard-{i:03d}.safetensors", "wb") as fh:
            remaining = per_file
            while remaining > 0:
                chunk = block[: min(len(block), remaining)]
                fh.write(chunk)
                remaining -= len(chunk)
            fh.write(i.to_bytes(4, "little"))  # distinct contents per file
    return sum(p.stat().st_size for p in folder.iterdir())


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _requests_per_second(fn, seconds: float, threads: int) -> float:
    stop_at = time.perf_counter() + seconds
    counts = [0] * threads

    def loop(k: int) -> None:
        while time.perf_counter() < stop_at:
            fn()
            counts[k] += 1

    workers = [threading.Thread(target=loop, args=(k,)) for k in range(threads)]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(counts) / (time.perf_counter() - start)


def _latencies_with_idle_connections(url: str, fn, idle: int, seconds: float) -> tuple[int, float, float, float]:
    """Hold ``idle`` connections open (each with half a request line sent) while ``fn`` runs in a loop for
    ``seconds``; (connections held, median, worst latency in ms, baseline worst without them)."""
    import socket
    from urllib.parse import urlsplit

    host, port = urlsplit(url).hostname, urlsplit(url).port
    baseline = _latencies(fn, seconds)
    socks = []
    try:
        for _ in range(idle):
            sock = socket.create_connection((host, port), timeout=10)
            sock.sendall(b"GET /api/heal")
            socks.append(sock)
        time.sleep(1.0)  # let the server finish accepting them: what is measured is holding, not accepting
        held = _latencies(fn, seconds)
    finally:
        for sock in socks:
            sock.close()
    held.sort()
    return len(socks), held[len(held) // 2] * 1000, held[-1] * 1000, max(baseline) * 1000


def _latencies(fn, seconds: float) -> list[float]:
    out, stop_at = [], time.perf_counter() + seconds
    while time.perf_counter() < stop_at:
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


ALIAS_BOMB = "---\n" + "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 9)) + "---\n"


def _hostile_costs(url: str, repo: str) -> list[tuple[str, int | str, float]]:
    """(probe, status, seconds) for one anonymous request of each hostile kind."""
    import socket
    from urllib.parse import urlsplit

    import httpx

    host, port = urlsplit(url).hostname, urlsplit(url).port
    probes = [
        ("YAML alias bomb to validate-yaml", "POST", "/api/validate-yaml", {"json": {"content": ALIAS_BOMB}}),
        ("16,000 URL segments (tree)", "GET", f"/api/models/{repo}/tree/" + "/".join(["a"] * 16_000), {}),
        ("16,000 URL segments (resolve)", "GET", f"/{repo}/resolve/" + "/".join(["a"] * 16_000), {}),
        ("paths-info, 10,000 paths", "POST", f"/api/models/{repo}/paths-info/main",
         {"json": {"paths": [f"d/p{i}" for i in range(10_000)]}}),
        ("deep JSON to validate-yaml", "POST", "/api/validate-yaml", {"content": b"[" * 100_000 + b"]" * 100_000}),
        ("deep JSON to paths-info", "POST", f"/api/models/{repo}/paths-info/main",
         {"content": b"[" * 100_000, "headers": {"content-type": "application/json"}}),
        ("?limit=\u00b2", "GET", "/api/models?limit=\u00b2", {}),
        ("LFS upload to a private/missing repo", "PUT", f"/{repo}-missing.git/info/lfs/objects/upload/{'a' * 64}/1"
         "?sig=x&exp=99999999999", {"content": b"x"}),
    ]
    out = []
    with httpx.Client(base_url=url, timeout=120) as client:
        for name, method, path, kwargs in probes:
            start = time.perf_counter()
            status = client.request(method, path, **kwargs).status_code
            out.append((name, status, time.perf_counter() - start))
    raw = [
        ("chunk size FFFFFFFFFFFFFFFF", b"Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF\r\n" + b"a" * 1000),
        ("over-long chunk line", b"Transfer-Encoding: chunked\r\n\r\n1" + b"0" * 100_000),
        ("short body (Content-Length 100, 10 sent)", b"Content-Length: 100\r\n\r\n0123456789"),
        ("trickled headers (stops mid-header)", b"X-Slow: 1"),
    ]
    for name, tail in raw:
        start = time.perf_counter()
        with socket.create_connection((host, port), timeout=120) as sock:
            sock.sendall(b"POST /api/validate-yaml HTTP/1.1\r\nHost: x\r\n" + tail)
            answer = b""
            try:
                while chunk := sock.recv(65536):
                    answer += chunk
                    if b"\r\n\r\n" in answer and b"close" not in answer.lower():
                        break
            except ConnectionResetError:
                pass
        status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else "closed"
        out.append((name, status, time.perf_counter() - start))
    return out


def _tree_page_times(url: str, api, folders: int = 20_000, pages: int = 20) -> dict:
    """Milliseconds for one recursive tree page of a repo with ``folders`` folders (the first page builds the
    commit's folder index; the others are what every later page costs), one page of a one-folder repo as the
    baseline, and one paths-info of 10,000 folders with ``expand``."""
    import base64
    import json
    import statistics

    import httpx

    def commit(repo: str, count: int) -> None:
        lines = [json.dumps({"key": "header", "value": {"summary": f"{count} folders"}})]
        content = base64.b64encode(b"x").decode()
        lines += [json.dumps({"key": "file", "value": {"path": f"d{i:05d}/f.txt", "encoding": "base64",
                                                        "content": content}}) for i in range(count)]
        r = httpx.post(f"{url}/api/models/{repo}/commit/main", content="\n".join(lines).encode(), timeout=300,
                       headers={"authorization": f"Bearer {TOKEN}"})
        r.raise_for_status()

    def page_ms(repo: str, cursor: int, expand: bool = False) -> float:
        start = time.perf_counter()
        r = client.get(f"/api/models/{repo}/tree/main", params={"recursive": "true", "cursor": cursor,
                                                                  "expand": str(expand).lower()})
        r.raise_for_status()
        return (time.perf_counter() - start) * 1000

    big, small = "bench/folders", "bench/one-folder"
    for repo, count in ((big, folders), (small, 1)):
        api.create_repo(repo)
        commit(repo, count)
    with httpx.Client(base_url=url, timeout=300) as client:
        first = page_ms(big, 0)
        later = [page_ms(big, (k * 997) % (2 * folders)) for k in range(1, pages + 1)]
        expanded = [page_ms(big, (k * 991) % (2 * folders), expand=True) for k in range(pages)]
        baseline = [page_ms(small, 0) for _ in range(pages)]
        start = time.perf_counter()
        client.post(f"/api/models/{big}/paths-info/main",
                    json={"paths": [f"d{i:05d}" for i in range(10_000)], "expand": True}).raise_for_status()
        paths_info = (time.perf_counter() - start) * 1000
    return {"folders": folders, "first_page_ms": first, "page_ms": statistics.median(later),
            "expand_page_ms": statistics.median(expanded), "baseline_page_ms": statistics.median(baseline),
            "paths_info_10k_expand_ms": paths_info}


def run(total_mb: int, count: int, seconds: float, idle: int = 3000, timeouts: float = 10.0) -> dict:
    from hub_tools.localhub import LocalHubProcess

    work = Path(tempfile.mkdtemp(prefix="hub-bench-"))
    try:
        src = work / "src"
        size = _make_files(src, total_mb, count)
        hub = LocalHubProcess(work / "hub", tokens={TOKEN: {"user": "bench", "orgs": []}},
                              extra_args=["--header-timeout", str(timeouts), "--body-timeout", str(timeouts)]).start()
        os.environ.update({"HF_ENDPOINT": hub.url, "HF_HUB_DISABLE_XET": "1", "HF_HUB_DISABLE_TELEMETRY": "1",
                           "HF_HOME": str(work / "hf_home"), "HF_HUB_DISABLE_PROGRESS_BARS": "1"})
        from huggingface_hub import HfApi, constants, snapshot_download

        api = HfApi(endpoint=hub.url, token=TOKEN)
        try:
            api.create_repo(REPO)
            api.create_repo(XET_REPO)
            t_copy = _timed(lambda: shutil.copytree(src, work / "copy"))
            t_up = _timed(lambda: api.upload_folder(repo_id=REPO, folder_path=src))
            t_down = _timed(lambda: snapshot_download(REPO, cache_dir=work / "dl", endpoint=hub.url, token=TOKEN))
            constants.HF_HUB_DISABLE_XET = False  # the same files through hf_xet and the local Hub's CAS
            t_xet_up = _timed(lambda: api.upload_folder(repo_id=XET_REPO, folder_path=src))
            t_xet_down = _timed(lambda: snapshot_download(XET_REPO, cache_dir=work / "dl-xet", endpoint=hub.url,
                                                          token=TOKEN))
            constants.HF_HUB_DISABLE_XET = True
            rps_1 = _requests_per_second(lambda: api.repo_info(REPO), seconds, 1)
            rps_8 = _requests_per_second(lambda: api.repo_info(REPO), seconds, 8)
            # the idle connections give up at the header timeout: keep the measurement within it
            idle_result = _latencies_with_idle_connections(hub.url, lambda: api.repo_info(REPO), idle,
                                                           min(seconds, timeouts * 0.3))
            hostile = _hostile_costs(hub.url, REPO)
            tree = _tree_page_times(hub.url, api)
        finally:
            hub.stop()
        mb = size / (1024 * 1024)
        return {"mb": mb, "files": count, "copy_mb_s": mb / t_copy, "upload_mb_s": mb / t_up,
                "download_mb_s": mb / t_down, "xet_upload_mb_s": mb / t_xet_up, "xet_download_mb_s": mb / t_xet_down, "repo_info_rps_1": rps_1, "repo_info_rps_8": rps_8,
                "idle": idle_result, "hostile": hostile, "timeouts": timeouts, "tree": tree}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200, help="total size in MB (default 200)")
    parser.add_argument("--files", type=int, default=20, help="number of files (default 20)")
    parser.add_argument("--seconds", type=float, default=3.0, help="duration of each repo_info run")
    parser.add_argument("--idle", type=int, default=3000, help="idle connections held during the latency run")
    parser.add_argument("--timeouts", type=float, default=10.0, help="the server's header and body timeouts (s)")
    parser.add_argument("--json", type=Path, default=None,
                        help="also write the results here, with the machine, its load and the date")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    r = run(args.mb, args.files, args.seconds, args.idle, args.timeouts)
    if args.json is not None:
        import datetime
        import json
        import platform

        record = {"bench": "hub_bench", "args": {k: str(v) for k, v in vars(args).items() if k != "json"},
                  "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                  "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
                  "load_avg_1_5_15": os.getloadavg(), "results": r}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(record, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"local Hub benchmark: {r['mb']:.0f} MB in {r['files']} LFS files")
    print(f"  disk copy (shutil)      {r['copy_mb_s']:9.1f} MB/s")
    print(f"  upload_folder (LFS)     {r['upload_mb_s']:9.1f} MB/s   "
          f"{r['upload_mb_s'] / r['copy_mb_s']:6.2f}x disk copy")
    print(f"  snapshot_download       {r['download_mb_s']:9.1f} MB/s   "
          f"{r['download_mb_s'] / r['copy_mb_s']:6.2f}x disk copy")
    print(f"  upload_folder (Xet)     {r['xet_upload_mb_s']:9.1f} MB/s   "
          f"{r['xet_upload_mb_s'] / r['copy_mb_s']:6.2f}x disk copy")
    print(f"  snapshot_download (Xet) {r['xet_download_mb_s']:9.1f} MB/s   "
          f"{r['xet_download_mb_s'] / r['copy_mb_s']:6.2f}x disk copy")
    print(f"  repo_info, 1 thread     {r['repo_info_rps_1']:9.0f} req/s")
    print(f"  repo_info, 8 threads    {r['repo_info_rps_8']:9.0f} req/s")
    held, median, worst, base_worst = r["idle"]
    print(f"  repo_info with {held} idle connections held: median {median:.1f} ms, worst {worst:.1f} ms "
          f"(worst without them {base_worst:.1f} ms)")
    tree = r["tree"]
    print(f"  tree page, {tree['folders']:,} folders (recursive): first {tree['first_page_ms']:.1f} ms (builds the "
          f"index), then median {tree['page_ms']:.1f} ms, with expand {tree['expand_page_ms']:.1f} ms "
          f"(one-folder repo {tree['baseline_page_ms']:.1f} ms: {tree['page_ms'] / tree['baseline_page_ms']:.2f}x)")
    print(f"  paths-info, 10,000 folders with expand: {tree['paths_info_10k_expand_ms']:.0f} ms")
    print(f"  hostile anonymous requests (server header/body timeouts {r['timeouts']:g} s):")
    for name, status, seconds in r["hostile"]:
        print(f"    {name:<44} {status!s:>6}  {seconds * 1000:8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
