"""Deterministic synthetic jurisdictions for the demo, tests and benchmarks.

`seed(scale, year, seed)` writes regions, finance bureaus with their sections, 主管部门 and 预算单位,
the demo accounts and a project library whose amounts are log-normal around realistic medians. The same
arguments always give the same data. Rows go in with bulk inserts; one audit event records the run.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction

from wenxiao.core import audit, workflow
from wenxiao.core.models import Transition, WorkItem
from wenxiao.core.text import search_text
from wenxiao.library.stats import refresh as refresh_library_ranges
from wenxiao.orgs.models import Organisation, Region, Role, RoleAssignment, User
from wenxiao.projects.models import (
    BudgetAdjustment,
    Project,
    ProjectBudget,
    ResponsiblePerson,
)
from wenxiao.seed import vocab
from wenxiao.seed.appraisals import seed_appraisals
from wenxiao.seed.cockpit import seed_cockpit
from wenxiao.seed.disclosure import seed_disclosure
from wenxiao.seed.evaluation import seed_evaluation
from wenxiao.seed.exchange import seed_exchange
from wenxiao.seed.monitoring import seed_monitoring
from wenxiao.seed.oversight import seed_oversight
from wenxiao.seed.partners import seed_partners
from wenxiao.seed.results import seed_results
from wenxiao.seed.targets import seed_targets

BUDGETS = {"general": "1", "fund": "2", "soe": "3", "social": "4"}
CLASSES = {"person": "1", "operation": "2", "special": "3"}
FUNDS = {
    "": "",
    "investment_fund": "investment_fund",
    "ppp": "ppp",
    "procurement": "procurement",
    "purchased_service": "purchased_service",
    "debt": "debt",
}
LEVEL_FACTOR = {1: 3.0, 2: 1.0, 3: 0.35}

# 业务科室 of a finance bureau and the 功能分类 类 whose departments they handle (归口管理).
SECTIONS = [
    ("10", "教科文科", {"205", "206", "207"}),
    ("11", "社会保障科", {"208", "209", "210"}),
    ("12", "农业农村科", {"213", "222"}),
    ("13", "经济建设科", {"211", "212", "214", "215", "216", "217", "220", "221", "223", "224"}),
    ("14", "行政政法科", set()),  # everything else
]


@dataclass(frozen=True)
class Scale:
    name: str
    cities: int  # how many cities (the demo city first)
    counties_per_city: int  # 0 = all of them
    departments_city: int  # departments per city-level government
    departments_county: int
    units_per_department: float
    projects: int  # target total
    towns_per_county: int = 2
    province_level: bool = False
    with_targets: bool = True


SCALES = {
    "demo": Scale("demo", 1, 3, 22, 6, 6.5, 1500),
    "city": Scale("city", 1, 0, 40, 30, 5.0, 15000),
    "province": Scale(
        "province", 14, 0, 46, 30, 5.0, 200_000, towns_per_county=3, province_level=True, with_targets=False
    ),
}

DEMO_USERS = [
    # username, display name, role, how to find the organisation
    ("admin", "系统管理员", Role.SYSADMIN, "top_finance"),
    ("jxk", "李绩效", Role.PERFORMANCE, "city_performance"),
    ("ywk", "王业务", Role.BUSINESS, "city_edu_section"),
    ("zgbm", "张主管", Role.DEPARTMENT, "city_edu"),
    ("dw", "陈会计", Role.UNIT, "city_edu_unit"),
    ("dw2", "刘会计", Role.UNIT, "city_health_unit"),
    ("xian_jxk", "赵绩效", Role.PERFORMANCE, "county_performance"),
    ("dsf", "孙评价", Role.AGENCY, "agency"),
    ("zj", "周专家", Role.EXPERT, "city_finance"),
    ("rd", "吴代表", Role.VIEWER, "city_npc"),
    ("secadmin", "安全管理员", Role.SECADMIN, "top_finance"),
    ("auditadmin", "审计管理员", Role.AUDITADMIN, "top_finance"),
]


@dataclass
class Built:
    regions: list[Region] = field(default_factory=list)
    finance: dict[int, Organisation] = field(default_factory=dict)  # region id -> bureau
    sections: dict[int, dict[str, Organisation]] = field(default_factory=dict)  # region id -> key -> section
    departments: list[tuple[Organisation, dict]] = field(default_factory=list)
    units: dict[int, list[Organisation]] = field(default_factory=dict)  # department id -> units
    named: dict[str, Organisation] = field(default_factory=dict)


def seed(scale: str = "demo", year: int = 2026, seed: int = 1, password: str = "wenxiao2026", progress=print) -> dict:
    """Write a whole synthetic jurisdiction into an empty database; returns counts."""
    cfg = SCALES[scale]
    rng = random.Random(seed)
    if Project.objects.exists() or Region.objects.exists():
        raise RuntimeError("数据库中已有数据：seed 只能在空库上运行（可先执行 wenxiao manage flush）。")
    with transaction.atomic():
        built = Built()
        _regions(cfg, rng, built)
        progress(f"区划 {len(built.regions)} 个")
        _organisations(cfg, rng, built)
        progress(f"主管部门 {len(built.departments)} 个，预算单位 {sum(len(u) for u in built.units.values())} 个")
        counts = _projects(cfg, rng, built, year)
        progress(f"项目 {counts['projects']} 个，年度预算 {counts['budgets']} 条")
        if cfg.with_targets:  # the province scale is for volume: projects and budgets only
            counts.update(seed_appraisals(year, rng, _system_user()))
            counts.update(seed_targets(year, rng, _system_user()))
            counts["library_ranges"] = refresh_library_ranges()
            progress(f"绩效目标 {counts['targets']} 个，指标 {counts['indicators']} 条")
        users = _users(built, password, year)
        if cfg.with_targets:
            with audit.seeding():
                counts.update(seed_monitoring(year, rng, _system_user()))
            progress(f"支付记录 {counts['payments']} 笔，监控表 {counts.get('monitoring_forms', 0)} 张")
            with audit.seeding():
                counts.update(seed_partners(year, rng, _system_user()))
            with audit.seeding():
                counts.update(seed_evaluation(year, rng, _system_user()))
            with audit.seeding():
                counts.update(seed_oversight(year, rng, _system_user()))
            with audit.seeding():
                counts.update(seed_results(year, rng, _system_user()))
            with audit.seeding():
                counts.update(seed_disclosure(year, rng, _system_user()))
            with audit.seeding():
                counts.update(seed_exchange(year, rng, _system_user()))
            with audit.seeding():
                counts.update(seed_cockpit(year, rng, _system_user()))  # last: snapshots of everything above
        counts.update(
            regions=len(built.regions),
            departments=len(built.departments),
            units=sum(len(u) for u in built.units.values()),
            users=users,
        )
        audit.record(
            None,
            "seed.run",
            object_type="seed",
            object_repr=f"生成{scale}规模演示数据",
            after={"scale": scale, "year": year, "seed": seed, **counts},
        )
    return counts


# --- regions -----------------------------------------------------------------------------------------


def _regions(cfg: Scale, rng: random.Random, built: Built) -> None:
    province = Region(code=vocab.PROVINCE[0], name=vocab.PROVINCE[1], level=Region.Level.PROVINCE)
    province.save()
    built.regions.append(province)
    cities = sorted(vocab.CITIES, key=lambda c: (c[0] != vocab.DEMO_CITY, c[0]))[: cfg.cities]
    town_names = list(vocab.TOWN_NAMES)
    for code, name, counties in cities:
        city = Region(code=code, name=name, level=Region.Level.CITY, parent=province)
        city.save()
        built.regions.append(city)
        if cfg.counties_per_city and code == vocab.DEMO_CITY:
            chosen = [c for c in counties if c[0] in vocab.DEMO_COUNTIES][: cfg.counties_per_city]
        elif cfg.counties_per_city:
            chosen = counties[: cfg.counties_per_city]
        else:
            chosen = counties
        for ccode, cname in chosen:
            county = Region(code=ccode, name=cname, level=Region.Level.COUNTY, parent=city)
            county.save()
            built.regions.append(county)
            for i in range(cfg.towns_per_county):
                town = Region(
                    code=f"{ccode}{100 + i:03d}",
                    name=rng.choice(town_names),
                    level=Region.Level.TOWN,
                    parent=county,
                )
                town.save()
                built.regions.append(town)


# --- organisations -----------------------------------------------------------------------------------


def _org(code, name, kind, region, parent=None, **extra) -> Organisation:
    o = Organisation(code=code, name=name, kind=kind, region=region, parent=parent, **extra)
    o.save()
    return o


def _section_for(function: str) -> str:
    for key, _, functions in SECTIONS:
        if function in functions:
            return key
    return "14"


def _organisations(cfg: Scale, rng: random.Random, built: Built) -> None:
    K = Organisation.Kind
    governments = [r for r in built.regions if r.level in (2, 3) or (r.level == 1 and cfg.province_level)]
    if not cfg.province_level:
        # The province still has a finance department (it guides the cities), but no departments of its own.
        top = built.regions[0]
        built.finance[top.id] = _org(f"{top.code}900", f"{top.name}财政厅", K.FINANCE_BUREAU, top)
    for r in built.regions:
        if r.level == Region.Level.TOWN:
            _org(f"{r.code}900", f"{r.name}财政所", K.FINANCE_BUREAU, r)
    for region in governments:
        title = "财政厅" if region.level == 1 else "财政局"
        bureau = built.finance.get(region.id) or _org(
            f"{region.code}900", f"{region.name}{title}", K.FINANCE_BUREAU, region
        )
        built.finance[region.id] = bureau
        secs = {
            "performance": _org(
                f"{region.code}90001",
                "预算绩效管理科",
                K.FINANCE_SECTION,
                region,
                bureau,
                section_kind="performance",
            ),
            "budget": _org(f"{region.code}90002", "预算科", K.FINANCE_SECTION, region, bureau, section_kind="budget"),
        }
        for key, name, _ in SECTIONS:
            secs[key] = _org(f"{region.code}900{key}", name, K.FINANCE_SECTION, region, bureau, section_kind="business")
        built.sections[region.id] = secs
        npc = _org(f"{region.code}920", f"{region.name}人大常委会预算工作委员会", K.NPC, region)
        level = "city" if region.level <= 2 else "county"
        wanted = cfg.departments_city if region.level <= 2 else cfg.departments_county
        candidates = _by_coverage([d for d in vocab.DEPARTMENTS if level in d["levels"]])
        if region.level <= 2 or len(candidates) <= wanted:
            chosen = candidates[:wanted]
        else:  # counties: the two first departments, then a deterministic sample of the broad ones
            chosen = candidates[:2] + rng.sample(candidates[2 : max(wanted, 16)], wanted - 2)
        for i, spec in enumerate(chosen):
            dcode = f"{region.code}{101 + i:03d}"
            dept = _org(
                dcode,
                f"{region.name}{spec['name']}",
                K.DEPARTMENT,
                region,
                managing_section=secs[_section_for(spec["function"])],
                head_name=_person(rng),
            )
            built.departments.append((dept, spec))
            n_units = max(1, int(rng.gauss(cfg.units_per_department, 1.2)))
            units = [_org(f"{dcode}001", f"{dept.name}机关", K.UNIT, region, dept, head_name=dept.head_name)]
            templates = list(spec["units"])
            rng.shuffle(templates)
            for j, t in enumerate(templates[: n_units - 1]):
                units.append(
                    _org(
                        f"{dcode}{j + 2:03d}",
                        t.format(place=region.name),
                        K.UNIT,
                        region,
                        dept,
                        head_name=_person(rng),
                    )
                )
            built.units[dept.id] = units
            if region.code == vocab.DEMO_CITY:
                built.named.setdefault(f"dept:{spec['name']}", dept)
        if region.code == vocab.DEMO_CITY:
            built.named["city_finance"] = bureau
            built.named["city_performance"] = secs["performance"]
            built.named["city_edu_section"] = secs[_section_for("205")]
            built.named["city_npc"] = npc
            for i, (name, _agency_type) in enumerate(
                [
                    ("湖南明信会计师事务所有限公司", "会计师事务所"),
                    ("湘南绩效评价咨询有限公司", "专业咨询机构"),
                    ("南华大学公共管理研究中心", "高等院校"),
                ]
            ):
                agency = _org(f"91{region.code}MA4L{i:04d}", name, K.AGENCY, region)
                built.named.setdefault("agency", agency)
        if region.code in vocab.DEMO_COUNTIES and "county_performance" not in built.named:
            built.named["county_performance"] = secs["performance"]
    built.named["top_finance"] = built.finance[built.regions[0].id]


def _by_coverage(departments: list[dict]) -> list[dict]:
    """Departments reordered so that the first ones cover as many 功能分类 类 and budgets as possible."""
    first, rest, seen = [], [], set()
    for d in departments:
        features = {d["function"]} | {t["budget"] for t in d["projects"]}
        (first if features - seen else rest).append(d)
        seen |= features
    return first + rest


def _person(rng: random.Random) -> str:
    surname = rng.choice(vocab.SURNAMES[:40]) if rng.random() < 0.8 else rng.choice(vocab.SURNAMES)
    given = "".join(rng.choice(vocab.GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))
    return surname + given


# --- projects ----------------------------------------------------------------------------------------

STATE_MIX = [
    ("in_library", 0.88),
    ("draft", 0.03),
    ("dept_review", 0.04),
    ("finance_review", 0.04),
    ("returned", 0.01),
]
# The intake steps a project in each state has been through (replayed as workflow history).
PATHS = {
    "in_library": ["submit", "dept_approve", "finance_approve"],
    "dept_review": ["submit"],
    "finance_review": ["submit", "dept_approve"],
    "returned": ["submit", "dept_return"],
    "draft": [],
}
RETURN_REASON = {"dept_return": "退回原因：绩效目标不够细化，请补充量化指标"}


POLICY_TRANCHES = ["（中央补助资金）", "（省级补助资金）", "（本级配套资金）"]


def _template_order(templates: list[dict], rng: random.Random) -> list[dict]:
    """Staff and running costs first, then the rarer budgets and fund types, then the rest shuffled."""
    basic = [t for t in templates if t["klass"] != "special"]
    rare = [t for t in templates if t["klass"] == "special" and (t["budget"] != "general" or t["fund"])]
    common = [t for t in templates if t["klass"] == "special" and t["budget"] == "general" and not t["fund"]]
    rng.shuffle(common)
    return basic + rare + common


def _pick_state(rng: random.Random) -> str:
    x = rng.random()
    for state, share in STATE_MIX:
        x -= share
        if x < 0:
            return state
    return "in_library"


def _amount(rng: random.Random, median: float, factor: float) -> Decimal:
    value = median * factor * math.exp(rng.gauss(0, 0.75))
    return Decimal(max(20_000, round(value, -2))).quantize(Decimal("0.01"))


def _projects(cfg: Scale, rng: random.Random, built: Built, year: int) -> dict:
    weights = []
    for dept, spec in built.departments:
        weights.append(len(spec["projects"]) * (1.6 if dept.region.level <= 2 else 1.0))
    total_w = sum(weights)
    system = _system_user()
    counts = {"projects": 0, "budgets": 0, "adjustments": 0, "transitions": 0}
    batch: list[tuple[Project, dict]] = []
    for (dept, spec), w in zip(built.departments, weights, strict=True):
        n = max(3, round(cfg.projects * w / total_w))
        units = built.units[dept.id]
        factor = LEVEL_FACTOR[dept.region.level]
        seq: dict[str, int] = {}
        used: dict[str, int] = {}
        taken: set[tuple[int, str]] = set()
        templates = _template_order(spec["projects"], rng)
        for k in range(n):
            t = templates[k % len(templates)]
            base = t["name"].format(place=dept.region.name)
            round_no = used.get(base, 0)
            used[base] = round_no + 1
            others = units[1:]
            if t["klass"] != "special":  # staff and running costs: every unit has its own
                unit = units[0] if round_no == 0 or not others else others[(round_no - 1) % len(others)]
                name = base if unit is units[0] else f"{unit.name}{base}"
            elif t.get("policy"):  # policies are run by the department itself, funded from several levels
                unit = units[0]
                name = base if round_no == 0 else f"{base}{POLICY_TRANCHES[(round_no - 1) % len(POLICY_TRANCHES)]}"
            else:  # projects: the department's or one of its units'
                unit = rng.choice(units) if round_no == 0 or not others else others[(round_no - 1) % len(others)]
                name = base if round_no == 0 or unit is units[0] else f"{unit.name}{base}"
            phase = 1
            while (unit.id, name) in taken:
                phase += 1
                name = f"{base}（第{'二三四五六七八九十'[min(phase, 10) - 2]}{'批' if t.get('policy') else '期'}）"
            taken.add((unit.id, name))
            continuing = t["klass"] != "special" or rng.random() < 0.55
            start = year - rng.randint(1, 4) if continuing else year
            end = year + rng.randint(0, 2) if t["klass"] == "special" else year + 2
            key = f"{unit.code}{start}"
            seq[key] = seq.get(key, 0) + 1
            code = f"{dept.region.code[:6]}{start:04d}{unit.code[-6:]}{seq[key]:05d}"
            p = Project(
                region_id=dept.region_id,
                code=code,
                name=name[:180],
                kind="policy" if t.get("policy") else "project",
                department=dept,
                unit=unit,
                start_year=start,
                end_year=max(end, year),
                budget_kind=BUDGETS[t["budget"]],
                fund_type=FUNDS[t["fund"]],
                function_class_id=t["function_code"],
                economic_class_id=t["econ"],
                project_class=CLASSES[t["klass"]],
                attribute="continuing" if continuing else "new",
                state=_pick_state(rng),
                description=f"{name}。实施单位：{unit.name}。",
            )
            p.search_text = search_text(p.name, p.code, unit.name)
            batch.append((p, {"amount": _amount(rng, t["amount"], factor), "continuing": continuing}))
            if len(batch) >= 5000:
                _flush(batch, rng, year, system, counts)
                batch = []
    _flush(batch, rng, year, system, counts)
    return counts


def _system_user() -> User:
    user, _ = User.objects.get_or_create(username="system", defaults={"display_name": "系统", "is_active": False})
    return user


def _flush(batch, rng, year, system, counts) -> None:
    if not batch:
        return
    projects = Project.objects.bulk_create([p for p, _ in batch], batch_size=1000)
    if projects[0].pk is None:  # databases that do not return ids from bulk inserts
        ids = dict(Project.objects.filter(code__in=[p.code for p in projects]).values_list("code", "id"))
        for p in projects:
            p.pk = p.id = ids[p.code]
    budgets, people, transitions, items = [], [], [], []
    for p, extra in batch:
        amount = extra["amount"]
        carry = (amount * Decimal(rng.choice([0, 0, 0, 0.05, 0.1]))).quantize(Decimal("0.01"))
        other = (amount * Decimal(rng.choice([0, 0, 0, 0, 0.08]))).quantize(Decimal("0.01"))
        budgets.append(
            ProjectBudget(
                region_id=p.region_id,
                project=p,
                year=year,
                amount_initial=amount,
                amount_adjusted=amount,
                amount_fiscal=amount - carry - other,
                amount_carryover=carry,
                amount_other=other,
            )
        )
        if extra["continuing"] and p.start_year < year:
            prev = (amount * Decimal(rng.uniform(0.8, 1.1))).quantize(Decimal("0.01"))
            budgets.append(
                ProjectBudget(
                    region_id=p.region_id,
                    project=p,
                    year=year - 1,
                    amount_initial=prev,
                    amount_adjusted=prev,
                    amount_fiscal=prev,
                )
            )
        start = date(p.start_year, 1, 1) + timedelta(days=rng.randint(0, 60))
        if rng.random() < 0.15:
            handover = start + timedelta(days=rng.randint(200, 500))
            people.append(
                ResponsiblePerson(
                    region_id=p.region_id,
                    project=p,
                    name=_person(rng),
                    position="科长",
                    start_date=start,
                    end_date=handover,
                    change_reason="",
                )
            )
            people.append(
                ResponsiblePerson(
                    region_id=p.region_id,
                    project=p,
                    name=_person(rng),
                    position=rng.choice(["科长", "副主任", "主任", "副局长"]),
                    start_date=handover,
                    change_reason="工作调动",
                )
            )
        else:
            people.append(
                ResponsiblePerson(
                    region_id=p.region_id,
                    project=p,
                    name=_person(rng),
                    position=rng.choice(["科长", "副主任", "主任", "副局长", "副校长"]),
                    start_date=start,
                )
            )
        transitions += workflow.replayed(p, PATHS[p.state], actor=system, comments=RETURN_REASON)
        if item := workflow.pending_item(p):
            items.append(item)
    ProjectBudget.objects.bulk_create(budgets, batch_size=2000)
    current = [b for b in budgets if b.year == year and rng.random() < 0.1]
    if current and current[0].pk is None:
        ids = dict(
            ProjectBudget.objects.filter(project_id__in=[b.project_id for b in current], year=year).values_list(
                "project_id", "id"
            )
        )
        for b in current:
            b.pk = b.id = ids[b.project_id]
    adjustments = []
    for b in current:
        delta = (b.amount_initial * Decimal(rng.choice([-0.2, -0.1, 0.05, 0.1, 0.3]))).quantize(Decimal("0.01"))
        adjustments.append(
            BudgetAdjustment(
                region_id=b.region_id,
                budget=b,
                date=date(year, rng.randint(3, 10), 15),
                amount=delta,
                reason=rng.choice(["年中预算调剂", "追加任务资金", "压减一般性支出", "收回结余资金"]),
                document_no=f"财预〔{year}〕{rng.randint(10, 99)}号",
                created_by=system,
            )
        )
        b.amount_adjusted = b.amount_initial + delta
    BudgetAdjustment.objects.bulk_create(adjustments, batch_size=2000)
    ProjectBudget.objects.bulk_update(current, ["amount_adjusted"], batch_size=2000)
    ResponsiblePerson.objects.bulk_create(people, batch_size=2000)
    Transition.objects.bulk_create(transitions, batch_size=2000)
    WorkItem.objects.bulk_create(items, batch_size=2000)
    counts["projects"] += len(batch)
    counts["budgets"] += len(budgets)
    counts["adjustments"] += len(adjustments)
    counts["transitions"] += len(transitions)


# --- users -------------------------------------------------------------------------------------------


def _users(built: Built, password: str, year: int) -> int:
    dept = built.named["dept:教育局"]
    health = built.named["dept:卫生健康委员会"]
    built.named["city_edu"] = dept
    schools = [u for u in built.units[dept.id][1:] if "中学" in u.name or "学校" in u.name]
    built.named["city_edu_unit"] = (schools or built.units[dept.id][1:] or built.units[dept.id])[0]
    _demo_new_project(built.named["city_edu_unit"], dept, year + 1)
    built.named["city_health_unit"] = built.units[health.id][-1]
    hashed = make_password(password)
    for username, display, role, where in DEMO_USERS:
        org = built.named[where]
        user = User.objects.create(
            username=username,
            display_name=display,
            password=hashed,
            org=org if role != Role.EXPERT else None,
            is_superuser=username == "admin",
            is_staff=username == "admin",
        )
        RoleAssignment.objects.create(user=user, role=role, org=org)
    return len(DEMO_USERS)


def _demo_new_project(unit: Organisation, dept: Organisation, year: int) -> None:
    """A new project of the demo unit for next year's budget, with no target yet: `dw` declares it."""
    from wenxiao.core.text import search_text as tokens

    code = f"{unit.region.code}{year}{unit.code[-6:]}{1:05d}"
    name = f"{unit.name}智慧校园建设项目"
    p = Project.objects.create(
        region=unit.region,
        code=code,
        name=name,
        kind="project",
        department=dept,
        unit=unit,
        start_year=year,
        end_year=year + 1,
        budget_kind="1",
        fund_type="procurement",
        function_class_id="2050203",
        economic_class_id="31007",
        project_class="3",
        attribute="new",
        state="draft",
        description="建设校园网络、智慧教室和教学管理平台，提升信息化教学水平。",
        search_text="",
    )
    p.search_text = tokens(p.name, p.code, unit.name, p.description)
    p.save(update_fields=["search_text"])
    ProjectBudget.objects.create(
        region=unit.region,
        project=p,
        year=year,
        amount_initial=Decimal("3200000"),
        amount_adjusted=Decimal("3200000"),
        amount_fiscal=Decimal("3200000"),
    )
    ResponsiblePerson.objects.create(
        region=unit.region, project=p, name="陈明", position="副校长", start_date=date(year - 1, 11, 1)
    )
    from wenxiao.appraisal.services import flag_if_needed

    workflow.open_work_item(p)
    flag_if_needed(p, year, actor=None)  # 320万元 new project: needs its ex-ante assessment first (R05)


def set_demo_passwords(password: str) -> None:
    User.objects.filter(username__in=[u[0] for u in DEMO_USERS]).update(password=make_password(password))
