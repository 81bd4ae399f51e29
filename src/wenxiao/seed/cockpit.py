"""Demo data of the cockpit: the first snapshots (called last in the seed).

Every region gets its snapshot. Every 主管部门 does too on the demo scale; on larger scales (hundreds of
departments) a department's snapshot is computed when it is first opened (a department is small), which keeps the
city seed used by the benchmarks short. `wenxiao cockpit refresh` computes them all.
"""

SEED_ALL_DEPARTMENTS_UP_TO = 100


def seed_cockpit(year, rng, actor) -> dict:
    from wenxiao.cockpit.services import refresh, subjects_under

    regions, departments = subjects_under(None)
    if len(departments) > SEED_ALL_DEPARTMENTS_UP_TO:
        departments = []
    for subject in regions + departments:
        refresh(subject, year)
    return {"cockpit_snapshots": len(regions) + len(departments)}
