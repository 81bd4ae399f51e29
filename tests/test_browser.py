"""A real browser (Debian's Chromium through Playwright) walks every menu page as each demo role.

It fails on any request to a host other than this server (no CDN, no external fonts or trackers), on any
console error (a CSP violation from an inline script shows up there), on an uncaught page error and on a page
that answers with an error status.

The server (`browser_server` in conftest.py) is Django's LiveServerThread on the per-process demo database, inside
the ordinary test transaction: pytest-django's `live_server` fixture would make the test transactional and flush the
seeded demo at the end, leaving later tests in this process without it.
"""

import os
import time
from urllib.parse import urljoin, urlsplit

import pytest

pytestmark = pytest.mark.django_db

CHROMIUM = os.environ.get("WENXIAO_CHROMIUM", "/usr/bin/chromium")
ROLES = ["jxk", "ywk", "zgbm", "dw", "dsf", "zj", "rd", "auditadmin", "secadmin", "admin"]


def _menu_links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "nav.navbar a.nav-link[href], nav.navbar a.dropdown-item[href], nav.navbar a.btn[href]",
        "els => els.map(e => e.getAttribute('href'))",
    )
    links = []
    for href in hrefs:
        if not href or href.startswith("#"):
            continue
        url = urljoin(base + "/", href)
        if url not in links:
            links.append(url)
    return links


def test_every_menu_page_as_every_role_stays_on_this_server(browser_server):
    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), (
        f"找不到 Chromium（{CHROMIUM}）：请 apt-get install chromium（make test 会自动安装）"
    )
    server = urlsplit(browser_server).netloc
    foreign: list[str] = []
    problems: list[str] = []
    visited = 0
    started = time.monotonic()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"])
        try:
            for username in ROLES:
                context = browser.new_context(locale="zh-CN")
                where = {"url": ""}

                def on_route(route, _where=where):
                    url = route.request.url
                    if url.startswith(("data:", "blob:", "about:")) or urlsplit(url).netloc == server:
                        route.continue_()
                    else:
                        foreign.append(f"{_where['url']} → {url}")
                        route.abort()

                context.route("**/*", on_route)
                page = context.new_page()
                page.on(
                    "console",
                    lambda msg, u=username, w=where: (
                        problems.append(f"{u} {w['url']}: console {msg.text}") if msg.type == "error" else None
                    ),
                )
                page.on("pageerror", lambda exc, u=username, w=where: problems.append(f"{u} {w['url']}: {exc}"))
                where["url"] = f"{browser_server}/login/"
                page.goto(where["url"])
                page.fill("#id_username", username)
                page.fill("#id_password", "test-pass-1")
                with page.expect_navigation():
                    page.click("button[type=submit]")
                assert urlsplit(page.url).path == "/", f"{username} 登录失败：{page.url}"
                for url in _menu_links(page, browser_server):
                    where["url"] = url
                    response = page.goto(url, wait_until="load")
                    visited += 1
                    if response is None or response.status >= 400:
                        problems.append(f"{username} {url}: HTTP {response.status if response else '无响应'}")
                    elif urlsplit(page.url).path.startswith("/login"):
                        problems.append(f"{username} {url}: 被退回登录页")
                context.close()
        finally:
            browser.close()
    assert not foreign, "访问了本服务器以外的地址：\n" + "\n".join(foreign)
    assert not problems, "\n".join(problems)
    assert visited >= len(ROLES) * 5  # every role has at least the stages and its own account pages
    print(f"browser: {visited} pages in {time.monotonic() - started:.1f} s")
