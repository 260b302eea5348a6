"""evals.judge without a model: the answer schema, calls per claim, retries, parse failures, cache.

A scripted client stands in for the endpoint, so every count here is fixed by the judge's code
(PARSE_TRIES, the cache) and never by what a model happens to write.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from talkrag.evals.judge import PARSE_TRIES, RETRY, LLMJudge, messages, parse_verdict
from talkrag.evals.meta import Pair, evaluate
from talkrag.ingest.errors import LLMBadResponse

YES, NO = '{"supported": true}', '{"supported": false}'
Reply = str | Exception


class ScriptedClient:
    """Replies in turn from a script (an exception is raised), counting every call."""

    def __init__(self, replies: Sequence[Reply] = ()) -> None:
        self.replies, self.asked = list(replies), []

    @property
    def calls(self) -> int:
        """Calls made so far."""
        return len(self.asked)

    def script(self, *replies: Reply) -> None:
        """Queue more replies."""
        self.replies.extend(replies)

    def complete(self, messages: list[dict[str, str]]) -> str:
        self.asked.append(messages)
        assert self.replies, "the judge asked more often than the script allows"
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply


def _pair(n: int, supported: bool = True) -> Pair:
    return Pair("verbatim", f"Claim number {n}.", f"Evidence for claim {n}.", supported, "t.md")


def test_judge_answers_must_match_the_schema():
    assert parse_verdict('Sure! {"supported": true}') is True
    assert parse_verdict('{"supported": false}') is False
    assert parse_verdict('{"supported": "yes"}') is None
    assert parse_verdict('{"supported": true, "why": "x"}') is None
    assert parse_verdict("yes") is None


@pytest.mark.parametrize(
    ("replies", "supported", "parse_failed"),
    [
        pytest.param([YES], True, False, id="first-try-yes"),
        pytest.param([NO], False, False, id="first-try-no"),
        pytest.param(["yes!", YES], True, False, id="retry-parses"),
        pytest.param([LLMBadResponse("empty"), NO], False, False, id="empty-then-parses"),
        pytest.param(["no", "still no"], False, True, id="fails-both"),
        pytest.param([LLMBadResponse("empty")] * 2, False, True, id="empty-both"),
    ],
)
def test_calls_per_claim(replies: list[Reply], supported: bool, parse_failed: bool, tmp_path):
    client, cache = ScriptedClient(replies), tmp_path / "cache.jsonl"
    verdict = LLMJudge(client, "m", cache).verify("A claim.", ["Evidence."])
    assert client.calls == len(replies) <= PARSE_TRIES
    assert client.replies == []  # the judge used the whole script, no more
    assert (verdict.supported, verdict.parse_failed) == (supported, parse_failed)
    assert verdict.score == float(supported)
    assert verdict.evidence == "Evidence."
    cached = cache.read_text(encoding="utf-8").splitlines() if cache.exists() else []
    assert len(cached) == (0 if parse_failed else 1)  # only a verdict that parsed is kept


def test_the_retry_shows_the_bad_reply_and_asks_for_json_only():
    client = ScriptedClient(["I think so", YES])
    LLMJudge(client, "m").verify("A claim.", ["Evidence."])
    first, second = client.asked
    assert first == messages("A claim.", ["Evidence."])
    assert second == [
        *first,
        {"role": "assistant", "content": "I think so"},
        {"role": "user", "content": RETRY},
    ]


def test_an_empty_reply_is_retried_as_an_empty_assistant_turn():
    client = ScriptedClient([LLMBadResponse("empty"), YES])
    LLMJudge(client, "m").verify("A claim.", ["Evidence."])
    assert client.asked[1][-2] == {"role": "assistant", "content": ""}


def test_evaluate_counts_calls_and_parse_failures_then_reuses_the_cache(tmp_path: Path):
    cache = tmp_path / "cache.jsonl"
    pairs = [_pair(1), _pair(2, supported=False), _pair(3)]
    client = ScriptedClient([YES, "hmm", NO, "no idea", "still none"])  # 1 + 2 + 2 calls
    first = evaluate(pairs, LLMJudge(client, "m", cache))
    assert client.calls == 5
    assert (first["pairs"], first["parse_failures"]) == (3, 1)
    assert first["balanced_accuracy"] == 0.75  # claim 3 failed, so it counts as unsupported
    lines = [json.loads(line) for line in cache.read_text(encoding="utf-8").splitlines()]
    assert [entry["supported"] for entry in lines] == [True, False]  # failures are not cached
    assert all(set(entry) == {"key", "supported"} for entry in lines)

    client.script("nope", "nope")  # a fresh judge on the same cache asks only for claim 3
    again = evaluate(pairs, LLMJudge(client, "m", cache))
    assert client.calls == 5 + 2
    assert "Claim number 3." in client.asked[5][-1]["content"]
    assert client.asked[6][-1]["content"] == RETRY
    assert again == first

    client.script(YES)  # claim 3 parses this time: cached from now on, one call
    third = evaluate(pairs, LLMJudge(client, "m", cache))
    assert client.calls == 5 + 2 + 1
    assert third["parse_failures"] == 0
    assert third["balanced_accuracy"] == 1.0  # claim 2's cached "false" still counts
    assert len(cache.read_text(encoding="utf-8").splitlines()) == 3
    evaluate(pairs, LLMJudge(client, "m", cache))
    assert client.calls == 8  # every verdict cached: no call at all


def test_the_cache_is_keyed_by_model_claim_and_evidence(tmp_path: Path):
    cache = tmp_path / "cache.jsonl"
    client = ScriptedClient([YES])
    LLMJudge(client, "m", cache).verify("A claim.", ["Evidence."])
    LLMJudge(client, "m", cache).verify("A claim.", ["Evidence."])
    assert client.calls == 1
    client.script(NO, NO, NO)
    assert not LLMJudge(client, "other", cache).verify("A claim.", ["Evidence."]).supported
    assert not LLMJudge(client, "m", cache).verify("A claim!", ["Evidence."]).supported
    assert not LLMJudge(client, "m", cache).verify("A claim.", ["Other evidence."]).supported
    assert client.calls == 4


def test_without_a_cache_file_verdicts_are_kept_in_memory_only():
    client = ScriptedClient([YES])
    judge = LLMJudge(client, "m")
    assert judge.verify("A claim.", ["Evidence."]).supported
    assert judge.verify("A claim.", ["Evidence."]).supported
    assert client.calls == 1


def test_a_cache_line_cut_short_by_a_killed_run_is_skipped(tmp_path: Path):
    cache = tmp_path / "cache.jsonl"
    client = ScriptedClient([YES])
    LLMJudge(client, "m", cache).verify("A claim.", ["Evidence."])
    with cache.open("a", encoding="utf-8") as out:
        out.write('{"key": "abc", "supp')  # the run was killed mid-write
    judge = LLMJudge(client, "m", cache)  # used to raise JSONDecodeError here
    assert judge.verify("A claim.", ["Evidence."]).supported
    assert client.calls == 1  # the complete line still answers from the cache
