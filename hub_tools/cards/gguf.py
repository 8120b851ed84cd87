"""The card of a GGUF repo (``base_model_relation: quantized``): quant table, RAM needs, one-line commands.

    card = build_gguf_card(repo_id="gaokerena/gaokerena-v1-GGUF", version="v1.0",
                           base_model="gaokerena/gaokerena-v1", files=describe_gguf_files(folder))

Sizes and the RAM estimate are read from the GGUF files themselves (``gguf.GGUFReader``: file type, layers,
KV heads), never typed by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from huggingface_hub import ModelCard, ModelCardData

from hub_tools.cards.model import MODEL_TAGS, CardError, _common_context, _render
from hub_tools.export.gguf import QUANT_NOTES, quant_label


GGUF_TAGS = [tag for tag in MODEL_TAGS if tag != "lora"] + ["gguf", "llama.cpp", "ollama"]
#: Context length the RAM estimate assumes (Ollama's params set the same).
RAM_CONTEXT = 4096
#: Compute buffers and runtime on top of weights and KV cache (llama.cpp CPU, measured order of magnitude).
RAM_OVERHEAD_BYTES = 300 * 1024**2
RECOMMENDED_QUANT = "Q4_K_M"


@dataclass(frozen=True)
class GGUFFileInfo:
    """One GGUF file of the repo, as the card describes it."""

    filename: str
    quant: str  # Q4_K_M, F16, ...
    size: int
    ram: int  # estimated bytes of RAM to run it at RAM_CONTEXT tokens

    @property
    def size_label(self) -> str:
        return _human(self.size)

    @property
    def ram_label(self) -> str:
        return _human(self.ram)


def describe_gguf_file(path: Path) -> GGUFFileInfo:
    """Size, quant type and RAM estimate (file + F16 KV cache at RAM_CONTEXT + overhead) of one GGUF file."""
    import gguf

    path = Path(path)
    reader = gguf.GGUFReader(path)
    arch = _field(reader, "general.architecture", path)
    layers = int(_field(reader, f"{arch}.block_count", path))
    embedding = int(_field(reader, f"{arch}.embedding_length", path))
    heads = int(_field(reader, f"{arch}.attention.head_count", path))
    kv_heads = int(_field(reader, f"{arch}.attention.head_count_kv", path))
    ftype = gguf.LlamaFileType(int(_field(reader, "general.file_type", path)))
    quant = ftype.name.removeprefix("MOSTLY_").removeprefix("ALL_")
    kv_cache = 2 * layers * kv_heads * (embedding // heads) * RAM_CONTEXT * 2
    size = path.stat().st_size
    return GGUFFileInfo(path.name, quant, size, size + kv_cache + RAM_OVERHEAD_BYTES)


def describe_gguf_files(folder: Path) -> list[GGUFFileInfo]:
    """Every ``*.gguf`` directly in ``folder``, largest first (F16, Q8_0, ..., the smallest quant)."""
    files = sorted(Path(folder).glob("*.gguf"))
    if not files:
        raise CardError(f"{folder} holds no .gguf file: run `gaokerena export gguf --out {folder}` first")
    return sorted((describe_gguf_file(p) for p in files), key=lambda info: (-info.size, info.filename))


def build_gguf_card(
    *,
    repo_id: str,
    version: str,
    base_model: str,
    files: list[GGUFFileInfo],
    root_model: str | None = None,
    namespace: str = "gaokerena",
    title: str = "Gaokerena",
    license: str = "cc-by-nc-sa-4.0",
    language: str = "fa",
    hub_url: str = "https://huggingface.co",
) -> ModelCard:
    """The GGUF repo's card: ``base_model`` is the merged model the files were converted from."""
    if not files:
        raise CardError(f"{repo_id}: a GGUF card needs at least one file")
    card_data = ModelCardData(
        language=[language],
        license=license,
        library_name="gguf",
        pipeline_tag="text-generation",
        base_model=base_model,
        base_model_relation="quantized",
        tags=GGUF_TAGS,
    )
    quants = [info.quant for info in files]
    default_quant = RECOMMENDED_QUANT if RECOMMENDED_QUANT in quants else files[-1].quant
    default_file = next(info.filename for info in files if info.quant == default_quant)
    context = dict(
        _common_context(repo_id, version, base_model, namespace, title, license, language, hub_url, root_model),
        files=files,
        default_quant=default_quant,
        default_file=default_file,
        ram_context=RAM_CONTEXT,
        notes={quant_label(k): v for k, v in QUANT_NOTES.items()},
        hub_host=_ollama_host(hub_url),
    )
    return _render("gguf_card.md", card_data, context)


def _field(reader, key: str, path: Path):
    field = reader.get_field(key)
    if field is None:
        raise CardError(f"{path}: GGUF metadata lacks {key}")
    return field.contents()


def _human(size: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.2f} {unit}" if unit == "GB" else f"{size / scale:.1f} {unit}"
    return f"{size} B"


def _ollama_host(hub_url: str) -> str:
    """The host Ollama pulls from: ``hf.co`` for the public Hub, the endpoint's host otherwise."""
    host = hub_url.rstrip("/").split("://", 1)[-1]
    return "hf.co" if host in ("huggingface.co", "hf.co") else host
