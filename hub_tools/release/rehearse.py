"""`gaokerena rehearse`: the whole release, offline, on an embedded local Hub with the tiny model.

    gaokerena rehearse                       # = make demo; serves the Space at the end (Ctrl-C stops)
    gaokerena rehearse --no-serve            # tests and CI: stop once the Space repo is deployed

The rehearsal is the release's own stage graph (:mod:`hub_tools.release.stages`) with the ``rehearsal`` profile, on
WORKDIR/release.yaml: release/gaokerena-v1.yaml with ``root`` = WORKDIR and the tiny model as ``base_model``. What
this module adds is the supervision around it:

    hub            start a local Hub (LocalHubProcess, a free port, a freshly generated token, root WORKDIR/hub)
    base .. space  the stages of ``gaokerena release run WORKDIR/release.yaml --profile rehearsal``, each command a
                   process of its own against the local Hub (HF_ENDPOINT/HF_TOKEN in its environment, its output in
                   WORKDIR/logs/NN-stage[-K].log), started by the same launcher as `release run` uses
                   (:mod:`hub_tools.release.launcher`: forked from one process that imported torch and the rest
                   once), independent commands two at a time; after ``base`` the tiny model is pushed as the base
                   model repo, after ``space`` the Space must still be at its tag
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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from hub_tools.release.launcher import Command as LaunchedCommand
from hub_tools.release.launcher import Launcher
from hub_tools.release.layout import TRAINING_STAGES, ReleaseLayout
from hub_tools.release.run import StageError, StageFailed, run_graph
from hub_tools.release.stages import PROFILES, Stage, build_stages, tiny_base_dir


REPO_ROOT = Path(__file__).resolve().parents[2]
RELEASE_MANIFEST = REPO_ROOT / "release" / "gaokerena-v1.yaml"
MARKER = ".gaokerena-rehearsal"
USER, ORG = "rehearsal", "gaokerena"
# The tiny base model's repo on the local Hub: the release cards name it as base_model, honestly.
TINY_REPO = f"{ORG}/tiny-aya-rehearsal"
PROFILE = PROFILES["rehearsal"]


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


@dataclass
class Rehearsal:
    workdir: Path
    port: int = 0
    # A fresh token per run, unless the caller passes one (``--token-file``; tests grep every output for it).
    token: str = field(default_factory=lambda: "hf_rehearsal_" + secrets.token_hex(16))
    hub: object | None = None
    launcher: Launcher | None = None  # forks the stage commands, torch and the rest imported once
    timings: list[tuple[str, float]] = field(default_factory=list)
    stage_index: dict[str, int] = field(default_factory=dict)  # a stage's number, for its log files' names
    layout: ReleaseLayout | None = None
    # Command slots shared by the stages running side by side: at most this many stage commands at a time.
    slots: threading.BoundedSemaphore = field(default_factory=lambda: threading.BoundedSemaphore(command_slots()))
    stop: threading.Event = field(default_factory=threading.Event)  # set on an interrupt: stop every command
    running_stages: list[str] = field(default_factory=list)  # the stages started and not done (sharing the slots)

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

    def execute(self, stage: Stage) -> None:
        """A stage's commands as subprocesses, independent ones side by side, each with its own log."""
        jobs = command_slots() if stage.parallel else 1
        self.gaokerena_parallel(stage.name, [c.argv() for c in stage.commands], jobs=jobs)

    def gaokerena_parallel(self, stage: str, commands: list[list[str]], *, jobs: int) -> None:
        """Run several ``gaokerena`` commands, ``jobs`` at a time and each holding one of the shared command slots,
        each with its own log (its wall and CPU seconds at the end); fail on the first error. While other stages
        run too, a stage starts no more than its share of the slots, so a stage that started later (gguf beside
        eval) is not left waiting for all of the first one's commands."""
        self.logs.mkdir(parents=True, exist_ok=True)
        pending = list(enumerate(commands))
        running: list[tuple[LaunchedCommand, Path, float]] = []
        try:
            while pending or running:
                if self.stop.is_set():
                    raise StageError(f"stage {stage}: interrupted")
                share = max(1, command_slots() // max(1, len(self.running_stages)))
                while pending and len(running) < min(jobs, share) and self.slots.acquire(blocking=False):
                    index, args = pending.pop(0)
                    suffix = f"-{index + 1}" if len(commands) > 1 else ""
                    try:
                        running.append(self._start(args, stage, suffix))
                    except BaseException:
                        self.slots.release()
                        raise
                for item in list(running):
                    command, log, start = item
                    if command.poll() is None:
                        continue
                    running.remove(item)
                    self.slots.release()
                    with log.open("a", encoding="utf-8") as handle:
                        handle.write(f"# exit {command.returncode} after {time.perf_counter() - start:.1f} s "
                                     f"(CPU {command.cpu_seconds:.1f} s)\n")  # fmt: skip
                    if command.returncode != 0:
                        tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-25:])
                        raise StageError(f"`gaokerena {' '.join(_display(command.argv, self.workdir))}` exited "
                                         f"with {command.returncode}; log {log}:\n{tail}")  # fmt: skip
                time.sleep(0.05)
        finally:
            for command, *_ in running:
                command.kill()
                command.wait()
                self.slots.release()

    def _start(self, args: list[str], stage: str, suffix: str) -> tuple[LaunchedCommand, Path, float]:
        log = self.logs / f"{self.stage_index.get(stage, 0):02d}-{stage}{suffix}.log"
        with log.open("a", encoding="utf-8") as handle:
            handle.write("$ gaokerena " + " ".join(_display(args, self.workdir)) + "\n")
        return self.launcher.spawn(args, log=log), log, time.perf_counter()  # type: ignore[union-attr]


def command_slots() -> int:
    """Stage commands at a time: one per core, at most two (each stage command is a process with threads)."""
    return max(1, min(2, os.cpu_count() or 1))


# ------------------------------------------------------------------------------------------------ around the graph
def start_hub(r: Rehearsal) -> None:
    """The local Hub, then the command launcher in the stages' environment (its imports overlap the first stage's
    setup: the first command waits for them)."""
    from hub_tools.localhub import LocalHubProcess

    r.hub = LocalHubProcess(r.workdir / "hub", port=r.port, tokens={r.token: {"user": USER, "orgs": [ORG]}}).start()
    r.logs.mkdir(parents=True, exist_ok=True)
    r.launcher = Launcher.start(r.env(), log=r.logs / "launcher.log")


def after_base(r: Rehearsal) -> None:
    """The tiny model becomes the release's base model repo on the local Hub (not part of the versioned release)."""
    _publish_folder(r, r.layout.manifest.base_model, tiny_base_dir(r.layout))


def after_space(r: Rehearsal) -> None:
    """`gaokerena space deploy` with the release's values finds the files the release committed: no new commit."""
    from huggingface_hub import HfApi

    api = HfApi(endpoint=r.hub_url, token=r.token)
    repo_id = r.layout.space_artifact.repo_id
    head = api.repo_info(repo_id, repo_type="space").sha
    tags = {t.name: t.target_commit for t in api.list_repo_refs(repo_id, repo_type="space").tags}
    if tags.get(r.layout.manifest.version) != head:
        raise StageError(f"the deploy moved {repo_id} past the release tag: `gaokerena space deploy` renders other "
                         "files than the release staged (see the space log)")  # fmt: skip


AFTER: dict[str, Callable[[Rehearsal], None]] = {"base": after_base, "space": after_space}


def rehearsal_stages(r: Rehearsal) -> list[Stage]:
    """The rehearsal profile's stages of WORKDIR/release.yaml, each followed by its supervision hook."""
    return build_stages(r.layout, PROFILE)


# ------------------------------------------------------------------------------------------------------------ helpers
def write_rehearsal_manifest(r: Rehearsal) -> Path:
    """release/gaokerena-v1.yaml with the tiny model as base and the workdir as root."""
    from hub_tools.release.manifest import load_manifest

    raw = yaml.safe_load(RELEASE_MANIFEST.read_text(encoding="utf-8"))
    raw["root"] = str(r.workdir)
    raw["base_model"] = TINY_REPO
    header = (f"# The rehearsal's release: {RELEASE_MANIFEST.relative_to(REPO_ROOT)} with the tiny model as base.\n"
              "# Written by `gaokerena rehearse`; sources are the rehearsal's own artifacts.\n")  # fmt: skip
    r.manifest_path.write_text(header + yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    r.layout = ReleaseLayout.of(load_manifest(r.manifest_path))
    return r.manifest_path


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
    variables = r.layout.space_artifact.variables
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
    prefixes = {"dataset": "datasets/", "space": "spaces/", "model": ""}
    manifest = r.layout.manifest
    print(f"\nlocal Hub:  {r.hub_url}   (user {USER}, org {ORG}; the token lives only in this process)")
    print(f"  {r.hub_url}/{manifest.base_model}/resolve/main/config.json  (the tiny base model)")
    for artifact in manifest.artifacts:
        print(f"  {r.hub_url}/{prefixes[artifact.repo_type]}{artifact.repo_id}/resolve/{manifest.version}/README.md")
    if space_url:
        print(f"Space:      {space_url}")


def learning_figures(r: Rehearsal) -> list[str]:
    """What the rehearsal shows the model learned: each stage's held-out loss before → after (training_metadata.json)
    and the share of generate-protocol answers the extractor could not parse (the result files)."""
    import json

    from hub_tools.cards.model import learning_line

    lines = []
    for stage in TRAINING_STAGES:
        meta = json.loads((r.layout.adapter(stage) / "training_metadata.json").read_text(encoding="utf-8"))
        lines.append(f"{stage}: {learning_line(meta)}")
    model = r.layout.model.repo_id.replace("/", "--")  # the released model's own results only
    for path in sorted(r.layout.results.glob(f"{model}__*__generate*.json")):
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
    parser.add_argument("--token-file", type=Path, default=None,
                        help="a file holding the local Hub's token (default: a fresh random one); keep it outside "
                             "--workdir, which is emptied first")  # fmt: skip
    return parser


def read_token_file(path: Path) -> str:
    """The token in ``path``: its text, stripped; a clear error for a missing, empty or multi-line file."""
    try:
        token = path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise SystemExit(f"gaokerena rehearse: cannot read --token-file {path}: {error.strerror}") from None
    if not token or any(c.isspace() for c in token):
        raise SystemExit(f"gaokerena rehearse: --token-file {path} must hold one token (no spaces or line breaks)")
    return token


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
    token = read_token_file(args.token_file) if args.token_file else None
    _interrupt_on_sigterm()
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    workdir = args.workdir.resolve()
    prepare_workdir(workdir)
    r = Rehearsal(workdir=workdir, port=args.port)
    if token is not None:
        r.token = token
    print(f"gaokerena rehearse: workdir {workdir}", flush=True)
    try:
        return _rehearse(r, args)
    except KeyboardInterrupt:
        print("\ngaokerena rehearse: interrupted; stopping every child process", file=sys.stderr, flush=True)
        return 130
    finally:
        if r.launcher is not None:
            r.launcher.close()
        if r.hub is not None:
            r.hub.stop()


def _rehearse(r: Rehearsal, args: argparse.Namespace) -> int:
    """The local Hub, then the graph's stages with their hooks (each once the stages it needs are done, two side by
    side where the graph allows), then the figures (and the Space unless --no-serve)."""
    total = time.perf_counter()
    write_rehearsal_manifest(r)
    stages = rehearsal_stages(r)
    width = len(stages) + 1
    r.stage_index = {stage.name: index for index, stage in enumerate(stages, start=2)}

    def done(name: str, seconds: float) -> None:
        r.timings.append((name, seconds))
        print(f"[{r.stage_index.get(name, 1):2d}/{width}] {name:12} ... done in {seconds:6.1f} s", flush=True)

    start = time.perf_counter()
    try:
        start_hub(r)
        done("hub", time.perf_counter() - start)
        run_graph(stages, _step(r), workers=command_slots(), on_start=lambda s: r.running_stages.append(s.name),
                  on_done=lambda s, t: done(s.name, t), stop=r.stop)
    except StageFailed as failure:
        print(f"[{r.stage_index[failure.stage.name]:2d}/{width}] {failure.stage.name:12} ... FAILED after "
              f"{failure.seconds:.1f} s", flush=True)  # fmt: skip
        return _failed(failure.stage.name, failure.error)
    except Exception as error:  # noqa: BLE001 - the local Hub did not start: reported with the stage
        return _failed("hub", error)
    print(f"rehearsal complete in {time.perf_counter() - total:.1f} s: "
          + ", ".join(f"{n} {t:.1f}s" for n, t in r.timings), flush=True)  # fmt: skip
    print_learning(r)
    if args.no_serve:
        print_urls(r, None)
        print(f"(--no-serve: the local Hub stops now; its storage stays in {r.workdir / 'hub'})")
        return 0
    return _serve(r, args.space_port or free_port())


def _failed(name: str, error: BaseException) -> int:
    detail = str(error) if isinstance(error, StageError) else f"{type(error).__name__}: {error}"
    print(f"gaokerena rehearse: stage {name!r} failed: {detail}", file=sys.stderr, flush=True)
    return 1


def _step(r: Rehearsal) -> Callable[[Stage], None]:
    """Run one stage of the graph (the release runner checks its commands exist, as `release run` does), then its
    supervision hook."""

    def step(stage: Stage) -> None:
        try:
            r.execute(stage)
        finally:
            r.running_stages.remove(stage.name)
        if stage.name in AFTER:
            AFTER[stage.name](r)

    return step


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
