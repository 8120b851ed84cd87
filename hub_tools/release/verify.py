"""Check that what a release committed is what it meant to publish, and that it loads the way users load it.

Every check reads the repo back at the exact commit the push made (never ``main``), and by default reads only
metadata, so verifying a 16 GB model costs a few hundred kilobytes:

- checksums: the tree at the commit (LFS sha256 and git blob ids, the Hub's own) against the staged files' hashes;
  nothing is downloaded (:func:`hub_tools.publishing.engine.compare_tree`);
- a model (structural): config, tokenizer, chat template and EOS, and every safetensors header (tensor names,
  shapes, dtypes, read with two HTTP range requests per shard) against the model class instantiated on the meta
  device;
- an adapter (structural): adapter_config.json names its base model's repo id, and every LoRA tensor of the
  adapter's safetensors header fits a module of the base model (instantiated on the meta device from its
  config.json);
- a dataset: each config of the card resolves to parquet files on the Hub whose footers (range requests) parse,
  with the local folder's row counts;
- results: every file parses as a result document (SCHEMAS §3).

``full_load`` keeps the checks that download everything: ``AutoModelForCausalLM`` and a few generated tokens,
``PeftModel.from_pretrained`` on the base with every LoRA tensor compared, ``load_dataset`` of every config.

Each check returns a ``CheckResult``; a failing check carries the reason instead of raising, so one run reports
every problem of a release at once. :class:`RemoteReader` counts the bytes the structural checks download.
"""

from __future__ import annotations

import fnmatch
import json
import logging
import struct
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from huggingface_hub import HfApi

from hub_tools.publishing.artifacts import TOKENIZER_FILES
from hub_tools.publishing.engine import FileDigest, LocalFile, compare_tree, remote_tree


logger = logging.getLogger(__name__)

SAFETENSORS_DTYPES = {"float32": "F32", "float16": "F16", "bfloat16": "BF16", "float64": "F64", "int64": "I64",
                      "int32": "I32", "int16": "I16", "int8": "I8", "uint8": "U8", "bool": "BOOL"}  # fmt: skip


@dataclass(frozen=True)
class CheckResult:
    repo_id: str
    check: str
    ok: bool
    detail: str
    seconds: float = 0.0
    downloaded: int = 0  # bytes this check downloaded (structural checks; 0 for metadata-only ones)

    def __str__(self) -> str:
        status = "ok  " if self.ok else "FAIL"
        return f"{status} {self.repo_id}: {self.check} ({self.detail})"


def run_check(repo_id: str, check: str, func, *args, reader: RemoteReader | None = None, **kwargs) -> CheckResult:
    """Run ``func`` (returns a detail string, raises on failure) and wrap the outcome."""
    start = time.perf_counter()
    before = reader.downloaded if reader else 0
    try:
        detail = func(*args, **kwargs)
        ok = True
    except Exception as error:  # noqa: BLE001 - every failure becomes a reported result, none is swallowed
        detail, ok = f"{type(error).__name__}: {error}".strip(), False
        logger.debug("check %s on %s failed", check, repo_id, exc_info=True)
    downloaded = (reader.downloaded - before) if reader else 0
    return CheckResult(repo_id, check, ok, detail, time.perf_counter() - start, downloaded)


class RemoteReader:
    """Reads files of Hub repos at a revision through ``resolve`` URLs: byte ranges or whole small files, counting
    every byte received."""

    def __init__(self, api: HfApi) -> None:
        self.api = api
        self.downloaded = 0

    def read(self, repo_id: str, path: str, *, revision: str, repo_type: str, headers: dict | None = None) -> bytes:
        from huggingface_hub import hf_hub_url
        from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status

        url = hf_hub_url(repo_id, path, repo_type=repo_type, revision=revision, endpoint=self.api.endpoint)
        response = get_session().get(url, headers={**build_hf_headers(token=self.api.token), **(headers or {})},
                                     follow_redirects=True)  # fmt: skip
        hf_raise_for_status(response)
        self.downloaded += len(response.content)
        return response.content

    def read_range(self, repo_id: str, path: str, start: int, end: int, *, revision: str, repo_type: str) -> bytes:
        """Bytes ``start`` to ``end`` inclusive; the server must answer the range (206), not the whole file."""
        data = self.read(repo_id, path, revision=revision, repo_type=repo_type,
                         headers={"Range": f"bytes={start}-{end}"})  # fmt: skip
        if len(data) != end - start + 1:
            raise AssertionError(f"{path}: asked for {end - start + 1} bytes at {start}, got {len(data):,}")
        return data

    def download(self, repo_id: str, path: str, folder: Path, *, revision: str, repo_type: str) -> Path:
        target = Path(folder) / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(self.read(repo_id, path, revision=revision, repo_type=repo_type))
        return target

    def safetensors_header(self, repo_id: str, path: str, *, revision: str, repo_type: str = "model") -> dict:
        """The JSON header of a safetensors file: two range requests (its length, then the header)."""
        (length,) = struct.unpack("<Q", self.read_range(repo_id, path, 0, 7, revision=revision, repo_type=repo_type))
        if not 0 < length < 100 * 1024 * 1024:
            raise AssertionError(f"{path}: not a safetensors file (header length {length})")
        raw = self.read_range(repo_id, path, 8, 8 + length - 1, revision=revision, repo_type=repo_type)
        header = json.loads(raw)
        header.pop("__metadata__", None)
        return header

    def parquet_metadata(self, repo_id: str, path: str, size: int, *, revision: str, repo_type: str = "dataset"):
        """A parquet file's footer (row count, schema), read with two range requests."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if size < 12:
            raise AssertionError(f"{path}: {size} bytes, too small for parquet")
        tail = self.read_range(repo_id, path, size - 8, size - 1, revision=revision, repo_type=repo_type)
        if tail[4:] != b"PAR1":
            raise AssertionError(f"{path}: not a parquet file (no PAR1 footer)")
        (length,) = struct.unpack("<I", tail[:4])
        if length + 12 > size:
            raise AssertionError(f"{path}: parquet footer length {length} exceeds the file")
        footer = self.read_range(repo_id, path, size - 8 - length, size - 9, revision=revision, repo_type=repo_type)
        return pq.ParquetFile(pa.BufferReader(b"PAR1" + footer + tail)).metadata


def check_checksums(api: HfApi, repo_id: str, repo_type: str, commit: str, files: dict[str, FileDigest],
                    keep: tuple[str, ...] = ()) -> str:  # fmt: skip
    """The repo's tree at ``commit`` holds exactly ``files`` (LFS sha256 / git blob id); nothing is downloaded."""
    problems = compare_tree(remote_tree(api, repo_id, repo_type, commit), files, keep=keep)
    if problems:
        raise AssertionError("; ".join(problems[:8]) + (f" (+{len(problems) - 8} more)" if len(problems) > 8 else ""))
    return f"{len(files)} files, {sum(f.size for f in files.values()):,} bytes match the Hub's hashes"


# --------------------------------------------------------------------------------------------- structural checks
def _meta_model(config):
    """The model class for ``config`` with every tensor on the meta device (no memory, no weights)."""
    import torch
    from transformers import AutoModelForCausalLM

    dtype = getattr(config, "dtype", None) or getattr(config, "torch_dtype", None) or torch.float32
    if isinstance(dtype, str):
        dtype = getattr(torch, dtype.replace("torch.", ""))
    with torch.device("meta"):
        return AutoModelForCausalLM.from_config(config, dtype=dtype)


def _tensor_spec(tensor) -> tuple[str, list[int]]:
    return SAFETENSORS_DTYPES.get(str(tensor.dtype).replace("torch.", ""), str(tensor.dtype)), list(tensor.shape)


def check_model_structure(reader: RemoteReader, repo_id: str, commit: str, files: dict[str, FileDigest]) -> str:
    """Config, tokenizer (chat template, EOS) and every safetensors header against the meta-device model."""
    from transformers import AutoConfig, AutoTokenizer, GenerationConfig

    with tempfile.TemporaryDirectory(prefix="verify-model-") as tmp:
        small = [p for p in files if p in ("config.json", "generation_config.json", *TOKENIZER_FILES)]
        if "config.json" not in small:
            raise AssertionError("no config.json")
        for path in small:
            reader.download(repo_id, path, Path(tmp), revision=commit, repo_type="model")
        config = AutoConfig.from_pretrained(tmp)
        tokenizer = AutoTokenizer.from_pretrained(tmp)
        generation = GenerationConfig.from_pretrained(tmp) if "generation_config.json" in small else None
    _check_chat_template(tokenizer, config, generation)
    header = {}
    shards = sorted(p for p in files if p.endswith(".safetensors"))
    if not shards:
        raise AssertionError("no .safetensors weights")
    for shard in shards:
        for name, spec in reader.safetensors_header(repo_id, shard, revision=commit).items():
            if name in header:
                raise AssertionError(f"tensor {name} is in two shards")
            header[name] = (spec["dtype"], list(spec["shape"]), shard)
    if "model.safetensors.index.json" in files:
        index = json.loads(reader.read(repo_id, "model.safetensors.index.json", revision=commit, repo_type="model"))
        wrong = sorted(n for n, s in index.get("weight_map", {}).items() if header.get(n, (0, 0, None))[2] != s)
        if wrong or set(index.get("weight_map", {})) != set(header):
            raise AssertionError(f"model.safetensors.index.json disagrees with the shards' headers, e.g. {wrong[:3]}")
    model = _meta_model(config)
    expected = {name: _tensor_spec(tensor) for name, tensor in model.state_dict().items()}
    aliases: dict[int, set[str]] = {}
    for name, param in model.named_parameters(remove_duplicate=False):
        aliases.setdefault(id(param), set()).add(name)
    tied = {name: group for group in aliases.values() for name in group if len(group) > 1}
    unexpected = sorted(set(header) - set(expected))
    missing = sorted(n for n in set(expected) - set(header) if not (tied.get(n, set()) & set(header)))
    wrong = sorted(n for n in set(header) & set(expected) if header[n][:2] != tuple(expected[n]))
    problems = []
    if unexpected:
        problems.append(f"{len(unexpected)} tensors the {type(model).__name__} has no place for, e.g. {unexpected[0]}")
    if missing:
        problems.append(f"{len(missing)} tensors of the {type(model).__name__} missing, e.g. {missing[0]}")
    if wrong:
        name = wrong[0]
        problems.append(f"{len(wrong)} tensors with another dtype/shape, e.g. {name}: {header[name][:2]} on the Hub, "
                        f"{tuple(expected[name])} for the config")  # fmt: skip
    if problems:
        raise AssertionError("; ".join(problems))
    return (f"{type(model).__name__}: {len(header)} tensors in {len(shards)} shard(s) match the config; chat "
            f"template and EOS {tokenizer.eos_token!r} ok")  # fmt: skip


def _check_chat_template(tokenizer, config, generation) -> None:
    if not tokenizer.chat_template:
        raise AssertionError("the tokenizer has no chat template")
    text = tokenizer.apply_chat_template([{"role": "user", "content": "سلام"}], add_generation_prompt=True,
                                         tokenize=False)  # fmt: skip
    if "سلام" not in text:
        raise AssertionError("the chat template drops the user's message")
    if tokenizer.eos_token_id is None:
        raise AssertionError("the tokenizer has no EOS token")
    declared = getattr(generation, "eos_token_id", None) if generation is not None else None
    declared = declared if declared is not None else getattr(config, "eos_token_id", None)
    ids = set(declared if isinstance(declared, list) else [declared]) - {None}
    if ids and tokenizer.eos_token_id not in ids:
        raise AssertionError(f"EOS {tokenizer.eos_token!r} (id {tokenizer.eos_token_id}) is not among the "
                             f"generation config's eos_token_id {sorted(ids)}: generation would not stop")  # fmt: skip


def check_adapter_structure(reader: RemoteReader, repo_id: str, commit: str, files: dict[str, FileDigest],
                            base_model: str, base_revision: str | None) -> str:  # fmt: skip
    """adapter_config.json names ``base_model``; every LoRA tensor fits a module of the base (meta device)."""
    from peft import PeftConfig
    from transformers import AutoConfig

    with tempfile.TemporaryDirectory(prefix="verify-adapter-") as tmp:
        reader.download(repo_id, "adapter_config.json", Path(tmp) / "adapter", revision=commit, repo_type="model")
        adapter = PeftConfig.from_pretrained(Path(tmp) / "adapter")
        reader.download(base_model, "config.json", Path(tmp) / "base", revision=base_revision or "main",
                        repo_type="model")  # fmt: skip
        base_config = AutoConfig.from_pretrained(Path(tmp) / "base")
    if adapter.base_model_name_or_path != base_model:
        raise AssertionError(f"adapter_config.json names base model {adapter.base_model_name_or_path!r}, "
                             f"the release declares {base_model!r}")  # fmt: skip
    header = reader.safetensors_header(repo_id, "adapter_model.safetensors", revision=commit)
    model = _meta_model(base_config)
    shapes = {name: list(t.shape) for name, t in model.state_dict().items()}
    rank = getattr(adapter, "r", None)
    problems = []
    for name, spec in header.items():
        module_path, _, leaf = name.removeprefix("base_model.model.").rpartition(".")
        if leaf != "weight" or not module_path.endswith((".lora_A", ".lora_B")):
            if shapes.get(name.removeprefix("base_model.model.")) != spec["shape"]:
                problems.append(f"{name}: no tensor of that shape in {base_model}")
            continue
        target, which = module_path.rsplit(".", 1)
        try:
            module = model.get_submodule(target)
        except AttributeError:
            problems.append(f"{name}: {base_model} has no module {target}")
            continue
        in_features, out_features = getattr(module, "in_features", None), getattr(module, "out_features", None)
        want = [rank, in_features] if which == "lora_A" else [out_features, rank]
        if getattr(adapter, "rank_pattern", None):  # per-module ranks: only the module's side is fixed
            side = 1 if which == "lora_A" else 0
            if spec["shape"][side] != want[side]:
                problems.append(f"{name}: shape {spec['shape']} does not fit {target}")
        elif spec["shape"] != want:
            problems.append(f"{name}: shape {spec['shape']}, {target} needs {want}")
    if not header:
        problems.append("adapter_model.safetensors holds no tensor")
    if problems:
        raise AssertionError(f"{len(problems)} problem(s), e.g. " + "; ".join(problems[:3]))
    return f"{len(header)} LoRA tensors fit {base_model}@{(base_revision or 'main')[:12]} (r={rank})"


def check_dataset_structure(reader: RemoteReader, repo_id: str, commit: str, files: dict[str, FileDigest],
                            readme: bytes | None, source: Path | None, configs: list[str]) -> str:  # fmt: skip
    """Every config of the card resolves to parquet files on the Hub whose footers parse, with the local rows."""
    import pyarrow.parquet as pq

    declared = dataset_data_files(readme)
    if not configs:
        raise AssertionError("no configs to check (README front matter lists none)")
    summary = []
    for config in configs:
        if config not in declared:
            raise AssertionError(f"config {config} is not declared in the card")
        rows = {}
        for split, patterns in declared[config].items():
            paths = sorted(p for p in files if any(fnmatch.fnmatchcase(p, pattern) for pattern in patterns))
            if not paths:
                raise AssertionError(f"config {config}, split {split}: no file matches {patterns}")
            total = 0
            for path in paths:
                meta = reader.parquet_metadata(repo_id, path, files[path].size, revision=commit)
                if source is not None and (source / path).is_file():
                    local = pq.read_metadata(source / path)
                    if local.num_rows != meta.num_rows or not local.schema.equals(meta.schema):
                        raise AssertionError(f"{path}: {meta.num_rows} rows on the Hub, {local.num_rows} locally")
                total += meta.num_rows
            rows[split] = total
        summary.append(f"{config}: " + ", ".join(f"{s}={n}" for s, n in sorted(rows.items())))
    return "; ".join(summary)


def dataset_data_files(readme: bytes | None) -> dict[str, dict[str, list[str]]]:
    """config -> split -> path patterns, from a dataset card's ``configs`` front matter."""
    import yaml

    if not readme or not readme.startswith(b"---"):
        return {}
    front = yaml.safe_load(readme.decode("utf-8").split("---", 2)[1]) or {}
    out: dict[str, dict[str, list[str]]] = {}
    for config in front.get("configs", []) or []:
        if not isinstance(config, dict) or "config_name" not in config:
            continue
        splits: dict[str, list[str]] = {}
        entries = config.get("data_files") or []
        if isinstance(entries, str):
            entries = [{"split": "train", "path": entries}]
        for entry in entries:
            paths = entry["path"] if isinstance(entry["path"], list) else [entry["path"]]
            splits.setdefault(entry.get("split", "train"), []).extend(paths)
        out[config["config_name"]] = splits
    return out


# ------------------------------------------------------------------------------------------------ full-load checks
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
