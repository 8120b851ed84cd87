"""K-QA-fa: metric arithmetic through a real HTTP round trip to a fake OpenAI-compatible judge on loopback, the
tiny model as a (garbage-speaking) local judge, verdict parsing and the API key's secrecy."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hub_tools.evaluation.cli import main
from pathlib import Path

from hub_tools.evaluation.judge import JudgeError, OpenAIJudge, parse_pairwise, parse_statement, parse_yes_no
from hub_tools.evaluation.schema import load_result

API_KEY = "sk-test-" + "k" * 20
JUDGE_MODEL = "judge-x"


def _between(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]


def fake_verdict(user: str) -> str:
    """Deterministic verdicts: statements carry their verdict as a tag; "GOOD" answers beat others. The three-way
    question gets a word (sometimes JSON), K-QA's two yes/no questions get JSON or K-QA's own closing sentence."""
    if "[Statement]" in user:
        statement = _between(user, "[Statement]\n", "\n[End of statement]")
        tag = re.search(r"\[(entailed|contradicted|neutral|garble)\]", statement).group(1)
        return {"entailed": "ENTAILED", "contradicted": "Verdict: CONTRADICTED", "neutral": '{"verdict": "neutral"}',
                "garble": "I would rather not say."}[tag]  # fmt: skip
    if "[Hypothesis]" in user:
        statement = _between(user, "[Hypothesis]\n", "\n[End of hypothesis]")
        tag = re.search(r"\[(entailed|contradicted|neutral|garble)\]", statement).group(1)
        if tag == "garble":
            return "I would rather not say."
        asked = "entailed" if "Does the premise entail" in user else "contradicted"
        return '{"answer": true}' if tag == asked else "No relation here. The answer is False."
    question = _between(user, "Question:\n", "\n\n[Answer A]")
    if "[biased]" in question:
        return "A"  # position bias: inconsistent across the swap -> tie
    if "[garble]" in question:
        return "Both have merits and flaws."
    a_good = "GOOD" in _between(user, "[Answer A]\n", "\n[End of answer A]")
    b_good = "GOOD" in _between(user, "[Answer B]\n", "\n[End of answer B]")
    return "A" if a_good and not b_good else "B" if b_good and not a_good else "TIE"


class FakeOpenAI:
    def __init__(self):
        self.requests: list[dict] = []
        self.fail_with: int | None = None
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep the test output clean
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
                if outer.fail_with:
                    self.send_response(outer.fail_with)
                    self.end_headers()
                    self.wfile.write(b'{"error": {"message": "invalid api key"}}')
                    return
                if self.path != "/v1/chat/completions" or self.headers.get("Authorization") != f"Bearer {API_KEY}":
                    self.send_response(401)
                    self.end_headers()
                    return
                content = fake_verdict(body["messages"][-1]["content"])
                payload = {"id": "x", "object": "chat.completion", "model": body["model"],
                           "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                                        "finish_reason": "stop"}]}  # fmt: skip
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def fake_openai(monkeypatch):
    monkeypatch.setenv("GAOKERENA_TEST_JUDGE_KEY", API_KEY)
    with FakeOpenAI() as server:
        yield server


def _answers(path, mapping):
    path.write_text("\n".join(json.dumps({"id": k, "answer": v}, ensure_ascii=False) for k, v in mapping.items()),
                    encoding="utf-8")  # fmt: skip
    return path


def test_metrics_and_win_rate_through_an_openai_compatible_endpoint(tmp_path, fake_openai, kqa_dataset_dir):
    ours = _answers(tmp_path / "ours.jsonl", {"kqa-001": "GOOD 1", "kqa-002": "GOOD 2", "kqa-003": "GOOD 3",
                                              "kqa-004": "GOOD 4", "kqa-005": "GOOD 5"})  # fmt: skip
    theirs = _answers(tmp_path / "theirs.jsonl", {"kqa-001": "BAD", "kqa-002": "BAD", "kqa-003": "GOOD too",
                                                  "kqa-004": "BAD", "kqa-005": "BAD", "kqa-999": "extra"})  # fmt: skip
    out = tmp_path / "results"
    rc = main(["kqa", "--model", "gaokerena/gaokerena-v1.0", "--answers", str(ours), "--against", str(theirs),
               "--dataset", str(kqa_dataset_dir), "--judge", f"openai:{fake_openai.url}", "--judge-model", JUDGE_MODEL,
               "--api-key-env", "GAOKERENA_TEST_JUDGE_KEY", "--out", str(out), "--resamples", "200"])  # fmt: skip
    assert rc == 0
    metrics_result = load_result(out / "gaokerena--gaokerena-v1.0__kqa-fa__kqa.json")  # the default mode: K-QA's
    m = metrics_result.metrics
    # kqa-001: 2/4 entailed, 1 contradicted; kqa-002: 1/1, 1 contradicted (nice-to-have); kqa-003: 0/2, one
    # statement unparseable (both its questions); kqa-004/005: no statements.
    # K-QA's Comp: sum over questions of entailed / must-have, over N (the dataset's 5 questions; the two without
    # must-have statements add 0); Comp_norm: the mean over the 3 that have some; Hall: contradicted statements
    # (must-have and nice-to-have, as K-QA's evaluation/metrics.py counts them) over N
    assert m["Comp"] == pytest.approx((0.5 + 1.0 + 0.0) / 5)
    assert m["Comp_norm"] == pytest.approx((0.5 + 1.0 + 0.0) / 3)
    assert m["Hall"] == pytest.approx(2 / 5) == m["Hall_norm"] and m["contradicted_statements"] == m["N_contra"] == 2
    assert m["answers_with_contradiction_share"] == pytest.approx(2 / 5)
    assert m["answers_with_must_have_contradiction_share"] == pytest.approx(1 / 5)
    assert "hallucination_rate" not in m and "comprehensiveness" not in m
    assert (m["n"], m["n_with_must_have"], m["statements_judged"], m["unparseable"]) == (5, 3, 9, 2)
    assert m["judge_questions"] == 7 * 2 + 2  # must-have: entails? and contradicts?; nice-to-have: contradicts?
    assert [r["comprehensiveness"] for r in metrics_result.records] == [0.5, 1.0, 0.0, None, None]
    assert metrics_result.model.type == "fine-tuned" and metrics_result.benchmark.name == "kqa-fa"
    assert metrics_result.protocol == metrics_result.config["judge_mode"] == "kqa"

    pairwise = load_result(out / "gaokerena--gaokerena-v1.0__kqa-fa__pairwise.json")
    p = pairwise.metrics
    # kqa-001/002 win; kqa-003 TIE both ways; kqa-004 position-biased (inconsistent) -> tie; kqa-005 unparseable -> tie
    assert [r["outcome"] for r in pairwise.records] == ["win", "win", "tie", "tie", "tie"]
    assert (p["n"], p["wins"], p["ties"], p["losses"], p["unparseable"]) == (5, 2, 3, 0, 1)
    assert p["win_rate"] == pytest.approx((2 + 3 / 2) / 5)
    assert pairwise.records[3]["verdicts"][0]["parsed"] == "A" == pairwise.records[3]["verdicts"][1]["parsed"]
    assert pairwise.config["judge"] == {"kind": "openai", "url": f"{fake_openai.url}/chat/completions",
                                        "model": JUDGE_MODEL, "api_key_env": "GAOKERENA_TEST_JUDGE_KEY"}  # fmt: skip

    assert pairwise.config["judge_mode"] == "pairwise"
    # every request: each pair judged twice (swapped), K-QA's questions, temperature 0, the chosen model
    assert len(fake_openai.requests) == 16 + 2 * 5
    assert {r["body"]["model"] for r in fake_openai.requests} == {JUDGE_MODEL}
    assert {r["body"]["temperature"] for r in fake_openai.requests} == {0}
    # the key went into the Authorization header and nowhere else
    for path in out.iterdir():
        assert API_KEY not in path.read_text(encoding="utf-8")


def test_pairwise_against_a_previous_result_file(tmp_path, fake_openai, kqa_dataset_dir):
    common = ["--dataset", str(kqa_dataset_dir), "--judge", f"openai:{fake_openai.url}", "--api-key-env",
              "GAOKERENA_TEST_JUDGE_KEY", "--resamples", "100"]  # fmt: skip
    bad = _answers(tmp_path / "bad.jsonl", {f"kqa-00{i}": "BAD" for i in range(1, 6)})
    good = _answers(tmp_path / "good.jsonl", {f"kqa-00{i}": "GOOD" for i in range(1, 6)})
    assert main(["kqa", "--model", "CohereForAI/aya-expanse-8b", "--answers", str(bad), "--model-type", "base",
                 "--out", str(tmp_path / "aya"), *common]) == 0  # fmt: skip
    aya_file = tmp_path / "aya" / "CohereForAI--aya-expanse-8b__kqa-fa__kqa.json"
    assert main(["kqa", "--model", "gaokerena/gaokerena-v1.0", "--answers", str(good), "--against", str(aya_file),
                 "--no-metrics", "--out", str(tmp_path / "g"), *common]) == 0  # fmt: skip
    result = load_result(tmp_path / "g" / "gaokerena--gaokerena-v1.0__kqa-fa__pairwise.json")
    assert result.config["against"]["model"] == "CohereForAI/aya-expanse-8b"
    assert (result.metrics["wins"], result.metrics["losses"]) == (3, 0)  # kqa-004 biased, kqa-005 garbled


def test_judge_errors_are_clear_and_never_show_the_key(fake_openai, monkeypatch):
    fake_openai.fail_with = 401
    judge = OpenAIJudge(fake_openai.url, api_key_env="GAOKERENA_TEST_JUDGE_KEY", retries=0)
    with pytest.raises(JudgeError) as info:
        judge.complete([("system", "user")])
    assert "HTTP 401" in str(info.value) and API_KEY not in str(info.value)
    closed = OpenAIJudge("http://127.0.0.1:9/v1", retries=0, timeout=2)
    with pytest.raises(JudgeError, match="cannot reach"):
        closed.complete([("s", "u")])


def test_endpoint_urls():
    assert OpenAIJudge.endpoint_url("http://h:1/v1") == "http://h:1/v1/chat/completions"
    assert OpenAIJudge.endpoint_url("http://h:1/") == "http://h:1/v1/chat/completions"
    assert OpenAIJudge.endpoint_url("http://h/v1/chat/completions") == "http://h/v1/chat/completions"


def test_tiny_model_as_local_judge_gives_unparseable_verdicts_not_crashes(tmp_path, tiny_model_dir, kqa_dataset_dir):
    out = tmp_path / "results"
    theirs = _answers(tmp_path / "theirs.jsonl", {f"kqa-00{i}": "پاسخ دیگر" for i in range(1, 6)})
    rc = main(["kqa", "--model", str(tiny_model_dir), "--dataset", str(kqa_dataset_dir), "--judge",
               f"local:{tiny_model_dir}", "--against", str(theirs), "--limit", "3", "--max-new-tokens", "4",
               "--out", str(out), "--device", "cpu", "--resamples", "50", "--judge-mode", "kqa-3way"])  # fmt: skip
    assert rc == 0
    metrics = load_result(out / f"{tiny_model_dir.name}__kqa-fa__kqa-3way.json")
    assert metrics.metrics["n"] == 3 and metrics.metrics["statements_judged"] == 9
    assert metrics.metrics["N_questions"] == 5  # --limit 3 of 5: K-QA's fixed denominator stays the full count
    verdicts = [v["parsed"]["three-way"] for r in metrics.records
                for v in r["must_have_verdicts"] + r["nice_to_have_verdicts"]]  # fmt: skip
    assert metrics.metrics["unparseable"] == verdicts.count("unparseable")
    assert set(verdicts) <= {"entailed", "contradicted", "neutral", "unparseable"}
    pairwise = load_result(out / f"{tiny_model_dir.name}__kqa-fa__pairwise.json")
    m = pairwise.metrics
    assert m["n"] == 3 and m["wins"] + m["ties"] + m["losses"] == 3
    assert pairwise.config["judge"]["kind"] == "local"


@pytest.mark.parametrize(
    ("text", "verdict"),
    [("A", "A"), ("[[B]]", "B"), ("tie", "tie"), ("Verdict: B", "B"), ("Answer A is better", "A"),
     ("The winner is: A. B was weaker", "A"), ("مساوی", "tie"), ("A or B", "unparseable"), ("", "unparseable"),
     ("<|CHATBOT_TOKEN|>", "unparseable"), ("ﻼﻼ", "unparseable"), (None, "unparseable")],
)  # fmt: skip
def test_parse_pairwise(text, verdict):
    assert parse_pairwise(text) == verdict


@pytest.mark.parametrize(
    ("text", "verdict"),
    [("ENTAILED", "entailed"), ("entails", "entailed"), ("Verdict: CONTRADICTED", "contradicted"),
     ("contradiction", "contradicted"), ("NEUTRAL", "neutral"), ("not entailed", "neutral"),
     ("not mentioned", "neutral"), ("perhaps", "unparseable"), ("", "unparseable"), (3, "unparseable"),
     ("NOT CONTRADICTED", "neutral"), ("neither entailed nor contradicted", "neutral")],
)  # fmt: skip
def test_parse_statement(text, verdict):
    assert parse_statement(text) == verdict


JUDGE_OUTPUTS = Path(__file__).parent / "data" / "judge_outputs_labelled.tsv"


def test_judge_parser_labelled_set_is_read_right():
    """Hand-labelled judge replies (JSON, bare words, negations, K-QA's "The answer is True/False"): all right."""
    rows = []
    for line in JUDGE_OUTPUTS.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        question, label, text = line.split("\t", 2)
        text = text.replace("\\n", "\n")
        got = parse_statement(text) if question == "three-way" else parse_yes_no(text, question)
        rows.append((question, label, got, text))
    wrong = [row for row in rows if row[1] != row[2]]
    assert wrong == []
    assert len(rows) == 96 and sum("not" in t.lower() or "neither" in t.lower() for _, _, _, t in rows) >= 25


class _TaggedJudge:
    """Statement verdicts read from the statement itself ("…/ENTAILED", "…/CONTRADICTED", "…/NEUTRAL")."""

    def complete(self, prompts):
        return ["Verdict: " + user.rsplit("/", 1)[1].split()[0].split("\n")[0] for _, user in prompts]

    def describe(self):
        return {"kind": "tagged"}


def test_comp_and_hall_follow_the_kqa_paper_not_the_share_of_answers():
    """Hall counts contradicted statements per answer (two in one answer count twice); the share of answers with a
    contradiction is a different, separately named figure."""
    from hub_tools.evaluation.data import KQAItem
    from hub_tools.evaluation.kqa import judge_kqa_metrics
    from hub_tools.evaluation.schema import LOWER_IS_BETTER, metric_direction

    items = [
        KQAItem("q1", "?", must_have=["a/ENTAILED", "b/CONTRADICTED", "c/CONTRADICTED"], nice_to_have=["d/CONTRADICTED"]),
        KQAItem("q2", "?", must_have=["a/ENTAILED", "b/ENTAILED"], nice_to_have=["c/NEUTRAL"]),
        KQAItem("q3", "?", must_have=["a/NEUTRAL"], nice_to_have=[]),
        KQAItem("q4", "?", must_have=["a/NEUTRAL", "b/ENTAILED"], nice_to_have=["c/CONTRADICTED"]),
    ]
    metrics, records = judge_kqa_metrics(_TaggedJudge(), items, ["x"] * 4, resamples=100)
    assert metrics["Comp"] == pytest.approx((1 / 3 + 1 + 0 + 1 / 2) / 4)
    assert metrics["Hall"] == pytest.approx((3 + 0 + 0 + 1) / 4)  # K-QA: mean count, nice-to-have included
    assert metrics["answers_with_contradiction_share"] == pytest.approx(2 / 4)
    assert metrics["answers_with_must_have_contradiction_share"] == pytest.approx(1 / 4)
    assert metrics["Hall_ci95"][0] <= metrics["Hall"] <= metrics["Hall_ci95"][1]
    assert [r["contradicted_statements"] for r in records] == [3, 0, 0, 1]
    assert {"Hall", "answers_with_contradiction_share"} <= LOWER_IS_BETTER and "Comp" not in LOWER_IS_BETTER
    assert (metric_direction("Hall"), metric_direction("Comp")) == ("lower", "higher")


class _BothWaysJudge:
    """K-QA's two questions answered independently: "both" statements are entailed *and* contradicted."""

    def complete(self, prompts):
        out = []
        for system, user in prompts:
            tag = user.split("[Hypothesis]\n", 1)[1].split("\n", 1)[0].rsplit("/", 1)[1]
            asked = "entailed" if "Does the premise entail" in user else "contradicted"
            out.append('{"answer": true}' if tag in (asked.upper(), "BOTH") else '{"answer": false}')
        return out

    def describe(self):
        return {"kind": "both-ways"}


def _kqa_reference(rows: list[dict], n_questions: int) -> dict:
    """K-QA's published formulas (github.com/Itaymanes/K-QA, evaluation/metrics.py and run_eval.py), written again
    with pandas: per question the mean of the must-have "entails" labels (NaN without must-have statements) and
    the contradicting statements; Comp = sum(recall) / N_QUESTIONS (pandas' sum skips NaN), Comp_norm =
    mean(recall) (skips NaN), Hall = contradictions / N_QUESTIONS, Hall_norm = contradictions / answered."""
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame({
        "recall": [np.mean(r["entails"]) if r["entails"] else np.nan for r in rows],
        "contra": [sum(r["contradicts"]) for r in rows],
    })  # fmt: skip
    contra = frame.contra.sum()
    return {"Comp": frame.recall.sum() / n_questions, "Comp_norm": frame.recall.mean(),
            "Hall": contra / n_questions, "Hall_norm": contra / len(frame)}  # fmt: skip


def test_kqa_mode_agrees_with_kqas_formulas_on_the_same_judgements():
    from hub_tools.evaluation.data import KQAItem
    from hub_tools.evaluation.kqa import judge_kqa_metrics

    items = [
        KQAItem("q1", "?", must_have=["a/ENTAILED", "b/BOTH", "c/CONTRADICTED"], nice_to_have=["d/CONTRADICTED"]),
        KQAItem("q2", "?", must_have=["a/ENTAILED", "b/ENTAILED", "c/NEUTRAL"], nice_to_have=["c/BOTH"]),
        KQAItem("q3", "?", must_have=[], nice_to_have=["a/CONTRADICTED"]),  # no must-have statement
        KQAItem("q4", "?", must_have=["a/NEUTRAL", "b/ENTAILED"], nice_to_have=[]),
    ]
    metrics, records = judge_kqa_metrics(_BothWaysJudge(), items, ["x"] * 4, mode="kqa", n_total=7, resamples=50)
    # the same judgements, as K-QA's run_eval.py records them (entails: must-have only; contradicts: both kinds)
    rows = [{"entails": [v["entailed"] for v in r["must_have_verdicts"]],
             "contradicts": [v["contradicted"] for v in r["must_have_verdicts"] + r["nice_to_have_verdicts"]]}
            for r in records]  # fmt: skip
    reference = _kqa_reference(rows, n_questions=7)
    for key, value in reference.items():
        assert abs(metrics[key] - value) < 1e-9, key
    assert metrics["Comp"] == pytest.approx((2 / 3 + 2 / 3 + 1 / 2) / 7)  # q3 adds 0 and still counts in N
    assert metrics["Comp_norm"] == pytest.approx((2 / 3 + 2 / 3 + 1 / 2) / 3)
    assert metrics["N_contra"] == 5 and metrics["Hall"] == pytest.approx(5 / 7) and metrics["Hall_norm"] == 5 / 4
    assert records[0]["must_have_verdicts"][1]["entailed"] and records[0]["must_have_verdicts"][1]["contradicted"]
    # the three-way mode on the same tags: a statement is one or the other, never both
    three_way, _ = judge_kqa_metrics(_TaggedJudge(), [KQAItem("q", "?", must_have=["a/ENTAILED", "b/NEUTRAL"])],
                                     ["x"], mode="kqa-3way", resamples=50)  # fmt: skip
    assert three_way["Comp"] == three_way["Comp_norm"] == 0.5 and three_way["Hall"] == 0.0


def test_a_model_judging_itself_is_loaded_once(tmp_path, tiny_model_dir, kqa_dataset_dir, monkeypatch):
    from hub_tools.evaluation import runner

    loads = []
    real_load = runner.load_model
    monkeypatch.setattr(runner, "load_model", lambda *a, **k: loads.append(a) or real_load(*a, **k))
    rc = main(["kqa", "--model", str(tiny_model_dir), "--dataset", str(kqa_dataset_dir), "--judge",
               f"local:{tiny_model_dir}", "--limit", "2", "--max-new-tokens", "4", "--out", str(tmp_path),
               "--resamples", "50"])  # fmt: skip
    assert rc == 0 and loads == [(str(tiny_model_dir),)]
    result = load_result(tmp_path / f"{tiny_model_dir.name}__kqa-fa__kqa.json")
    assert result.metrics["n"] == 2 and result.config["judge"]["kind"] == "local"
