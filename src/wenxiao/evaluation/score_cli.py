"""`wenxiao score selfeval FILE.json|FILE.xlsx [--json] [--config CONFIG.json]`: the 单位自评 engine on a file.

No database. `main(argv)` takes the arguments after `wenxiao score` (a leading "score" is accepted too), reads the
file with `selfeval_file.read_file`, scores every self-evaluation with `scoring.score` (credibility flags
included; S08 uses a "system" object in the JSON input when present) and prints either one JSON object per input
(`Scored.to_dict()`; a JSON list when the file held a list or several sheets) or a readable Chinese report.
--config reads a ScoringConfig mapping (the per region/year settings) from a JSON file.
Exit code 0 when scored; 2 with a Chinese message on stderr when the file (or the config) cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from wenxiao.evaluation.credibility import CODES
from wenxiao.evaluation.scoring import ConfigError, Scored, ScoringConfig, fmt, score
from wenxiao.evaluation.selfeval_file import SelfEvalFileError, read_file


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would print English usage and exit; we return 2 with Chinese
        raise _UsageError(message)


class _UsageError(Exception):
    pass


USAGE = "用法：wenxiao score selfeval FILE.json|FILE.xlsx [--json] [--config CONFIG.json]"


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="wenxiao score", add_help=False)
    sub = p.add_subparsers(dest="what", parser_class=_Parser)
    s = sub.add_parser("selfeval", add_help=False)
    s.add_argument("file")
    s.add_argument("--json", action="store_true")
    s.add_argument("--config")
    s.add_argument("-h", "--help", action="store_true")
    return p


def main(argv: list[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    args_in = list(sys.argv[1:] if argv is None else argv)
    if args_in[:1] == ["score"]:
        args_in = args_in[1:]
    if not args_in or args_in[0] in ("-h", "--help"):
        print(USAGE, file=out if args_in else err)
        return 0 if args_in else 2
    try:
        args = _parser().parse_args(args_in)
    except _UsageError as e:
        print(f"参数错误：{e}\n{USAGE}", file=err)
        return 2
    if args.what != "selfeval":
        print(USAGE, file=err)
        return 2
    if args.help:
        print(USAGE, file=out)
        return 0
    try:
        cfg = _config(args.config)
        evaluations, single = read_file(args.file)
    except (SelfEvalFileError, ConfigError) as e:
        print(e.message, file=err)
        return 2
    results = [score(ev, cfg) for ev in evaluations]
    if args.json:
        payload = [r.to_dict() for r in results]
        json.dump(payload[0] if single else payload, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    for n, result in enumerate(results, start=1):
        _print_report(result, n, len(results), out)
    if len(results) > 1:
        grades = {g: sum(1 for r in results if r.grade == g) for g in ("优", "良", "中", "差")}
        flagged = sum(1 for r in results if r.flags)
        shown = "，".join(f"{g}{k}个" for g, k in grades.items() if k)
        print(f"共评分 {len(results)} 个项目：{shown}；{flagged} 个有可信度提示。", file=out)
    return 0


def _config(path: str | None) -> ScoringConfig:
    if not path:
        return ScoringConfig()
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise SelfEvalFileError(f"配置文件不存在：{path}")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SelfEvalFileError(f"无法读取配置文件 {path}：{e}")
    return ScoringConfig.from_mapping(data)


def _print_report(r: Scored, n: int, count: int, out: TextIO) -> None:
    name = r.project_name or "（未填写项目名称）"
    year = f"（{r.year}年度）" if r.year else ""
    head = f"【{n}/{count}】" if count > 1 else "【自评评分】"
    print(f"{head}{name}{year}", file=out)
    declared = f"；填报总分 {fmt(r.declared_total)} 分" if r.declared_total is not None else ""
    print(f"总分 {fmt(r.total)} 分（{r.grade}），满分 {fmt(r.full_marks)} 分{declared}", file=out)
    b = r.budget
    if b.rate is not None:
        denominator = b.annual if b.denominator == "全年预算数" else b.initial
        how = f"全年执行数{fmt(b.executed)}÷{b.denominator}{fmt(denominator)}{b.unit}"
        print(f"预算执行率 {fmt(b.rate)}%（{how}），得分 {fmt(b.score)}/{fmt(b.points)}", file=out)
    else:
        print(f"预算执行率 无法计算，得分 {fmt(b.score)}/{fmt(b.points)}", file=out)
    print("绩效指标：", file=out)
    for row in r.rows:
        flags = f"  ⚠{'、'.join(row.flags)}" if row.flags else ""
        shared = "（分配）" if row.weight_shared else ""
        detail = f"（{row.detail}）" if row.detail else ""
        print(
            f"  {row.index + 1:>2}. [{row.level1}/{row.level2}] {row.name}：{fmt(row.score)}/{fmt(row.weight)}分"
            f"{shared}  {row.rule}{detail}{flags}",
            file=out,
        )
    if r.levels:
        subtotal = "；".join(f"{lv.name} {fmt(lv.score)}/{fmt(lv.weight)}" for lv in r.levels)
        print(f"小计：{subtotal}", file=out)
    if r.flags:
        print(f"可信度提示（{len(r.flags)}条）：", file=out)
        for f in r.flags:
            where = f"第{f.indicator + 1}项 " if f.indicator is not None else ""
            print(f"  {f.code} {CODES.get(f.code, '')}：{where}{f.message}", file=out)
    else:
        print("可信度提示：无。", file=out)
    if r.notes:
        print("未能读取或需要说明：", file=out)
        for note in r.notes:
            print(f"  - {note}", file=out)
    print(file=out)
