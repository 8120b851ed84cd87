"""Where a release's files live and which repos they go to: one ``ReleaseLayout``, derived from the manifest.

    layout = ReleaseLayout.of(load_manifest("release/gaokerena-v1.yaml"))
    layout.dataset("corpus")          # .../artifacts/datasets/corpus
    layout.adapter("cpt")             # .../artifacts/gaokerena-v1/cpt          (gaokerena train cpt --output_dir)
    layout.merged("cpt")              # .../artifacts/gaokerena-v1/cpt-merged   (gaokerena merge --out)
    layout.model.repo_id              # gaokerena/gaokerena-v1

The manifest names every artifact's source folder and repo id; the layout only gives them roles (which adapter is
stage 1, which model is its merge, where results go), so the stage graph (:mod:`hub_tools.release.stages`), the
rehearsal and the READMEs never spell a folder or a repo id of their own.

Roles come from the manifest's structure: the released model is the model artifact with ``results`` (else the last
model); its ``stages`` are the adapters in training order, the first the continued pre-training (``cpt``) and the
second the instruction tuning (``sft``); the merge after stage N is the model artifact whose ``stages`` are the
first N adapters (the released model for the last). A manifest that lacks a role fails here, naming it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hub_tools.release.manifest import Artifact, Manifest, ManifestError


TRAINING_STAGES = ("cpt", "sft")  # the adapters of the released model, in training order
TRAINING_DATA = {"cpt": "corpus", "sft": "mf3qa"}  # the dataset artifact each stage trains on
BENCHMARKS = ("mmlu-fa", "ibmsee")  # multiple-choice benchmarks (gaokerena eval mc)
OPEN_QA = "kqa-fa"  # judged open questions (gaokerena eval kqa)
RESULTS_FOLDER = "results"  # result files inside the results artifact: what the model card's model-index reads


@dataclass(frozen=True)
class ReleaseLayout:
    manifest: Manifest

    @classmethod
    def of(cls, manifest: Manifest) -> ReleaseLayout:
        """The layout of ``manifest``; raises ManifestError when a role the release needs is missing."""
        layout = cls(manifest)
        layout.check()
        return layout

    # ------------------------------------------------------------------------------------------------ artifacts
    @property
    def root(self) -> Path:
        """The folder the artifact sources share (the manifest's ``root``)."""
        return self.manifest.root

    @property
    def model(self) -> Artifact:
        """The released model: the model artifact whose card reads the results (else the last model)."""
        models = self.manifest.of_type("model")
        if not models:
            raise ManifestError(f"{self._where}: no model artifact")
        return next((m for m in models if m.results), models[-1])

    def adapter_artifact(self, stage: str) -> Artifact:
        stages = self.model.stages
        index = self._stage_index(stage)
        if index >= len(stages):
            raise ManifestError(f"{self._where}: the released model {self.model.repo_id} lists no {stage} adapter "
                                f"(stages: {list(stages)})")  # fmt: skip
        return self.manifest.artifact(stages[index])

    def merged_artifact(self, stage: str) -> Artifact:
        """The model with the adapters up to ``stage`` merged (the released model after the last stage)."""
        wanted = self.model.stages[: self._stage_index(stage) + 1]
        found = next((m for m in self.manifest.of_type("model") if m.stages == wanted), None)
        if found is None:
            raise ManifestError(f"{self._where}: no model artifact with stages {list(wanted)} (the merge after "
                                f"{stage})")  # fmt: skip
        return found

    def dataset_artifact(self, name: str) -> Artifact:
        artifact = self._named(name)
        if artifact.type != "dataset":
            raise ManifestError(f"{self._where}: artifact {name!r} is a {artifact.type}, not a dataset")
        return artifact

    @property
    def datasets(self) -> list[Artifact]:
        """Every dataset artifact; its name is the ``gaokerena data build`` builder that makes it."""
        return self.manifest.of_type("dataset")

    @property
    def results_artifact(self) -> Artifact:
        if not self.model.results:
            raise ManifestError(f"{self._where}: the released model {self.model.repo_id} names no results artifact")
        return self.manifest.artifact(self.model.results)

    @property
    def gguf_artifact(self) -> Artifact | None:
        return next((a for a in self.manifest.of_type("gguf") if a.base_model == self.model.repo_id), None)

    @property
    def space_artifact(self) -> Artifact | None:
        return next(iter(self.manifest.of_type("space")), None)

    # -------------------------------------------------------------------------------------------------- folders
    def dataset(self, name: str) -> Path:
        return self._source(self.dataset_artifact(name))

    def adapter(self, stage: str) -> Path:
        """Where ``gaokerena train STAGE`` writes its adapter (``--output_dir``)."""
        return self._source(self.adapter_artifact(stage))

    def merged(self, stage: str) -> Path:
        """Where ``gaokerena merge`` writes the model with the adapters up to ``stage``."""
        return self._source(self.merged_artifact(stage))

    def base_of(self, stage: str) -> str:
        """What ``stage`` trains on: the release's base model (a Hub id) for the first, the previous merge after."""
        index = self._stage_index(stage)
        return self.manifest.base_model if index == 0 else str(self.merged(TRAINING_STAGES[index - 1]))

    @property
    def results(self) -> Path:
        """Where ``gaokerena eval`` writes result files: the results artifact's ``results/`` folder."""
        return self._source(self.results_artifact) / RESULTS_FOLDER

    @property
    def gguf(self) -> Path | None:
        artifact = self.gguf_artifact
        return self._source(artifact) if artifact else None

    @property
    def calibration(self) -> Path | None:
        """The GGUF stage's inputs: the imatrix calibration sample and the held-out text each quant is measured on
        (``<gguf folder>-calibration``, beside the GGUF folder; not published)."""
        gguf = self.gguf
        return gguf.with_name(gguf.name + "-calibration") if gguf else None

    @property
    def gguf_name(self) -> str:
        """The GGUF files' stem: the GGUF repo's name without ``-GGUF`` (``gaokerena-v1``)."""
        artifact = self.gguf_artifact
        name = artifact.repo_id.split("/")[1] if artifact else self.model.repo_id.split("/")[1]
        return name.removesuffix("-GGUF").removesuffix("-gguf")

    @property
    def scratch(self) -> Path:
        """Folders no artifact publishes (the rehearsal's tiny base model): ``<root>/artifacts/work``."""
        return self.root / "artifacts" / "work"

    # ------------------------------------------------------------------------------------------------- checking
    def check(self) -> None:
        """Every role resolves: both adapters and their merges, the training data, the benchmarks, the results."""
        for stage in TRAINING_STAGES:
            self.adapter(stage)
            self.merged(stage)
            self.dataset(TRAINING_DATA[stage])
        for name in (*BENCHMARKS, OPEN_QA):
            self.dataset(name)
        self.results  # noqa: B018 - raises when the released model names no results artifact

    @property
    def _where(self) -> str:
        return str(self.manifest.path or "manifest")

    def _named(self, name: str) -> Artifact:
        try:
            return self.manifest.artifact(name)
        except KeyError:
            raise ManifestError(f"{self._where}: no artifact named {name!r}") from None

    def _source(self, artifact: Artifact) -> Path:
        if artifact.source is None:
            raise ManifestError(f"{self._where}: artifacts.{artifact.name} has no source folder")
        return artifact.source

    @staticmethod
    def _stage_index(stage: str) -> int:
        if stage not in TRAINING_STAGES:
            raise ValueError(f"unknown training stage {stage!r}; expected one of {TRAINING_STAGES}")
        return TRAINING_STAGES.index(stage)
