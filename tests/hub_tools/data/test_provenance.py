"""A build records where it came from: the source files with their sha256, or the bundled samples (said in the
card's first line)."""

from __future__ import annotations

import hashlib
import json
import shutil

from hub_tools.cli import main
from hub_tools.data.builders import default_sources
from hub_tools.data.provenance import SAMPLES, SOURCE_FILES, is_sample_build, read_provenance


def _first_body_line(card: str) -> str:
    body = card.split("---\n", 2)[2]
    return next(line for line in body.splitlines() if line.strip())


def test_a_sample_build_says_so_in_its_report_and_the_card_s_first_line(tmp_path, capsys):
    out = tmp_path / "kqa"
    assert main(["data", "build", "kqa-fa", "--out", str(out)]) == 0
    assert "built from the bundled samples (no --source)" in capsys.readouterr().out
    provenance = read_provenance(out)
    assert provenance["kind"] == SAMPLES and provenance["files"]
    assert is_sample_build(out)
    assert _first_body_line((out / "README.md").read_text(encoding="utf-8")).startswith(
        "**Built from the bundled samples, not the authors' data:**")


def test_a_build_from_source_files_records_each_file_with_its_sha256(tmp_path, capsys):
    source = tmp_path / "KQA_fa"
    shutil.copytree(default_sources("kqa-fa")[0], source)
    out = tmp_path / "kqa"
    assert main(["data", "build", "kqa-fa", "--source", str(source), "--out", str(out)]) == 0
    capsys.readouterr()
    provenance = read_provenance(out)
    assert provenance["kind"] == SOURCE_FILES and not is_sample_build(out)
    expected = {f"KQA_fa/{p.relative_to(source).as_posix()}": hashlib.sha256(p.read_bytes()).hexdigest()
                for p in source.rglob("*") if p.is_file()}  # fmt: skip
    assert {f["path"]: f["sha256"] for f in provenance["files"]} == expected
    report = (out / "build_report.json").read_text(encoding="utf-8")
    assert str(tmp_path) not in report  # relative names only: the report is published
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "bundled samples" not in _first_body_line(card) and json.loads(report)["stats"]["provenance"]
