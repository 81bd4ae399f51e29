"""Demo data of disclosure: the city's 绩效科 (jxk) publishes a part of the year's work on the public site.

Five departments' approved targets (the 教育局 of the demo accounts among them) and their finished self-evaluations,
the 1–7月 monitoring round's summary, and the finalised key evaluation report (with its PDF when WeasyPrint works).
"""

from wenxiao.core.errors import ValidationError
from wenxiao.disclosure import services
from wenxiao.orgs.models import Organisation, User
from wenxiao.targets.models import Target

DEPARTMENTS = 5


def seed_disclosure(year, rng, system) -> dict:
    jxk = User.objects.filter(username="jxk").first()
    if jxk is None:
        return {}
    city = jxk.assignments.get(role="performance").org.region
    zgbm = User.objects.filter(username="zgbm").first()
    first = zgbm.assignments.get().org if zgbm else None
    with_targets = (
        Target.objects.filter(region=city, year=year, state="approved")
        .values_list("department_id", flat=True)
        .distinct()
    )
    departments = list(Organisation.objects.filter(pk__in=with_targets).order_by("code"))
    chosen = ([first] if first in departments else []) + [d for d in departments if d != first]
    chosen = chosen[:DEPARTMENTS]
    batches = [(kind, d.pk) for d in chosen for kind in ("target", "selfeval")]
    batches += [("monitoring_summary", None), ("evaluation_report", None)]
    published = 0
    for kind, department_id in batches:
        try:
            result = services.do_publish(actor=jxk, kind=kind, year=year, department_id=department_id)
            published += len(result.publications)
        except ValidationError:
            continue  # nothing of that kind (in that department) is ready to publish
    return {"published": published}
