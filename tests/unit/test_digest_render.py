"""The digest as Markdown and HTML: untrusted text shows as text, links only to http(s)."""

from __future__ import annotations

import re

from talkrag.rag.digest_html import digest_html
from talkrag.rag.digest_markdown import anchor, digest_markdown, text
from talkrag.rag.digest_quotes import what_was_said

from tests.unit.digest_parts import digest, quote, talk, theme

HOSTILE = '<img src=x onerror="alert(1)"> **bold** [click](javascript:alert(2)) `code` # h'


def _hostile_digest():
    q = quote(1, "a", HOSTILE, title="Markup <script>alert(3)</script>", speaker="Eve <b>B</b>")
    bad_link = quote(2, "b", "A plain sentence that is long enough.", url="javascript:alert(4)")
    cards = [
        talk("a", title="T <i>x</i>", speakers=["Eve <b>B</b>"]),
        talk("b", url="javascript:alert(5)"),
    ]
    return digest([theme(1, cards, [q, bad_link], name="Evals <u>now</u>")])


def test_markdown_escapes_every_transcript_string():
    md = digest_markdown(_hostile_digest())
    assert "<img" not in md
    assert "<script>" not in md
    assert "<b>" not in md
    assert "<u>" not in md
    assert '&lt;img src=x onerror="alert(1)"&gt;' in md
    assert "\\*\\*bold\\*\\*" in md
    assert "\\`code\\`" in md
    assert "javascript:" not in md.replace("\\[click\\](javascript:alert(2))", "")  # quoted text
    links = re.findall(r"(?<!\\)\]\((\S+?)\)", md)
    assert links
    assert all(u.startswith(("https://", "http://", "#")) for u in links)


def test_markdown_links_each_quote_at_its_moment_and_lists_talks():
    md = digest_markdown(digest([theme(1, [talk("a")], [quote(7, "a", "Evals come first.")])]))
    assert (
        "- “Evals come first.” — [\\[7\\] Talk a — Speaker a @ 1:15]"
        "(https://www.youtube.com/watch?v=a__________&t=75s)"
    ) in md
    assert "- [Talk a](https://www.youtube.com/watch?v=a__________) — Speaker a (Acme)" in md
    assert "**What was said:** “Evals come first.” [7]" in md
    assert "1. [Theme 1](#1-theme-1) — 1 talk" in md


def test_anchor_is_the_id_github_gives_the_heading():
    assert anchor(theme(2, [], [], name="Agents, tools and MCP")) == "2-agents-tools-and-mcp"
    assert text("a\nb  [c]") == "a b \\[c\\]"


def test_html_escapes_text_and_links_only_http():
    page = digest_html(_hostile_digest())
    body = page.split("<body>", 1)[1]
    assert "<script" not in body
    assert "<img" not in body
    assert "<b>" not in body
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in body
    assert "javascript:" not in body.replace("[click](javascript:alert(2))", "")
    hrefs = re.findall(r'href="([^"]*)"', body)
    assert all(h.startswith(("https://", "#")) for h in hrefs)
    assert all('rel="noopener noreferrer"' in a for a in re.findall(r"<a [^>]*https[^>]*>", body))
    assert '<a class="ref" href="#q-1">[1]</a>' in body
    assert "<style>" in page
    assert "<link" not in page
    served = digest_html(_hostile_digest(), stylesheet="/digest.css")
    assert '<link rel="stylesheet" href="/digest.css">' in served
    assert "<style>" not in served


def test_what_was_said_is_made_only_of_quotes():
    quotes = [
        quote(1, "a", "Evals are the new unit tests for agents."),
        quote(2, "b", " ".join(["word"] * 40)),  # too long for one line
        quote(3, "c", "Judges need their own evals."),
    ]
    line = what_was_said(quotes)
    want = "“Evals are the new unit tests for agents.” [1] … “Judges need their own evals.” [3]"
    assert line == want
    for piece in re.findall(r"“(.*?)”", line):
        assert any(piece == q.quote for q in quotes)
    assert what_was_said(quotes[1:2]).startswith("“word word")  # the shortest, if none is short
    assert what_was_said([]) == ""
