"""Names in questions, linked from the index's own metadata: surnames, possessives, first name
with company, any case, one typo; common words only with a capital."""

from __future__ import annotations

import pytest
from talkrag.rag.entities import Entities, talk_names, tokens

METAS = [
    {
        "talk_id": "t1",
        "title": "Credit Risk at Scale",
        "talk_speakers": ["Lucas Palma"],
        "companies": ["Nubank"],
        "event": "AI Engineer World's Fair 2026",
        "tags": ["Evals"],
    },
    {"talk_id": "t2", "title": "Voice Agents — Toki Sherbakov + Anoop Kotha, OpenAI"},
    {"talk_id": "t3", "title": "Growth", "talk_speakers": ["Sam Young"], "companies": ["Notion"]},
    {"talk_id": "t1", "title": "Credit Risk at Scale", "talk_speakers": ["Lucas Palma"]},
]
COMMON = {"young", "notion", "scale"}


def _table() -> Entities:
    return Entities.of(METAS, lambda word: word in COMMON)


def test_titles_give_speakers_and_company():
    names = talk_names(METAS)
    assert names["t2"]["speaker"] == ["Toki Sherbakov", "Anoop Kotha"]
    assert names["t2"]["company"] == ["OpenAI"]
    assert names["t1"]["company"] == ["Nubank"]


@pytest.mark.parametrize(
    ("question", "speakers"),
    [
        ("What rule of thumb does Lucas Palma give for risk?", ("Lucas Palma",)),
        ("what does lucas palma think about credit?", ("Lucas Palma",)),
        ("According to Nubank's Lucas Palma, how is risk scored?", ("Lucas Palma",)),
        ("What does Palma say about credit?", ("Lucas Palma",)),
        ("What did Lucas from Nubank say about models?", ("Lucas Palma",)),
        ("What did Lucas Plama say about models?", ("Lucas Palma",)),  # one typo
        ("How did Sherbakov's team build voice agents?", ("Toki Sherbakov",)),
        ("Why do young teams skip evals?", ()),  # an everyday word, no capital
        ("What did Young say about growth?", ("Sam Young",)),  # the same word as a name
        ("What did Lucas say about models?", ()),  # a first name alone names no one
    ],
)
def test_speakers_are_linked(question: str, speakers: tuple[str, ...]):
    assert _table().link(question).speakers == speakers


def test_companies_link_to_their_talks_and_leave_the_question():
    named = _table().link("What did OpenAI say about latency in voice agents?")
    assert named.companies == ("OpenAI",)
    assert named.talks == ("t2",)
    assert "OpenAI" not in named.content
    assert "latency" in named.content


def test_a_common_word_company_needs_a_capital():
    assert _table().link("Does the notion of memory matter?").companies == ()
    assert _table().link("What did Notion say about memory?").companies == ("Notion",)


def test_names_leave_the_content_words():
    named = _table().link("According to Nubank's Lucas Palma, how is credit risk scored?")
    assert named.talks == ("t1",)
    assert tokens(named.content) == ["according", "to", "how", "is", "credit", "risk", "scored"]
    assert named.wire() == {"speakers": ["Lucas Palma"], "companies": ["Nubank"], "talks": ["t1"]}


def test_a_question_naming_nothing_is_left_as_it_is():
    named = _table().link("How should retrieval be evaluated?")
    assert (named.speakers, named.companies, named.talks) == ((), (), ())
    assert named.content == "How should retrieval be evaluated?"


def test_a_name_as_written_is_never_read_as_a_misspelt_other():
    metas = [
        {"talk_id": "a", "title": "A", "talk_speakers": ["Jason Lopatecki"]},
        {"talk_id": "b", "title": "B", "talk_speakers": ["Hilary Mason"]},
        {"talk_id": "c", "title": "C", "talk_speakers": ["Lance Martin"]},
        {"talk_id": "d", "title": "D", "talk_speakers": ["Ryan Marten"]},
    ]
    table = Entities.of(metas, lambda _word: False)
    assert table.link("What did Jason Lopateki say about evals?").speakers == ("Jason Lopatecki",)
    assert table.link("What did Lance Martin show?").speakers == ("Lance Martin",)
