"""rag.cite: citations checked against the sources given, uncited sentences marked, renumbered."""

from __future__ import annotations

import pytest
from talkrag.rag.cite import UNCITED, Checked, check_citations, hollow, renumber


@pytest.mark.parametrize(
    ("raw", "text", "cited"),
    [
        ("Batching helps [1].", "Batching helps [1].", (1,)),
        ("Batching helps. [1]", "Batching helps. [1]", (1,)),
        ("Batching helps [1][2].", "Batching helps [1][2].", (1, 2)),
        ("Batching helps [1] [2].", "Batching helps [1][2].", (1, 2)),
        ("Batching helps [1, 2].", "Batching helps [1][2].", (1, 2)),
        ("Batching helps [2; 1].", "Batching helps [2][1].", (2, 1)),
        ("Batching helps [1-3].", "Batching helps [1][2][3].", (1, 2, 3)),
        ("Batching helps [1–2].", "Batching helps [1][2].", (1, 2)),
        ("Batching helps ［2］.", "Batching helps [2].", (2,)),
        ("Batching helps 【1，2】.", "Batching helps [1][2].", (1, 2)),
        ("Batching helps [Source 2].", "Batching helps [2].", (2,)),
        ("Batching helps [sources 1 and 2].", "Batching helps [1][2].", (1, 2)),
        ("Batching helps [２].", "Batching helps [2].", (2,)),
        ("Batching helps [1][1][ 1 ].", "Batching helps [1].", (1,)),
    ],
)
def test_citation_forms_become_canonical(raw: str, text: str, cited: tuple[int, ...]):
    checked = check_citations(raw, 3)
    assert checked == Checked(text, cited, (), ())


def test_cited_numbers_are_in_order_of_first_use():
    checked = check_citations("Caching pays [3]. Latency drops [1][3]. Keys expire [2].", 3)
    assert checked.cited == (3, 1, 2)


@pytest.mark.parametrize(
    ("raw", "text", "removed"),
    [
        ("Batching helps [7].", f"Batching helps {UNCITED}.", (7,)),
        ("Batching helps [0].", f"Batching helps {UNCITED}.", (0,)),
        ("Batching helps [1][7].", "Batching helps [1].", (7,)),
        ("Batching helps [1, 9, 7].", "Batching helps [1].", (9, 7)),
        ("Batching helps [2-4].", "Batching helps [2].", (3, 4)),
        ("Batching helps. [9] It scales [1].", f"Batching helps {UNCITED}. It scales [1].", (9,)),
        ("Batching helps [1-99999].", "Batching helps [1].", (99999,)),
    ],
)
def test_numbers_outside_the_sources_are_removed(raw: str, text: str, removed: tuple[int, ...]):
    checked = check_citations(raw, 2)
    assert (checked.text, checked.removed) == (text, removed)


def test_removed_numbers_are_reported_once_each():
    assert check_citations("A runs [7]. B runs [7][8]. C runs [1].", 1).removed == (7, 8)


@pytest.mark.parametrize(
    ("raw", "text", "uncited"),
    [
        (
            "Batching helps [1]. The GPU waits on memory.",
            f"Batching helps [1]. The GPU waits on memory {UNCITED}.",
            ("The GPU waits on memory.",),
        ),
        (
            "Is it fast? Yes, three times [1]!",
            f"Is it fast {UNCITED}? Yes, three times [1]!",
            ("Is it fast?",),
        ),
        ("No final period", f"No final period {UNCITED}", ("No final period",)),
        (
            'She said "it works."',
            f'She said "it works {UNCITED}."',
            ('She said "it works."',),
        ),
        (
            "- cached tokens cost less [1]\n- hit rate is 70%",
            f"- cached tokens cost less [1]\n- hit rate is 70% {UNCITED}",
            ("- hit rate is 70%",),
        ),
    ],
)
def test_uncited_sentences_are_marked(raw: str, text: str, uncited: tuple[str, ...]):
    checked = check_citations(raw, 1)
    assert (checked.text, checked.uncited) == (text, uncited)


@pytest.mark.parametrize(
    "raw",
    [
        "Throughput rose 3.5 times [1].",
        "Dr. Lindqvist runs serving [1].",
        "Use a scheduler, e.g. continuous batching [1].",
        "Latency fell [1].\n\n",
        "## Answer\n\nLatency fell [1].",
        "What they found:\n- latency fell [1]",
    ],
)
def test_no_false_sentence_breaks(raw: str):
    checked = check_citations(raw, 1)
    assert checked.uncited == ()


def test_text_without_words_is_not_a_sentence():
    assert check_citations("Latency fell [1].\n---\n* *", 1).uncited == ()


def test_a_bold_line_is_a_claim_like_any_other():
    assert check_citations("**Batching triples throughput**\n\nIt does [1].", 1).uncited == (
        "**Batching triples throughput**",
    )


def test_markdown_links_and_words_in_brackets_are_not_citations():
    checked = check_citations("See [the talk](https://example.com) [1]. It is [fast] [1].", 1)
    assert checked == Checked(
        "See [the talk](https://example.com) [1]. It is [fast] [1].", (1,), (), ()
    )


def test_no_sources_means_every_citation_is_removed():
    checked = check_citations("Latency fell [1].", 0)
    assert checked == Checked(f"Latency fell {UNCITED}.", (), (1,), ("Latency fell.",))


def test_empty_answer():
    assert check_citations("  \n", 3) == Checked("", (), (), ())


def test_renumber_follows_order_of_first_use():
    checked = check_citations("Caching pays [3]. Latency drops [1][3]. Odd claim. Keys [2].", 3)
    assert renumber(checked.text, checked.cited) == (
        f"Caching pays [1]. Latency drops [2][1]. Odd claim {UNCITED}. Keys [3]."
    )


def test_renumber_refuses_numbers_missing_from_the_order():
    with pytest.raises(ValueError, match=r"\[4\]"):
        renumber("Latency drops [4].", [1, 2])


def test_renumber_is_identity_on_1_to_m():
    assert renumber("A [1]. B [2][1].", [1, 2]) == "A [1]. B [2][1]."


QUESTION = "Why did sharding by document id make queries slow?"


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("[1][2][3][4][5][6]", "only citation markers"),
        ("[1], [2], [3].", "only citation markers"),
        (f"[1] {UNCITED}", "only citation markers"),
        ('[1] Source n="2" talk="Prompt Caching Costs" speaker="Daniel Osei"', "source markup"),
        ('<source n="1" talk="Sharding" time="0:21">\n</source> [1]', "source markup"),
        ("Excerpt 2: [2]", "source markup"),
        ("[1] Ben Adeyemi\n[2] Daniel Osei, Prompt Caching", "titles and speakers"),
        ("Sharding by document id made queries slow [1].", "restated the question"),
        ("Why did sharding by document ID make the queries slow? [1][2]", "restated the question"),
    ],
)
def test_hollow_answers_say_why(raw: str, why: str):
    reason = hollow(raw, QUESTION, ["Sharding at Scale Ben Adeyemi", "Prompt Caching Daniel Osei"])
    assert reason is not None
    assert why in reason


@pytest.mark.parametrize(
    "raw",
    [
        "Every query had to fan out to all shards [1].",
        "Sharding by document id did not make queries slow [1].",  # a negation is news
        "It made them 40 times slower [1].",  # so is a number
        'The talk "Sharding" says fan-out hurt [1].',  # quotes, no attribute
    ],
)
def test_answers_that_say_something_are_not_hollow(raw: str):
    assert hollow(raw, QUESTION) is None
