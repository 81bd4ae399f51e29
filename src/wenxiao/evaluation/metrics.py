"""Self-evaluation figures for 考核 and 财政运行综合绩效评价 (registered in oversight's metric registry)."""

from __future__ import annotations

from django.db.models import Count, Q

from wenxiao.oversight.metrics import metric, pct, within

SUBMITTED = ("dept_review", "finance_review", "done")


@metric("selfeval_coverage", "单位自评覆盖率")
def selfeval_coverage(subject, year):
    """已下达的自评表中，已提交（进入审核或审核完成）的比例。"""
    from wenxiao.evaluation.models import SelfEvaluation

    agg = SelfEvaluation.objects.filter(within(subject), year=year).aggregate(
        n=Count("id"), done=Count("id", filter=Q(state__in=SUBMITTED))
    )
    return pct(agg["done"], agg["n"])


@metric("selfeval_credibility", "自评可信率")
def selfeval_credibility(subject, year):
    """已提交的自评表中，没有可信度提示（S01–S09）的比例：自评得分有佐证。"""
    from wenxiao.evaluation.models import SelfEvaluation

    agg = SelfEvaluation.objects.filter(within(subject), year=year, state__in=SUBMITTED).aggregate(
        n=Count("id"), clean=Count("id", filter=Q(flag_count=0))
    )
    return pct(agg["clean"], agg["n"])
