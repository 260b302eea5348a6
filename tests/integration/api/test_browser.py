"""The web page in a real browser: Playwright driving Debian's Chromium against a real server."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 120_000  # a shared 2-core machine: the answer may take a while


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed: apt-get install -y chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, url: str):
    context = browser.new_context()
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url + "/")
    page.requests = requests
    yield page
    context.close()


def _ask(page, question: str) -> None:
    page.fill("#question", question)
    page.keyboard.press("Enter")  # the keyboard alone asks
    page.wait_for_selector(".turn .sources li")


def test_asking_streams_an_answer_with_cited_chips(page, url: str):
    page.wait_for_selector("#speaker option:nth-child(3)", state="attached")  # speakers loaded
    _ask(page, "Why did sharding by document id make queries slow?")
    answer = page.inner_text(".turn .answer")
    assert "[1]" in answer
    chip = page.locator(".turn .sources .chip").first
    text = chip.inner_text()
    assert "Sharding a Vector Database" in text
    assert any(ch.isdigit() for ch in text.split()[-1])  # mm:ss
    assert not chip.locator(".at").inner_text().startswith("~")  # caption cues: read times
    assert all(r.startswith(url) for r in page.requests)  # nothing fetched from elsewhere
    assert page.locator("#key-row").is_hidden()  # no key needed: its row stays out of sight


def test_speaker_filter_and_follow_up(page):
    page.wait_for_selector("#speaker option:nth-child(3)", state="attached")
    page.select_option("#speaker", label="Marcus Hale")
    _ask(page, "What happens to tools that write or delete data?")
    speakers = page.locator(".turn .sources .chip .who").all_inner_texts()
    assert speakers
    assert all("Marcus Hale" in s for s in speakers)


def test_chips_open_the_video_at_the_moment(page):
    _ask(page, "What is the first trap when people evaluate retrieval?")
    links = page.locator(".turn .sources a.chip")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert any("youtube.com/watch?v=tRg8EvAlP1p" in h and "t=" in h for h in hrefs), hrefs
    assert all(
        links.nth(i).get_attribute("rel") == "noopener noreferrer" for i in range(len(hrefs))
    )
    for _ in range(12):  # the chips are reachable with Tab alone
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('chip')"):
            break
    else:
        pytest.fail("no citation chip took the keyboard focus")


def test_transcript_markup_shows_as_text_and_runs_nothing(page):
    _ask(page, "What does cross-site scripting in caption files look like?")
    turn = page.locator(".turn").first
    shown = turn.inner_text()
    assert "<script>window.__pwned=4</script>" in shown
    assert '<img src=x onerror="window.__pwned=5">' in shown
    assert "Markup in Captions <img" in shown  # the title, in a chip, as text
    assert page.evaluate("window.__pwned") is None
    assert turn.locator("script, img, b").count() == 0
    hrefs = turn.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert not any(h.lower().startswith("javascript:") for h in hrefs)


def test_the_quote_is_marked_inside_its_passage_once_per_chunk(page, api):
    question = "Why did sharding by document id make queries slow?"
    _ask(page, question)
    cited = api.post("/v1/ask", json={"question": question}).json()
    quotes = [c["quote"] for c in cited["citations"] if c["quote"]]
    marked = page.locator(".turn").first.locator(".passage mark").all_inner_texts()
    assert sorted(marked) == sorted(quotes)  # each quote highlighted, exactly as quoted
    chunks = {c["chunk_id"] for c in cited["citations"]}
    assert page.locator(".turn").first.locator(".passage").count() == len(chunks)
    assert page.locator(".turn").first.locator(".passage mark *").count() == 0  # text only


def test_an_estimated_moment_shows_its_tilde_and_opens_the_video_there(page, api):
    question = "How much faster did writing incident summaries get?"
    _ask(page, question)
    cited = api.post("/v1/ask", json={"question": question}).json()["citations"]
    assert cited
    assert all(c["time_estimated"] for c in cited)
    chips = page.locator(".turn").first.locator(".sources a.chip")
    shown = chips.locator(".at").all_inner_texts()
    assert sorted(shown) == sorted(f"~{c['at']}" for c in cited)  # chips group by passage
    assert chips.locator(".at.estimated").count() == len(cited)
    hrefs = [chips.nth(i).get_attribute("href") for i in range(chips.count())]
    video = "https://www.youtube.com/watch?v=Qm4nR8sTt2w"
    assert sorted(hrefs) == sorted(f"{video}&t={int(c['start'])}s" for c in cited)
