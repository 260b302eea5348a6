"""GET /digest in a real Chromium against a real `talkrag serve`, and GET /v1/digest: hostile
transcript markup shows as text, links open moments, nothing runs or loads from elsewhere."""

from __future__ import annotations

import pytest

from tests.integration.api.test_browser import TIMEOUT_MS, browser  # noqa: F401  (fixture)

HOSTILE_TITLE = 'Markup in Captions <img src=x onerror="window.__pwned=1">'


@pytest.mark.slow
def test_v1_digest_is_themes_then_talks_then_quotes(api):
    got = api.get("/v1/digest", params={"themes": 3})
    assert got.status_code == 200, got.text
    body = got.json()
    assert [t["n"] for t in body["themes"]] == [1, 2, 3]
    titles = {k["title"] for t in body["themes"] for k in t["talks"]}
    assert HOSTILE_TITLE in titles  # stored as given, escaped where shown
    for theme in body["themes"]:
        for q in theme["quotes"]:
            assert q["quote"] in q["text"]
            assert q["url"] is None or q["url"].startswith("https://")
    assert api.get("/v1/digest", params={"themes": 3}).json() == body  # kept, the same


@pytest.mark.slow
@pytest.mark.parametrize(
    ("params", "message"),
    [({"since": "June"}, "since"), ({"event": "no such event"}, "no talk matches")],
)
def test_bad_digest_requests_get_422_naming_the_problem(api, params, message):
    got = api.get("/digest", params=params)
    assert got.status_code == 422
    assert message in got.json()["error"]["message"]


@pytest.mark.slow
@pytest.mark.browser
def test_the_digest_page_shows_markup_as_text_and_links_moments(browser, url: str, api):  # noqa: F811
    context = browser.new_context()
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.set_default_timeout(TIMEOUT_MS)
    response = page.goto(url + "/digest?themes=3")
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.locator("section.theme").count() == 3
    assert page.evaluate("document.body.textContent").count(HOSTILE_TITLE) >= 1
    assert page.locator("main script, main img, main b, main iframe").count() == 0
    assert page.evaluate("window.__pwned") is None
    chips = page.locator("a.chip")
    hrefs = chips.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert any("youtube.com/watch?v=tRg8EvAlP1p" in h and "t=" in h for h in hrefs), hrefs
    assert all(h.startswith("https://") for h in hrefs)
    rels = chips.evaluate_all("els => els.map(e => e.getAttribute('rel'))")
    assert set(rels) == {"noopener noreferrer"}
    every = page.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert not any(h.lower().startswith("javascript:") for h in every)
    marked = page.locator("blockquote").all_inner_texts()
    quotes = [
        q["quote"]
        for t in api.get("/v1/digest", params={"themes": 3}).json()["themes"]
        for q in t["quotes"]
    ]
    assert marked == quotes  # each quote shown exactly as the JSON gives it
    assert page.evaluate("getComputedStyle(document.querySelector('.chip')).borderRadius") != "0px"
    assert all(r.startswith(url) for r in requests)  # the style is ours; nothing from elsewhere
    for _ in range(8):  # the theme links and chips are reachable with Tab alone
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "A":
            break
    else:
        pytest.fail("no link took the keyboard focus")
    context.close()
