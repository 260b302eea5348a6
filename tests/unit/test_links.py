"""Links: YouTube ids from every url shape, deep links to a moment, talk ids."""

from __future__ import annotations

from pathlib import Path

import pytest
from talkrag.ingest.links import deep_link, talk_id_for, video_id_from_stem, web_url, youtube_id

VIDEO = "Ab3dE_fGh-1"


@pytest.mark.parametrize(
    "url",
    [
        f"https://www.youtube.com/watch?v={VIDEO}",
        f"https://youtube.com/watch?v={VIDEO}&t=2453s",
        f"https://m.youtube.com/watch?feature=share&v={VIDEO}",
        f"https://youtu.be/{VIDEO}",
        f"https://youtu.be/{VIDEO}?si=abc",
        f"https://www.youtube.com/embed/{VIDEO}",
        f"https://www.youtube.com/live/{VIDEO}?feature=shared",
        f"https://www.youtube.com/shorts/{VIDEO}",
        f"https://www.youtube-nocookie.com/embed/{VIDEO}",
        f"  https://www.youtube.com/watch?v={VIDEO}  ",
    ],
)
def test_youtube_id_from_every_url_shape(url):
    assert youtube_id(url) == VIDEO


@pytest.mark.parametrize(
    "url",
    [
        "",
        "not a url",
        "https://vimeo.com/12345678",
        "https://www.youtube.com/watch?v=short",
        "https://www.youtube.com/playlist?list=PLaXwSyee0z4zWO0JLgcwhnjKqNBNJhBXY",
        f"https://example.com/watch?v={VIDEO}",
        "http://[::1",  # urlsplit raises ValueError on this
    ],
)
def test_youtube_id_is_none_for_other_urls(url):
    assert youtube_id(url) is None


def test_deep_link_points_at_the_moment():
    url = f"https://youtu.be/{VIDEO}"
    assert deep_link(url, 83.9) == f"https://www.youtube.com/watch?v={VIDEO}&t=83s"
    assert deep_link(f"https://www.youtube.com/watch?v={VIDEO}&t=10s", 5) == (
        f"https://www.youtube.com/watch?v={VIDEO}&t=5s"
    )


@pytest.mark.parametrize(
    ("url", "start"),
    [
        (f"https://youtu.be/{VIDEO}", None),
        (f"https://youtu.be/{VIDEO}", float("nan")),
        ("https://podcast.example.com/episode/12.mp3", 30.0),
        (None, 30.0),
    ],
)
def test_deep_link_leaves_other_links_unchanged(url, start):
    assert deep_link(url, start) == url


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JavaScript:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "vbscript:msgbox(1)",
        "https://",
        "//evil.example/x",
    ],
)
def test_only_web_links_survive(url):
    assert web_url(url) is None
    assert deep_link(url, 12.0) is None


@pytest.mark.parametrize(
    ("name", "video_id", "expected"),
    [
        ("talks/Evaluating RAG (v2).md", None, "evaluating-rag-v2"),
        ("practical-ai-250.md", None, "practical-ai-250"),
        ("x.md", VIDEO, VIDEO),
        ("Ünïcode Talk.srt", None, "n-code-talk"),
    ],
)
def test_talk_id_for(name, video_id, expected):
    assert talk_id_for(Path(name), video_id) == expected


def test_talk_id_for_a_stem_with_nothing_usable_is_a_stable_hash():
    first = talk_id_for(Path("???.txt"), None)
    assert first.startswith("talk-")
    assert first == talk_id_for(Path("???.txt"), None)


@pytest.mark.parametrize(
    ("stem", "video_id"),
    [
        (VIDEO, VIDEO),
        (f"My Talk [{VIDEO}].en", VIDEO),
        ("transcripts", None),  # 11 lowercase letters: a word, not an id
        ("talk", None),
    ],
)
def test_video_id_from_stem(stem, video_id):
    assert video_id_from_stem(stem) == video_id
