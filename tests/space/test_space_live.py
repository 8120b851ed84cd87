"""The app served on loopback with the tiny model and a results repo on the local Hub, driven by gradio_client."""

from __future__ import annotations

import csv
import threading
import time
from itertools import pairwise

import pytest
from resultfiles import RESULTS_REPO, make_result, write_results


SITTING = "IBMSEE medicine-1402-06 (generate)"  # the IBMSEE column of the paper's sitting


@pytest.fixture(scope="module")
def client(app_url):
    from gradio_client import Client

    return Client(app_url, verbose=False)


def table_rows(outputs):
    table = outputs[0]["value"]
    return [dict(zip(table["headers"], row)) for row in table["data"]]


def test_chat_streams_several_chunks(client):
    job = client.submit("سلام، سردرد دارم. چه کنم؟", api_name="/chat")
    chunks = list(job)
    assert len(chunks) >= 3
    assert all(isinstance(c, str) for c in chunks)
    assert all(later.startswith(earlier) for earlier, later in pairwise(chunks))  # a growing reply
    assert job.status().success


def test_red_flag_messages_start_with_emergency_guidance(client):
    chunks = list(client.submit("درد قفسه سینه دارم و نفسم بند آمده", api_name="/chat"))
    assert "۱۱۵" in chunks[0] and "115" in chunks[0]
    assert len(chunks) > 1 and chunks[-1].startswith(chunks[0])  # the model's answer follows


def generating() -> bool:
    return any(t.name == "gaokerena-generate" for t in threading.enumerate())


def test_cancel_stops_the_generation_thread(client, monkeypatch):
    from space import inference

    # Without an end-of-turn token the tiny model would generate all 1500 tokens (seconds); only Stop ends it.
    monkeypatch.setattr(inference.get_model().generation_config, "eos_token_id", None)
    job = client.submit("سلام", "", 1500, 1.0, 1.0, 1.0, api_name="/chat")
    assert wait_for(lambda: len(job.outputs()) >= 2, 30) and generating(), "the reply did not start"
    job.cancel()
    assert wait_for(lambda: not generating(), 30), "generation went on after Stop"
    assert len(job.outputs()) < 300  # of the 1500 tokens it would have made


def wait_for(condition, deadline_s: float) -> bool:
    """Poll ``condition`` until it holds (True) or ``deadline_s`` seconds pass (False)."""
    deadline = time.monotonic() + deadline_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_leaderboard_rows_come_from_the_result_files(client):
    rows = table_rows(client.predict(api_name="/load_leaderboard"))
    assert [r["Type"] for r in rows] == ["fine-tuned", "base", "translation-pipeline"]
    assert rows[0]["MMLU-fa avg (generate)"] == 48.0
    assert rows[0]["IBMSEE medicine-1402-06 pass (≥36%)"].startswith("pass")


def test_refresh_picks_up_a_new_result_file(client, session_api, tmp_path):
    before = table_rows(client.predict(api_name="/load_leaderboard"))
    new = make_result("someone/new-model", accuracy=0.9, display_name="Brand new", model_type="general")
    (path,) = write_results(tmp_path, [new])  # `gaokerena eval`'s own writer
    session_api.upload_file(path_or_fileobj=str(path), path_in_repo=f"results/{path.name}",
                            repo_id=RESULTS_REPO, repo_type="dataset")
    try:
        cached = table_rows(client.predict(api_name="/load_leaderboard"))
        assert len(cached) == len(before)  # page loads reuse the last read (LEADERBOARD_TTL_S)
        rows = table_rows(client.predict(api_name="/refresh_leaderboard"))
        assert len(rows) == len(before) + 1
        assert rows[0]["Model"].startswith("[Brand new]") and rows[0]["MMLU-fa avg (generate)"] == 90.0
    finally:  # the session's app and results repo are shared: leave them as the other tests expect them
        session_api.delete_file(f"results/{path.name}", repo_id=RESULTS_REPO, repo_type="dataset")
        assert len(table_rows(client.predict(api_name="/refresh_leaderboard"))) == len(before)


def test_csv_export_of_the_filtered_models(client):
    client.predict(api_name="/load_leaderboard")
    path = client.predict("aya", api_name="/export_records")
    with open(path, encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and {r["model_id"] for r in rows} == {"CohereLabs/aya-expanse-8b"}
    table_path = client.predict(search="aya", api_name="/export_table")
    with open(table_path, "rb") as handle:
        assert handle.read(3) == b"\xef\xbb\xbf"  # UTF-8 with a BOM
    with open(table_path, encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["Model"] for r in rows] == ["aya-expanse-8b"] and rows[0]["Source"] == "paper re-score"


def test_source_n_and_the_small_model_toggle(client):
    rows = table_rows(client.predict(api_name="/load_leaderboard"))
    sources = {r["Model"].split("]")[0].strip("["): r["Source"] for r in rows}
    assert sources["aya-expanse-8b"] == "paper re-score" and sources["Gaokerena"] == "other"  # MODEL_ID is tiny-aya
    assert "Gibberish" not in " ".join(r["Model"] for r in rows)  # 8 questions: hidden by default
    everything = table_rows(client.predict(show_small=True, api_name="/search_leaderboard"))
    gibberish = next(r for r in everything if "Gibberish" in r["Model"])
    assert gibberish["IBMSEE n"] == 8 and gibberish["IBMSEE medicine-1402-06 pass (≥36%)"].startswith("uncertain")


def test_search_keeps_the_chosen_sort_and_chart(client):
    client.predict(api_name="/load_leaderboard")  # as a page load does: the sort and chart choices come from it
    outputs = client.predict(search="gaokerena\n", sort_by=SITTING, chart=SITTING,
                             api_name="/search_leaderboard")  # pasted text with a newline, then Enter
    assert outputs[1]["value"] == SITTING and outputs[3]["value"] == SITTING
    assert [r["Type"] for r in table_rows(outputs)] == ["fine-tuned"]
    cleared = client.predict(search="", sort_by=SITTING, api_name="/search_leaderboard")
    assert len(table_rows(cleared)) >= 3 and cleared[1]["value"] == SITTING


def test_the_api_names_the_chat_parameters(client):
    parameters = [p["parameter_name"] for p in client.view_api(print_info=False, return_format="dict")[
        "named_endpoints"]["/chat"]["parameters"]]
    assert parameters[:3] == ["message", "system_prompt", "max_new_tokens"]
    job = client.submit(message="   ", max_new_tokens=8, api_name="/chat")
    assert list(job)[-1].startswith("لطفاً")  # an empty message gets a hint, not an error
