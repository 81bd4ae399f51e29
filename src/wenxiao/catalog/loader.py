"""Load the classification CSVs (code,name) into the catalog tables; used by the data migration."""

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
LEVEL_BY_LENGTH = {3: 1, 5: 2, 7: 3}


def read_codes(filename: str) -> list[tuple[str, str]]:
    with open(DATA / filename, encoding="utf-8", newline="") as f:
        return [(row["code"].strip(), row["name"].strip()) for row in csv.DictReader(f)]


def load(apps, schema_editor=None) -> None:
    FunctionClass = apps.get_model("catalog", "FunctionClass")
    EconomicClass = apps.get_model("catalog", "EconomicClass")
    for code, name in sorted(read_codes("function_codes.csv"), key=lambda r: (len(r[0]), r[0])):
        FunctionClass.objects.update_or_create(
            code=code,
            defaults={"name": name, "level": LEVEL_BY_LENGTH[len(code)], "parent_id": _parent(code)},
        )
    for scheme, filename in (("dept", "economic_codes_dept.csv"), ("gov", "economic_codes_gov.csv")):
        for code, name in sorted(read_codes(filename), key=lambda r: (len(r[0]), r[0])):
            EconomicClass.objects.update_or_create(
                code=code,
                defaults={
                    "scheme": scheme,
                    "name": name,
                    "level": LEVEL_BY_LENGTH[len(code)],
                    "parent_id": _parent(code),
                },
            )


def _parent(code: str) -> str | None:
    return {3: None, 5: code[:3], 7: code[:5]}[len(code)]
