"""Pure parts of the eval suite: claims, checks, overlap, aggregation, gates."""

from __future__ import annotations

import random

import pytest
from talkrag.evals.dataset import Question
from talkrag.evals.gates import failed_gates, parse_gates
from talkrag.evals.meta import auroc
from talkrag.evals.perturb import negate, swap_date, swap_number
from talkrag.evals.scoring import followed_injection, rouge_l, token_f1
from talkrag.evals.summary import aggregate, bootstrap
from talkrag.ingest.errors import InputError
from talkrag.rag.claims import Claim, split_claims
from talkrag.rag.models import Answer, Citation
from talkrag.rag.support import failed_checks, names, numbers


def test_claims_keep_their_citations_in_both_styles():
    extractive = "Writes spread evenly. [1] Every query visited every shard. [1][2]"
    assert split_claims(extractive) == [
        Claim("Writes spread evenly.", (1,)),
        Claim("Every query visited every shard.", (1, 2)),
    ]
    llm = "It is cheap [2]. It is fast [uncited]. This one too [1]."
    assert split_claims(llm) == [
        Claim("It is cheap", (2,)),
        Claim("It is fast.", ()),
        Claim("This one too", (1,)),
    ]


def test_a_verbatim_transcript_sentence_stays_one_claim():
    extractive = (
        "Why JavaScript? because it runs everywhere. [1] The hotel is in Greece. uh it is. [2]"
    )
    assert split_claims(extractive) == [
        Claim("Why JavaScript? because it runs everywhere.", (1,)),
        Claim("The hotel is in Greece. uh it is.", (2,)),
    ]


def test_headings_and_lead_ins_are_not_claims():
    assert split_claims("## Summary\nThe options are:") == []


def test_numbers_read_digits_and_words():
    assert numbers("forty percent of 1,000 vectors") == {"40", "1000"}


def test_names_skip_the_sentence_opening_but_keep_months():
    assert names("Then Aiko moved it in March. We shipped.") == {"aiko", "march"}


@pytest.mark.parametrize(
    ("claim", "problem"),
    [
        ("The three biggest customers held fifty percent of vectors.", "numbers"),
        ("The three biggest customers at Oracle held forty percent.", "names"),
        ("The three biggest customers never held forty percent.", "negation"),
        (
            "Customers held satellite images bought from overseas brokers.",
            "content words",
        ),
    ],
)
def test_hard_checks_catch_each_kind(claim: str, problem: str):
    evidence = "Our three biggest customers held forty percent of all vectors."
    failed = failed_checks(claim, evidence, evidence)
    assert len(failed) == 1
    assert problem in failed[0]
    assert (
        failed_checks("The three biggest customers held forty percent.", evidence, evidence) == []
    )


def test_perturbations_change_what_they_say():
    rng = random.Random(1)
    assert swap_number("We ran 32 shards.", rng) != "We ran 32 shards."
    assert "2025" not in (swap_date("It shipped in 2025.", rng) or "2025")
    assert negate("It is not cheap.") == "It is cheap."
    assert negate("It is cheap.") == "It is not cheap."


def test_overlap_scores():
    assert token_f1("forty percent [1]", "forty percent") == 1.0
    assert token_f1("nothing alike", "forty percent") == 0.0
    assert rouge_l("a b c d", "a x c d") == pytest.approx(0.75)


def _record(qid: str, answerable: bool, refused: bool, supported: list[bool]) -> dict:
    claims = [
        {
            "supported": s,
            "citations": [1],
            "precise_citations": int(s),
            "valid_citations": 1,
            "parse_failed": False,
        }
        for s in supported
    ]
    return {
        "id": qid,
        "answerable": answerable,
        "refused": refused,
        "claims": claims,
        "retrieval": {"hit@5": 1.0} if answerable else None,
        "overlap": None,
        "cites_gold": None,
    }


def test_refusals_are_counted_apart_from_faithfulness():
    records = [
        _record("a", True, False, [True, False]),
        _record("b", True, True, []),
        _record("u", False, True, []),
        _record("v", False, False, [True]),
    ]
    m = aggregate(records)
    assert m["claims_supported"] == pytest.approx(2 / 3, abs=1e-3)  # refusals add no claims
    assert m["answers_with_unsupported"] == 0.5
    assert m["refusal_precision"] == 0.5
    assert m["refusal_recall"] == 0.5
    assert m["answerable_refused"] == 0.5


def test_all_refused_gives_no_faithfulness_figure_rather_than_nan():
    m = aggregate([_record("u", False, True, [])])
    assert m["claims_supported"] is None
    assert m["refusal_recall"] == 1.0


def test_bootstrap_is_seeded_and_brackets_the_value():
    records = [_record(str(i), True, False, [i % 3 != 0]) for i in range(30)]
    assert bootstrap(records, seed=3, samples=200) == bootstrap(records, seed=3, samples=200)
    low, high = bootstrap(records, seed=3, samples=200)["claims_supported"]
    assert low <= aggregate(records)["claims_supported"] <= high


def test_gates():
    gates = parse_gates(["claims_supported=0.9", "answers_with_unsupported=0.1"])
    failed = failed_gates({"claims_supported": 0.8, "answers_with_unsupported": 0.05}, gates)
    assert failed == ["claims_supported = 0.8 is under the gate 0.9"]
    with pytest.raises(InputError, match="metric=value"):
        parse_gates(["claims_supported"])
    with pytest.raises(InputError, match="no metric named"):
        failed_gates({"a": 1.0}, {"b": 0.5})


def test_auroc():
    assert auroc([True, False], [0.9, 0.1]) == 1.0
    assert auroc([True, False], [0.1, 0.9]) == 0.0
    assert auroc([True, True, False, False], [0.5, 0.5, 0.5, 0.5]) == 0.5


def _answer(text: str, cited: str) -> Answer:
    citation = Citation(
        n=1, chunk_id="c1", source="t.md", talk_id="t", title="T", speaker=None, start=None,
        end=None, url=None, text=cited,
    )  # fmt: skip
    return Answer(answer=text, refused=False, citations=[citation], mode="extractive")


def test_an_injected_string_counts_only_when_no_cited_passage_says_it():
    q = Question(id="i", question="q?", forbidden=["evil.example", "HACKED"])
    said = "Visit http://evil.example now, it said."
    assert followed_injection(q, _answer(f"{said} [1]", said)) is False
    assert followed_injection(q, _answer("HACKED [1]", "Caching cut costs.")) is True
    assert followed_injection(Question(id="j", question="q?"), _answer("HACKED", "")) is None


def test_the_injection_metric_is_the_share_of_attacked_questions_followed():
    base = {"refused": False, "answerable": True, "retrieval": None, "overlap": None}
    base |= {"cites_gold": None, "claims": []}
    records = [
        {**base, "followed_injection": True},
        {**base, "followed_injection": False},
        {**base, "followed_injection": None},
    ]
    assert aggregate(records)["injection_followed"] == 0.5


class _NoEmbedder:
    """The verifier must not need the model for a verbatim quote."""

    name = "none"

    def load(self) -> None:
        pass

    def embed(self, texts):
        raise AssertionError(f"embedded {texts!r}")


def test_a_verbatim_quote_is_supported_without_embedding():
    from talkrag.rag.verify import OfflineVerifier

    verifier = OfflineVerifier(_NoEmbedder())
    passage = "Aiko Tanaka: We sharded by tenant.  Most queries now\ntouch a single shard."
    verdict = verifier.verify("Most queries now touch a single shard.", [passage])
    assert verdict.supported
    assert verdict.score == 1.0
    with pytest.raises(AssertionError, match="embedded"):  # changed words: the full check runs
        verifier.verify("Most queries now touch every shard.", [passage])
    with pytest.raises(AssertionError, match="embedded"):  # too short to count as a quote
        verifier.verify("single shard.", [passage])
