"""A real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) against the app on loopback.

Screenshots are written to $TEST_ARTIFACTS_DIR, or else ``<pytest basetemp>/artifacts`` (printed at the end of
the test; ``pytest --basetemp=DIR`` makes that location fixed).
"""

from __future__ import annotations

from pathlib import Path

import pytest


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent (apt-get install chromium; `make test` does that)"
    ),
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def test_persian_chat_streams_right_to_left_and_leaderboard_renders(browser, app_url, artifacts_dir):
    page = browser.new_page(viewport={"width": 1280, "height": 1000}, locale="fa-IR")
    page.set_default_timeout(30_000)
    page.goto(app_url)
    page.get_by_text("Gaokerena is a research language model").wait_for()  # the English disclaimer
    assert page.get_by_text("جایگزین پزشک نیست").first.is_visible()  # the Persian one

    box = page.locator(".gk-input textarea")
    box.fill("سلام، سرفه خشک دارم. چه کنم؟\n\nI also have a mild fever.\n\n```\ntemp = 38.2\n```")
    box.press("Enter")
    bot = page.locator(".gk-chat .message.bot, .gk-chat [data-testid='bot']").last
    bot.wait_for()
    # Streaming: the text grows while the reply is generated, and the stop button disappears at the end.
    page.wait_for_function(
        "() => { const m = [...document.querySelectorAll('.gk-chat .message')].pop();"
        " return m && m.innerText.trim().length > 0; }"
    )
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts_dir / "chat-streaming.png"), full_page=True)

    user_paragraph = page.locator(".gk-chat .message p", has_text="سرفه خشک").first
    user_paragraph.wait_for()
    assert user_paragraph.get_attribute("dir") == "auto"
    assert user_paragraph.evaluate("el => getComputedStyle(el).direction") == "rtl"
    assert user_paragraph.evaluate("el => getComputedStyle(el).unicodeBidi") == "plaintext"
    english = page.locator(".gk-chat .message p", has_text="mild fever").first
    assert english.evaluate("el => getComputedStyle(el).direction") == "ltr"
    code = page.locator(".gk-chat .message pre").first
    assert code.evaluate("el => getComputedStyle(el).direction") == "ltr"
    # The bot's paragraphs get the same treatment (direction from their own first strong letter).
    bot_dirs = page.eval_on_selector_all(
        ".gk-chat .message p", "els => els.map(el => [el.getAttribute('dir'), getComputedStyle(el).unicodeBidi])"
    )
    assert bot_dirs and all(d == ["auto", "plaintext"] for d in bot_dirs), bot_dirs
    # A Persian paragraph is laid out from the right: its text ends flush with the right edge.
    right_aligned = user_paragraph.evaluate(
        "el => { const r = document.createRange(); r.selectNodeContents(el);"
        " const t = r.getBoundingClientRect(), b = el.getBoundingClientRect();"
        " return Math.abs(b.right - t.right) < 4; }"
    )
    assert right_aligned

    page.get_by_role("tab", name="جدول امتیازها").click()  # the Persian interface
    table = page.locator("#leaderboard-table")
    table.get_by_text("Gaokerena").first.wait_for()
    assert table.get_by_text("MMLU-fa avg (generate)").first.is_visible()
    assert page.locator("#leaderboard-chart .lb-errorbar").count() >= 2
    page.screenshot(path=str(artifacts_dir / "leaderboard.png"), full_page=True)
    print(f"screenshots in {artifacts_dir}")
    page.close()


def test_an_empty_enter_does_not_lock_the_chat(browser, app_url):
    """Gradio 6.31's ChatInterface disables its textbox after a gr.Error; the handler never raises one."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000}, locale="fa-IR")
    page.set_default_timeout(30_000)
    page.goto(app_url)
    box = page.locator(".gk-input textarea")
    box.wait_for()
    box.fill("   ")
    box.press("Enter")
    page.wait_for_timeout(500)  # whatever the empty submit does, it has done it by now
    box.fill("سلام، برای سرماخوردگی چه کنم؟")
    assert box.is_enabled()
    box.press("Enter")
    page.locator(".gk-chat .message p", has_text="سرماخوردگی").first.wait_for()
    page.wait_for_function(
        "() => { const m = [...document.querySelectorAll('.gk-chat .message')].pop();"
        " return m && !m.innerText.includes('سرماخوردگی') && m.innerText.trim().length > 0; }"
    )
    assert page.locator(".toast-body.error, .toast-wrap .error").count() == 0
    page.wait_for_function("() => !document.querySelector('.gk-input textarea').disabled")
    page.close()
