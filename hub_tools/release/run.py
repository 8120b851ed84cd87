"""`gaokerena release run`: the stage graph of a manifest, printed (--dry-run) or run, stage by stage.

    gaokerena release run release/gaokerena-v1.yaml --profile real --dry-run          # the runbook's commands
    gaokerena release run release/gaokerena-v1.yaml --profile real --from eval --until push

Each command runs as ``gaokerena ARGS`` in a process of its own, in this environment (HF_ENDPOINT, HF_TOKEN as set),
its output on the terminal, started by :mod:`hub_tools.release.launcher` (forked from one process that imported torch
and the rest once); the first failing command stops the run and names the stage to resume with ``--from``.
``gaokerena rehearse`` runs the rehearsal profile with the same launcher and its own supervision (local Hub, logs,
parallel commands).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path

from hub_tools.release.launcher import Launcher
from hub_tools.release.stages import DEFAULT_SOURCES, PROFILES, Options, Stage


class StageError(RuntimeError):
    """A stage that failed; the message says which command and where its output is."""


def add_run_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--profile", choices=sorted(PROFILES), default="real",
                     help="real: the paper's recipes on the authors' files; rehearsal: the tiny model on the samples")
    sub.add_argument("--from", dest="start", default=None, metavar="STAGE", help="first stage to run")
    sub.add_argument("--until", default=None, metavar="STAGE", help="last stage to run")
    sub.add_argument("--dry-run", action="store_true", help="print the commands; run nothing")
    sub.add_argument("--sources", type=Path, default=DEFAULT_SOURCES,
                     help="the authors' files, a folder per dataset (real profile; default ../shared/data/gaokerena)")
    sub.add_argument("--judge", default=Options.judge,
                     help="K-QA judge, local:PATH_OR_ID or openai:URL (real profile)")
    sub.add_argument("--judge-model", default=Options.judge_model, help="model name sent to an openai: judge")


def plan(manifest_path: str, profile: str, *, start: str | None = None, until: str | None = None,
         options: Options = Options()) -> list[Stage]:  # fmt: skip
    """The selected stages of the manifest's graph (raises ManifestError / ValueError naming the problem)."""
    from hub_tools.release.layout import ReleaseLayout
    from hub_tools.release.manifest import load_manifest
    from hub_tools.release.stages import build_stages, select

    layout = ReleaseLayout.of(load_manifest(manifest_path))
    return select(build_stages(layout, PROFILES[profile], options), start=start, until=until)


def run_stages(stages: list[Stage], execute: Callable[[Stage], None], *,
               on_stage: Callable[[int, Stage], None] | None = None) -> list[tuple[str, float]]:  # fmt: skip
    """Run each stage with ``execute``; returns (name, seconds) per stage. A StageError stops the run."""
    timings = []
    for index, stage in enumerate(stages, start=1):
        if on_stage is not None:
            on_stage(index, stage)
        start = time.perf_counter()
        missing = [c.module for c in stage.commands if importlib.util.find_spec(c.module) is None]
        if missing:
            raise StageError(f"stage {stage.name}: `gaokerena {stage.commands[0].argv()[0]}` is not in this checkout "
                             f"(module {missing[0]} is missing)")  # fmt: skip
        execute(stage)
        timings.append((stage.name, time.perf_counter() - start))
    return timings


class StageFailed(StageError):
    """``stage`` failed after ``seconds``; the error it raised is the ``__cause__``."""

    def __init__(self, stage: Stage, seconds: float, error: BaseException) -> None:
        super().__init__(str(error) if isinstance(error, StageError) else f"stage {stage.name}: "
                         f"{type(error).__name__}: {error}")  # fmt: skip
        self.stage, self.seconds, self.error = stage, seconds, error


def run_graph(stages: list[Stage], execute: Callable[[Stage], None], *, workers: int = 2,
              on_start: Callable[[Stage], None] | None = None, on_done: Callable[[Stage, float], None] | None = None,
              stop: threading.Event | None = None) -> list[tuple[str, float]]:  # fmt: skip
    """Run each stage once the stages it ``needs`` (those among ``stages``) are done, up to ``workers`` stages at a
    time (with one worker, the stages' own order: a stage needs only earlier ones). Returns (name, seconds) in
    the order the stages finished. The first failure stops the scheduling: the running stages finish, then it is
    raised as :class:`StageFailed`. An interrupt sets ``stop`` (for ``execute`` to stop its commands) and waits."""
    names = {stage.name for stage in stages}
    pending, running, timings = list(stages), {}, []
    failure: StageFailed | None = None
    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="stage")
    try:
        while pending or running:
            done = {name for name, _ in timings}
            ready = [s for s in pending if all(n in done or n not in names for n in s.needs)] if not failure else []
            starting = ready[: max(0, workers - len(running))]
            for stage in starting:  # every start announced before any runs: stages that share know of each other
                pending.remove(stage)
                if on_start is not None:
                    on_start(stage)
            for stage in starting:
                running[pool.submit(_timed, execute, stage)] = stage
            if not running:
                if failure is None:
                    raise ValueError(f"stages {', '.join(s.name for s in pending)} need stages that never finish")
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                stage = running.pop(future)
                seconds, error = future.result()
                if error is not None:
                    failure = failure or StageFailed(stage, seconds, error)
                    continue
                timings.append((stage.name, seconds))
                if on_done is not None:
                    on_done(stage, seconds)
    except BaseException:
        if stop is not None:
            stop.set()
        raise
    finally:
        pool.shutdown(wait=True)
    if failure is not None:
        raise failure from failure.error
    return timings


def _timed(execute: Callable[[Stage], None], stage: Stage) -> tuple[float, Exception | None]:
    """(seconds, the error ``execute`` raised or None): errors go back to the scheduler, which reports them."""
    start = time.perf_counter()
    try:
        run_stages([stage], execute)
    except Exception as error:  # noqa: BLE001 - handed to run_graph, which raises it as StageFailed
        return time.perf_counter() - start, error
    return time.perf_counter() - start, None


def terminal_executor(launcher: Launcher) -> Callable[[Stage], None]:
    """Run a stage's commands in turn through ``launcher``, their output on the terminal."""

    def execute(stage: Stage) -> None:
        for command in stage.commands:
            print(f"$ {command.display()}", flush=True)
            code = launcher.run(list(command.argv()))
            if code != 0:
                raise StageError(f"stage {stage.name}: `{command.display()}` exited with {code}")

    return execute


def run_main(args: argparse.Namespace) -> int:
    from hub_tools.release.manifest import ManifestError
    from hub_tools.release.stages import plan_text

    options = Options(sources=args.sources.resolve(), judge=args.judge, judge_model=args.judge_model)
    try:
        stages = plan(args.manifest, args.profile, start=args.start, until=args.until, options=options)
    except (ManifestError, ValueError, FileNotFoundError) as error:
        print(f"gaokerena release run: {error}", file=sys.stderr)
        return 2
    if args.dry_run:
        print(plan_text(stages), end="")
        return 0
    number = {stage.name: index for index, stage in enumerate(stages, start=1)}
    launcher = Launcher.start(dict(os.environ))
    try:  # one stage at a time, its output on the terminal; the rehearsal runs independent stages side by side
        timings = run_graph(stages, terminal_executor(launcher), workers=1,
                            on_start=lambda s: print(f"[{number[s.name]}/{len(stages)}] {s.name}: {s.about}", flush=True))
    except StageError as error:
        print(f"gaokerena release run: {error}; fix it and resume with --from", file=sys.stderr)
        return 1
    finally:
        launcher.close()
    print("release run complete: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings))
    return 0
