"""The digest as Markdown that renders on GitHub: every transcript-derived string escaped, so
it shows as text, and links only to http(s) addresses, at the quoted moment."""

from __future__ import annotations

import re
from collections.abc import Iterator

from talkrag.ingest.links import web_url
from talkrag.rag.digest_models import Digest, DigestTalk, Theme, plural
from talkrag.rag.models import Citation
from talkrag.rag.present import UNKNOWN_SPEAKER, source_line

_PUNCT = re.compile(r"([\\`*_\[\]{}|~#!])")
_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_URL_UNSAFE = str.maketrans({"(": "%28", ")": "%29", " ": "%20", "<": "%3C", ">": "%3E"})


def text(value: str) -> str:
    """Untrusted text as Markdown that renders exactly it: no markup, no HTML, one line."""
    return _PUNCT.sub(r"\\\1", " ".join(value.split()).translate(_ENTITIES))


def link(label: str, url: str | None) -> str:
    """`[label](url)` for an http(s) url (label already escaped), else the label alone."""
    safe = web_url(url)
    return f"[{label}]({safe.translate(_URL_UNSAFE)})" if safe else label


def anchor(theme: Theme) -> str:
    """The id GitHub gives the theme's heading: lowercase, punctuation out, dashes."""
    heading = f"{theme.n}. {theme.name}".lower()
    return re.sub(r"[^\w\- ]", "", heading).replace(" ", "-")


def quote_line(c: Citation) -> str:
    """`- “quote” — [n] talk — speaker @ m:ss`, the source linked at the moment."""
    return f"- “{text(c.quote or c.text)}” — {link(text(source_line(c)), c.url)}"


def talk_line(t: DigestTalk) -> str:
    """`- talk — speakers (companies)`, the title linked to the talk."""
    who = text(", ".join(t.speakers) or UNKNOWN_SPEAKER)
    firms = f" ({text(', '.join(t.companies))})" if t.companies else ""
    track = f" · {text(t.track)}" if t.track else ""
    return f"- {link(text(t.title), t.url)} — {who}{firms}{track}"


def _header(d: Digest) -> Iterator[str]:
    yield f"# {text(d.title)}"
    yield ""
    what = (
        f"what the talks said about “{text(d.topic)}”"
        if d.topic
        else plural(len(d.themes), "theme")
    )
    yield (
        f"{d.talks} talks, {d.chunks:,} passages ({text(d.scope)}): {what}. Every quote is "
        "verbatim, with its talk and speaker, linked at its moment (~: estimated from the "
        f"talk's length where the transcript has no times); mode {d.mode}."
    )
    if d.notice:
        yield ""
        yield f"*Note: {text(d.notice)}*"
    if d.highlights:
        yield from (
            "",
            "## Highlights",
            "",
            *[text_cited(line) for line in d.highlights.split("\n")],
        )


def text_cited(line: str) -> str:
    """A line of cited prose (an LLM's or quotes') escaped, its `[n]` kept as citations."""
    bullet = line.startswith("- ")
    body = text(line[2:] if bullet else line)
    return ("- " if bullet else "") + re.sub(r"\\\[(\d+)\\\]", r"[\1]", body)


def _contents(d: Digest) -> Iterator[str]:
    yield from ("", "## Themes", "")
    for t in d.themes:
        yield f"{t.n}. [{text(t.name)}](#{anchor(t)}) — {plural(len(t.talks), 'talk')}"


def _theme(t: Theme, topic: bool) -> Iterator[str]:
    yield from ("", f"## {t.n}. {text(t.name)}", "")
    if t.terms:
        track = f" · official track: {text(t.track)}" if t.track else ""
        yield f"*{text(', '.join(t.terms))}*{track} · {plural(len(t.talks), 'talk')}"
        yield ""
    yield f"**What was said:** {text_cited(t.summary)}"
    if t.notice:
        yield f"*Note: {text(t.notice)}*"
    if topic:
        yield from _by_talk(t)
        return
    yield from ("", "**Quotes**", "", *[quote_line(q) for q in t.quotes])
    yield from ("", f"**Talks ({len(t.talks)})**", "", *[talk_line(k) for k in t.talks])


def _by_talk(t: Theme) -> Iterator[str]:
    """A topic's quotes under each talk that said them, talk by talk."""
    for talk in t.talks:
        yield from ("", f"### {talk_line(talk)[2:]}", "")
        yield from (quote_line(q) for q in t.quotes if q.talk_id == talk.talk_id)


def digest_markdown(d: Digest) -> str:
    """The whole digest as one Markdown document."""
    lines = [*_header(d)]
    if not d.topic:
        lines += _contents(d)
    for t in d.themes:
        lines += _theme(t, topic=d.topic is not None)
    return "\n".join(lines) + "\n"
