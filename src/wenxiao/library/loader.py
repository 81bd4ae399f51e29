"""Load frameworks, weight schemes and the seeded indicator library; used by data migrations."""

import csv
from decimal import Decimal
from pathlib import Path

from wenxiao.core.text import search_text
from wenxiao.library.frameworks import FRAMEWORKS, SCHEMES

DATA = Path(__file__).resolve().parent / "data"


def load_frameworks(apps, schema_editor=None) -> None:
    Framework = apps.get_model("library", "Framework")
    Level = apps.get_model("library", "FrameworkLevel")
    Scheme = apps.get_model("library", "WeightScheme")
    for key, spec in FRAMEWORKS.items():
        fw, _ = Framework.objects.update_or_create(
            key=key, defaults={"name": spec["name"], "description": spec["description"]}
        )
        fw.levels.all().delete()
        order = 0
        for l1, l2s in spec["tree"].items():
            order += 1
            parent = Level.objects.create(framework=fw, name=l1, order=order)
            for l2 in l2s:
                order += 1
                Level.objects.create(framework=fw, parent=parent, name=l2, order=order)
    for key, name, fw_key, weights, execution, fallback in SCHEMES:
        Scheme.objects.update_or_create(
            key=key,
            defaults={
                "name": name,
                "framework": Framework.objects.get(key=fw_key),
                "weights": weights,
                "execution_weight": execution,
                "fallback": fallback,
            },
        )


def _dec(value: str):
    return Decimal(value) if value.strip() else None


def read_indicators() -> list[dict]:
    with open(DATA / "indicators.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def load_indicators(apps, schema_editor=None) -> None:
    Template = apps.get_model("library", "IndicatorTemplate")
    FunctionClass = apps.get_model("catalog", "FunctionClass")
    known = set(FunctionClass.objects.values_list("code", flat=True))
    rows = read_indicators()
    objs = []
    for r in rows:
        objs.append(
            Template(
                code=r["code"],
                name=r["name"],
                level1=r["level1"],
                level2=r["level2"],
                unit=r["unit"],
                comparator=r["comparator"],
                value_kind=r["value_kind"],
                definition=r["definition"],
                formula=r["formula"],
                scoring=r["scoring"],
                source=r["source"],
                is_common=r["common"] == "共性",
                ref_p10=_dec(r["p10"]),
                ref_p50=_dec(r["p50"]),
                ref_p90=_dec(r["p90"]),
                state="published",
                search_text=search_text(r["name"], r["definition"], r["level2"]),
            )
        )
    Template.objects.bulk_create(objs, batch_size=500)
    ids = dict(Template.objects.values_list("code", "id"))
    Through = Template.sectors.through
    links = []
    for r in rows:
        for code in filter(None, (c.strip() for c in r["function_codes"].split(";"))):
            if code in known:
                links.append(Through(indicatortemplate_id=ids[r["code"]], functionclass_id=code))
    Through.objects.bulk_create(links, batch_size=1000, ignore_conflicts=True)
