"""The release as a stage graph: data -> cpt -> merge-cpt -> sft -> merge-sft -> eval -> gguf -> push -> space.

    stages = build_stages(ReleaseLayout.of(manifest), PROFILES["real"])
    for stage in select(stages, start="eval", until="push"):
        for command in stage.commands:
            print(command.display())      # gaokerena eval mc --benchmark mmlu-fa ...

Each stage is a list of existing ``gaokerena`` commands with every folder and repo id taken from the
:class:`~hub_tools.release.layout.ReleaseLayout`. A profile says how big the run is:

- ``real``: the paper's recipes (training/recipes/gaokerena-v1) on aya-expanse-8b, the datasets built from the
  authors' files (``--sources``, default ``../shared/data/gaokerena``), every question evaluated, an OpenAI-compatible
  judge for K-QA, the manifest's GGUF ladder, the Space on ZeroGPU;
- ``rehearsal``: the tiny recipes on the tiny aya-shaped model (built by the extra first stage ``base``), the bundled
  samples, a few questions per benchmark with the model as its own judge (wiring, not quality), the same GGUF
  ladder on short contexts, the real profile's structural verification. ``gaokerena rehearse`` runs it on a local
  Hub.

``gaokerena release run MANIFEST --profile real --dry-run`` prints the commands; the READMEs' commands are that
output (tests/hub_tools/release/test_stages.py compares them).
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass, replace
from pathlib import Path

from hub_tools.release.layout import BENCHMARKS, OPEN_QA, TRAINING_DATA, TRAINING_STAGES, ReleaseLayout


REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SOURCES = REPO_ROOT.parent / "shared" / "data" / "gaokerena"
# The authors' files of each dataset, as folders under --sources.
SOURCE_FOLDERS = {"mmlu-fa": "MMLU_fa", "ibmsee": "IBMSEE", "kqa-fa": "KQA_fa", "mf3qa": "MF3QA",
                  "corpus": "medical_corpus"}  # fmt: skip
PAPER_RESULTS = "paper_results"  # under --sources: the authors' per-question answers (gaokerena eval import-paper)
PROTOCOLS = ("generate", "loglikelihood")


@dataclass(frozen=True)
class Command:
    """``gaokerena ARGS``; ``module`` must be importable for it to run. Path arguments print relative."""

    args: tuple[str | Path, ...]
    module: str

    def argv(self) -> list[str]:
        return [str(arg) for arg in self.args]

    def display(self, base: Path | None = None) -> str:
        base = base or Path.cwd()
        return "gaokerena " + shlex.join(_show(arg, base) for arg in self.args)


@dataclass(frozen=True)
class Stage:
    name: str
    about: str
    commands: tuple[Command, ...]
    parallel: bool = False  # the commands do not depend on each other
    needs: tuple[str, ...] = ()  # the stages whose outputs it reads: it may start once they are done


@dataclass(frozen=True)
class Profile:
    """How big a release run is (see the module docstring)."""

    name: str
    recipes: str  # folder under training/recipes
    samples: bool  # datasets from the bundled samples instead of --sources
    eval_options: tuple[str, ...] = ()
    kqa_options: tuple[str, ...] = ()
    self_judge: bool = False  # the K-QA judge is the evaluated model itself (wiring only)
    gguf_options: tuple[str, ...] = ()  # extra `export gguf` options (context lengths of the imatrix and measure)
    push_options: tuple[str, ...] = ()
    hardware: str = "zero-a10g"
    tiny_base: bool = False  # an extra first stage builds the tiny base model the training stages start from


PROFILES = {
    "real": Profile(name="real", recipes="gaokerena-v1", samples=False),
    "rehearsal": Profile(
        name="rehearsal", recipes="tiny", samples=True, tiny_base=True, self_judge=True,
        # A few questions each: enough to exercise the pipeline in seconds. One torch thread: the tiny model gains
        # nothing from more, and two processes' threads spin against each other on 2 cores.
        eval_options=("--limit", "6", "--max-new-tokens", "8", "--resamples", "200", "--threads", "1"),
        kqa_options=("--limit", "2", "--max-new-tokens", "8", "--resamples", "200", "--threads", "1"),
        # One llama.cpp thread: the tiny model gains nothing from more, and they spin while eval runs beside it.
        gguf_options=("--imatrix-ctx", "128", "--measure-ctx", "128", "--measure-tokens", "2048", "--threads", "1"),
        hardware="none",
    ),  # fmt: skip
}


@dataclass(frozen=True)
class Options:
    """Inputs of a run that are not in the manifest."""

    sources: Path = DEFAULT_SOURCES  # the authors' files (real profile)
    judge: str = "openai:https://api.openai.com/v1"  # K-QA judge (real profile)
    judge_model: str = "gpt-4o"


def build_stages(layout: ReleaseLayout, profile: Profile, options: Options = Options()) -> list[Stage]:
    """The stage graph of ``layout``'s release for ``profile``, in order."""
    stages = [_base(layout)] if profile.tiny_base else []
    stages.append(_data(layout, profile, options))
    for stage in TRAINING_STAGES:
        stages += [_train(layout, profile, stage), _merge(layout, profile, stage)]
    stages += [_eval(layout, profile, options), _gguf(layout, profile), _push(layout, profile)]
    space = _space(layout, profile)
    return _with_needs(stages + ([space] if space else []))


def _with_needs(stages: list[Stage]) -> list[Stage]:
    """Each stage with the stages it reads from (``Stage.needs``): the datasets and the tiny base model are
    independent; the first training stage needs both, each merge its adapter, the next training stage the merged
    model; eval and gguf both read the final merged model (they may run side by side); push publishes everything;
    the Space follows push."""
    names = [stage.name for stage in stages]

    def needs(name: str) -> tuple[str, ...]:
        before = names[names.index(name) - 1]
        if name in ("base", "data"):
            return ()
        if name in TRAINING_STAGES:
            return ("data", "base" if name == TRAINING_STAGES[0] else before)
        if name in ("eval", "gguf"):
            return ("data", f"merge-{TRAINING_STAGES[-1]}")
        if name == "push":
            return ("eval", "gguf")
        return (before,)  # a merge, the Space

    return [replace(stage, needs=tuple(n for n in needs(stage.name) if n in names)) for stage in stages]


def select(stages: list[Stage], *, start: str | None = None, until: str | None = None) -> list[Stage]:
    """The stages from ``start`` to ``until`` inclusive; an unknown name raises ValueError listing the valid ones."""
    names = [stage.name for stage in stages]
    for name in (start, until):
        if name is not None and name not in names:
            raise ValueError(f"no stage {name!r}; the stages are {', '.join(names)}")
    first = names.index(start) if start else 0
    last = names.index(until) if until else len(names) - 1
    if first > last:
        raise ValueError(f"--from {start} comes after --until {until}")
    return stages[first : last + 1]


def tiny_base_dir(layout: ReleaseLayout) -> Path:
    """The rehearsal's tiny aya-shaped base model (``gaokerena train init-tiny``)."""
    return layout.scratch / "tiny-aya"


def plan_text(stages: list[Stage], base: Path | None = None) -> str:
    """What ``release run --dry-run`` prints: a comment per stage, then its commands."""
    lines = []
    for stage in stages:
        lines.append(f"# {stage.name}: {stage.about}")
        lines += [command.display(base) for command in stage.commands]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------------------------ stages
def _base(layout: ReleaseLayout) -> Stage:
    return Stage("base", f"the tiny aya-shaped stand-in for {layout.manifest.base_model}",
                 (Command(("train", "init-tiny", "--out", tiny_base_dir(layout)), "training.cli"),))  # fmt: skip


def _data(layout: ReleaseLayout, profile: Profile, options: Options) -> Stage:
    commands = []
    for artifact in layout.datasets:
        folder = options.sources / SOURCE_FOLDERS.get(artifact.name, artifact.name)
        source = () if profile.samples else ("--source", folder)
        command = ("data", "build", artifact.name, *source, "--out", artifact.source)
        commands.append(Command(command, "hub_tools.data.cli"))
    about = "the datasets from the bundled samples" if profile.samples else "the datasets from the authors' files"
    return Stage("data", about, tuple(commands), parallel=True)


def _train(layout: ReleaseLayout, profile: Profile, stage: str) -> Stage:
    recipe = REPO_ROOT / "training" / "recipes" / profile.recipes / f"{stage}.yaml"
    command = Command(("train", stage, "--config", recipe, "--model_name_or_path", _trains_on(layout, profile, stage),
                       "--dataset_name", layout.dataset(TRAINING_DATA[stage]), "--output_dir", layout.adapter(stage)),
                      "training.train")  # fmt: skip
    about = {"cpt": "LoRA continued pre-training on the corpus", "sft": "LoRA instruction tuning on MF3QA"}[stage]
    return Stage(stage, about, (command,))


def _merge(layout: ReleaseLayout, profile: Profile, stage: str) -> Stage:
    command = Command(("merge", "--base", _trains_on(layout, profile, stage), "--adapter", layout.adapter(stage),
                       "--out", layout.merged(stage)), "training.merge")  # fmt: skip
    return Stage(f"merge-{stage}", f"the {stage} adapter merged into the model it trained on", (command,))


def _trains_on(layout: ReleaseLayout, profile: Profile, stage: str) -> str | Path:
    if profile.tiny_base and stage == TRAINING_STAGES[0]:
        return tiny_base_dir(layout)
    base = layout.base_of(stage)
    return Path(base) if stage != TRAINING_STAGES[0] else base


def _eval(layout: ReleaseLayout, profile: Profile, options: Options) -> Stage:
    model = layout.merged(TRAINING_STAGES[-1])
    scored = ("--model", model, "--model-id", layout.model.repo_id)
    # Both benchmarks and both protocols in one process: a stage command's start (torch, transformers) costs more
    # than the tiny model's evaluation.
    commands = [Command(("eval", "mc", "--benchmark", *BENCHMARKS, "--protocol", *PROTOCOLS, *scored,
                         "--dataset", *map(layout.dataset, BENCHMARKS),
                         "--dataset-id", *(layout.dataset_artifact(b).repo_id for b in BENCHMARKS),
                         *profile.eval_options, "--out", layout.results), "hub_tools.evaluation.cli")]  # fmt: skip
    judge = ("--judge", f"local:{model}") if profile.self_judge else ("--judge", options.judge, "--judge-model",
                                                                       options.judge_model)  # fmt: skip
    commands.append(Command(("eval", "kqa", *scored, "--dataset", layout.dataset(OPEN_QA),
                             "--dataset-id", layout.dataset_artifact(OPEN_QA).repo_id, *judge, *profile.kqa_options,
                             "--out", layout.results), "hub_tools.evaluation.cli"))  # fmt: skip
    paper = options.sources / PAPER_RESULTS
    if not profile.samples or paper.is_dir():
        command = ("eval", "import-paper", paper, "--out", layout.results, "--mmlu-dataset", layout.dataset("mmlu-fa"),
                   "--ibmsee-dataset", layout.dataset("ibmsee"))  # fmt: skip
        commands.append(Command(command, "hub_tools.evaluation.cli"))
    return Stage("eval", "the released model on MMLU-fa, IBMSEE (both protocols) and K-QA-fa; the paper's results",
                 tuple(commands), parallel=True)  # fmt: skip


def _gguf(layout: ReleaseLayout, profile: Profile) -> Stage:
    """A calibration sample of the train splits (proven free of eval rows), then the manifest's quant ladder made
    with its importance matrix, each file measured against F16 on MF3QA's test answers and loaded by llama.cpp."""
    if layout.gguf is None:
        return Stage("gguf", "no GGUF repo in the manifest", ())
    calibration, measure = layout.calibration / "calibration.txt", layout.calibration / "mf3qa-test-answers.txt"
    held_out = ("mf3qa", *BENCHMARKS, OPEN_QA)
    sample = Command(("export", "calibration", "--train", *(layout.dataset(TRAINING_DATA[s]) for s in TRAINING_STAGES),
                      "--held-out", *map(layout.dataset, held_out), "--out", calibration,
                      "--eval-from", layout.dataset(TRAINING_DATA["sft"]), "--eval-out", measure),
                     "hub_tools.export.calibration")  # fmt: skip
    ladder = Command(("export", "gguf", "--model", layout.merged(TRAINING_STAGES[-1]), "--out", layout.gguf,
                      "--name", layout.gguf_name, "--quant", *layout.gguf_artifact.quants, "--imatrix", calibration,
                      "--measure", measure, *profile.gguf_options, "--verify"), "hub_tools.export.cli")  # fmt: skip
    return Stage("gguf", "the released model as a measured, imatrix-quantized GGUF ladder, loaded by llama.cpp",
                 (sample, ladder))


def _push(layout: ReleaseLayout, profile: Profile) -> Stage:
    manifest = layout.manifest.path
    return Stage("push", "commit, verify and tag every repo, then the release record; verify it", (
        Command(("release", "push", manifest, *profile.push_options), "hub_tools.release.cli"),
        Command(("release", "verify", manifest), "hub_tools.release.cli"),
    ))  # fmt: skip


def _space(layout: ReleaseLayout, profile: Profile) -> Stage | None:
    space = layout.space_artifact
    if space is None or space.source is not None:
        return None
    variables = space.variables
    command = Command(("space", "deploy", "--repo", space.repo_id, "--model-id", variables["MODEL_ID"],
                       "--revision", variables.get("REVISION", layout.manifest.version),
                       "--results-repo", variables["RESULTS_REPO"], "--hardware", profile.hardware), "space.deploy")
    return Stage("space", "the Space's settings and hardware (its files are in the release)", (command,))


def _show(arg: str | Path, base: Path) -> str:
    """A path argument relative to ``base`` when it is inside it or a sibling of it; anything else as it is."""
    if not isinstance(arg, Path):
        return arg
    relative = os.path.relpath(arg, base)
    return arg.as_posix() if relative.startswith(("../../",)) or relative == ".." else Path(relative).as_posix()
