"""The leak check reads what the Hub will show: each encoding of the token or of a local path is refused before
anything is published, naming the file (real clients against the local Hub)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from hub_tools.publish import PublishError, publish_dataset
from hub_tools.publishing.sanitize import find_leaks_in_file, local_roots


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from hub_tools.data.builders import BuildOptions, default_sources, get_builder

    folder = tmp_path_factory.mktemp("leak") / "kqa"
    get_builder("kqa-fa").build(default_sources("kqa-fa"), folder, BuildOptions())
    return folder


def _copy(built: Path, tmp_path: Path) -> Path:
    import shutil

    return Path(shutil.copytree(built, tmp_path / "kqa"))


def _parquet(folder: Path) -> Path:
    return sorted(folder.glob("*/*.parquet"))[0]


def _yaml_escaped(text: str) -> str:
    return "".join(f"\\x{ord(ch):02x}" for ch in text)


def _add_card_field(folder: Path, line: str) -> None:
    card = folder / "README.md"
    text = card.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    card.write_text("---\n" + line + "\n" + text[4:], encoding="utf-8")


def _rewrite_parquet(folder: Path, *, cell: str | None = None, metadata: dict | None = None) -> None:
    path = _parquet(folder)
    table = pq.read_table(path)
    if cell is not None:
        column = next(name for name in table.column_names if str(table.schema.field(name).type) == "string")
        values = table.column(column).to_pylist()
        values[-1] = f"see {cell}"
        table = table.set_column(table.column_names.index(column), column, [values])
    if metadata is not None:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
    pq.write_table(table, path)


CASES = {
    "token with YAML escapes in the card": lambda f, token, root: _add_card_field(
        f, f'note: "{_yaml_escaped(token)}"'),
    # (build_report.json itself is rewritten by the sanitiser; a JSON snippet in the Markdown report is not)
    "path with JSON-escaped slashes": lambda f, token, root: (f / "build_report.md").write_text(
        '```json\n{"log": "' + root.replace("/", "\\/") + '\\/x.log"}\n```\n', encoding="utf-8"),
    "path with \\u002f escapes": lambda f, token, root: (f / "build_report.md").write_text(
        '```json\n{"log": "' + root.replace("/", "\\u002f") + '\\u002fx.log"}\n```\n', encoding="utf-8"),
    "path URL-encoded": lambda f, token, root: (f / "build_report.md").write_text(
        "log: file:" + root.replace("/", "%2F") + "%2Fx.log\n", encoding="utf-8"),
    "path with doubled slashes": lambda f, token, root: (f / "build_report.md").write_text(
        "log: " + root.replace("/", "//") + "//x.log\n", encoding="utf-8"),
    "path in a parquet cell": lambda f, token, root: _rewrite_parquet(f, cell=root + "/raw/row.json"),
    "token in parquet schema metadata": lambda f, token, root: _rewrite_parquet(
        f, metadata={b"built_by": token.encode()}),
}
WHERE = {
    "token with YAML escapes in the card": "README.md",
    "path with JSON-escaped slashes": "build_report.md",
    "path with \\u002f escapes": "build_report.md",
    "path URL-encoded": "build_report.md",
    "path with doubled slashes": "build_report.md",
    "path in a parquet cell": ".parquet",
    "token in parquet schema metadata": ".parquet",
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_encoding_is_refused_naming_the_file(case, built, tmp_path, hf_api):
    folder = _copy(built, tmp_path)
    CASES[case](folder, hf_api.token, str(folder.resolve()))
    repo_id = f"tester/leak-{uuid.uuid4().hex[:8]}"
    with pytest.raises(PublishError) as refused:
        publish_dataset(hf_api, folder, repo_id)
    message = str(refused.value)
    assert "refusing to publish" in message and WHERE[case] in message, message
    assert hf_api.token not in message
    assert not hf_api.repo_exists(repo_id, repo_type="dataset")


def test_a_one_level_home_folder_is_refused(built, tmp_path, hf_api, monkeypatch):
    monkeypatch.setenv("HOME", "/leakhome")
    assert "/leakhome" in local_roots()
    folder = _copy(built, tmp_path)
    (folder / "build_report.md").write_text("cache: /leakhome/.cache/huggingface\n", encoding="utf-8")
    repo_id = f"tester/leak-home-{uuid.uuid4().hex[:8]}"
    with pytest.raises(PublishError, match=r"build_report.md holds the local path /leakhome"):
        publish_dataset(hf_api, folder, repo_id)
    assert not hf_api.repo_exists(repo_id, repo_type="dataset")


def test_a_clean_build_publishes_and_the_fields_are_named(built, tmp_path, hf_api):
    folder = _copy(built, tmp_path)
    repo_id = f"tester/leak-clean-{uuid.uuid4().hex[:8]}"
    assert publish_dataset(hf_api, folder, repo_id).oid
    found = find_leaks_in_file("README.md", b'---\nextra:\n  note: "\\x2fleakhome/x"\n---\n', secrets=[],
                               roots=["/leakhome"])  # fmt: skip
    assert found == ["the local path /leakhome in card metadata 'extra.note'"]
    assert find_leaks_in_file("recipe.yaml", b'out: "\\x2fleakhome/run"\n', secrets=[], roots=["/leakhome"]) == [
        "the local path /leakhome in YAML field 'out'"]
    assert find_leaks_in_file("a.md", b"/rooted/x", secrets=[], roots=["/root"]) == []
