"""Reference value ranges of library indicators, computed from the targets that were approved with them.

A library indicator carries a seeded range (ref_p10/p50/p90). Once at least `MIN_ROWS` approved targets used
it with a number in the indicator's own unit, the observed deciles (stat_p10/p50/p90) replace the seed in
what users see (IndicatorTemplate.p10/p50/p90).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from decimal import Decimal

from django.db import transaction

from wenxiao.library.models import IndicatorTemplate
from wenxiao.targets.models import TargetIndicator

MIN_ROWS = 5


def deciles(values: list[Decimal]) -> tuple[Decimal, Decimal, Decimal]:
    """p10, p50 and p90 (inclusive method, so they stay within the observed values)."""
    cuts = statistics.quantiles([float(v) for v in values], n=10, method="inclusive")
    return tuple(Decimal(str(round(c, 4))) for c in (cuts[0], cuts[4], cuts[8]))


def refresh() -> int:
    """Recompute every used indicator's observed range; returns how many indicators have one."""
    units = dict(IndicatorTemplate.objects.values_list("id", "unit"))
    numbers: dict[int, list[Decimal]] = defaultdict(list)
    rows = (
        TargetIndicator.objects.filter(
            target__state="approved", template__isnull=False, number__isnull=False, upper__isnull=True
        )
        .values_list("template_id", "number", "unit")
        .iterator(chunk_size=5000)
    )
    for template_id, number, unit in rows:
        if (unit or "") == (units.get(template_id) or ""):
            numbers[template_id].append(number)
    updates = []
    for template in IndicatorTemplate.objects.filter(pk__in=list(numbers)).only("id"):
        values = numbers[template.pk]
        template.stat_count = len(values)
        if len(values) >= MIN_ROWS:
            template.stat_p10, template.stat_p50, template.stat_p90 = deciles(values)
        else:
            template.stat_p10 = template.stat_p50 = template.stat_p90 = None
        updates.append(template)
    with transaction.atomic():
        IndicatorTemplate.objects.exclude(pk__in=list(numbers)).exclude(stat_count=0).update(
            stat_count=0, stat_p10=None, stat_p50=None, stat_p90=None
        )
        IndicatorTemplate.objects.bulk_update(
            updates, ["stat_count", "stat_p10", "stat_p50", "stat_p90"], batch_size=1000
        )
    return sum(1 for t in updates if t.stat_count >= MIN_ROWS)
