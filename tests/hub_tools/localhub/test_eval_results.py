"""The local Hub serves a model repo's `.eval_results/*.yaml` as `evalResults`, as huggingface.co does."""

from __future__ import annotations

import uuid

from hub_tools.localhub.cards import parse_eval_results


ENTRY = """- dataset: {id: gaokerena/MMLU-fa, task_id: all, revision: v1.0}
  value: 41.5
  date: '2026-01-01T00:00:00Z'
  source: {url: 'https://huggingface.co/datasets/gaokerena/leaderboard-results', name: gaokerena eval}
  notes: protocol=generate
"""


def test_entries_and_invalid_files_are_served_the_hub_s_way():
    (item,) = parse_eval_results(".eval_results/a.yaml", ENTRY)
    assert item["filename"] == ".eval_results/a.yaml" and item["data"]["value"] == 41.5
    for text in ("value: 1\n", "- {value: 1}\n", "- [unclosed\n", ""):
        (bad,) = parse_eval_results(".eval_results/b.yaml", text)
        assert set(bad) == {"filename", "error"}, text


def test_model_info_exposes_eval_results_through_the_client(hf_api):
    repo_id = f"tester/evals-{uuid.uuid4().hex[:8]}"
    hf_api.create_repo(repo_id)
    hf_api.upload_file(path_or_fileobj=ENTRY.encode(), path_in_repo=".eval_results/mmlu.yaml", repo_id=repo_id)
    hf_api.upload_file(path_or_fileobj=b"not: [a list", path_in_repo=".eval_results/broken.yaml", repo_id=repo_id)
    (entry,) = hf_api.model_info(repo_id).eval_results  # the broken file is skipped with a warning, as on the Hub
    assert (entry.dataset_id, entry.task_id, entry.dataset_revision, entry.value) == ("gaokerena/MMLU-fa", "all",
                                                                                       "v1.0", 41.5)  # fmt: skip
    assert (entry.source_name, entry.notes) == ("gaokerena eval", "protocol=generate")
    assert hf_api.model_info(repo_id, expand=["evalResults"]).eval_results == [entry]
