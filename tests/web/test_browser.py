"""The reader's pages in a real browser: Debian's chromium, driven by Playwright.

The application runs under uvicorn on a free loopback port in a background thread, over the
same archive as test_pages.py. The run writes docs/screenshots/{home,search,record}.png,
which the README shows.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from fonds.archive import Archive
from fonds.web import create_app
from tests.web.test_pages import BASE, build_archive

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

if not CHROMIUM.exists():  # pragma: no cover - CI installs it
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    archive = build_archive(tmp_path_factory.mktemp("browser"), hostile=False)
    yield archive
    archive.close()


@pytest.fixture(scope="module")
def base_url(archive: Archive) -> Iterator[str]:
    """The application served by uvicorn on 127.0.0.1 and a free port, stopped afterwards."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_app(archive), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Browser, base_url: str) -> Iterator[BrowserContext]:
    context = browser.new_context(
        base_url=base_url,
        viewport={"width": 1280, "height": 900},
        permissions=["clipboard-read", "clipboard-write"],
    )
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page
    assert errors == [], errors


def test_search_facet_record_citation_and_copy(page: Page) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto("/")
    expect(page.locator("h1")).to_have_text("Wilson Center Digital Archive")
    page.screenshot(path=str(SCREENSHOTS / "home.png"))

    page.get_by_label("Search").first.fill("Chervonenko")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=Chervonenko")
    expect(page.locator("#results-h")).to_contain_text("found")
    expect(page.locator(".snippet mark").first).to_be_visible()

    people = page.locator("section.facet", has=page.locator("h3", has_text="Person"))
    people.get_by_role("link", name="S. V. Chervonenko").click()
    page.wait_for_url("**person=*")
    expect(page.locator("a.chip")).to_contain_text("Person: S. V. Chervonenko")
    expect(page.locator("li.hit")).to_have_count(2)
    page.screenshot(path=str(SCREENSHOTS / "search.png"))

    page.locator("li.hit a", has_text="From the Journal of S. V. Chervonenko").click()
    page.wait_for_url("**/document/116976")
    expect(page.locator("h1")).to_contain_text("Record of Conversation with Mao Zedong")
    page.screenshot(path=str(SCREENSHOTS / "record.png"))

    # With JavaScript, "Get citation" opens a modal dialog; the copy button copies.
    page.get_by_role("button", name="Get citation").click()
    dialog = page.locator("dialog#cite-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("figcaption")).to_have_text(["Archive", "Chicago", "APA", "MLA"])
    expect(dialog.locator("#cite-chicago")).to_contain_text("Chervonenko")
    copy = dialog.locator('button[data-copy="#cite-house"]')
    copy.click()
    expect(copy).to_have_attribute("data-state", "copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith('"From the Journal of S. V. Chervonenko, Record of Conversation')
    assert copied.endswith(f"Translated for CWIHP by Maxim Korobochkin. {BASE}/document/116976")
    expect(dialog.get_by_role("link", name="BibTeX")).to_have_attribute(
        "href", "/document/116976/cite.bib"
    )
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="Get citation")).to_be_focused()


def test_citation_works_without_javascript(browser: Browser, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/document/116976")
    page.locator("#cite > summary").click()
    expect(page.locator("#cite-chicago")).to_be_visible()
    expect(page.locator("#cite .copy").first).to_be_hidden()  # nothing to press without JS
    context.close()


def test_pdf_viewer_and_side_by_side(page: Page) -> None:
    page.goto("/document/parallel-1")
    viewer = page.locator('object.pdf-viewer[type="application/pdf"]')
    expect(viewer).to_have_count(1)
    assert (viewer.get_attribute("data") or "").startswith("/files/")
    expect(page.get_by_role("link", name="Open in a new window").last).to_be_visible()
    expect(page.get_by_role("link", name="Download parade.pdf")).to_be_visible()

    panes = page.locator(".panes")
    assert _columns(panes) == 1
    page.get_by_text("Show translation and original side by side").click()
    assert _columns(panes) == 2
    translation, original = page.locator(".pane").all()
    assert translation.bounding_box()["y"] == original.bounding_box()["y"]  # type: ignore[index]
    assert page.url.endswith("?view=parallel")
    response = page.request.get(viewer.get_attribute("data") or "")
    assert response.headers["content-type"] == "application/pdf"


def _columns(panes: object) -> int:
    template: str = panes.evaluate("e => getComputedStyle(e).gridTemplateColumns")  # type: ignore[attr-defined]
    return len(template.split())


def test_keyboard_reaches_skip_link_and_search_box(page: Page) -> None:
    page.goto("/document/116976")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["y"] >= 0  # type: ignore[index]  # shown when focused
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    page.goto("/document/116976")
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "site-q":
            break
    expect(page.locator("#site-q")).to_be_focused()
    page.keyboard.type("Mao")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=Mao")
    outline = page.evaluate(
        "() => { const a = document.querySelector('.hit a'); a.focus(); "
        "return getComputedStyle(a).outlineStyle; }"
    )
    assert outline == "solid"


@pytest.mark.parametrize("path", ["/", "/search?q=Mao", "/document/116976", "/document/parallel-1"])
def test_pages_fit_a_phone(browser: Browser, base_url: str, path: str) -> None:
    context = browser.new_context(base_url=base_url, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()
