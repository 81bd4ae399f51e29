"""/api/v1/exchange."""

from ninja import Router

router = Router(tags=["一体化数据交换"])
