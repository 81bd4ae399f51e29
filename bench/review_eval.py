"""`wenxiao bench review`: precision and recall of the target review engine on the labelled set.

    wenxiao bench review [--set bench/review_set.json] [--show-errors]

A finding counts once per (target, code): a target expecting Q03 that gets two Q03 findings is one true
positive; a Q03 on a target that does not expect it is one false positive. Per code and overall (micro).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from wenxiao.targets.rules import CODES, load_library, review

DEFAULT_SET = Path(__file__).resolve().parent / "review_set.json"


def _ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def evaluate(set_path: str | Path = DEFAULT_SET) -> dict:
    """Run review() on every labelled target; return per-code and overall precision/recall and the misses."""
    items = json.loads(Path(set_path).read_text(encoding="utf-8"))
    library = load_library()
    tp = dict.fromkeys(CODES, 0)
    fp = dict.fromkeys(CODES, 0)
    fn = dict.fromkeys(CODES, 0)
    errors: list[dict] = []
    splits: dict[str, list[int]] = {}  # split → [tp, fp, fn]
    clean_flagged = 0
    started = time.perf_counter()
    for n, item in enumerate(items):
        expected = set(item.get("expected", []))
        findings = review(item["target"], library)
        got = {f.code for f in findings}
        split = splits.setdefault(item.get("split", "main"), [0, 0, 0])
        clean_flagged += bool(got and not expected)
        for code in CODES:
            if code in got and code in expected:
                tp[code] += 1
                split[0] += 1
            elif code in got:
                fp[code] += 1
                split[1] += 1
            elif code in expected:
                fn[code] += 1
                split[2] += 1
        if got != expected:
            errors.append(
                {
                    "id": item.get("id", str(n)),
                    "project_name": item["target"].get("project_name", ""),
                    "missed": sorted(expected - got),
                    "extra": sorted(got - expected),
                    "findings": [f"{f.code} {f.message}" for f in findings if f.code in (got ^ expected)],
                }
            )
    seconds = time.perf_counter() - started
    per_code = {
        code: {
            "expected": tp[code] + fn[code],
            "found": tp[code] + fp[code],
            "tp": tp[code],
            "fp": fp[code],
            "fn": fn[code],
            "precision": _ratio(tp[code], tp[code] + fp[code]),
            "recall": _ratio(tp[code], tp[code] + fn[code]),
        }
        for code in CODES
    }
    all_tp, all_fp, all_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    with_expectations = [c for c in CODES if per_code[c]["expected"]]
    return {
        "targets": len(items),
        "clean_targets": sum(1 for it in items if not it.get("expected")),
        "per_code": per_code,
        "precision": _ratio(all_tp, all_tp + all_fp),
        "recall": _ratio(all_tp, all_tp + all_fn),
        "min_code_recall": min((per_code[c]["recall"] for c in with_expectations), default=1.0),
        "clean_flagged": clean_flagged,
        "by_split": {
            name: {"precision": _ratio(a, a + b), "recall": _ratio(a, a + c), "tp": a, "fp": b, "fn": c}
            for name, (a, b, c) in splits.items()
        },
        "seconds": seconds,
        "errors": errors,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="wenxiao bench review", description="智能审核规则在标注集上的精确率和召回率")
    p.add_argument("--set", default=str(DEFAULT_SET), help="标注集 JSON（默认 bench/review_set.json）")
    p.add_argument("--show-errors", action="store_true", help="列出漏报和误报的目标")
    args = p.parse_args(argv or [])
    r = evaluate(args.set)
    print(f"标注集：{r['targets']} 个绩效目标（其中无问题 {r['clean_targets']} 个），用时 {r['seconds']:.2f} 秒")
    print(f"{'代码':<5}{'问题':<8}{'应报':>5}{'报出':>5}{'正确':>5}{'误报':>5}{'漏报':>5}{'精确率':>9}{'召回率':>8}")
    for code, name in CODES.items():
        c = r["per_code"][code]
        print(
            f"{code:<6}{name:<7}{c['expected']:>6}{c['found']:>6}{c['tp']:>6}{c['fp']:>6}{c['fn']:>6}"
            f"{c['precision']:>10.3f}{c['recall']:>9.3f}"
        )
    for name, sp in r["by_split"].items():
        print(
            f"  {name}: 精确率 {sp['precision']:.3f} 召回率 {sp['recall']:.3f}"
            f"（正确{sp['tp']} 误报{sp['fp']} 漏报{sp['fn']}）"
        )
    print(f"  无问题目标被误报：{r['clean_flagged']}/{r['clean_targets']}")
    if args.show_errors:
        for e in r["errors"]:
            print(
                f"- {e['id']} {e['project_name']} "
                f"漏报={','.join(e['missed']) or '-'} 误报={','.join(e['extra']) or '-'}"
            )
            for line in e["findings"]:
                print(f"    {line}")
    print(
        f"RESULT review precision={r['precision']:.3f} recall={r['recall']:.3f} "
        f"min_code_recall={r['min_code_recall']:.3f} targets={r['targets']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
