"""Hand-made digests for the digest's unit tests: citations, talks and themes by the few
fields a test cares about."""

from __future__ import annotations

from talkrag.rag.digest_models import Digest, DigestTalk, Theme
from talkrag.rag.models import Citation


def quote(n: int, talk: str, words: str, text: str | None = None, **extra) -> Citation:
    """Citation n quoting `words` from talk's passage `text` (the words alone by default)."""
    fields = {
        "n": n,
        "chunk_id": f"{talk}-c{n}",
        "source": f"/talks/{talk}.md",
        "talk_id": talk,
        "title": f"Talk {talk}",
        "speaker": f"Speaker {talk}",
        "start": 75.0,
        "end": 80.0,
        "url": f"https://www.youtube.com/watch?v={talk:_<11}&t=75s",
        "text": text if text is not None else f"Before. {words} After.",
        "quote": words,
    }
    return Citation(**(fields | extra))


def talk(talk_id: str, share: float = 1.0, **extra) -> DigestTalk:
    """A talk card with a title, a speaker and a company."""
    fields = {
        "talk_id": talk_id,
        "title": f"Talk {talk_id}",
        "speakers": [f"Speaker {talk_id}"],
        "companies": ["Acme"],
        "url": f"https://www.youtube.com/watch?v={talk_id:_<11}",
        "date": "2026-06-03",
        "share": share,
    }
    return DigestTalk(**(fields | extra))


def theme(n: int, talks: list[DigestTalk], quotes: list[Citation], **extra) -> Theme:
    """Theme n of those talks and quotes."""
    fields = {
        "n": n,
        "name": f"Theme {n}",
        "terms": ["evals", "judges"],
        "summary": " … ".join(f"“{q.quote}” [{q.n}]" for q in quotes[:2]),
        "talks": talks,
        "quotes": quotes,
        "coherence": 1.0,
    }
    return Theme(**(fields | extra))


def digest(themes: list[Theme], **extra) -> Digest:
    """A digest of those themes."""
    fields = {
        "title": "AI Engineer World's Fair 2026: digest",
        "mode": "extractive",
        "scope": "no filter",
        "talks": len({t.talk_id for th in themes for t in th.talks}),
        "chunks": 40,
        "themes": themes,
    }
    return Digest(**(fields | extra))
