"""Screenshots for the user guide — run by hand against a demo server, not in CI.

Two jobs:

1. Pages of the roles the end-to-end cycle test does not visit (监督查看、第三方机构、专家、系统管理员、审计管理员)
   and a few overview pages, taken from a running demo server:

       WENXIAO_DATA_DIR=/tmp/wx_demo .venv/bin/wenxiao demo --no-serve
       WENXIAO_DATA_DIR=/tmp/wx_demo .venv/bin/wenxiao serve --port 8041 &
       .venv/bin/python docs/guide/shots.py --base http://127.0.0.1:8041

2. The guide copies of the cycle test's screenshots (64-colour PNG, pages cut at 2,200 px, to keep docs/guide/img
   small):

       WENXIAO_E2E_SHOTS=/tmp/e2e-shots .venv/bin/pytest -p no:xdist tests/test_e2e_cycle.py
       .venv/bin/python docs/guide/shots.py --convert /tmp/e2e-shots

Only reads pages (the demo server is left as it was, apart from login records). Uses Debian's Chromium, like the
tests; nothing leaves the server.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
IMG = HERE / "img"
CHROMIUM = os.environ.get("WENXIAO_CHROMIUM", "/usr/bin/chromium")

# (file name without extension, account or "" for an anonymous visitor, path)
PAGES = [
    ("00-public-login", "", "/login/"),
    ("50-jxk-home", "jxk", "/"),
    ("51-jxk-todos", "jxk", "/todos/"),
    ("52-jxk-monitoring-overview", "jxk", "/monitoring/"),
    ("53-jxk-evaluation-distribution", "jxk", "/evaluation/distribution/"),
    ("54-jxk-results-overview", "jxk", "/results/"),
    ("55-jxk-settings", "jxk", "/settings/"),
    ("56-dw-home", "dw", "/"),
    ("57-zgbm-targets", "zgbm", "/targets/"),
    ("58-jxk-cockpit", "jxk", "/cockpit/"),
    ("60-rd-home", "rd", "/"),
    ("61-rd-targets", "rd", "/targets/"),
    ("62-rd-results", "rd", "/results/"),
    ("63-rd-public-manage", "rd", "/public/manage/"),
    ("70-dsf-partners", "dsf", "/partners/"),
    ("71-dsf-evaluations", "dsf", "/evaluation/evaluations/"),
    ("72-zj-partners", "zj", "/partners/"),
    ("80-admin-users", "admin", "/orgs/users/"),
    ("81-admin-orgs", "admin", "/orgs/"),
    ("82-auditadmin-audit", "auditadmin", "/audit/"),
    ("83-auditadmin-logins", "auditadmin", "/audit/logins/"),
    ("84-dw-totp", "dw", "/account/totp/"),
]


MAX_HEIGHT = 2200  # the guide copy keeps the top of a very long page (lists of hundreds of rows)


COLOURS = 64  # a screenshot of the UI is flat colour: a 64-colour PNG is half the size of a JPEG and sharper


def guide_copy(png: Path, out_dir: Path) -> Path:
    from PIL import Image

    out = out_dir / png.name
    with Image.open(png) as im:
        im = im.convert("RGB")
        if im.height > MAX_HEIGHT:
            im = im.crop((0, 0, im.width, MAX_HEIGHT))
        im.quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT).save(out, "PNG", optimize=True)
    return out


def convert(src: Path, out_dir: Path) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    pngs = sorted(src.glob("*.png"))
    for png in pngs:
        guide_copy(png, out_dir)
    return len(pngs)


def take(base: str, password: str, out_dir: Path, only: str = "") -> int:
    import tempfile

    from playwright.sync_api import sync_playwright

    out_dir.mkdir(parents=True, exist_ok=True)
    server = urlsplit(base).netloc
    problems: list[str] = []
    done = 0
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"])
        pages: dict[str, object] = {}

        def page_for(user: str):
            if user in pages:
                return pages[user]
            context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
            context.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if urlsplit(route.request.url).netloc in ("", server)
                    else (problems.append(route.request.url), route.abort())
                ),
            )
            page = context.new_page()
            page.on("console", lambda m: problems.append(f"{user}: {m.text}") if m.type == "error" else None)
            if user:
                page.goto(f"{base}/login/")
                page.fill("#id_username", user)
                page.fill("#id_password", password)
                with page.expect_navigation():
                    page.click("button[type=submit]")
                if urlsplit(page.url).path != "/":
                    sys.exit(f"{user} 登录失败：{page.url}")
            pages[user] = page
            return page

        for name, user, path in PAGES:
            if only and only not in name:
                continue
            page = page_for(user)
            response = page.goto(base + path)
            if response is None or response.status >= 400:
                problems.append(f"{name}: HTTP {response.status if response else '—'} {path}")
                continue
            png = Path(tmp) / f"{name}.png"
            page.screenshot(path=str(png), full_page=True)
            guide_copy(png, out_dir)
            done += 1
        browser.close()
    for problem in problems:
        print("问题：", problem, file=sys.stderr)
    return done


def main() -> int:
    parser = argparse.ArgumentParser(description="用户指南截图")
    parser.add_argument("--base", default="http://127.0.0.1:8041", help="演示服务器地址")
    parser.add_argument("--password", default="wenxiao2026", help="演示账号密码")
    parser.add_argument("--out", type=Path, default=IMG, help="输出目录（默认 docs/guide/img）")
    parser.add_argument("--only", default="", help="只截文件名包含该文字的页面")
    parser.add_argument("--convert", type=Path, help="把该目录中的 PNG（端到端测试的截图）压缩后放入输出目录")
    args = parser.parse_args()
    if args.convert:
        n = convert(args.convert, args.out)
        print(f"已转换 {n} 张截图到 {args.out}")
        return 0
    n = take(args.base.rstrip("/"), args.password, args.out, args.only)
    print(f"已保存 {n} 张截图到 {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
