"""Demo data of the 一体化 interface: two batches on the exchange page, and no change to the demo projects.

The city 绩效科 (jxk) pushes three city projects exactly as they are (the batch reports them unchanged) and a batch
of budgets with an unknown project code (refused with its row error), so the page shows both kinds of report.
"""

from wenxiao.orgs.models import User


def seed_exchange(year, rng, actor) -> dict:
    from wenxiao.exchange import services
    from wenxiao.projects.models import Project

    jxk = User.objects.filter(username="jxk").first()
    if jxk is None:
        return {}
    projects = (
        Project.objects.visible_to(jxk)
        .filter(state="in_library", region__code=jxk.assignments.get().org.region.code)
        .select_related("region", "department", "unit")
        .order_by("code")[:3]
    )
    rows = [
        {
            "pro_code": p.code,
            "pro_name": p.name,
            "mof_div_code": f"{p.region.code:0<9}",
            "dept_code": p.department.code,
            "agency_code": p.unit.code,
            "fiscal_year": str(p.start_year),
            "start_year": str(p.start_year),
            "end_year": str(p.end_year),
            "exp_func_code": p.function_class_id,
            "pro_cat_code": p.project_class,
            "is_deleted": "2",
        }
        for p in projects
    ]
    batches = 0
    if rows:
        services.do_push("projects", actor=jxk, source="api", rows=rows, file_name=f"{year}年项目库同步（演示）")
        batches += 1
    bad = [{"pro_code": "430400209999999999999", "fiscal_year": str(year), "bgt_amt": "100000.00"}]
    services.do_push("budgets", actor=jxk, source="api", rows=bad, file_name=f"{year}年预算（演示：含错误）")
    return {"exchange_batches": batches + 1}
