"""The digest as one HTML page, by the page's rules: every transcript-derived string escaped
as text, links only to http(s) addresses (rel noopener), no script at all."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import escape

from talkrag.ingest.links import web_url
from talkrag.rag.digest_models import Digest, DigestTalk, Theme, plural
from talkrag.rag.models import Citation
from talkrag.rag.present import UNKNOWN_SPEAKER, shown_moment

STYLE = """\
:root { --ink: #1d2330; --muted: #5a6275; --line: #d8dce6; --accent: #2456c9; --bg: #fafbfd; }
body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: var(--ink); background: var(--bg); }
header, main { max-width: 52rem; margin: 0 auto; padding: 1rem 1.25rem; }
header p, .terms, .who, .at { color: var(--muted); }
.theme { border-top: 1px solid var(--line); padding: 0.5rem 0; }
.quotes { list-style: none; padding: 0; }
.quotes li { margin: 0.6rem 0; }
blockquote { margin: 0 0 0.2rem; padding-left: 0.8rem; border-left: 3px solid var(--accent); }
.chip { display: inline-flex; gap: 0.4rem; flex-wrap: wrap; padding: 0.1rem 0.6rem;
  border: 1px solid var(--line); border-radius: 999px; background: #fff; color: var(--ink);
  text-decoration: none; }
.chip .n { font-weight: 700; color: var(--accent); }
.notice { color: #9a3b00; }
:focus-visible { outline: 3px solid #f0a500; outline-offset: 2px; }
"""
_CITED = re.compile(r"\[(\d+)\]")


def _link(inner: str, url: str | None, cls: str = "") -> str:
    """An <a> to an http(s) url around markup already escaped; a <span> when there is none."""
    safe = web_url(url)
    klass = f' class="{cls}"' if cls else ""
    if safe is None:
        return f"<span{klass}>{inner}</span>"
    return f'<a{klass} href="{escape(safe)}" target="_blank" rel="noopener noreferrer">{inner}</a>'


def cited(value: str) -> str:
    """Cited prose escaped, each `[n]` a link to quote n on the page."""
    return _CITED.sub(r'<a class="ref" href="#q-\1">[\1]</a>', escape(value))


def chip(c: Citation) -> str:
    """The source chip: [n], talk, speaker and moment, opening the video there."""
    parts = [
        f'<span class="n">[{c.n}]</span>',
        f'<span class="talk">{escape(c.title)}</span>',
        f'<span class="who">{escape(c.speaker or UNKNOWN_SPEAKER)}</span>',
    ]
    shown = shown_moment(c.start, c.time_estimated)
    if shown:
        parts.append(f'<span class="at">{escape(shown)}</span>')
    return _link("".join(parts), c.url, "chip")


def _quote(c: Citation) -> str:
    return f'<li id="q-{c.n}"><blockquote>{escape(c.quote or c.text)}</blockquote>{chip(c)}</li>'


def _talk(t: DigestTalk) -> str:
    """The talk's title (linked), speakers and companies."""
    who = escape(", ".join(t.speakers) or UNKNOWN_SPEAKER)
    firms = f" ({escape(', '.join(t.companies))})" if t.companies else ""
    return f'{_link(escape(t.title), t.url)} — <span class="who">{who}</span>{firms}'


def _theme(t: Theme, topic: bool) -> Iterator[str]:
    yield f'<section class="theme" id="theme-{t.n}" aria-labelledby="theme-{t.n}-name">'
    yield f'<h2 id="theme-{t.n}-name">{t.n}. {escape(t.name)}</h2>'
    if t.terms:
        track = f" · official track: {escape(t.track)}" if t.track else ""
        talks = plural(len(t.talks), "talk")
        yield f'<p class="terms">{escape(", ".join(t.terms))}{track} · {talks}</p>'
    yield f'<p class="said"><strong>What was said:</strong> {cited(t.summary)}</p>'
    if t.notice:
        yield f'<p class="notice">{escape(t.notice)}</p>'
    if topic:
        for talk in t.talks:
            yield f"<h3>{_talk(talk)}</h3>"
            quotes = [_quote(q) for q in t.quotes if q.talk_id == talk.talk_id]
            yield f'<ol class="quotes">{"".join(quotes)}</ol>'
    else:
        yield f'<ol class="quotes">{"".join(_quote(q) for q in t.quotes)}</ol>'
        yield f"<details><summary>{plural(len(t.talks), 'talk')}</summary><ul class='talks'>"
        yield "".join(f"<li>{_talk(k)}</li>" for k in t.talks) + "</ul></details>"
    yield "</section>"


def _body(d: Digest) -> Iterator[str]:
    yield f"<header><h1>{escape(d.title)}</h1>"
    about = f"about “{escape(d.topic)}”" if d.topic else plural(len(d.themes), "theme")
    yield f"<p>{d.talks} talks, {d.chunks:,} passages ({escape(d.scope)}), {about}; "
    yield "every quote verbatim, with its talk and speaker, linked at its moment (~: estimated "
    yield "from the talk's length where the transcript has no times); "
    yield f"mode {escape(d.mode)}.</p></header><main>"
    if d.notice:
        yield f'<p class="notice">{escape(d.notice)}</p>'
    if not d.topic:
        items = "".join(
            f'<li><a href="#theme-{t.n}">{escape(t.name)}</a> ({plural(len(t.talks), "talk")})</li>'
            for t in d.themes
        )
        yield f'<nav aria-label="Themes"><ol>{items}</ol></nav>'
    if d.highlights:
        lines = [line.removeprefix("- ") for line in d.highlights.split("\n") if line.strip()]
        items = "".join(f"<li>{cited(line)}</li>" for line in lines)
        yield f'<section id="highlights"><h2>Highlights</h2><ul>{items}</ul></section>'
    for t in d.themes:
        yield from _theme(t, topic=d.topic is not None)
    yield "</main>"


def digest_html(d: Digest, stylesheet: str | None = None) -> str:
    """The page: with stylesheet, a link to it (a server's CSP runs no inline style); without,
    the style inline (a file read offline)."""
    style = (
        f'<link rel="stylesheet" href="{escape(stylesheet)}">'
        if stylesheet
        else f"<style>{STYLE}</style>"
    )
    head = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(d.title)}</title>{style}</head><body>"
    )
    return head + "\n".join(_body(d)) + "</body></html>\n"
