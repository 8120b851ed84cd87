"""Check that what a release committed is what it meant to publish, and that it loads the way users load it.

Every check reads the repo back at the exact commit the push made (never ``main``):

- checksums: ``snapshot_download`` into a fresh cache, then the sha256 of each file against the staged file;
- a model: ``AutoModelForCausalLM`` + the tokenizer's chat template, and a few generated tokens;
- an adapter: its base model, then ``PeftModel.from_pretrained``, then every LoRA tensor compared with the file;
- a dataset: ``load_dataset(repo, config)`` for each config, row counts per split against the local folder;
- results: every file parses as a result document (SCHEMAS §3).

Each check returns a ``CheckResult``; a failing check carries the reason instead of raising, so one run reports
every problem of a release at once.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from huggingface_hub import HfApi, snapshot_download

from hub_tools.hashing import sha256_file
from hub_tools.release.sync import LocalFile


logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckResult:
    repo_id: str
    check: str
    ok: bool
    detail: str
    seconds: float = 0.0

    def __str__(self) -> str:
        status = "ok  " if self.ok else "FAIL"
        return f"{status} {self.repo_id}: {self.check} ({self.detail})"


def run_check(repo_id: str, check: str, func, *args, **kwargs) -> CheckResult:
    """Run ``func`` (returns a detail string, raises on failure) and wrap the outcome."""
    start = time.perf_counter()
    try:
        detail = func(*args, **kwargs)
        ok = True
    except Exception as error:  # noqa: BLE001 - every failure becomes a reported result, none is swallowed
        detail, ok = f"{type(error).__name__}: {error}".strip(), False
        logger.debug("check %s on %s failed", check, repo_id, exc_info=True)
    return CheckResult(repo_id, check, ok, detail, time.perf_counter() - start)


def check_checksums(
    api: HfApi, repo_id: str, repo_type: str, commit: str, files: dict[str, LocalFile], cache_dir: Path
) -> str:
    """Download the repo at ``commit`` into a fresh cache and compare every file's sha256 with the staged one."""
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix="verify-") as tmp:
        folder = Path(
            snapshot_download(
                repo_id, repo_type=repo_type, revision=commit, cache_dir=tmp, endpoint=api.endpoint, token=api.token
            )
        )
        remote = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
        missing = sorted(set(files) - remote)
        extra = sorted(remote - set(files) - {".gitattributes"})
        wrong = sorted(path for path in set(files) & remote if sha256_file(folder / path) != files[path].sha256)
    problems = [f"{label}: {paths[:5]}" for label, paths in (("missing", missing), ("unexpected", extra),
                                                             ("content differs", wrong)) if paths]  # fmt: skip
    if problems:
        raise AssertionError("; ".join(problems))
    return f"{len(files)} files, {sum(f.size for f in files.values()):,} bytes match"


def check_model(repo_id: str, commit: str, max_new_tokens: int = 4) -> str:
    """Load the merged model like its card says and generate a few tokens from a chat prompt."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(repo_id, revision=commit)
    model = AutoModelForCausalLM.from_pretrained(repo_id, revision=commit)
    inputs = tokenizer.apply_chat_template(
        [{"role": "user", "content": "سلام، علائم کم‌خونی چیست؟"}],
        add_generation_prompt=True,
        return_tensors="pt",
        return_dict=True,
    )
    with torch.no_grad():
        output = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False)
    new_tokens = output.shape[1] - inputs["input_ids"].shape[1]
    if new_tokens < 1:
        raise AssertionError("generate() returned no new token")
    return f"{type(model).__name__}, generated {new_tokens} token(s)"


def check_adapter(repo_id: str, commit: str, base_model: str, base_revision: str | None) -> str:
    """Load the adapter on its base with PeftModel and check every LoRA tensor arrived unchanged."""
    import torch
    from huggingface_hub import hf_hub_download
    from peft import PeftModel, get_peft_model_state_dict
    from safetensors.torch import load_file
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(base_model, revision=base_revision)
    model = PeftModel.from_pretrained(base, repo_id, revision=commit)
    expected = load_file(hf_hub_download(repo_id, "adapter_model.safetensors", revision=commit))
    loaded = get_peft_model_state_dict(model)
    missing = sorted(set(expected) - set(loaded))
    if missing:
        raise AssertionError(f"{base_model} has no module for {len(missing)} of the tensors, e.g. {missing[0]}")
    differing = [k for k, v in expected.items() if not torch.equal(loaded[k].to(v.dtype), v)]
    if differing:
        raise AssertionError(f"{len(differing)} LoRA tensors did not load as stored, e.g. {differing[0]}")
    return f"{len(expected)} LoRA tensors loaded on {base_model}@{(base_revision or 'main')[:12]}"


def check_dataset(repo_id: str, commit: str, source: Path, configs: list[str]) -> str:
    """``load_dataset`` every config at ``commit``; each split must have the local folder's row count."""
    import datasets

    datasets.disable_progress_bars()
    if not configs:
        raise AssertionError("no configs to load (README front matter lists none)")
    summary = []
    for config in configs:
        remote = datasets.load_dataset(repo_id, config, revision=commit)
        local = datasets.load_dataset(str(source), config)
        remote_rows = {split: ds.num_rows for split, ds in remote.items()}
        local_rows = {split: ds.num_rows for split, ds in local.items()}
        if remote_rows != local_rows:
            raise AssertionError(f"config {config}: rows {remote_rows} on the Hub, {local_rows} locally")
        summary.append(f"{config}: " + ", ".join(f"{s}={n}" for s, n in sorted(remote_rows.items())))
    return "; ".join(summary)


def check_results(files: dict[str, LocalFile]) -> str:
    """Every ``results/*.json`` is a SCHEMAS §3 document."""
    count = 0
    for path, file in files.items():
        if not path.endswith(".json"):
            continue
        document = json.loads(file.read_bytes())
        for key in ("schema_version", "model", "benchmark", "protocol", "metrics"):
            if key not in document:
                raise AssertionError(f"{path} lacks {key!r}")
        count += 1
    return f"{count} result files parse"


def dataset_configs(readme: bytes | None) -> list[str]:
    """Config names declared in a dataset card's front matter (``configs: [{config_name: ...}]``)."""
    import yaml

    if not readme:
        return []
    text = readme.decode("utf-8")
    if not text.startswith("---"):
        return []
    front = yaml.safe_load(text.split("---", 2)[1]) or {}
    return [c["config_name"] for c in front.get("configs", []) if isinstance(c, dict) and "config_name" in c]
