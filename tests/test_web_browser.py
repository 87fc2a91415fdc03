"""The pages in a real browser (headless Chromium): quotes, links, the timeline, the query UI, offline.

Screenshots land in test-artifacts/. Chromium is never optional here: .ci/run installs it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import browser_harness
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait
from server_harness import LiveServer
from web_support import private_store

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`create_app` on waitress over a private copy of the article store."""
    with LiveServer(private_store(tmp_path_factory)) as live:
        yield live


@pytest.fixture(scope="module")
def browser(server):
    """One headless Chromium for the module; afterwards, no request may have left the host."""
    driver, profile = browser_harness.chromium()
    driver.get("about:blank")
    browser_harness.requested_urls(driver)  # forget the browser's own start-up pages
    yield driver
    try:
        host = urlsplit(server.url).netloc
        outside = [
            url
            for url in browser_harness.requested_urls(driver)
            if urlsplit(url).scheme in ("http", "https", "ws", "wss", "ftp") and urlsplit(url).netloc != host
        ]
        assert not outside, f"requests left the host: {outside}"
    finally:
        browser_harness.close(driver, profile)


def open_page(browser, server, path: str):
    """Load a page and check the console stayed clean (no CSP violation, no script error)."""
    browser.get(server.url + path)
    WebDriverWait(browser, 15).until(lambda d: d.execute_script("return document.readyState") == "complete")
    problems = [
        line
        for line in browser_harness.console(browser)
        if "Content Security Policy" in line or "Refused to" in line or line.startswith("SEVERE")
    ]
    assert not problems, problems


def test_entity_page_highlights_the_sentence_and_links_on(browser, server):
    open_page(browser, server, "/id/event/2023-05-russia-denounces-cfe")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Russia officially denounces the CFE (May 2023)"
    mark = browser.find_element(By.CSS_SELECTOR, "section.sources mark")
    assert mark.text == "officially denounced the CFE in May 2023"
    assert mark.value_of_css_property("background-color") != "rgba(0, 0, 0, 0)"  # the stylesheet loaded
    quote = browser.find_element(By.CSS_SELECTOR, "section.sources blockquote").text
    assert quote.startswith("Russia, after a full-scale invasion of Ukraine in 2022")
    browser_harness.screenshot(browser, "entity-event")
    browser.find_element(By.CSS_SELECTOR, "dl.facts a[href='/id/state/russia']").click()
    WebDriverWait(browser, 15).until(expected_conditions.url_to_be(server.url + "/id/state/russia"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Russia"
    assert browser.find_elements(By.CSS_SELECTOR, ".type.inferred")
    browser_harness.screenshot(browser, "entity-russia")


def test_timeline_shows_precision_and_links_events(browser, server):
    open_page(browser, server, "/timeline")
    bars = browser.find_elements(By.CSS_SELECTOR, "svg#axis rect.bar")
    by_precision = {bar.get_attribute("data-precision") for bar in bars}
    assert {"year", "day", "undated"} <= by_precision
    year = browser.find_element(By.CSS_SELECTOR, "svg#axis a[data-iri$='russia-invades-ukraine-2022'] rect")
    day = browser.find_element(By.CSS_SELECTOR, "svg#axis a[data-iri$='2023-05-russia-denounces-cfe'] rect")
    assert year.rect["width"] > 8 * day.rect["width"]  # a year-wide bar, a day's (drawn at its minimum)
    # The formal withdrawal, dated by the curated note, is drawn after the May 2023 denunciation.
    withdrawal = browser.find_element(
        By.CSS_SELECTOR, "svg#axis a[data-iri$='/russia-withdraws-from-cfe'] rect"
    )
    assert withdrawal.get_attribute("data-precision") == "day"
    assert withdrawal.get_attribute("data-earliest").startswith("2023-11-07")
    assert withdrawal.rect["x"] > day.rect["x"]
    assert browser.find_elements(By.CSS_SELECTOR, ".attributed")
    browser_harness.screenshot(browser, "timeline")
    link = browser.find_element(By.CSS_SELECTOR, "svg#axis a[data-iri$='/russia-withdraws-from-cfe']")
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", link)
    WebDriverWait(browser, 15).until(expected_conditions.url_contains("/id/event/russia-withdraws-from-cfe"))
    assert "formally withdraws" in browser.find_element(By.TAG_NAME, "h1").text
    page = browser.find_element(By.TAG_NAME, "body").text
    assert "When: 7 November 2023" in page
    marks = [mark.text for mark in browser.find_elements(By.CSS_SELECTOR, "section.sources mark")]
    dated = "Russia's withdrawal from the treaty took effect at midnight Moscow time on 7 November 2023"
    assert f"{dated}, after the denunciation" in marks
    browser_harness.screenshot(browser, "formal-withdrawal")


def test_ontology_page_documents_terms(browser, server):
    open_page(browser, server, "/ontology#Denunciation")
    section = browser.find_element(By.ID, "Denunciation")
    assert "formal notice" in section.text
    assert "treaty act" in section.text
    assert section.location_once_scrolled_into_view is not None
    browser_harness.screenshot(browser, "ontology-term", full_page=False)
    open_page(browser, server, "/ontology")
    browser_harness.screenshot(browser, "ontology")


def test_query_ui_runs_a_prepared_query(browser, server):
    open_page(browser, server, "/")
    browser_harness.screenshot(browser, "query-ui", full_page=False)
    browser.find_element(By.CSS_SELECTOR, "#prepared a[data-name='cq-treaties-left']").click()
    WebDriverWait(browser, 15).until(expected_conditions.presence_of_element_located((By.ID, "run-prepared")))
    browser.find_element(By.ID, "run-prepared").click()
    table = WebDriverWait(browser, 15).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "table.results-table"))
    )
    assert "Russia officially denounces the CFE (May 2023)" in table.text
    # Five for Russia on the article and the curated note (cq-treaties-left's expected header).
    assert len(table.find_elements(By.CSS_SELECTOR, "tbody tr")) == 5
    browser_harness.screenshot(browser, "query-prepared")


def test_query_ui_editor_runs_with_ctrl_enter(browser, server):
    open_page(browser, server, "/")
    editor = browser.find_element(By.ID, "query")
    editor.clear()
    editor.send_keys("SELECT ?s WHERE { ?s a <https://w3id.org/treatykg/ontology#Alliance> }")
    editor.send_keys(Keys.CONTROL, Keys.ENTER)  # the project's own script submits the form
    table = WebDriverWait(browser, 15).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "table.results-table"))
    )
    assert "NATO" in table.text
    open_page(browser, server, "/search?q=moldova")
    assert "Moldova" in browser.find_element(By.CSS_SELECTOR, "ol.results").text
