"""`wenxiao bench recommend`: latency and recall@10 of the indicator recommender (library/recommend.py).

    wenxiao bench recommend [--templates 10000] [--history 100000] [--queries 1000] [--year 2026] [--no-recall]

latency: a synthetic but realistic library of `--templates` indicators (the 1,815 real rows, plus variants
moved to sibling 项/款 of the same 类 and reworded with a qualifier or the new sector's name, values rescaled)
and `--history` approved rows (projects named after the seed vocabulary's department projects in real
counties, each picking ~12 indicators by 功能分类 the way seed/targets.py does, one row in ten a unit's own
wording). Everything is deterministic. `--queries` project queries (name, description, function code,
amount) are timed end to end (tokenizing included); the reference, computed in the same run for the same
queries, is a plain substring scan: tokenize the name, test every word against every distinct indicator name,
keep the 10 names with most hits. ratio = p95 / reference p95.

recall@10: the demo jurisdiction is seeded into SQLite in a temp dir in a child process (as bench/run.py
does); approved project targets are split 80/20 by project (crc32 of the project code), the recommender is
built from the published library plus the 80 % history, and for each held-out target the share of its
indicator names found in the top 10 is averaged (macro). A target has ~12 rows, so 10 suggestions can find
at most 10 of them: `recall_ceiling` is that bound; `recall_library_only` is the same measure without history.
"""

from __future__ import annotations

import argparse
import csv
import heapq
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections import defaultdict
from pathlib import Path

from wenxiao.core.text import tokenize
from wenxiao.library.recommend import Recommender, from_rows, read_templates
from wenxiao.seed import vocab

ROOT = Path(__file__).resolve().parents[1]
FUNCTION_CODES = ROOT / "src" / "wenxiao" / "catalog" / "data" / "function_codes.csv"
# Rows a unit typically sets, by 二级指标 (as seed/targets.py SHAPE).
SHAPE = [
    ("数量指标", 3),
    ("质量指标", 2),
    ("时效指标", 1),
    ("成本指标", 1),
    ("社会效益指标", 2),
    ("经济效益指标", 1),
    ("可持续影响指标", 1),
    ("服务对象满意度指标", 1),
]
QUALIFIERS = ["农村", "城区", "县域", "基层", "重点", "乡镇", "全域", "新建", "年度", "专项", "示范", "片区"]
OWN_SUFFIXES = ["（本级）", "（含配套）", "完成情况", "达标情况", "（年度）"]
QUAL_VALUES = ["明显提升", "持续改善", "有效保障", "达到预期", "逐步提高"]


# --- synthetic data ------------------------------------------------------------------------------------------


def _function_names() -> dict[str, str]:
    with open(FUNCTION_CODES, encoding="utf-8", newline="") as f:
        return {r["code"]: r["name"] for r in csv.DictReader(f)}


def synthetic_library(base: list[dict], size: int, seed: int = 7) -> list[dict]:
    """The real rows plus variants: moved to a sibling 项 (same 款 or 类), reworded, values rescaled."""
    rng = random.Random(seed)
    names = _function_names()
    items = sorted(c for c in names if len(c) == 7)
    by_kuan, by_lei = defaultdict(list), defaultdict(list)
    for c in items:
        by_kuan[c[:5]].append(c)
        by_lei[c[:3]].append(c)
    specific = [r for r in base if r["function_codes"]]
    out = [dict(r) for r in base]
    taken = {r["name"] for r in out}
    i = 0
    while len(out) < size:
        i += 1
        r = dict(rng.choice(specific))
        old = r["function_codes"].split(";")[0]
        x = rng.random()
        if x < 0.5:
            pool = by_kuan.get(old[:5]) or items
        elif x < 0.85:
            pool = by_lei.get(old[:3]) or items
        else:
            pool = [old]
        new = rng.choice(pool)
        stem = names.get(new, "").replace("支出", "").replace("其他", "")[:4]
        if rng.random() < 0.5 and stem and stem not in r["name"]:
            name = stem + r["name"]
        else:
            name = rng.choice(QUALIFIERS) + r["name"]
        if name in taken:
            name = f"{name}（{rng.choice(QUALIFIERS)}）"
        if name in taken:
            continue
        taken.add(name)
        factor = rng.choice([0.5, 0.8, 1, 1.25, 2])
        for k in ("p10", "p50", "p90"):
            if r[k] and r["value_kind"] == "number":
                r[k] = f"{float(r[k]) * factor:g}"
        r.update(code=f"S{i:07d}", name=name, function_codes=new, common="个性")
        r["definition"] = f"{name}：{r['definition']}"
        out.append(r)
    return out


def _value(t: dict, rng: random.Random, year: int) -> str:
    if t["value_kind"] == "date":
        return f"{year}年{rng.choice([6, 9, 10, 11, 12])}月底前"
    if t["comparator"] == "定性" or not t["p50"]:
        return rng.choice(QUAL_VALUES)
    pick = rng.choice([t["p10"], t["p50"], t["p50"], t["p90"]]) or t["p50"]
    return f"{t['comparator']}{float(pick):g}{'%' if t['unit'] == '%' else ''}"


def _project_specs() -> list[dict]:
    return [p for d in vocab.DEPARTMENTS for p in d["projects"] if p["klass"] != "person"]


def _places() -> list[str]:
    return [name for _, city, counties in vocab.CITIES for name in [city] + [c for _, c in counties]]


class _Picker:
    """seed/targets.py Library.pick on plain dicts: per 二级, the 项 pool, else the 款 pool, else 共性."""

    def __init__(self, templates: list[dict]):
        self.by_code: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
        self.common: dict[str, list[dict]] = defaultdict(list)
        for t in templates:
            codes = [c for c in t["function_codes"].split(";") if c]
            for c in codes:
                self.by_code[c][t["level2"]].append(t)
                if len(c) == 7:
                    self.by_code[c[:5]][t["level2"]].append(t)
            if t["common"] == "共性" or not codes:
                self.common[t["level2"]].append(t)

    def pick(self, code: str, rng: random.Random) -> list[dict]:
        out = []
        for level2, n in SHAPE:
            pool = (
                self.by_code.get(code, {}).get(level2)
                or self.by_code.get(code[:5], {}).get(level2)
                or self.common.get(level2)
                or []
            )
            out += rng.sample(pool, min(n, len(pool)))
        return out


def synthetic_history(templates: list[dict], size: int, seed: int = 11, year: int = 2025) -> list[dict]:
    """`size` approved rows of projects like the demo's, one in ten a unit's own wording (not in the library)."""
    rng = random.Random(seed)
    picker = _Picker(templates)
    specs, places = _project_specs(), _places()
    rows: list[dict] = []
    while len(rows) < size:
        spec = rng.choice(specs)
        project = rng.choice(places) + spec["name"] if rng.random() < 0.5 else spec["name"]
        for t in picker.pick(spec["function_code"], rng):
            own = rng.random() < 0.1
            rows.append(
                {
                    "name": t["name"] + rng.choice(OWN_SUFFIXES) if own else t["name"],
                    "level1": t["level1"],
                    "level2": t["level2"],
                    "unit": t["unit"],
                    "comparator": t["comparator"],
                    "value": _value(t, rng, year),
                    "template_code": None if own else t["code"],
                    "project": project,
                    "function_code": spec["function_code"],
                }
            )
            if len(rows) >= size:
                break
    return rows


def synthetic_queries(n: int, seed: int = 13) -> list[dict]:
    rng = random.Random(seed)
    specs, places = _project_specs(), _places()
    out = []
    for _ in range(n):
        spec = rng.choice(specs)
        place = rng.choice(places)
        name = place + spec["name"] if rng.random() < 0.5 else spec["name"]
        amount = spec["amount"] * rng.choice([0.5, 0.8, 1, 1.2, 2])
        out.append(
            {
                "name": name,
                "description": f"{name}。实施单位：{place}。",
                "code": spec["function_code"],
                "amount": amount,
            }
        )
    return out


# --- latency -----------------------------------------------------------------------------------------------------


def _pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def reference_scan(names: list[str], query: str, top: int = 10) -> list[str]:
    """The trivial reference: every query word tested against every distinct indicator name."""
    words = tokenize(query, for_query=True)
    hits = ((sum(w in n for w in words), n) for n in names)
    return [n for c, n in heapq.nlargest(top, hits) if c]


def latency(rec: Recommender, queries: list[dict]) -> tuple[float, float, float, float]:
    """(p50 ms, p95 ms, reference p50 ms, reference p95 ms)."""
    for q in queries[:20]:  # warm up
        rec.recommend(q["name"], q["description"], q["code"], amount=q["amount"])
    times = []
    for q in queries:
        t = time.perf_counter()
        rec.recommend(q["name"], q["description"], q["code"], amount=q["amount"], top=10)
        times.append((time.perf_counter() - t) * 1000)
    names = sorted({c.name for c in rec.candidates})
    ref = []
    for q in queries:
        t = time.perf_counter()
        reference_scan(names, q["name"])
        ref.append((time.perf_counter() - t) * 1000)
    return _pct(times, 50), _pct(times, 95), _pct(ref, 50), _pct(ref, 95)


# --- recall on the demo ------------------------------------------------------------------------------------------


def dump_demo(path: str) -> None:
    """In the seeded child: the published library and the approved project targets with their rows, as JSON."""
    from wenxiao.library.recommend_db import template_rows
    from wenxiao.targets.models import Target, TargetIndicator

    targets = list(
        Target.objects.filter(state="approved", kind="project").values(
            "id",
            "amount",
            "goal",
            "project__code",
            "project__name",
            "project__description",
            "project__function_class_id",
        )
    )
    rows = list(
        TargetIndicator.objects.filter(target__state="approved", target__kind="project").values(
            "target_id",
            "name",
            "level1",
            "level2",
            "unit",
            "comparator",
            "value",
            "value_kind",
            "number",
            "upper",
            "template__code",
        )
    )
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"templates": template_rows(), "targets": targets, "rows": rows}, f, ensure_ascii=False, default=str)


def _seed_and_dump(data_dir: str, year: int) -> dict:
    out = str(Path(data_dir) / "demo.json")
    code = (
        "import os, sys, django;"
        f"sys.path.insert(0, {str(ROOT)!r});"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'wenxiao.settings');"
        "django.setup();"
        "from django.core.management import call_command;"
        "call_command('migrate', verbosity=0);"
        "from wenxiao.seed.generate import seed;"
        f"seed('demo', year={year}, progress=lambda *a: None);"
        "from bench.recommend_bench import dump_demo;"
        f"dump_demo({out!r})"
    )
    env = {k: v for k, v in os.environ.items() if k != "WENXIAO_DATABASE_URL"}
    env["WENXIAO_DATA_DIR"] = data_dir
    subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=ROOT)
    with open(out, encoding="utf-8") as f:
        return json.load(f)


def _held_out(project_code: str) -> bool:
    return zlib.crc32(project_code.encode()) % 5 == 0


def recall_at_10(demo: dict) -> tuple[float, float, float, int, int]:
    """(recall@10, ceiling, library-only recall@10, held-out targets, history rows)."""
    targets = {t["id"]: t for t in demo["targets"]}
    rows_of: dict[int, list[dict]] = defaultdict(list)
    for r in demo["rows"]:
        rows_of[r["target_id"]].append(r)
    history = []
    for tid, t in targets.items():
        if _held_out(t["project__code"]):
            continue
        for r in rows_of[tid]:
            quantitative = r["upper"] is None and r["value_kind"] in ("number", "percent")
            history.append(
                {
                    "name": r["name"],
                    "level1": r["level1"],
                    "level2": r["level2"],
                    "unit": r["unit"],
                    "comparator": r["comparator"],
                    "value": r["value"],
                    "value_kind": r["value_kind"],
                    "number": r["number"] if quantitative else None,
                    "template_code": r["template__code"],
                    "project": t["project__name"],
                    "function_code": t["project__function_class_id"],
                }
            )
    full = from_rows(demo["templates"], history)
    library_only = from_rows(demo["templates"])
    recalls, ceilings, lib_recalls = [], [], []
    for tid, t in targets.items():
        if not _held_out(t["project__code"]) or not rows_of[tid]:
            continue
        truth = {r["name"] for r in rows_of[tid]}
        args = (t["project__name"], f"{t['project__description']} {t['goal']}", t["project__function_class_id"])
        got = {s.name for s in full.recommend(*args, amount=t["amount"], top=10)}
        lib = {s.name for s in library_only.recommend(*args, amount=t["amount"], top=10)}
        recalls.append(len(truth & got) / len(truth))
        lib_recalls.append(len(truth & lib) / len(truth))
        ceilings.append(min(len(truth), 10) / len(truth))
    return (
        statistics.fmean(recalls),
        statistics.fmean(ceilings),
        statistics.fmean(lib_recalls),
        len(recalls),
        len(history),
    )


# --- entry point -------------------------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="wenxiao bench recommend")
    p.add_argument("--templates", type=int, default=10_000)
    p.add_argument("--history", type=int, default=100_000)
    p.add_argument("--queries", type=int, default=1000)
    p.add_argument("--year", type=int, default=2026)
    p.add_argument("--no-recall", action="store_true", help="只测延迟，不生成演示数据")
    args = p.parse_args(argv)

    t = time.perf_counter()
    templates = synthetic_library(read_templates(), args.templates)
    history = synthetic_history(templates, args.history, year=args.year - 1)
    rec = from_rows(templates, history)
    build_s = time.perf_counter() - t
    p50, p95, ref50, ref95 = latency(rec, synthetic_queries(args.queries))
    print(
        f"latency: {len(templates)} templates + {len(history)} history rows → {len(rec)} candidates, "
        f"built in {build_s:.1f} s; {args.queries} queries p50={p50:.2f} ms p95={p95:.2f} ms; "
        f"reference substring scan p50={ref50:.2f} ms p95={ref95:.2f} ms",
        file=sys.stderr,
    )
    line = f"RESULT recommend p50_ms={p50:.2f} p95_ms={p95:.2f} reference_p95_ms={ref95:.2f} ratio={p95 / ref95:.2f}"
    if not args.no_recall:
        with tempfile.TemporaryDirectory() as d:
            demo = _seed_and_dump(d, args.year)
        recall, ceiling, lib_recall, held, rows = recall_at_10(demo)
        print(
            f"recall: {held} held-out approved targets, history of {rows} rows from the other 80 % of projects",
            file=sys.stderr,
        )
        line += f" recall_at_10={recall:.3f} recall_ceiling={ceiling:.3f} recall_library_only={lib_recall:.3f}"
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
