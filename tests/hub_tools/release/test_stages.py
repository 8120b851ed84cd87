"""One layout, one stage graph, two profiles: `gaokerena release run --dry-run` and the READMEs that quote it."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from hub_tools.release import cli
from hub_tools.release.layout import ReleaseLayout
from hub_tools.release.manifest import ManifestError, load_manifest, parse_manifest
from hub_tools.release.stages import PROFILES, build_stages, select


REPO_ROOT = Path(__file__).resolve().parents[3]
MANIFEST = REPO_ROOT / "release" / "gaokerena-v1.yaml"
WRITES = ("--out", "--output_dir")  # the arguments through which a stage command writes a folder


def _dry_run(monkeypatch, capsys, *args: str) -> str:
    monkeypatch.chdir(REPO_ROOT)
    assert cli.main(["run", "release/gaokerena-v1.yaml", "--dry-run", *args]) == 0
    return capsys.readouterr().out


def _code_blocks(path: Path) -> list[str]:
    return re.findall(r"```(?:bash)?\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


def test_the_runbook_is_what_the_real_dry_run_prints(monkeypatch, capsys):
    printed = _dry_run(monkeypatch, capsys, "--profile", "real")
    readme = (REPO_ROOT / "release" / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- release run --dry-run --profile real: begin -->\n```bash\n(.*?)```", readme, re.S)
    assert block is not None and block.group(1) == printed
    # Every gaokerena command in a code block of release/README.md and training/README.md is one the graph runs
    # (training/README.md's block of tiny-model commands is the offline walk-through, not the release).
    commands = {line for line in printed.splitlines() if line.startswith("gaokerena ")}
    for path in (REPO_ROOT / "release" / "README.md", REPO_ROOT / "training" / "README.md"):
        quoted = [line for block in _code_blocks(path) if "recipes/tiny" not in block for line in block.splitlines()
                  if line.startswith("gaokerena ")]
        assert quoted and set(quoted) <= commands, (path.name, sorted(set(quoted) - commands))
    # The two merges, the model id the results are scored under, and where they go: the results allow-list's folder.
    assert "gaokerena merge --base artifacts/gaokerena-v1/cpt-merged --adapter artifacts/gaokerena-v1/sft " \
           "--out artifacts/gaokerena-v1/merged" in commands
    evals = [c for c in commands if c.startswith(("gaokerena eval mc", "gaokerena eval kqa"))]
    assert len(evals) == 2 and all("--model-id gaokerena/gaokerena-v1 " in c for c in evals)
    assert all(c.endswith("--out artifacts/results/results") for c in evals)


def test_every_folder_the_release_publishes_is_written_by_a_stage():
    manifest = load_manifest(MANIFEST)
    for profile in PROFILES.values():
        stages = build_stages(ReleaseLayout.of(manifest), profile)
        written = [Path(str(c.args[i + 1])) for s in stages for c in s.commands for i, a in enumerate(c.args)
                   if a in WRITES]  # fmt: skip
        for artifact in manifest.artifacts:
            if artifact.source is not None:
                assert any(w == artifact.source or artifact.source in w.parents for w in written), (
                    profile.name, artifact.name, artifact.source)


def test_the_layout_gives_each_folder_one_role():
    layout = ReleaseLayout.of(load_manifest(MANIFEST))
    root, run = REPO_ROOT / "artifacts", REPO_ROOT / "artifacts" / "gaokerena-v1"
    assert (layout.adapter("cpt"), layout.merged("cpt")) == (run / "cpt", run / "cpt-merged")
    assert (layout.adapter("sft"), layout.merged("sft")) == (run / "sft", run / "merged")
    assert layout.dataset("corpus") == root / "datasets" / "corpus"
    assert layout.results == root / "results" / "results"
    assert (layout.model.repo_id, layout.gguf_name) == ("gaokerena/gaokerena-v1", "gaokerena-v1")
    assert layout.base_of("cpt") == "CohereForAI/aya-expanse-8b"
    assert layout.base_of("sft") == str(root / "gaokerena-v1" / "cpt-merged")


def test_a_manifest_without_a_stage_fails_naming_it(tmp_path):
    raw = {"namespace": "gaokerena", "version": "v1.0", "base_model": "CohereForAI/aya-expanse-8b",
           "artifacts": {"model": {"type": "model", "repo_id": "gaokerena/m", "source": "m"}}}  # fmt: skip
    with pytest.raises(ManifestError, match="lists no cpt adapter"):
        ReleaseLayout.of(parse_manifest(raw, base_dir=tmp_path, path=tmp_path / "m.yaml"))


def test_from_and_until_select_stages(monkeypatch, capsys):
    printed = _dry_run(monkeypatch, capsys, "--profile", "real", "--from", "eval", "--until", "push")
    headers = [line.split(":")[0] for line in printed.splitlines() if line.startswith("# ")]
    assert headers == ["# eval", "# gguf", "# push"]
    stages = build_stages(ReleaseLayout.of(load_manifest(MANIFEST)), PROFILES["rehearsal"])
    assert [s.name for s in stages][:2] == ["base", "data"]
    assert [s.name for s in select(stages, start="merge-sft", until="merge-sft")] == ["merge-sft"]
    assert cli.main(["run", str(MANIFEST), "--dry-run", "--from", "train"]) == 2
    assert "no stage 'train'; the stages are data, cpt, merge-cpt" in capsys.readouterr().err


def test_the_rehearsal_profile_builds_from_the_samples_with_the_tiny_recipes(monkeypatch, capsys):
    printed = _dry_run(monkeypatch, capsys, "--profile", "rehearsal")
    data = [line for line in printed.splitlines() if line.startswith("gaokerena data build")]
    assert len(data) == 5 and not any("--source" in line for line in data)
    assert "gaokerena train init-tiny --out artifacts/work/tiny-aya" in printed
    assert "--config training/recipes/tiny/cpt.yaml --model_name_or_path artifacts/work/tiny-aya" in printed
    assert "gaokerena release push release/gaokerena-v1.yaml\n" in printed  # the real profile's verification


def test_a_run_stops_at_the_failing_stage_and_names_it():
    from hub_tools.release.launcher import Launcher
    from hub_tools.release.run import StageError, run_stages, terminal_executor
    from hub_tools.release.stages import Command, Stage

    ran = []
    missing = Stage("gguf", "x", (Command(("export", "gguf"), "hub_tools.no_such_module"),))
    with pytest.raises(StageError, match="stage gguf: `gaokerena export` is not in this checkout"):
        run_stages([Stage("data", "x", ()), missing, Stage("push", "x", ())], lambda stage: ran.append(stage.name))
    assert ran == ["data"]
    failing = Stage("data", "x", (Command(("data", "build", "no-such-dataset", "--out", "x"), "hub_tools.data.cli"),))
    launcher = Launcher.start(dict(os.environ), preload=("hub_tools.cli",))
    try:
        with pytest.raises(StageError, match="stage data: `gaokerena data build no-such-dataset --out x` exited with 2"):
            terminal_executor(launcher)(failing)
    finally:
        launcher.close()


def test_every_stage_needs_only_earlier_stages_and_eval_and_gguf_need_the_merged_model():
    for profile in PROFILES.values():
        stages = build_stages(ReleaseLayout.of(load_manifest(MANIFEST)), profile)
        names = [stage.name for stage in stages]
        for index, stage in enumerate(stages):
            assert set(stage.needs) <= set(names[:index]), (profile.name, stage.name, stage.needs)
        needs = {stage.name: stage.needs for stage in stages}
        assert needs["eval"] == needs["gguf"] == ("data", "merge-sft")
        assert needs["push"] == ("eval", "gguf") and needs["data"] == ()
    rehearsal = {s.name: s.needs for s in build_stages(ReleaseLayout.of(load_manifest(MANIFEST)), PROFILES["rehearsal"])}
    assert rehearsal["base"] == () and rehearsal["cpt"] == ("data", "base")


def test_the_graph_runs_a_stage_once_its_needs_are_done_and_independent_ones_side_by_side():
    import threading

    from hub_tools.release.run import run_graph
    from hub_tools.release.stages import Stage

    both_running = threading.Barrier(2, timeout=10)  # eval and gguf must be running at the same time
    order = []

    def execute(stage):
        order.append(stage.name)
        if stage.name in ("eval", "gguf"):
            both_running.wait()

    stages = [Stage("merge", "x", ()), Stage("eval", "x", (), needs=("merge",)), Stage("gguf", "x", (), needs=("merge",)),
              Stage("push", "x", (), needs=("eval", "gguf"))]  # fmt: skip
    timings = run_graph(stages, execute, workers=2)
    assert order[0] == "merge" and order[-1] == "push" and {name for name, _ in timings} == set(order)


def test_the_graph_stops_scheduling_at_a_failure_and_names_the_stage():
    from hub_tools.release.run import StageFailed, run_graph
    from hub_tools.release.stages import Stage

    ran = []

    def execute(stage):
        ran.append(stage.name)
        if stage.name == "gguf":
            raise RuntimeError("llama.cpp is missing")

    stages = [Stage("gguf", "x", ()), Stage("push", "x", (), needs=("gguf",))]
    with pytest.raises(StageFailed, match="llama.cpp is missing") as failure:
        run_graph(stages, execute, workers=2)
    assert failure.value.stage.name == "gguf" and ran == ["gguf"]
