"""Throughput of the local Hub: LFS upload and download of ~200 MB in 20 files vs a plain disk copy, and
repo_info requests per second.

    python bench/hub_bench.py [--mb 200] [--files 20] [--seconds 3]

The server runs in its own process (``LocalHubProcess``), the clients are the real ``huggingface_hub`` ones
(``upload_folder`` through the LFS batch/PUT flow with Xet off, ``snapshot_download``). The baseline copies the
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


def run(total_mb: int, count: int, seconds: float) -> dict:
    from hub_tools.localhub import LocalHubProcess

    work = Path(tempfile.mkdtemp(prefix="hub-bench-"))
    try:
        src = work / "src"
        size = _make_files(src, total_mb, count)
        hub = LocalHubProcess(work / "hub", tokens={TOKEN: {"user": "bench", "orgs": []}}).start()
        os.environ.update({"HF_ENDPOINT": hub.url, "HF_HUB_DISABLE_XET": "1", "HF_HUB_DISABLE_TELEMETRY": "1",
                           "HF_HOME": str(work / "hf_home"), "HF_HUB_DISABLE_PROGRESS_BARS": "1"})
        from huggingface_hub import HfApi, snapshot_download

        api = HfApi(endpoint=hub.url, token=TOKEN)
        try:
            api.create_repo(REPO)
            t_copy = _timed(lambda: shutil.copytree(src, work / "copy"))
            t_up = _timed(lambda: api.upload_folder(repo_id=REPO, folder_path=src))
            t_down = _timed(lambda: snapshot_download(REPO, cache_dir=work / "dl", endpoint=hub.url, token=TOKEN))
            rps_1 = _requests_per_second(lambda: api.repo_info(REPO), seconds, 1)
            rps_8 = _requests_per_second(lambda: api.repo_info(REPO), seconds, 8)
        finally:
            hub.stop()
        mb = size / (1024 * 1024)
        return {"mb": mb, "files": count, "copy_mb_s": mb / t_copy, "upload_mb_s": mb / t_up,
                "download_mb_s": mb / t_down, "repo_info_rps_1": rps_1, "repo_info_rps_8": rps_8}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200, help="total size in MB (default 200)")
    parser.add_argument("--files", type=int, default=20, help="number of files (default 20)")
    parser.add_argument("--seconds", type=float, default=3.0, help="duration of each repo_info run")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    r = run(args.mb, args.files, args.seconds)
    print(f"local Hub benchmark: {r['mb']:.0f} MB in {r['files']} LFS files")
    print(f"  disk copy (shutil)      {r['copy_mb_s']:9.1f} MB/s")
    print(f"  upload_folder (LFS)     {r['upload_mb_s']:9.1f} MB/s   "
          f"{r['upload_mb_s'] / r['copy_mb_s']:6.2f}x disk copy")
    print(f"  snapshot_download       {r['download_mb_s']:9.1f} MB/s   "
          f"{r['download_mb_s'] / r['copy_mb_s']:6.2f}x disk copy")
    print(f"  repo_info, 1 thread     {r['repo_info_rps_1']:9.0f} req/s")
    print(f"  repo_info, 8 threads    {r['repo_info_rps_8']:9.0f} req/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
