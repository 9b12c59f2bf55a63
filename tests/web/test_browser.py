"""The console in real headless Chromium (Debian's chromium + chromium-driver, Selenium):
log in, open an order, approve a refund, see the timeline change. Screenshots go to
artifacts/browser/ (ignored by git; $COMMERCE_TEST_ARTIFACTS overrides)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from commerce.orders.engine import Engine

from .helpers import ROOT, TOKEN, Server, event, make_db, signed

CHROMIUM = "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ARTIFACTS = Path(os.environ.get("COMMERCE_TEST_ARTIFACTS", ROOT / "artifacts")) / "browser"

pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(DRIVER).exists()),
    reason="needs Debian's chromium and chromium-driver (conformance.sh installs them)",
)


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,1000",
        f"--user-data-dir={profile}",
    ):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.set_page_load_timeout(60)
    driver.implicitly_wait(15)  # a loaded machine renders late: look again until then
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def follow(driver, element) -> None:
    """Click what leads to another page and wait until that page has replaced this one."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    old = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 30).until(expected_conditions.staleness_of(old))


def shot(driver, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    print(f"screenshot: {path}")
    return path


def test_log_in_open_an_order_approve_a_refund_and_see_the_timeline_move(tmp_path, browser):
    from selenium.webdriver.common.by import By

    db, totals = make_db(tmp_path, n=3)
    e = Engine.open(db)
    e.close()
    with Server(db) as srv:
        import urllib.request

        body = event("evt_1", "o-1", totals["o-1"])
        req = urllib.request.Request(srv.url + "/webhooks/payments", body, signed(body))
        assert urllib.request.urlopen(req, timeout=30).status == 200
        e = Engine.open(db)
        e.refunds.request("o-1", "r-1", 100)
        e.close()

        browser.get(srv.url + "/")
        assert "/login" in browser.current_url
        browser.find_element(By.ID, "token").send_keys("wrong")
        follow(browser, browser.find_element(By.ID, "login"))
        assert "wrong admin token" in browser.find_element(By.CSS_SELECTOR, "[role=alert]").text
        browser.find_element(By.ID, "token").send_keys(TOKEN)
        follow(browser, browser.find_element(By.ID, "login"))
        rows = browser.find_elements(By.CSS_SELECTOR, "#orders tbody tr")
        assert len(rows) == 3
        shot(browser, "1-orders")

        follow(browser, browser.find_element(By.LINK_TEXT, "o-1"))
        assert browser.current_url.endswith("/orders/o-1")
        timeline = browser.find_element(By.CSS_SELECTOR, ".flowbox:last-of-type").text
        assert "waiting on approve" in timeline
        stage = browser.find_element(By.CSS_SELECTOR, "#refund-r-1 .pill").text
        assert stage == "requested"
        shot(browser, "2-order-before-approval")

        follow(browser, browser.find_element(By.CSS_SELECTOR, "#refund-r-1 button[name=approve]"))
        assert "refund r-1 approved" in browser.find_element(By.CSS_SELECTOR, "[role=status]").text
        timeline = browser.find_element(By.CSS_SELECTOR, ".flowbox:last-of-type").text
        assert '(approve ("o-1" "r-1")) → approved' in timeline
        assert "waiting on settle" in timeline
        assert browser.find_element(By.CSS_SELECTOR, "#refund-r-1 .pill").text == "approved"
        shot(browser, "3-order-after-approval")

        follow(browser, browser.find_element(By.LINK_TEXT, "Flows"))
        assert len(browser.find_elements(By.CSS_SELECTOR, "#flows tbody tr")) == 3
        shot(browser, "4-flows")
    e = Engine.open(db)
    assert e.refunds.state("o-1", "r-1").stage == "approved"
    e.close()
