"""Release push benchmark: first push vs re-push of the unchanged release, push vs a plain upload_folder, and what
verification costs (wall time, bytes downloaded), up to an aya-expanse-8b-shaped model.

    python bench/release_bench.py [--payload-mb 40] [--json out.json]
    python bench/release_bench.py --shape 8b [--layers 32]      # + a 16 GB bf16 model: needs ~35 GB free disk

On an in-process local Hub (loopback, a fresh root), with a synthetic release of the real shape (two parquet
datasets, two LoRA adapters and two merged models of the tiny aya-shaped model, results, a Space) padded with
``--payload-mb`` of incompressible dataset rows:

- first push: wall time (plan / commit / verify / tag), bytes uploaded, HTTP requests (the server's request log),
  commits;
- re-push of the unchanged release: the same numbers (expected: no upload, no commit, a handful of GETs);
- throughput of the first push's plan + commit phases vs ``HfApi.upload_folder`` of the same folders to fresh repos
  on the same server in the same run (ratio > 1: the release is faster);
- verification: the push's verify phase (checksums from the Hub's tree, structural checks with range requests) and
  ``gaokerena release verify`` of the release record (tags and hashes): wall time and bytes downloaded, counted on
  the client (every HTTP response body huggingface_hub receives).

``--shape 8b`` adds a second release whose merged model is aya-expanse-8b-shaped (CohereForCausalLM, 8.0 B
parameters, random bf16 weights written shard by shard straight to disk, 16 GB) and checks that verifying it
downloads less than 1% of the release's bytes. It needs about twice the model's size free on the disk holding
$TMPDIR (the source folder and the local Hub's copy); ``--layers`` makes a smaller model of the same width where
the disk is short. Everything the bench writes is deleted at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from run_context import load_average, run_context  # noqa: E402 - bench/ is the script's folder


sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# Standard library and yaml only: nothing here imports the Hugging Face libraries yet.
from hub_tools.release.rehearse import free_port, local_hub_env  # noqa: E402

PORT = free_port()
TOKEN = "hf_bench_" + os.urandom(12).hex()
ROOT = Path(tempfile.mkdtemp(prefix="release-bench-"))
# The Hugging Face libraries read these at import: set them first.
os.environ.update(local_hub_env(f"http://127.0.0.1:{PORT}", TOKEN, ROOT / "hf_home"))


RECEIVED = [0]  # bytes of every HTTP response body huggingface_hub's client received


def _install_counting_client() -> None:
    """huggingface_hub's HTTP client, with a transport that counts the response bytes it receives."""
    import httpx2
    from huggingface_hub.utils import _http, set_client_factory

    class Counting(httpx2.SyncByteStream):
        def __init__(self, stream) -> None:
            self.stream = stream

        def __iter__(self):
            for chunk in self.stream:
                RECEIVED[0] += len(chunk)
                yield chunk

        def close(self) -> None:
            self.stream.close()

    class CountingTransport(httpx2.HTTPTransport):
        def handle_request(self, request):
            response = super().handle_request(request)
            response.stream = Counting(response.stream)
            return response

    set_client_factory(lambda: httpx2.Client(transport=CountingTransport(), follow_redirects=True, timeout=None,
                                             event_hooks={"request": [_http.hf_request_event_hook]}))  # fmt: skip


def _writes(log: list[dict]) -> int:
    return sum(1 for entry in log if entry["method"] in ("POST", "PUT", "DELETE"))


def _measure_push(hub, api, manifest) -> dict:
    from hub_tools.release.push import push_release

    hub.clear_request_log()
    marks: list[tuple[str, int]] = []
    received: dict[str, int] = {}

    def on_phase(name: str) -> None:
        marks.append((name, len(hub.request_log)))
        received[name] = RECEIVED[0]

    start = time.perf_counter()
    report = push_release(api, manifest, on_phase=on_phase)
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
        "release_bytes": sum(r.staged.size for r in report.repos),
        "verify_s": round(report.stage_seconds.get("verify", 0.0), 3),
        "verify_bytes_downloaded": received.get("end verify", 0) - received.get("verify", 0),
    }


def _measure_record_verify(manifest) -> dict:
    """``gaokerena release verify``'s work: the record read from the Hub, then tags and trees, anonymously."""
    from huggingface_hub import HfApi

    from hub_tools.release.push import fetch_record
    from hub_tools.release.record import verify_record

    anonymous = HfApi(endpoint=os.environ["HF_ENDPOINT"], token=False)
    before, start = RECEIVED[0], time.perf_counter()
    fetched = fetch_record(anonymous, manifest)
    record = fetched.record
    verdicts = verify_record(record, api_for=lambda _: anonymous, holder_commit=fetched.commit)
    wall = time.perf_counter() - start
    if not all(v.ok for v in verdicts):
        raise SystemExit("release verify failed: " + "; ".join(str(v) for v in verdicts if not v.ok))
    return {"wall_s": round(wall, 3), "bytes_downloaded": RECEIVED[0] - before, "repos": len(verdicts),
            "files": sum(len(r.files) for r in record.repos), "release_bytes": record.size}  # fmt: skip


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


def _throughputs(push: dict, plain: dict) -> tuple[float, float, float]:
    """(release plan+commit MB/s, upload_folder MB/s, ratio)."""
    push_mb_s = push["bytes_uploaded"] / 1e6 / (push["stages_s"]["plan"] + push["stages_s"]["commit"])
    plain_mb_s = plain["bytes"] / 1e6 / plain["wall_s"]
    return push_mb_s, plain_mb_s, push_mb_s / plain_mb_s


def _namespaced(path: Path, namespace: str):
    """The release at ``path`` with every repo of it in another namespace: fresh repos, the same sources."""
    import yaml

    from hub_tools.release.manifest import load_manifest

    raw = yaml.safe_load(path.read_text())
    base = raw["base_model"]
    text = yaml.safe_dump(raw, sort_keys=False).replace(f"{raw['namespace']}/", f"{namespace}/")
    raw = yaml.safe_load(text.replace(f"{namespace}/{base.split('/', 1)[1]}", base))
    raw["namespace"] = namespace
    out = path.with_name(f"manifest-{namespace}.yaml")
    out.write_text(yaml.safe_dump(raw, sort_keys=False))
    return load_manifest(out)


SHARD_BYTES = 4 * 1024**3  # aya-expanse-8b ships 4 shards of <= 5 GB


def write_aya_shaped_model(folder: Path, tiny: Path, *, layers: int | None = None) -> int:
    """An aya-expanse-8b-shaped CohereForCausalLM (bf16) in ``folder``, its weights random bytes streamed shard by
    shard to disk (never the whole tensor in memory); config, generation config and the tiny model's tokenizer.
    Returns the weights' size in bytes."""
    import struct

    import torch
    from transformers import AutoConfig, CohereConfig, CohereForCausalLM

    from hub_tools.aya import AYA_EXPANSE_8B_SHAPE

    tiny_config = AutoConfig.from_pretrained(tiny)
    shape = dict(AYA_EXPANSE_8B_SHAPE, num_hidden_layers=layers or AYA_EXPANSE_8B_SHAPE["num_hidden_layers"])
    config = CohereConfig(**shape, bos_token_id=tiny_config.bos_token_id, eos_token_id=tiny_config.eos_token_id,
                          pad_token_id=tiny_config.pad_token_id, dtype="bfloat16")  # fmt: skip
    with torch.device("meta"):
        model = CohereForCausalLM(config).to(torch.bfloat16)
    tensors = [(name, list(t.shape)) for name, t in model.named_parameters()]  # tied lm_head listed once
    folder.mkdir(parents=True, exist_ok=True)
    config.save_pretrained(folder)
    for name in ("generation_config.json", "tokenizer.json", "tokenizer_config.json", "chat_template.jinja",
                 "special_tokens_map.json"):  # fmt: skip
        if (tiny / name).is_file():
            shutil.copy(tiny / name, folder / name)
    shards: list[list[tuple[str, list[int]]]] = [[]]
    size = 0
    for name, dims in tensors:
        nbytes = 2 * int(torch.Size(dims).numel())
        if shards[-1] and size + nbytes > SHARD_BYTES:
            shards.append([])
            size = 0
        shards[-1].append((name, dims))
        size += nbytes
    weight_map, total = {}, 0
    for index, shard in enumerate(shards, start=1):
        filename = f"model-{index:05d}-of-{len(shards):05d}.safetensors"
        header, offset = {}, 0
        for name, dims in shard:
            nbytes = 2 * int(torch.Size(dims).numel())
            header[name] = {"dtype": "BF16", "shape": dims, "data_offsets": [offset, offset + nbytes]}
            offset += nbytes
            weight_map[name] = filename
        raw = json.dumps(header, separators=(",", ":")).encode()
        raw += b" " * (-len(raw) % 8)
        with (folder / filename).open("wb") as handle:
            handle.write(struct.pack("<Q", len(raw)) + raw)
            left = offset
            while left:
                chunk = min(left, 64 * 1024 * 1024)
                handle.write(os.urandom(chunk))
                left -= chunk
        total += offset
        print(f"  wrote {filename}: {offset / 1e9:.2f} GB", flush=True)
    (folder / "model.safetensors.index.json").write_text(json.dumps(
        {"metadata": {"total_size": total}, "weight_map": weight_map}, indent=2) + "\n")  # fmt: skip
    return total


def _aya_release(root: Path, tiny: Path, tiny_repo: str, layers: int | None) -> tuple[Path, int]:
    """The synthetic release with its released model replaced by the aya-expanse-8b-shaped one."""
    import yaml

    from tests.support.synthetic import build_synthetic_release

    path = build_synthetic_release(root, base_model_dir=tiny, base_model_id=tiny_repo, suffix="-8b")
    weights = write_aya_shaped_model(root / "aya-shaped", tiny, layers=layers)
    raw = yaml.safe_load(path.read_text())
    raw["artifacts"]["model"]["source"] = "aya-shaped"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path, weights


def _check_disk(needed: int) -> None:
    free = shutil.disk_usage(ROOT).free
    if free < needed:
        raise SystemExit(f"--shape 8b needs about {needed / 1e9:.0f} GB free beside {ROOT} (the model and the local "
                         f"Hub's copy of it); {free / 1e9:.0f} GB are free. Use --layers N for a smaller model of "
                         "the same width.")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--payload-mb", type=float, default=40.0, help="incompressible rows added to one dataset")
    parser.add_argument("--shape", choices=("tiny", "8b"), default="tiny",
                        help="8b: also release an aya-expanse-8b-shaped model (16 GB) and measure its verification")
    parser.add_argument("--layers", type=int, default=None, help="--shape 8b with this many layers (default 32)")
    parser.add_argument("--rounds", type=int, default=5, help="push vs upload_folder rounds (median ratio)")
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    args = parser.parse_args(argv)
    load_before = load_average()

    from huggingface_hub import HfApi

    from hub_tools.localhub import LocalHub
    from hub_tools.release.manifest import load_manifest
    from tests.support.synthetic import build_synthetic_release
    from training.tiny import init_tiny

    _install_counting_client()
    aya = None
    orgs = ["gaokerena", *(f"round{i}" for i in range(1, args.rounds))]
    hub = LocalHub(ROOT / "hub", port=PORT, tokens={TOKEN: {"user": "bench", "orgs": orgs}}).start()
    try:
        api = HfApi(endpoint=hub.url, token=TOKEN)
        tiny = init_tiny(ROOT / "tiny")
        api.create_repo("gaokerena/tiny-aya-bench")
        api.upload_folder(repo_id="gaokerena/tiny-aya-bench", folder_path=str(tiny))
        path = build_synthetic_release(ROOT / "release", base_model_dir=tiny, base_model_id="gaokerena/tiny-aya-bench",
                                       payload_mb=args.payload_mb)  # fmt: skip
        manifest = load_manifest(path)
        # Rounds of (upload_folder to fresh repos, first push of the same release to fresh repos), alternating which
        # goes first; the ratio is the median over rounds (a shared 2-core machine is noisy).
        rounds = []
        for index in range(args.rounds):
            variant = manifest if index == 0 else _namespaced(path, f"round{index}")
            measures = {}
            for what in (("plain", "push") if index % 2 == 0 else ("push", "plain")):
                measures[what] = (_measure_upload_folder(hub, api, variant, suffix="-plain") if what == "plain"
                                  else _measure_push(hub, api, variant))  # fmt: skip
            rounds.append(measures)
        plain, first = rounds[0]["plain"], rounds[0]["push"]
        again = _measure_push(hub, api, manifest)
        record = _measure_record_verify(manifest)
        if args.shape == "8b":
            layers = args.layers or 32
            _check_disk(int(2.2 * 16.06e9 * (1.05 + 6.98 * layers / 32) / 8.03) + 2 * 10**9)
            print(f"writing an aya-expanse-8b-shaped model ({layers} layers, bf16, random weights) ...", flush=True)
            start = time.perf_counter()
            aya_path, weights = _aya_release(ROOT / "release-8b", tiny, "gaokerena/tiny-aya-bench", args.layers)
            written_s = time.perf_counter() - start
            aya_manifest = load_manifest(aya_path)
            shutil.rmtree(ROOT / "hf_home", ignore_errors=True)
            aya = {"layers": layers, "weights_bytes": weights, "write_s": round(written_s, 1),
                   "first_push": _measure_push(hub, api, aya_manifest),
                   "record_verify": _measure_record_verify(aya_manifest)}  # fmt: skip
            push = aya["first_push"]
            aya["verify_fraction"] = round(push["verify_bytes_downloaded"] / push["release_bytes"], 6)
    finally:
        hub.stop()
        shutil.rmtree(ROOT, ignore_errors=True)

    # The release's upload cost is its plan (hashing, cards, tree listing) plus its commits; verification is extra
    # work upload_folder does not do, reported separately.
    ratios = sorted(_throughputs(r["push"], r["plain"])[2] for r in rounds)
    push_mb_s, plain_mb_s, _ = _throughputs(first, plain)
    results = {
        "payload_mb": args.payload_mb,
        "first_push": first,
        "re_push": again,
        "upload_folder": plain,
        "record_verify": record,
        "throughput_mb_s": {"release_plan_and_commit": round(push_mb_s, 2), "upload_folder": round(plain_mb_s, 2),
                            "ratio": round(ratios[len(ratios) // 2], 3),
                            "ratio_per_round": [round(r, 3) for r in ratios]},  # fmt: skip
        "aya_8b_shape": aya,
        "cpu_count": os.cpu_count(),
    }
    _print(results)
    if args.json:
        results.update(run_context(load_before))
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    if aya is not None and aya["verify_fraction"] >= 0.01:
        print("FAIL: verifying the 8b-shaped release downloaded 1% or more of its bytes", file=sys.stderr)
        return 1
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
    print(f"  throughput (first round): release plan+commit {t['release_plan_and_commit']} MB/s, upload_folder "
          f"{t['upload_folder']} MB/s; ratio, median of {len(t['ratio_per_round'])} rounds: {t['ratio']} "
          f"(rounds {t['ratio_per_round']})")
    first, record = r["first_push"], r["record_verify"]
    print(f"  push verify phase: {first['verify_s']:.2f} s, {first['verify_bytes_downloaded']:,} bytes downloaded "
          f"for a {first['release_bytes']:,}-byte release ({_percent(first)})")
    print(f"  release verify (record: {record['repos']} repos, {record['files']} files): {record['wall_s']:.2f} s, "
          f"{record['bytes_downloaded']:,} bytes downloaded (tree and refs JSON, the record itself)")
    aya = r["aya_8b_shape"]
    if aya:
        push = aya["first_push"]
        print(f"  aya-expanse-8b shape ({aya['layers']} layers, {aya['weights_bytes'] / 1e9:.2f} GB of weights, "
              f"written in {aya['write_s']} s):")
        print(f"    first push {push['wall_s']:.1f} s ({', '.join(f'{k} {v:.1f}s' for k, v in push['stages_s'].items())}),"
              f" {push['bytes_uploaded']:,} bytes uploaded")
        print(f"    push verify phase: {push['verify_s']:.2f} s, {push['verify_bytes_downloaded']:,} bytes downloaded = "
              f"{_percent(push)} of the release's {push['release_bytes']:,} bytes (must be < 1%)")
        print(f"    release verify: {aya['record_verify']['wall_s']:.2f} s, "
              f"{aya['record_verify']['bytes_downloaded']:,} bytes downloaded")


def _percent(push: dict) -> str:
    return f"{100 * push['verify_bytes_downloaded'] / max(1, push['release_bytes']):.3f}%"


if __name__ == "__main__":
    sys.exit(main())
