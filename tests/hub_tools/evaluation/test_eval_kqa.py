"""K-QA-fa: metric arithmetic through a real HTTP round trip to a fake OpenAI-compatible judge on loopback, the
tiny model as a (garbage-speaking) local judge, verdict parsing and the API key's secrecy."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hub_tools.evaluation.cli import main
from hub_tools.evaluation.judge import JudgeError, OpenAIJudge, parse_pairwise, parse_statement
from hub_tools.evaluation.schema import load_result

API_KEY = "sk-test-" + "k" * 20
JUDGE_MODEL = "judge-x"


def _between(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]


def fake_verdict(user: str) -> str:
    """Deterministic verdicts: statements carry their verdict as a tag; "GOOD" answers beat others."""
    if "[Statement]" in user:
        statement = _between(user, "[Statement]\n", "\n[End of statement]")
        tag = re.search(r"\[(entailed|contradicted|neutral|garble)\]", statement).group(1)
        return {"entailed": "ENTAILED", "contradicted": "Verdict: CONTRADICTED", "neutral": "neutral.",
                "garble": "I would rather not say."}[tag]  # fmt: skip
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
    metrics_result = load_result(out / "gaokerena--gaokerena-v1.0__kqa-fa__kqa-metrics.json")
    m = metrics_result.metrics
    # kqa-001: 2/4 entailed, 1 contradicted; kqa-002: 1/1, 1 contradicted (nice-to-have); kqa-003: 0/2, one
    # unparseable; kqa-004/005: no statements.
    # K-QA's Comp: mean over questions of entailed / must-have; Hall: mean number of contradicted statements
    # (must-have and nice-to-have, as K-QA's evaluation/metrics.py counts them) per question
    assert m["Comp"] == pytest.approx((0.5 + 1.0 + 0.0) / 3)
    assert m["Hall"] == pytest.approx(2 / 5) and m["contradicted_statements"] == 2
    assert m["answers_with_contradiction_share"] == pytest.approx(2 / 5)
    assert m["answers_with_must_have_contradiction_share"] == pytest.approx(1 / 5)
    assert "hallucination_rate" not in m and "comprehensiveness" not in m
    assert (m["n"], m["n_with_must_have"], m["statements_judged"], m["unparseable"]) == (5, 3, 9, 1)
    assert [r["comprehensiveness"] for r in metrics_result.records] == [0.5, 1.0, 0.0, None, None]
    assert metrics_result.model.type == "fine-tuned" and metrics_result.benchmark.name == "kqa-fa"

    pairwise = load_result(out / "gaokerena--gaokerena-v1.0__kqa-fa__pairwise.json")
    p = pairwise.metrics
    # kqa-001/002 win; kqa-003 TIE both ways; kqa-004 position-biased (inconsistent) -> tie; kqa-005 unparseable -> tie
    assert [r["outcome"] for r in pairwise.records] == ["win", "win", "tie", "tie", "tie"]
    assert (p["n"], p["wins"], p["ties"], p["losses"], p["unparseable"]) == (5, 2, 3, 0, 1)
    assert p["win_rate"] == pytest.approx((2 + 3 / 2) / 5)
    assert pairwise.records[3]["verdicts"][0]["parsed"] == "A" == pairwise.records[3]["verdicts"][1]["parsed"]
    assert pairwise.config["judge"] == {"kind": "openai", "url": f"{fake_openai.url}/chat/completions",
                                        "model": JUDGE_MODEL, "api_key_env": "GAOKERENA_TEST_JUDGE_KEY"}  # fmt: skip

    # every request: each pair judged twice (swapped), every statement once, temperature 0, the chosen model
    assert len(fake_openai.requests) == 9 + 2 * 5
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
    aya_file = tmp_path / "aya" / "CohereForAI--aya-expanse-8b__kqa-fa__kqa-metrics.json"
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
               "--out", str(out), "--device", "cpu", "--resamples", "50"])  # fmt: skip
    assert rc == 0
    metrics = load_result(out / f"{tiny_model_dir.name}__kqa-fa__kqa-metrics.json")
    assert metrics.metrics["n"] == 3 and metrics.metrics["statements_judged"] == 9
    verdicts = [v["verdict"] for r in metrics.records for v in r["must_have_verdicts"] + r["nice_to_have_verdicts"]]
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
     ("not mentioned", "neutral"), ("perhaps", "unparseable"), ("", "unparseable"), (3, "unparseable")],
)  # fmt: skip
def test_parse_statement(text, verdict):
    assert parse_statement(text) == verdict


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
