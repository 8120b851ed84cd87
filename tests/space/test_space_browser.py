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
    pytest.mark.slow,  # a headless Chromium against the live Space: ~100 s on 2 cores, CI's slow step runs it
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
    # The bot's paragraphs get the same treatment (direction from their own first strong letter). While the reply
    # streams, Gradio replaces the last paragraph's node, and a node read just as it is swapped out has no computed
    # style: wait (up to the page timeout) until every paragraph on the page is rendered with it, then assert.
    page.wait_for_function(
        "() => { const ps = [...document.querySelectorAll('.gk-chat .message p')];"
        " return ps.length > 0 && ps.every(el => el.getAttribute('dir') === 'auto'"
        " && getComputedStyle(el).unicodeBidi === 'plaintext'); }"
    )
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
    assert table.get_by_text("میانگین MMLU-fa (generate)").first.is_visible()  # the table speaks Persian too
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


# ------------------------------------------------------------------------------- the warning stays in view

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
REPLY_DONE_JS = (  # the reply has ended: the Stop button is gone and nothing is pending
    "() => document.querySelectorAll('.gk-chat .message').length >= 2"
    " && !document.querySelector('.gk-input .stop-button') && !document.querySelector('.gk-chat .pending')"
)


def in_viewport(box, height: float) -> bool:
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_the_emergency_notice_stays_in_view_while_the_reply_streams(browser, app_url, artifacts_dir, device, theme,
                                                                    monkeypatch):
    from space import inference

    # No end-of-turn stop: the reply runs to its full length, long enough to scroll the conversation.
    monkeypatch.setattr(inference.get_model().generation_config, "eos_token_id", None)
    options = PHONE if device == "phone" else DESKTOP
    height = options["viewport"]["height"]
    context = browser.new_context(locale="fa-IR", color_scheme=theme, **options)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{app_url}?__theme={theme}")
    box = page.locator(".gk-input textarea")
    box.wait_for()
    composer = box.bounding_box()
    assert in_viewport(composer, height), composer  # the message box is above the fold on first load
    line = page.locator(".gk-emergency-line")
    line_box = line.bounding_box()
    assert in_viewport(line_box, height) and line_box["y"] + line_box["height"] <= composer["y"] + 1, line_box
    for number in ("۱۱۵", "۱۲۳", "۱۴۸۰", "115", "123", "1480"):
        assert number in line.inner_text()
    for text in line.locator("span[lang]").all():
        assert text.evaluate(CONTRAST_JS) >= 4.5

    box.fill("پدرم الان درد شدید قفسه سینه دارد و عرق سرد کرده، چطور کمکش کنم؟")
    box.press("Enter")
    notice = page.locator(".gk-pinned-notice .gk-emergency").first
    notice.wait_for()
    page.wait_for_timeout(400)  # streaming has begun
    page.wait_for_function(REPLY_DONE_JS)
    page.wait_for_timeout(300)
    heading = notice.locator("strong, h1, h2, h3, p").first
    heading_box = heading.bounding_box()
    page.screenshot(path=str(artifacts_dir / f"notice-{device}-{theme}.png"))
    assert in_viewport(heading_box, height), (heading_box, height)
    assert heading.evaluate(CONTRAST_JS) >= 4.5
    assert in_viewport(page.locator(".gk-emergency-line").bounding_box(), height)  # the line stays too
    assert in_viewport(page.locator(".gk-input textarea").bounding_box(), height)
    context.close()


def test_clearing_the_chat_clears_the_pinned_notice(browser, app_url):
    page = browser.new_page(locale="fa-IR", **DESKTOP)
    page.set_default_timeout(30_000)
    page.goto(app_url)
    box = page.locator(".gk-input textarea")
    box.fill("پدرم الان درد شدید قفسه سینه دارد")
    box.press("Enter")
    page.locator(".gk-pinned-notice .gk-emergency").first.wait_for()
    page.wait_for_function(REPLY_DONE_JS)
    box.fill("تفاوت دیابت نوع ۱ و نوع ۲ چیست؟")  # a follow-up without red flags keeps the notice
    box.press("Enter")
    page.wait_for_timeout(500)
    page.wait_for_function(REPLY_DONE_JS)
    assert page.locator(".gk-pinned-notice .gk-emergency").first.is_visible()
    page.locator(".gk-chat").get_by_role("button", name="پاک کردن گفتگو").click()  # Gradio's Clear, in Persian
    page.locator(".gk-pinned-notice .gk-emergency").first.wait_for(state="hidden")
    page.close()


# ------------------------------------------------------------------------------- the language switch


def labels_in(page, lang: str) -> None:
    """Tabs, the Chatbot label, the table's headers and the status line, all in ``lang``."""
    want = {"fa": ("گفتگو", "جدول امتیازها", "درباره", "گفتگو با گائوکرنا", "مدل", "پرونده نتیجه"),
            "en": ("Chat", "Leaderboard", "About", "Chat with Gaokerena", "Model", "result files from")}[lang]
    chat, board, about_tab, chatbot_label, model_header, status = want
    page.get_by_role("tab", name=chat, exact=True).wait_for()
    page.get_by_role("tab", name=about_tab, exact=True).wait_for()
    page.locator(".gk-chat").get_by_text(chatbot_label, exact=True).first.wait_for()
    page.get_by_role("tab", name=board, exact=True).click()
    table = page.locator("#leaderboard-table")
    table.get_by_text("Gaokerena").first.wait_for()
    table.get_by_text(model_header, exact=True).first.wait_for()
    page.locator("#leaderboard-status").get_by_text(status).first.wait_for()
    page.get_by_role("tab", name=chat, exact=True).click()


def test_switching_the_language_relabels_everything_and_survives_a_reload(browser, app_url, artifacts_dir):
    context = browser.new_context(locale="de-DE", **DESKTOP)  # neither Persian nor English: Persian first
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(app_url)
    labels_in(page, "fa")
    page.locator("#gk-language").get_by_text("English", exact=True).click()
    labels_in(page, "en")
    page.screenshot(path=str(artifacts_dir / "language-en.png"))
    page.reload()
    labels_in(page, "en")  # the choice is kept in the browser
    page.locator("#gk-language").get_by_text("فارسی", exact=True).click()
    labels_in(page, "fa")
    page.reload()
    labels_in(page, "fa")
    page.goto(f"{app_url}?lang=en")  # a link can ask for a language
    labels_in(page, "en")
    context.close()
