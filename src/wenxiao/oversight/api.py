"""/api/v1/oversight."""

from ninja import Router

router = Router(tags=["考核与综合评价"])
