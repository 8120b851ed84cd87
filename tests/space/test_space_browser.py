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


# WCAG relative luminance and contrast of an element's text against the first opaque background behind it.
CONTRAST_JS = """
(el) => {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const parse = (c) => {  // any CSS colour (rgb, oklch, color(...)) -> [r, g, b, alpha 0-1], via the canvas
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = "rgba(0, 0, 0, 0)";
    ctx.fillStyle = c;
    ctx.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
    return [r, g, b, a / 255];
  };
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  let bg = null;
  for (let node = el; node && !bg; node = node.parentElement) {
    const c = parse(getComputedStyle(node).backgroundColor);
    if (c[3] > 0.9) bg = c;
  }
  bg = bg || [255, 255, 255];
  const fg = parse(getComputedStyle(el).color);
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}
"""


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_disclaimer_and_emergency_box_are_readable_in_both_themes(browser, app_url, artifacts_dir, theme):
    page = browser.new_page(viewport={"width": 1280, "height": 1000}, locale="fa-IR",
                            color_scheme="dark" if theme == "dark" else "light")
    page.set_default_timeout(30_000)
    page.goto(f"{app_url}?__theme={theme}")
    page.locator(".gk-disclaimer p").first.wait_for()
    assert page.evaluate("document.body.classList.contains('dark') || "
                         "document.documentElement.classList.contains('dark')") == (theme == "dark")
    for paragraph in page.locator(".gk-disclaimer p").all():
        assert paragraph.evaluate(CONTRAST_JS) >= 4.5
    box = page.locator(".gk-input textarea")
    box.fill("پدرم الان درد شدید قفسه سینه دارد")
    box.press("Enter")
    alert = page.locator(".gk-chat .gk-emergency").first
    alert.wait_for()
    for element in alert.locator("p, li, strong").all()[:6]:
        assert element.evaluate(CONTRAST_JS) >= 4.5, element.inner_text()
    page.screenshot(path=str(artifacts_dir / f"theme-{theme}.png"), full_page=True)
    page.close()


def test_interface_is_persian_first(browser, app_url):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="de-DE")  # neither Persian nor English
    page.set_default_timeout(30_000)
    page.goto(app_url)
    page.get_by_role("tab", name="جدول امتیازها").wait_for()
    assert page.get_by_role("tab", name="درباره").is_visible()
    page.get_by_role("tab", name="درباره").click()
    page.get_by_text("تور ایمنی اورژانس").first.wait_for()
    page.close()
    english = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-US")
    english.set_default_timeout(30_000)
    english.goto(app_url)
    english.get_by_role("tab", name="Leaderboard").wait_for()  # English is there for English browsers
    english.close()


def test_search_is_one_debounced_handler_that_keeps_sort_and_resets_on_clear(browser, app_url, artifacts_dir):
    page = browser.new_page(viewport={"width": 1280, "height": 1000}, locale="fa-IR")
    page.set_default_timeout(30_000)
    page.goto(app_url)
    page.get_by_role("tab", name="جدول امتیازها").click()
    table = page.locator("#leaderboard-table")
    table.get_by_text("Gaokerena").first.wait_for()
    shown = "(name) => document.querySelector('#leaderboard-table .virtual-body').innerText.includes(name)"
    search = page.get_by_label("جستجوی مدل")
    search.press_sequentially("aya", delay=40)  # every keystroke is a change; the table follows the last
    page.wait_for_function(f"() => !({shown})('Gaokerena') && ({shown})('aya-expanse')")
    search.fill("")  # clearing resets
    page.wait_for_function(f"() => ({shown})('Gaokerena') && ({shown})('aya-expanse')")
    search.fill("gaokerena")
    search.press("Enter")  # paste + Enter: no raw error
    page.wait_for_function(f"() => ({shown})('Gaokerena') && !({shown})('aya-expanse')")
    page.wait_for_timeout(500)
    assert page.locator(".toast-body.error, .toast-wrap .error").count() == 0
    assert "not in the list of choices" not in page.content()
    page.screenshot(path=str(artifacts_dir / "leaderboard-search.png"), full_page=True)
    page.close()


def test_mobile_first_screen_pinned_model_column_and_readable_chart(browser, app_url, artifacts_dir):
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="fa-IR", is_mobile=True,
                            has_touch=True, device_scale_factor=2)
    page.set_default_timeout(30_000)
    page.goto(app_url)
    box = page.locator(".gk-input textarea")
    box.wait_for()
    bounds = box.bounding_box()
    assert bounds and bounds["y"] + bounds["height"] <= 844, bounds  # the message box is on the first screen
    page.screenshot(path=str(artifacts_dir / "mobile-chat.png"))
    page.get_by_role("tab", name="جدول امتیازها").click()
    first_cell = page.locator("#leaderboard-table .virtual-row > .body-cell:first-child").first
    first_cell.wait_for()
    first_cell.scroll_into_view_if_needed()
    before = first_cell.bounding_box()
    page.evaluate("() => { for (const el of document.querySelectorAll('#leaderboard-table *')) {"
                  " if (el.scrollWidth > el.clientWidth + 20) el.scrollLeft = el.scrollWidth; } }")
    page.wait_for_timeout(300)
    after = first_cell.bounding_box()
    assert page.evaluate("() => [...document.querySelectorAll('#leaderboard-table *')]"
                         ".some((el) => el.scrollLeft > 100)")  # the table did scroll sideways
    assert after and abs(after["x"] - before["x"]) < 2 and after["x"] >= 0, (before, after)  # the model stays
    chart_text = page.locator("#leaderboard-chart svg text").first
    chart_text.scroll_into_view_if_needed()
    size = chart_text.evaluate("el => el.getBoundingClientRect().height")
    assert size >= 11, size  # px on screen
    page.screenshot(path=str(artifacts_dir / "mobile-leaderboard.png"), full_page=True)
    print(f"screenshots in {artifacts_dir}")
    page.close()
