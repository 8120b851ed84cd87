"""Release push benchmark: first push vs re-push of the unchanged release, and push vs a plain upload_folder.

    python bench/release_bench.py [--payload-mb 40] [--json out.json]

On an in-process local Hub (loopback, a fresh root), with a synthetic release of the real shape (two parquet
datasets, two LoRA adapters and two merged models of the tiny aya-shaped model, results, a Space) padded with
``--payload-mb`` of incompressible dataset rows:

- first push: wall time (plan / commit / verify / tag), bytes uploaded, HTTP requests (the server's request log),
  commits;
- re-push of the unchanged release: the same numbers (expected: no upload, no commit, a handful of GETs);
- throughput of the first push's commit phase vs ``HfApi.upload_folder`` of the same folders to fresh repos on the
  same server in the same run (ratio > 1: the release is faster).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# Standard library and yaml only: nothing here imports the Hugging Face libraries yet.
from hub_tools.release.rehearse import free_port, local_hub_env  # noqa: E402

PORT = free_port()
TOKEN = "hf_bench_" + os.urandom(12).hex()
ROOT = Path(tempfile.mkdtemp(prefix="release-bench-"))
# The Hugging Face libraries read these at import: set them first.
os.environ.update(local_hub_env(f"http://127.0.0.1:{PORT}", TOKEN, ROOT / "hf_home"))


def _writes(log: list[dict]) -> int:
    return sum(1 for entry in log if entry["method"] in ("POST", "PUT", "DELETE"))


def _measure_push(hub, api, manifest) -> dict:
    from hub_tools.release.push import push_release

    hub.clear_request_log()
    marks: list[tuple[str, int]] = []
    start = time.perf_counter()
    report = push_release(api, manifest, on_phase=lambda name: marks.append((name, len(hub.request_log))))
    wall = time.perf_counter() - start
    if not report.ok:
        raise SystemExit("release verification failed: " + "; ".join(str(c) for c in report.failures))
    log = list(hub.request_log)
    starts = dict(marks)
    per_phase = {name: count - starts[name] for mark, count in marks if mark.startswith("end ")
                 for name in [mark[4:]]}  # fmt: skip
    return {
        "wall_s": round(wall, 3),
        "stages_s": {k: round(v, 3) for k, v in report.stage_seconds.items()},
        "requests_per_stage": per_phase,
        "bytes_uploaded": report.uploaded_bytes,
        "http_requests": len(log),
        "http_writes": _writes(log),
        "commits": report.commits,
        "tags_created": sum(r.tagged for r in report.repos),
    }


def _measure_upload_folder(hub, api, manifest, suffix: str) -> dict:
    """The same source folders, each with one plain ``upload_folder`` to a fresh repo (no cards, no verify)."""
    hub.clear_request_log()
    start = time.perf_counter()
    total = 0
    for artifact in manifest.artifacts:
        repo_id = artifact.repo_id + suffix
        api.create_repo(repo_id, repo_type=artifact.repo_type, exist_ok=True,
                        space_sdk="gradio" if artifact.repo_type == "space" else None)  # fmt: skip
        api.upload_folder(repo_id=repo_id, repo_type=artifact.repo_type, folder_path=str(artifact.source),
                          ignore_patterns=list(artifact.exclude))  # fmt: skip
        total += sum(p.stat().st_size for p in artifact.source.rglob("*") if p.is_file())
    wall = time.perf_counter() - start
    log = list(hub.request_log)
    return {"wall_s": round(wall, 3), "bytes": total, "http_requests": len(log), "http_writes": _writes(log),
            "commits": len(manifest.artifacts)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--payload-mb", type=float, default=40.0, help="incompressible rows added to one dataset")
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    args = parser.parse_args(argv)

    from huggingface_hub import HfApi

    from hub_tools.localhub import LocalHub
    from hub_tools.release.manifest import load_manifest
    from hub_tools.release.synthetic import build_synthetic_release
    from training.tiny import init_tiny

    hub = LocalHub(ROOT / "hub", port=PORT, tokens={TOKEN: {"user": "bench", "orgs": ["gaokerena"]}}).start()
    try:
        api = HfApi(endpoint=hub.url, token=TOKEN)
        tiny = init_tiny(ROOT / "tiny")
        api.create_repo("gaokerena/tiny-aya-bench")
        api.upload_folder(repo_id="gaokerena/tiny-aya-bench", folder_path=str(tiny))
        path = build_synthetic_release(ROOT / "release", base_model_dir=tiny, base_model_id="gaokerena/tiny-aya-bench",
                                       payload_mb=args.payload_mb)  # fmt: skip
        manifest = load_manifest(path)
        plain = _measure_upload_folder(hub, api, manifest, suffix="-plain")  # first: no warm-cache advantage
        first = _measure_push(hub, api, manifest)
        again = _measure_push(hub, api, manifest)
    finally:
        hub.stop()

    # The release's upload cost is its plan (hashing, tree listing) plus its commits; verification is extra work
    # upload_folder does not do, reported separately.
    upload_s = first["stages_s"]["plan"] + first["stages_s"]["commit"]
    push_mb_s = first["bytes_uploaded"] / 1e6 / upload_s
    plain_mb_s = plain["bytes"] / 1e6 / plain["wall_s"]
    results = {
        "payload_mb": args.payload_mb,
        "first_push": first,
        "re_push": again,
        "upload_folder": plain,
        "throughput_mb_s": {"release_plan_and_commit": round(push_mb_s, 2), "upload_folder": round(plain_mb_s, 2),
                            "ratio": round(push_mb_s / plain_mb_s, 3)},  # fmt: skip
        "cpu_count": os.cpu_count(),
    }
    _print(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


def _print(r: dict) -> None:
    rows = [("", "first push", "re-push", "upload_folder")]
    for label, key in (("wall time (s)", "wall_s"), ("HTTP requests", "http_requests"),
                       ("HTTP writes (POST/PUT/DELETE)", "http_writes"), ("commits", "commits")):  # fmt: skip
        rows.append((label, str(r["first_push"][key]), str(r["re_push"][key]), str(r["upload_folder"][key])))
    rows.append(("bytes uploaded", f"{r['first_push']['bytes_uploaded']:,}", f"{r['re_push']['bytes_uploaded']:,}",
                 f"{r['upload_folder']['bytes']:,}"))  # fmt: skip
    width = [max(len(row[i]) for row in rows) for i in range(4)]
    print(f"release push benchmark ({r['payload_mb']} MB payload, {r['cpu_count']} CPUs, local Hub on loopback)")
    for row in rows:
        print("  " + "  ".join(cell.ljust(width[i]) for i, cell in enumerate(row)))
    for label, key in (("first push", "first_push"), ("re-push", "re_push")):
        stages = ", ".join(f"{k} {v:.2f}s/{r[key]['requests_per_stage'].get(k, 0)} req"
                           for k, v in r[key]["stages_s"].items())  # fmt: skip
        print(f"  {label} phases: {stages}")
    t = r["throughput_mb_s"]
    print(f"  throughput: release plan+commit {t['release_plan_and_commit']} MB/s, upload_folder {t['upload_folder']} "
          f"MB/s, ratio {t['ratio']}")


if __name__ == "__main__":
    sys.exit(main())
