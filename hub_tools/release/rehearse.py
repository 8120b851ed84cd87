"""`gaokerena rehearse`: the whole release, offline, on an embedded local Hub with the tiny model.

    gaokerena rehearse                       # = make demo; serves the Space at the end (Ctrl-C stops)
    gaokerena rehearse --no-serve            # tests and CI: stop once the Space repo is deployed

Stages, each a real command run as a subprocess against the local Hub (HF_ENDPOINT/HF_TOKEN in its environment,
its output in WORKDIR/logs/NN-stage.log):

    hub            start a local Hub (LocalHubProcess, a free port, a freshly generated token, root WORKDIR/hub)
    data           gaokerena data build mmlu-fa|ibmsee|kqa-fa|mf3qa|corpus (bundled samples)
    tiny-model     gaokerena train init-tiny, pushed as the rehearsal's base model repo
    cpt            gaokerena train cpt (tiny recipe) on the corpus
    merge-cpt      gaokerena merge: the stage-1 model stage 2 trains on
    sft            gaokerena train sft (tiny recipe) on MF3QA
    merge          gaokerena merge: the released model
    eval           gaokerena eval mc on MMLU-fa and IBMSEE (generate + loglikelihood, a few questions each), eval kqa
                   on 3 K-QA-fa questions (the tiny model as its own judge: it exercises the wiring, not quality),
                   plus gaokerena eval import-paper when ../shared/data/gaokerena/paper_results exists
    release        gaokerena release push --full-load of WORKDIR/release.yaml: release/gaokerena-v1.yaml with the
                   tiny model as base_model and WORKDIR/artifacts as root (datasets, adapters, models, results, Space;
                   verified by loading and generating, then tagged v1.0, then the release record written)
    space          gaokerena space deploy with the release's values (variables, hardware; no new commit)
    serve          python -m space.app against the local Hub (skipped with --no-serve)

After the stages it prints what the model learned (``learning_figures``): each stage's held-out loss before → after
and how many generate-protocol answers the extractor could not parse.

A stage whose command is missing from this checkout fails the rehearsal at that stage, naming what is missing.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml


REPO_ROOT = Path(__file__).resolve().parents[2]
RELEASE_MANIFEST = REPO_ROOT / "release" / "gaokerena-v1.yaml"
PAPER_RESULTS = REPO_ROOT.parent / "shared" / "data" / "gaokerena" / "paper_results"
MARKER = ".gaokerena-rehearsal"
USER, ORG = "rehearsal", "gaokerena"
# The tiny base model's repo on the local Hub: the release cards name it as base_model, honestly.
TINY_REPO = f"{ORG}/tiny-aya-rehearsal"
DATASETS = {"mmlu-fa": "mmlu-fa", "ibmsee": "ibmsee", "kqa-fa": "kqa-fa", "mf3qa": "mf3qa", "corpus": "corpus"}
TOKEN_ENV = "GAOKERENA_REHEARSAL_TOKEN"
EVAL_LIMIT = 8  # questions per benchmark and protocol: enough to exercise the pipeline in seconds


def local_hub_env(endpoint: str, token: str, hf_home: Path) -> dict[str, str]:
    """The variables that point the Hugging Face libraries at a local Hub (endpoint, token, a private HF_HOME) with
    no telemetry, no progress bars and no safetensors conversion bot. Xet stays on (the local Hub speaks it, as
    huggingface.co does), unless HF_HUB_DISABLE_XET is set in the environment. They read them at import: set them
    before importing huggingface_hub, datasets or transformers."""
    return dict(
        HF_ENDPOINT=endpoint,
        HF_TOKEN=token,
        HF_HOME=str(hf_home),
        HF_HUB_DISABLE_TELEMETRY="1",
        HF_HUB_DISABLE_PROGRESS_BARS="1",
        HF_DATASETS_DISABLE_PROGRESS_BARS="1",
        DISABLE_SAFETENSORS_CONVERSION="1",
        TOKENIZERS_PARALLELISM="false",
    )


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StageError(RuntimeError):
    """A stage that failed; the message says what and where its log is."""


@dataclass
class Rehearsal:
    workdir: Path
    port: int = 0
    # A fresh token per run; TOKEN_ENV may supply one (tests use it to grep every output for the token).
    token: str = field(default_factory=lambda: os.environ.get(TOKEN_ENV) or "hf_rehearsal_" + secrets.token_hex(16))
    hub: object | None = None
    timings: list[tuple[str, float]] = field(default_factory=list)
    stage_index: int = 0

    @property
    def artifacts(self) -> Path:
        return self.workdir / "artifacts"

    @property
    def logs(self) -> Path:
        return self.workdir / "logs"

    @property
    def hub_url(self) -> str:
        return self.hub.url  # type: ignore[union-attr]

    @property
    def manifest_path(self) -> Path:
        return self.workdir / "release.yaml"

    def env(self) -> dict[str, str]:
        """The environment of every stage: the local Hub, its token, caches inside the workdir, no telemetry."""
        env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "HUGGINGFACE_CO_STAGING",
                                                                 "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE")}
        env.update(
            local_hub_env(self.hub_url, self.token, self.workdir / "hf_home"),
            GRADIO_ANALYTICS_ENABLED="False",
            CODECARBON_LOG_LEVEL="error",
            PYTHONUNBUFFERED="1",
        )
        env["PYTHONPATH"] = str(REPO_ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        return env

    def gaokerena(self, stage: str, *args: str, module: str) -> None:
        """Run ``gaokerena ARGS`` in a subprocess; ``module`` is the module that must exist for it."""
        self.gaokerena_parallel(stage, [list(args)], module=module, jobs=1)

    def gaokerena_parallel(self, stage: str, commands: list[list[str]], *, module: str, jobs: int) -> None:
        """Run several ``gaokerena`` commands, ``jobs`` at a time, each with its own log; fail on the first error."""
        if importlib.util.find_spec(module) is None:
            raise StageError(f"`gaokerena {commands[0][0]}` is not in this checkout (module {module} is missing)")
        self.logs.mkdir(parents=True, exist_ok=True)
        pending = list(enumerate(commands))
        running: list[tuple[subprocess.Popen, Path, list[str], float]] = []
        try:
            while pending or running:
                while pending and len(running) < jobs:
                    index, args = pending.pop(0)
                    suffix = f"-{index + 1}" if len(commands) > 1 else ""
                    running.append(self._start([sys.executable, "-m", "hub_tools.cli", *args], f"{stage}{suffix}"))
                for item in list(running):
                    proc, log, command, start = item
                    if proc.poll() is None:
                        continue
                    running.remove(item)
                    with log.open("a", encoding="utf-8") as handle:
                        handle.write(f"# exit {proc.returncode} after {time.perf_counter() - start:.1f} s\n")
                    if proc.returncode != 0:
                        tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-25:])
                        raise StageError(f"`{' '.join(_display(command, self.workdir))}` exited with "
                                         f"{proc.returncode}; log {log}:\n{tail}")  # fmt: skip
                time.sleep(0.1)
        finally:
            for proc, *_ in running:
                proc.kill()
                proc.wait()

    def _start(self, command: list[str], name: str) -> tuple[subprocess.Popen, Path, list[str], float]:
        log = self.logs / f"{self.stage_index:02d}-{name}.log"
        with log.open("a", encoding="utf-8") as handle:
            handle.write("$ " + " ".join(_display(command, self.workdir)) + "\n")
            handle.flush()
            proc = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, env=self.env(), cwd=REPO_ROOT)
        return proc, log, command, time.perf_counter()


# ------------------------------------------------------------------------------------------------------------ stages
def stage_hub(r: Rehearsal) -> None:
    from hub_tools.localhub import LocalHubProcess

    r.hub = LocalHubProcess(r.workdir / "hub", port=r.port, tokens={r.token: {"user": USER, "orgs": [ORG]}}).start()


def stage_data(r: Rehearsal) -> None:
    for name, folder in DATASETS.items():
        r.gaokerena("data", "data", "build", name, "--out", str(r.artifacts / "datasets" / folder),
                    module="hub_tools.data.cli")  # fmt: skip


def stage_tiny_model(r: Rehearsal) -> None:
    r.gaokerena("tiny-model", "train", "init-tiny", "--out", str(r.artifacts / "tiny"), module="training.cli")
    _publish_folder(r, TINY_REPO, r.artifacts / "tiny")


def stage_cpt(r: Rehearsal) -> None:
    _train(r, "cpt", model=r.artifacts / "tiny", dataset="corpus")


def stage_merge_cpt(r: Rehearsal) -> None:
    _merge(r, "merge-cpt", base=r.artifacts / "tiny", adapter="cpt")


def stage_sft(r: Rehearsal) -> None:
    _train(r, "sft", model=r.artifacts / "merged" / "cpt", dataset="mf3qa")


def stage_merge(r: Rehearsal) -> None:
    _merge(r, "merge", base=r.artifacts / "merged" / "cpt", adapter="sft")


def _train(r: Rehearsal, stage: str, *, model: Path, dataset: str) -> None:
    """``gaokerena train STAGE`` with the tiny recipe: ``model`` on ``datasets/DATASET``, into ``train/STAGE``."""
    r.gaokerena(
        stage, "train", stage, "--config", str(REPO_ROOT / "training" / "recipes" / "tiny" / f"{stage}.yaml"),
        "--model_name_or_path", str(model),
        "--dataset_name", str(r.artifacts / "datasets" / dataset),
        "--output_dir", str(r.artifacts / "train" / stage),
        module="training.train",
    )  # fmt: skip


def _merge(r: Rehearsal, name: str, *, base: Path, adapter: str) -> None:
    """``gaokerena merge`` of the adapter ``train/ADAPTER`` into ``base``, out to ``merged/ADAPTER``."""
    r.gaokerena(name, "merge", "--base", str(base), "--adapter", str(r.artifacts / "train" / adapter),
                "--out", str(r.artifacts / "merged" / adapter), module="training.merge")  # fmt: skip


def stage_gguf(r: Rehearsal) -> None:
    """The merged model as the manifest's GGUF ladder: an importance matrix from a calibration sample of the train
    splits (proven free of eval rows), every file measured against F16 on the MF3QA test answers (with and without
    the imatrix: the card's table) and checked by llama.cpp (--verify)."""
    datasets, calibration = r.artifacts / "datasets", r.artifacts / "calibration"
    r.gaokerena("calibration", "export", "calibration", "--train", str(datasets / "corpus"), str(datasets / "mf3qa"),
                "--held-out", *(str(datasets / DATASETS[name]) for name in ("mf3qa", "mmlu-fa", "ibmsee", "kqa-fa")),
                "--out", str(calibration / "calibration.txt"), "--eval-from", str(datasets / "mf3qa"),
                "--eval-out", str(calibration / "mf3qa-test-answers.txt"), module="hub_tools.export.calibration")
    r.gaokerena("gguf", "export", "gguf", "--model", str(r.artifacts / "merged" / "sft"),
                "--out", str(r.artifacts / "gguf"), "--name", "gaokerena-v1",
                "--quant", *_manifest_value(r, "gguf", "quants"),
                "--imatrix", str(calibration / "calibration.txt"), "--imatrix-ctx", "128",
                "--measure", str(calibration / "mf3qa-test-answers.txt"), "--measure-ctx", "128",
                "--measure-tokens", "2048", "--verify", module="hub_tools.export.cli")  # fmt: skip


def stage_eval(r: Rehearsal) -> None:
    """Both multiple-choice protocols on MMLU-fa and IBMSEE and K-QA-fa (a few questions each, two commands at a
    time), and the paper's published answers re-scored (when the authors' files are beside the checkout)."""
    model_id = _manifest_value(r, "model", "repo_id")
    results = r.artifacts / "results" / "results"
    commands = [
        ["eval", "mc", "--benchmark", benchmark, "--protocol", protocol,
         "--model", str(r.artifacts / "merged" / "sft"), "--model-id", model_id,
         "--dataset", str(r.artifacts / "datasets" / DATASETS[benchmark]),
         "--dataset-id", _manifest_value(r, benchmark, "repo_id"),
         "--limit", str(EVAL_LIMIT), "--max-new-tokens", "8", "--resamples", "200", "--out", str(results)]
        for benchmark in ("mmlu-fa", "ibmsee") for protocol in ("generate", "loglikelihood")
    ]  # fmt: skip
    commands.append(["eval", "kqa", "--model", str(r.artifacts / "merged" / "sft"), "--model-id", model_id,
                     "--dataset", str(r.artifacts / "datasets" / "kqa-fa"),
                     "--dataset-id", _manifest_value(r, "kqa-fa", "repo_id"),
                     "--judge", f"local:{r.artifacts / 'merged' / 'sft'}",  # the tiny model judges itself: wiring only
                     "--limit", "3", "--max-new-tokens", "8", "--resamples", "200",
                     "--out", str(results)])  # fmt: skip
    if PAPER_RESULTS.is_dir():
        commands.append(["eval", "import-paper", str(PAPER_RESULTS), "--out", str(results),
                         "--mmlu-dataset", str(r.artifacts / "datasets" / "mmlu-fa"),
                         "--ibmsee-dataset", str(r.artifacts / "datasets" / "ibmsee")])  # fmt: skip
    jobs = max(1, min(2, os.cpu_count() or 1))
    r.gaokerena_parallel("eval", commands, module="hub_tools.evaluation.cli", jobs=jobs)


def stage_release(r: Rehearsal) -> None:
    write_rehearsal_manifest(r)
    # --full-load: the tiny model is small enough to load and generate with, on top of the structural checks' job.
    r.gaokerena("release", "release", "push", str(r.manifest_path), "--endpoint", r.hub_url, "--full-load",
                module="hub_tools.release.cli")  # fmt: skip


def stage_space(r: Rehearsal) -> None:
    """`gaokerena space deploy` with the release's values: the release already committed these files."""
    variables = _manifest_value(r, "space", "variables")
    r.gaokerena(
        "space", "space", "deploy", "--repo", _manifest_value(r, "space", "repo_id"),
        "--model-id", variables["MODEL_ID"], "--revision", variables["REVISION"],
        "--results-repo", variables["RESULTS_REPO"], "--hardware", "none", "--endpoint", r.hub_url,
        module="space.deploy",
    )  # fmt: skip
    from huggingface_hub import HfApi

    api = HfApi(endpoint=r.hub_url, token=r.token)
    repo_id = _manifest_value(r, "space", "repo_id")
    head = api.repo_info(repo_id, repo_type="space").sha
    tags = {t.name: t.target_commit for t in api.list_repo_refs(repo_id, repo_type="space").tags}
    if tags.get(_manifest_value_top("version")) != head:
        raise StageError(f"the deploy moved {repo_id} past the release tag: `gaokerena space deploy` renders other "
                         "files than the release staged (see the space log)")  # fmt: skip


STAGES = [
    ("hub", stage_hub),
    ("data", stage_data),
    ("tiny-model", stage_tiny_model),
    ("cpt", stage_cpt),
    ("merge-cpt", stage_merge_cpt),
    ("sft", stage_sft),
    ("merge", stage_merge),
    ("gguf", stage_gguf),
    ("eval", stage_eval),
    ("release", stage_release),
    ("space", stage_space),
]


# ------------------------------------------------------------------------------------------------------------ helpers
def write_rehearsal_manifest(r: Rehearsal) -> Path:
    """release/gaokerena-v1.yaml with the tiny model as base and the workdir's artifacts as sources."""
    raw = yaml.safe_load(RELEASE_MANIFEST.read_text(encoding="utf-8"))
    raw["root"] = str(r.artifacts.parent)
    raw["base_model"] = TINY_REPO
    header = (f"# The rehearsal's release: {RELEASE_MANIFEST.relative_to(REPO_ROOT)} with the tiny model as base.\n"
              "# Written by `gaokerena rehearse`; sources are the rehearsal's own artifacts.\n")  # fmt: skip
    r.manifest_path.write_text(header + yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return r.manifest_path


def _manifest_value(r: Rehearsal, artifact: str, key: str):
    """A value of the release manifest (the rehearsal publishes the real release's repo ids and variables)."""
    raw = yaml.safe_load(RELEASE_MANIFEST.read_text(encoding="utf-8"))
    return raw["artifacts"][artifact][key]


def _manifest_value_top(key: str):
    return yaml.safe_load(RELEASE_MANIFEST.read_text(encoding="utf-8"))[key]


def _publish_folder(r: Rehearsal, repo_id: str, folder: Path) -> None:
    """Push a folder as one commit if it changed (the tiny base model is not part of the versioned release)."""
    from huggingface_hub import HfApi

    from hub_tools.publishing.artifacts import artifact_type
    from hub_tools.publishing.engine import publish, stage_folder

    api = HfApi(endpoint=r.hub_url, token=r.token)
    kind = artifact_type("model")
    staged = stage_folder(folder, kind, secrets=[r.token])
    publish(api, repo_id=repo_id, kind=kind, staged=staged, message="Upload the rehearsal's tiny aya-shaped base model")


def _display(command: list[str], workdir: Path) -> list[str]:
    return [c.replace(str(workdir), "$WORKDIR") if isinstance(c, str) else str(c) for c in command]


def prepare_workdir(workdir: Path) -> None:
    """Start from an empty workdir; refuse to wipe a non-empty folder that is not a previous rehearsal."""
    if workdir.exists() and any(workdir.iterdir()):
        if not (workdir / MARKER).exists():
            raise SystemExit(f"gaokerena rehearse: {workdir} is not empty and not a rehearsal folder; choose another "
                             "--workdir")  # fmt: skip
        for child in workdir.iterdir():
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / MARKER).write_text("created by `gaokerena rehearse`; emptied at the start of each run\n")


def serve_space(r: Rehearsal, port: int) -> subprocess.Popen:
    if importlib.util.find_spec("space.app") is None:
        raise StageError("the Space app (space/app.py) is not in this checkout")
    raw = yaml.safe_load(r.manifest_path.read_text(encoding="utf-8"))
    variables = raw["artifacts"]["space"].get("variables", {})
    env = {**r.env(), **variables, "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port)}
    log = (r.logs / "serve-space.log").open("a", encoding="utf-8")
    return subprocess.Popen([sys.executable, "-m", "space.app"], stdout=log, stderr=subprocess.STDOUT, env=env,
                            cwd=REPO_ROOT)  # fmt: skip


def _answers(url: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def print_urls(r: Rehearsal, space_url: str | None) -> None:
    """The Hub, each released repo (its card at the version tag) and the Space."""
    raw = yaml.safe_load(r.manifest_path.read_text(encoding="utf-8"))
    prefixes = {"dataset": "datasets/", "results": "datasets/", "space": "spaces/", "model": "", "adapter": "",
                "gguf": ""}
    print(f"\nlocal Hub:  {r.hub_url}   (user {USER}, org {ORG}; the token lives only in this process)")
    print(f"  {r.hub_url}/{TINY_REPO}/resolve/main/config.json  (the tiny base model)")
    for spec in raw["artifacts"].values():
        print(f"  {r.hub_url}/{prefixes[spec['type']]}{spec['repo_id']}/resolve/{raw['version']}/README.md")
    if space_url:
        print(f"Space:      {space_url}")


def learning_figures(r: Rehearsal) -> list[str]:
    """What the rehearsal shows the model learned: each stage's held-out loss before → after (training_metadata.json)
    and the share of generate-protocol answers the extractor could not parse (the result files)."""
    import json

    from hub_tools.cards.model import learning_line

    lines = []
    for stage in ("cpt", "sft"):
        meta = json.loads((r.artifacts / "train" / stage / "training_metadata.json").read_text(encoding="utf-8"))
        lines.append(f"{stage}: {learning_line(meta)}")
    model = _manifest_value(r, "model", "repo_id").replace("/", "--")  # the released model's own results only
    for path in sorted((r.artifacts / "results" / "results").glob(f"{model}__*__generate*.json")):
        metrics = json.loads(path.read_text(encoding="utf-8"))["metrics"]
        lines.append(f"{path.stem}: {metrics['invalid']} of {metrics['n']} answers unparsable (invalid)")
    return lines


def print_learning(r: Rehearsal) -> None:
    print("learning:\n" + "\n".join(f"  {line}" for line in learning_figures(r)), flush=True)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gaokerena rehearse", description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, default=Path("rehearsal"),
                        help="scratch folder, emptied first (default ./rehearsal)")  # fmt: skip
    parser.add_argument("--no-serve", action="store_true", help="stop after the release instead of serving the Space")
    parser.add_argument("--port", type=int, default=0, help="local Hub port (default: a free one)")
    parser.add_argument("--space-port", type=int, default=0, help="Space port (default: a free one)")
    return parser


def _interrupt_on_sigterm() -> None:
    """A plain ``kill`` (SIGTERM) stops a rehearsal the way Ctrl-C (SIGINT) does: as a KeyboardInterrupt, so the
    ``finally`` blocks stop every child (running stage commands, the Space, the local Hub) before the process ends.
    SIGINT gets the same handler explicitly: a shell without job control starts background commands with SIGINT
    ignored, and Python keeps an inherited "ignore"."""

    def interrupt(signum, frame) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, interrupt)
        signal.signal(signal.SIGINT, interrupt)


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    _interrupt_on_sigterm()
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    workdir = args.workdir.resolve()
    prepare_workdir(workdir)
    r = Rehearsal(workdir=workdir, port=args.port)
    total = time.perf_counter()
    print(f"gaokerena rehearse: workdir {workdir}", flush=True)
    try:
        for index, (name, stage) in enumerate(STAGES, start=1):
            r.stage_index = index
            print(f"[{index:2d}/{len(STAGES)}] {name:12} ...", end="", flush=True)
            start = time.perf_counter()
            try:
                stage(r)
            except Exception as error:  # noqa: BLE001 - reported to the user with the stage that failed
                print(f" FAILED after {time.perf_counter() - start:.1f} s", flush=True)
                detail = str(error) if isinstance(error, StageError) else f"{type(error).__name__}: {error}"
                print(f"gaokerena rehearse: stage {name!r} failed: {detail}", file=sys.stderr, flush=True)
                return 1
            r.timings.append((name, time.perf_counter() - start))
            print(f" done in {r.timings[-1][1]:6.1f} s", flush=True)
        print(f"rehearsal complete in {time.perf_counter() - total:.1f} s: "
              + ", ".join(f"{n} {t:.1f}s" for n, t in r.timings), flush=True)  # fmt: skip
        print_learning(r)
        if args.no_serve:
            print_urls(r, None)
            print(f"(--no-serve: the local Hub stops now; its storage stays in {workdir / 'hub'})")
            return 0
        return _serve(r, args.space_port or free_port())
    except KeyboardInterrupt:
        print("\ngaokerena rehearse: interrupted; stopping every child process", file=sys.stderr, flush=True)
        return 130
    finally:
        if r.hub is not None:
            r.hub.stop()


def _serve(r: Rehearsal, port: int) -> int:
    try:
        space = serve_space(r, port)
    except StageError as error:
        print(f"gaokerena rehearse: cannot serve the Space: {error}", file=sys.stderr)
        return 1
    url = f"http://127.0.0.1:{port}"
    try:
        start = time.perf_counter()
        while space.poll() is None and not _answers(url) and time.perf_counter() - start < 180:
            time.sleep(0.5)
        if space.poll() is None:
            waited = time.perf_counter() - start
            status = "answers" if _answers(url) else f"does not answer yet (see {r.logs / 'serve-space.log'})"
            print(f"[serve] the Space {status} after {waited:.1f} s", flush=True)
            print_urls(r, url)
            print("serving; Ctrl-C stops the Space and the local Hub", flush=True)
        while space.poll() is None:
            time.sleep(0.5)
        print(f"the Space exited with {space.returncode}; see {r.logs / 'serve-space.log'}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopping the Space and the local Hub", flush=True)
        return 0
    finally:
        if space.poll() is None:
            space.send_signal(signal.SIGTERM)
            try:
                space.wait(10)
            except subprocess.TimeoutExpired:
                space.kill()


if __name__ == "__main__":
    sys.exit(main())
