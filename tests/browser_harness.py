"""Headless Chromium for the UI tests: Debian's chromium and chromium-driver, driven by selenium, offline."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
INSTALL_HINT = "apt-get install chromium chromium-driver (see .ci/run)"
# No network of its own: no updates, sync, field trials or QUIC probes that could leave the host.
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--metrics-recording-only",
    "--no-default-browser-check",
    "--disable-features=Translate,OptimizationHints,MediaRouter",
    "--window-size=1280,900",
)


def chromium() -> tuple[webdriver.Chrome, Path]:
    """A fresh headless Chromium (own profile folder) logging the browser console and every network event."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).exists():
            raise RuntimeError(f"{path} is missing: {INSTALL_HINT}")
    profile = Path(tempfile.mkdtemp(prefix="treatykg-chromium-"))
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    return driver, profile


def close(driver: webdriver.Chrome, profile: Path) -> None:
    """Quit the browser and remove its profile."""
    try:
        driver.quit()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def requested_urls(driver: webdriver.Chrome) -> list[str]:
    """Every URL the browser sent a request for since the last call (DevTools Network events)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def console(driver: webdriver.Chrome) -> list[str]:
    """The browser console's messages since the last call (CSP violations are reported there)."""
    return [f"{entry['level']} {entry['message']}" for entry in driver.get_log("browser")]


def screenshot(driver: webdriver.Chrome, name: str, full_page: bool = True) -> Path:
    """Save a PNG of the page in test-artifacts/ (git-ignored); the whole page height when `full_page`."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    if full_page:
        height = driver.execute_script("return Math.min(document.documentElement.scrollHeight, 6000)")
        driver.set_window_size(1280, max(height, 600))
    driver.save_screenshot(str(path))
    driver.set_window_size(1280, 900)
    return path
