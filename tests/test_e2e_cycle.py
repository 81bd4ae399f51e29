"""The whole budget-performance cycle, walked end to end in a real browser as the real roles (issue #11, part 3).

Debian's Chromium through Playwright clicks and types its way through one project's year, exactly as the users
would, and saves a full-page screenshot of every step (`NN-role-step.png`, 1366×900, into `$WENXIAO_E2E_SHOTS` or
pytest's tmp_path) — the user guide in `docs/guide/` is illustrated with them (`docs/guide/shots.py --convert`):

0. the project enters the project library: `dw` submits it, 主管部门 `zgbm` and 业务科室 `ywk` approve it;
1. 预算单位 `dw` declares this year's target of its 校园安保服务 project: recommended indicators and indicators picked
   from the library, scores distributed by the weight scheme, values and the overall goal typed, submitted;
2. 主管部门 `zgbm` → 业务科室 `ywk` → 绩效科 `jxk` (final review, grade 优) → 绩效科 batch approval with the budget;
3. 绩效科 imports a treasury payments file (一体化 export headers) for the project; the same file again adds nothing;
4. 绩效科 opens a monitoring round, the unit fills and submits its form, 主管部门 and 业务科室 review it; 绩效科 runs
   the warnings, acts on one (督促整改) and the unit gives its 整改反馈;
5. 绩效科 issues the self-evaluation task, the unit fills and submits, 主管部门 reviews, 绩效科 re-evaluates (复评);
6. a finding of the demo's finished key evaluation becomes a 反馈意见函 and 整改事项 (绩效科), the system
   administrator opens an account for the evaluated unit, which answers; 绩效科 verifies and closes it;
7. 绩效科 publishes the self-evaluation result and an anonymous visitor finds it on `/public/`.

Every state change goes through the pages; after each step the test asserts what the user sees (message, state
label, the row in a list). It fails on any console error or page error, on any request leaving this server and on
any response with status 4xx/5xx.

The server is Django's LiveServerThread, as in `tests/test_browser.py`, but here it shares the test's database
connection on every backend (Django only does so for in-memory SQLite): everything the browser writes stays in the
ordinary test transaction and is rolled back, on PostgreSQL too, so later tests still see the pristine demo.
"""

from __future__ import annotations

import csv
import io
import os
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

CHROMIUM = os.environ.get("WENXIAO_CHROMIUM", "/usr/bin/chromium")
YEAR = settings.FISCAL_YEAR
PROJECT = "衡阳市第二中学中小学校园安保服务"  # dw's project with a budget for the year and no target yet
UNIT = "衡阳市第二中学"


# --- the server -------------------------------------------------------------------------------------------------


# --- the browser ------------------------------------------------------------------------------------------------


class Story:
    """One browser, one context per role (logged in once), numbered screenshots and the failures seen so far."""

    def __init__(self, browser, base: str, shots: Path, password: str, workdir: Path, facts: dict):
        self.browser, self.base, self.shots, self.password = browser, base.rstrip("/"), shots, password
        self.workdir, self.facts = workdir, facts
        self.server = urlsplit(self.base).netloc
        self.pages: dict[str, object] = {}
        self.problems: list[str] = []
        self.foreign: list[str] = []
        self.number = 0
        self.state: dict[str, object] = {}
        shots.mkdir(parents=True, exist_ok=True)

    # pages and roles

    def _context(self):
        context = self.browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})

        def on_route(route):
            url = route.request.url
            if url.startswith(("data:", "blob:", "about:")) or urlsplit(url).netloc == self.server:
                route.continue_()
            else:
                self.foreign.append(url)
                route.abort()

        context.route("**/*", on_route)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on(
            "console", lambda m: self.problems.append(f"console {m.text} ({page.url})") if m.type == "error" else None
        )
        page.on("pageerror", lambda exc: self.problems.append(f"page error {exc} ({page.url})"))
        page.on(
            "response",
            lambda r: self.problems.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None,
        )
        return page

    def anonymous(self):
        if "public" not in self.pages:
            self.pages["public"] = self._context()
        return self.pages["public"]

    def login(self, username: str, password: str | None = None):
        if username in self.pages:
            return self.pages[username]
        page = self._context()
        page.goto(f"{self.base}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password or self.password)
        with page.expect_navigation():
            page.click("button[type=submit]")
        assert urlsplit(page.url).path == "/", f"{username} 登录失败：{page.url}"
        self.pages[username] = page
        return page

    def go(self, page, path: str):
        response = page.goto(self.base + path)
        assert response is not None and response.status < 400, f"{path}: HTTP {response.status if response else '—'}"
        return page

    def shot(self, page, role: str, step: str) -> None:
        self.number += 1
        path = self.shots / f"{self.number:02d}-{role}-{step}.png"
        page.screenshot(path=str(path), full_page=True)

    def check(self) -> None:
        assert not self.foreign, "访问了本服务器以外的地址：\n" + "\n".join(self.foreign)
        assert not self.problems, "\n".join(self.problems)

    # what the user sees

    @staticmethod
    def click(page, locator) -> None:
        """Click a button that submits a form and wait for the next page."""
        with page.expect_navigation():
            locator.click()

    @staticmethod
    def message(page) -> str:
        alerts = page.locator("main .alert[role=alert]")
        return " ".join(alerts.all_inner_texts())

    def expect_message(self, page, *parts: str) -> str:
        """The page shows a notice (not an error) containing every one of `parts`."""
        text = self.message(page)
        assert text, f"页面没有提示（{page.url}）"
        for part in parts:
            assert part in text, f"页面提示应含“{part}”，实际：{text}（{page.url}）"
        errors = page.locator("main .alert-danger[role=alert]").all_inner_texts()
        assert not errors, f"页面报错：{errors}（{page.url}）"
        return text

    @staticmethod
    def main_text(page) -> str:
        return page.inner_text("main")

    @staticmethod
    def button(page, name: str, within=None):
        return (within or page).get_by_role("button", name=name, exact=True)


# --- the story --------------------------------------------------------------------------------------------------


def enter_library(s: Story) -> None:
    """0. 项目入库: the unit submits its project, 主管部门 and 业务科室 approve it into the project library."""
    dw = s.login("dw")
    s.go(dw, f"/projects/{s.facts['project']}/")
    assert "草稿" in dw.locator("h1").inner_text()
    s.click(dw, s.button(dw, "提交审核"))
    s.expect_message(dw, "待主管部门审核")
    zgbm = s.login("zgbm")
    open_todo(s, zgbm, "项目入库")
    s.click(zgbm, s.button(zgbm, "主管部门审核通过"))
    s.expect_message(zgbm, "待财政审核")
    ywk = s.login("ywk")
    open_todo(s, ywk, "项目入库")
    s.shot(ywk, "ywk", "project-intake")
    s.click(ywk, s.button(ywk, "财政审核通过（入库）"))
    s.expect_message(ywk, "已入库")


def declare_target(s: Story) -> None:
    """1. 预算单位: declare the project's target with indicators from the recommendations and the library."""
    dw = s.login("dw")
    s.go(dw, f"/targets/?year={YEAR}")
    pending = dw.locator("li", has_text=PROJECT)
    assert pending.count() == 1, "待申报项目清单里应有该项目"
    s.shot(dw, "dw", "target-list")
    s.click(dw, s.button(dw, "申报绩效目标", pending))
    s.expect_message(dw, "已创建绩效目标")
    s.state["target"] = int(re.search(r"/targets/(\d+)/edit/", dw.url).group(1))
    assert "尚未设置绩效指标" in s.main_text(dw)

    # the recommendation panel: one click adds the indicator with its usual value
    dw.locator("input[name=suggestion][value='校园安全防范能力提升情况']").check()
    s.click(dw, s.button(dw, "一键加入选中的推荐"))
    s.expect_message(dw, "已加入 1 个推荐指标")

    # the library picker (loaded by htmx with the project's usual indicators; typing searches the whole library)
    dw.wait_for_selector("#picker input[name=template]")
    for name in ["校园安保服务覆盖学校数", "专职保安配备达标率", "项目按期完成率"]:
        dw.locator("#picker label", has_text=name).first.locator("input").check()
    s.shot(dw, "dw", "target-library")
    s.click(dw, s.button(dw, "加入选中的指标"))
    s.expect_message(dw, "已从指标库加入 3 个指标")
    with dw.expect_response(lambda r: "/library/pick" in r.url and "q=" in r.url):
        dw.fill("input[type=search][name=q]", "服务对象满意度")
    dw.locator("#picker label", has_text="实验教学装备达标学校比例").wait_for(state="detached")  # the list was replaced
    found = dw.locator("#picker label", has_text="服务对象满意度")
    assert found.count() >= 1
    found.first.locator("input").check()
    s.click(dw, s.button(dw, "加入选中的指标"))
    s.expect_message(dw, "已从指标库加入 1 个指标")
    s.click(dw, s.button(dw, "按权重方案自动分配分值"))
    s.expect_message(dw, "已按权重方案分配分值")

    dw.fill("#goal", "为全市中小学校配备专职保安，开展校园安全巡查和应急演练，全年不发生校园重大安全事故。")
    row = dw.locator("tr.target-row", has=dw.locator("input[value='校园安保服务覆盖学校数']"))
    row.locator("input[name$='-value']").fill("≥12")
    s.shot(dw, "dw", "target-form")
    s.click(dw, dw.locator("button[name=then][value=submit]"))
    s.expect_message(dw, "已提交主管部门审核")
    assert "待主管部门审核" in dw.locator("h1 .badge").first.inner_text()
    assert dw.locator("td", has_text="校园安全防范能力提升情况").count() == 1
    assert dw.locator("span.badge", has_text="库").count() >= 4  # rows linked to the library
    s.shot(dw, "dw", "target-submitted")


def open_todo(s: Story, page, flow: str, subject: str = PROJECT) -> None:
    """From 我的待办, open the item “<flow> · <subject>”."""
    title_part = f"{flow} · {subject}"
    s.go(page, "/todos/")
    link = page.locator("main table a", has_text=title_part).first
    assert link.count() == 1, f"待办中应有“{title_part}”"
    with page.expect_navigation():
        link.click()


def review_and_approve(s: Story) -> None:
    """2. 主管部门审核 → 业务科室初审 → 绩效科终审（优） → 随预算批复 (batch, per department)."""
    target = s.state["target"]
    zgbm = s.login("zgbm")
    open_todo(s, zgbm, "绩效目标申报", f"{YEAR}年 {PROJECT}")
    assert urlsplit(zgbm.url).path == f"/targets/{target}/"
    zgbm.fill("#comment", "指标设置合理，同意报送。")
    s.shot(zgbm, "zgbm", "target-review")
    s.click(zgbm, s.button(zgbm, "主管部门审核通过"))
    s.expect_message(zgbm, "待业务科室初审")

    ywk = s.login("ywk")
    open_todo(s, ywk, "绩效目标申报", f"{YEAR}年 {PROJECT}")
    s.click(ywk, s.button(ywk, "业务科室初审通过"))
    s.expect_message(ywk, "待绩效科终审")
    s.shot(ywk, "ywk", "target-first-review")

    jxk = s.login("jxk")
    open_todo(s, jxk, "绩效目标申报", f"{YEAR}年 {PROJECT}")
    form = jxk.locator("form[action$='/final-review/']")
    form.locator("select[name=grade]").select_option("优")
    form.locator("input[name=opinion]").fill("目标明确，指标量化充分，同意。")
    s.shot(jxk, "jxk", "target-final-review")
    s.click(jxk, s.button(jxk, "提交终审", form))
    s.expect_message(jxk)
    assert "终审通过待批复" in jxk.locator("h1").inner_text() and "终审：优" in jxk.locator("h1").inner_text()

    s.go(jxk, f"/targets/approve/?year={YEAR}")
    row = jxk.locator("tr", has_text="衡阳市教育局")
    row.locator("input[name=document_no]").fill(f"衡财预〔{YEAR}〕88号")
    s.shot(jxk, "jxk", "target-approve")
    s.click(jxk, s.button(jxk, "批复", row))
    s.expect_message(jxk, "个绩效目标", f"衡财预〔{YEAR}〕88号", "相应项目预算同时批复")
    s.go(jxk, f"/targets/{target}/")
    assert "已批复" in jxk.locator("h1").inner_text() and "已批复第1版" in s.main_text(jxk)
    s.shot(jxk, "jxk", "target-approved")


def payments_csv(project_code: str, unit_code: str) -> bytes:
    """A small export of the 预算管理一体化 system: 国库集中支付 records of the project (37.5% of the budget)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["支付凭证号", "支付日期", "项目代码", "单位代码", "支付金额", "经济分类代码", "资金来源"])
    for i, (day, amount) in enumerate([("03-16", "900000.00"), ("06-18", "1200000.00"), ("09-22", "900000.00")]):
        writer.writerow(
            [f"ZF{YEAR}E2E{i + 1:04d}", f"{YEAR}-{day}", project_code, unit_code, amount, "30227", "一般公共预算"]
        )
    return out.getvalue().encode("utf-8-sig")


def import_payments(s: Story) -> None:
    """3. 绩效科 imports the treasury payments file; a second import of the same file adds nothing."""
    path = s.workdir / "一体化支付数据_e2e.csv"
    path.write_bytes(payments_csv(s.facts["project_code"], s.facts["unit_code"]))
    jxk = s.login("jxk")
    s.go(jxk, "/monitoring/payments/")
    jxk.set_input_files("input[name=file]", str(path))
    s.click(jxk, s.button(jxk, "导入"))
    s.expect_message(jxk, "3")
    assert jxk.locator("main table tr", has_text=path.name).count() == 1
    s.shot(jxk, "jxk", "payments-import")
    # the same file again: recognised, nothing counted twice
    jxk.set_input_files("input[name=file]", str(path))
    s.click(jxk, s.button(jxk, "导入"))
    assert "本次未写入任何数据" in s.message(jxk)
    s.go(jxk, f"/monitoring/projects/{s.facts['project']}/")
    assert "共3笔" in s.main_text(jxk) and f"ZF{YEAR}E2E0003" in s.main_text(jxk)


def monitor(s: Story) -> None:
    """4. Monitoring round → the unit's form → reviews → warning run → 督促整改 → the unit's 整改反馈."""
    jxk = s.login("jxk")
    s.go(jxk, "/monitoring/rounds/")
    name = f"{YEAR}年1—10月重点项目绩效运行监控"
    form = jxk.locator("form", has=jxk.locator("textarea[name=note]"))
    form.locator("input[name=name]").fill(name)
    form.locator("select[name=kind]").select_option(label="重点监控")
    form.locator("input[name=period_end]").fill(f"{YEAR}-10-31")
    form.locator("input[name=deadline]").fill(f"{YEAR}-11-30")
    form.locator("select[name=department]").select_option(label="衡阳市教育局")
    form.locator("textarea[name=note]").fill("对照绩效目标逐项填报1—10月执行情况和全年预计完成情况。")
    s.shot(jxk, "jxk", "monitoring-round-open")
    s.click(jxk, s.button(jxk, "发起并下发监控表", form))
    s.expect_message(jxk, name)
    s.shot(jxk, "jxk", "monitoring-round")

    dw = s.login("dw")
    open_todo(s, dw, "绩效监控")
    s.state["monitoring_form"] = urlsplit(dw.url).path
    assert "3,000,000.00" in s.main_text(dw)  # 1—10月执行数 prefilled from the imported payments
    dw.fill(
        "textarea[name=progress_text]",
        "1—10月已完成12所学校专职保安派驻，开展安全巡查和应急演练；第四季度服务费待结算。",
    )
    dw.fill("textarea[name=problems]", "服务费按季度结算，执行进度慢于序时进度。")
    dw.fill("textarea[name=measures]", "11月完成第三、四季度服务费结算支付。")
    answers = {  # 三级指标: (截至目前执行情况, 全年预计完成情况, 完成目标可能性, 偏差原因)
        "校园安保服务覆盖学校数": ("12", "12", "1", ""),
        "专职保安配备达标率": ("100%", "100%", "1", ""),
        "项目按期完成率": ("80%", "90%", "2", "第四季度服务合同续签延后"),
        "校园安全防范能力提升情况": ("安全巡查和应急演练按计划开展", "达成年度指标", "1", ""),
        "服务对象满意度": ("92%", "92%", "1", ""),
    }
    for name, (to_date, forecast, likelihood, reason) in answers.items():
        row = dw.locator("tr", has=dw.locator("td", has_text=name))
        row.locator("input[name^='to_date-']").fill(to_date)
        field = row.locator("[name^='forecast-']")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(forecast)
        else:
            field.fill(forecast)
        row.locator("select[name^='likelihood-']").select_option(likelihood)
        if reason:
            row.locator("input[value='制度保障']").check()
            row.locator("input[name^='deviation-']").fill(reason)
    s.shot(dw, "dw", "monitoring-form")
    s.click(dw, dw.locator("button[name=then][value=submit]"))
    s.expect_message(dw, "已提交主管部门审核")

    zgbm = s.login("zgbm")
    open_todo(s, zgbm, "绩效监控")
    s.click(zgbm, s.button(zgbm, "主管部门审核通过"))
    s.expect_message(zgbm, "待财政审核")
    ywk = s.login("ywk")
    open_todo(s, ywk, "绩效监控")
    s.click(ywk, s.button(ywk, "财政审核通过"))
    s.expect_message(ywk, "审核完成")
    s.shot(ywk, "ywk", "monitoring-form-reviewed")

    # the warning run, then one warning acted on
    s.go(jxk, f"/monitoring/?year={YEAR}")
    s.click(jxk, s.button(jxk, "运行预警"))
    s.expect_message(jxk, "预警已更新")
    s.shot(jxk, "jxk", "monitoring-warnings-run")
    s.go(jxk, f"/monitoring/projects/{s.facts['project']}/")
    row = jxk.locator("main tr", has=jxk.locator("td", has_text="M02 未达节点要求"))
    assert "红灯" in row.inner_text() and "未达到10月底60.00%的节点要求" in row.inner_text()
    row.locator("select[name=kind]").select_option("urge")
    row.locator("input[name=note]").fill("请于11月底前完成服务费结算，加快支出进度。")
    s.shot(jxk, "jxk", "monitoring-warning")
    s.click(jxk, s.button(jxk, "处置", row))
    s.expect_message(jxk)
    assert "已记录：督促整改" in s.message(jxk)
    assert "已处置" in jxk.locator("main tr", has=jxk.locator("td", has_text="M02 未达节点要求")).inner_text()

    dw = s.login("dw")
    s.go(dw, "/todos/")
    with dw.expect_navigation():
        dw.locator("main table a", has_text=f"督促整改：{PROJECT}").click()
    assert "请于11月底前完成服务费结算" in s.main_text(dw)
    form = dw.locator("form", has=dw.locator("input[name=kind][value=feedback]"))
    form.locator("textarea[name=note]").fill("已与保安服务公司完成第三季度结算，11月25日前支付第四季度服务费。")
    s.shot(dw, "dw", "monitoring-feedback")
    s.click(dw, s.button(dw, "提交反馈", form))
    s.expect_message(dw)
    assert "已与保安服务公司完成第三季度结算" in s.main_text(dw)


def self_evaluate(s: Story) -> None:
    """5. 绩效科 issues the self-evaluation task; the unit fills and submits; 主管部门 reviews; 绩效科 复评."""
    jxk = s.login("jxk")
    s.go(jxk, f"/evaluation/tasks/?year={YEAR}")
    name = f"{YEAR}年度教育局新批复项目绩效自评"
    form = jxk.locator("form", has=jxk.locator("input[name=deadline]"))
    form.locator("input[name=name]").fill(name)
    form.locator("select[name=department]").select_option(label="衡阳市教育局")
    s.click(jxk, s.button(jxk, "下达任务", form))
    s.expect_message(jxk, f"已下达“{name}”，1张自评表")
    s.shot(jxk, "jxk", "selfeval-task")

    dw = s.login("dw")
    open_todo(s, dw, "绩效自评")
    s.state["selfeval"] = urlsplit(dw.url).path
    survey = s.workdir / "校园安保服务满意度调查报告.txt"
    survey.write_text("发放问卷420份，回收402份，满意及基本满意率93%。", encoding="utf-8")
    dw.set_input_files("input[name=file]", str(survey))
    dw.fill("form[action$='/attach/'] input[name=note]", "满意度调查报告")
    dw.check("#survey")
    s.click(dw, s.button(dw, "上传"))
    s.expect_message(dw, "佐证材料已上传")
    dw.fill("input[name=executed]", "7680000.00")  # 全年执行数, corrected by the final accounts
    dw.fill("#goal_actual", "全年为12所学校派驻专职保安，开展安全巡查和应急演练，未发生校园重大安全事故。")
    actuals = {
        "校园安保服务覆盖学校数": ("12", ""),
        "专职保安配备达标率": ("100%", ""),
        "项目按期完成率": ("96%", ""),
        "校园安全防范能力提升情况": ("达成", ""),
        "服务对象满意度": ("93%", ""),
    }
    for name, (actual, reason) in actuals.items():
        dw.get_by_label(f"{name}实际完成值").fill(actual)
        if reason:
            dw.get_by_label(f"{name}偏差原因分析及改进措施").fill(reason)
    dw.fill("textarea[name=summary]", "项目全年目标基本完成，服务费支付集中在下半年，今后按月结算。")
    dw.check("#wfa")
    dw.wait_for_timeout(600)  # the score panel recalculates as the form changes (htmx)
    s.shot(dw, "dw", "selfeval-form")
    s.click(dw, dw.locator("button[name=then][value=submit]"))
    s.expect_message(dw, "已提交主管部门审核")

    zgbm = s.login("zgbm")
    open_todo(s, zgbm, "绩效自评")
    s.click(zgbm, s.button(zgbm, "主管部门审核通过"))
    s.expect_message(zgbm, "待财政审核")

    # 复评: the 绩效科 checks the evidence, adjusts one score with a reason, then approves
    s.go(jxk, s.state["selfeval"])
    review = jxk.locator("form[action$='/review/']")
    review.get_by_label("服务对象满意度复评得分").fill("8")
    review.get_by_label("服务对象满意度调整理由").fill("问卷未覆盖学生家长，满意度证据不充分")
    review.locator("textarea[name=opinion]").fill("自评基本客观；满意度调查样本应覆盖学生家长。")
    s.click(jxk, s.button(jxk, "保存复评结果", review))
    s.expect_message(jxk, "复评完成")
    s.click(jxk, s.button(jxk, "财政审核通过"))
    s.expect_message(jxk, "审核完成")
    assert "复评 8" in s.main_text(jxk)
    s.shot(jxk, "jxk", "selfeval-review")


FINDING = "管理制度健全性得分偏低（3.95/5分）：项目资金管理办法未随政策调整及时修订"
NEW_USER = ("daj", "赵档案", "Dangan#2026")


def rectify(s: Story) -> None:
    """6. A key-evaluation finding → 反馈意见函 and 整改事项 → the evaluated unit answers → 绩效科 verifies."""
    jxk = s.login("jxk")
    s.go(jxk, f"/results/letters/?year={YEAR}")
    form = jxk.locator("form", has=jxk.locator("select[name=evaluation]"))
    form.locator("select[name=evaluation]").select_option(index=1)
    form.locator("input[name=deadline]").fill(f"{YEAR}-12-31")
    form.locator("textarea[name=findings]").fill(FINDING)
    form.locator("textarea[name=requirements]").fill("修订项目资金管理办法并报主管部门备案。")
    s.shot(jxk, "jxk", "rectify-letter")
    s.click(jxk, s.button(jxk, "出具并登记整改事项", form))
    s.expect_message(jxk, "登记整改事项1项（待下发）")
    s.state["letter"] = urlsplit(jxk.url).path
    s.click(jxk, s.button(jxk, "下发整改"))
    s.expect_message(jxk)
    item_row = jxk.locator("main tr", has_text=FINDING)
    assert "整改中" in item_row.inner_text()
    s.shot(jxk, "jxk", "rectify-issued")

    # the evaluated unit has no account in the demo: the system administrator opens one
    admin = s.login("admin")
    s.go(admin, "/orgs/users/")
    username, display, password = NEW_USER
    form = admin.locator("form", has=admin.locator("input[name=username]"))
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=display_name]").fill(display)
    form.locator("input[name=org]").fill(s.facts["evaluated_unit_code"])
    form.locator("select[name=role]").select_option(label="预算单位")
    form.locator("input[name=password]").fill(password)
    s.shot(admin, "admin", "user-create")
    s.click(admin, s.button(admin, "新增账号", form))
    s.expect_message(admin, f"已创建账号 {username}")
    assert username in s.main_text(admin) and "预算单位" in s.main_text(admin)

    daj = s.login(username, password)
    open_todo(s, daj, "整改", f"{s.facts['evaluated_unit']} · {FINDING}")
    item = urlsplit(daj.url).path
    daj.fill("input[name=owner]", "赵档案")
    daj.fill("textarea[name=measures]", "修订《城市基础设施配套费项目资金管理办法》，明确资金拨付和验收程序。")
    daj.fill("textarea[name=evidence]", "新办法已于12月印发并报住房和城乡建设局备案，附印发文件。")
    s.shot(daj, "daj", "rectify-feedback")
    s.click(daj, s.button(daj, "提交整改反馈"))
    s.expect_message(daj, "已反馈")

    s.go(jxk, item)
    assert "修订《城市基础设施配套费项目资金管理办法》" in jxk.inner_text("#measures")
    jxk.fill("textarea[name=comment]", "整改到位，同意销号。")
    s.click(jxk, s.button(jxk, "核验通过，销号"))
    s.expect_message(jxk, "已核验")
    s.shot(jxk, "jxk", "rectify-verified")
    s.go(jxk, s.state["letter"])
    assert "已核验" in jxk.locator("main tr", has_text=FINDING).inner_text()


def publish(s: Story) -> None:
    """7. 绩效科 publishes the self-evaluation result; an anonymous visitor finds it on /public/."""
    jxk = s.login("jxk")
    s.go(jxk, "/public/manage/")
    jxk.select_option("#kind", "selfeval")
    jxk.select_option("#year", str(YEAR))
    jxk.select_option("#department", label="衡阳市教育局")
    s.click(jxk, s.button(jxk, "列出可公开事项"))
    candidates = jxk.locator("#publish-form input[name=ids]")
    assert candidates.count() >= 1
    for i in range(candidates.count()):
        candidates.nth(i).uncheck()
    jxk.locator("#publish-form tr", has_text=PROJECT).locator("input[name=ids]").check()
    s.shot(jxk, "jxk", "publish")
    s.click(jxk, jxk.locator("#publish-form button"))
    s.expect_message(jxk, f"已公开{YEAR}年度绩效自评结果1项")

    public = s.anonymous()
    s.go(public, "/public/")
    latest = public.locator("main a", has_text=PROJECT).first
    assert latest.count() == 1, "公开网站首页“最新公开”应有刚公开的自评结果"
    s.shot(public, "public", "home")
    with public.expect_navigation():
        latest.click()
    text = s.main_text(public)
    assert PROJECT in text and "绩效自评结果" in text
    assert "可信度" not in text and "复评意见" not in text  # internal review notes never go public
    assert "97.60" in text and "优" in text  # the score after the 绩效科's 复评
    s.shot(public, "public", "selfeval")


def story_facts() -> dict:
    """What the story needs to know before the browser starts (the ORM may not run inside Playwright's loop)."""
    from wenxiao.projects.models import Project

    project = Project.objects.select_related("unit").get(name=PROJECT)
    from wenxiao.evaluation.models import Evaluation

    evaluated = Evaluation.objects.filter(state="final", project__isnull=False).select_related("subject_org").first()
    return {
        "project": project.pk,
        "project_code": project.code,
        "unit_code": project.unit.code,
        "evaluated_unit_code": evaluated.subject_org.code,
        "evaluated_unit": evaluated.subject_org.name,
    }


STEPS = [enter_library, declare_target, review_and_approve, import_payments, monitor, self_evaluate, rectify, publish]


def run_story(s: Story, upto: int = len(STEPS)) -> None:
    """Walk the steps in order (state flows from one to the next); `upto` stops early when trying the story out."""
    for step in STEPS[:upto]:
        step(s)
        s.check()


def test_the_whole_cycle_in_a_browser(browser_server, tmp_path):
    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), f"找不到 Chromium（{CHROMIUM}）：请 apt-get install chromium"
    shots = Path(os.environ.get("WENXIAO_E2E_SHOTS") or tmp_path)
    facts = story_facts()
    started = time.monotonic()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"])
        try:
            story = Story(browser, browser_server, shots, "test-pass-1", tmp_path, facts)
            run_story(story)
        finally:
            browser.close()
    story.check()
    print(f"e2e cycle: {story.number} screenshots in {time.monotonic() - started:.1f} s")
