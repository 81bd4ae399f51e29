"""/api/v1/partners."""

from ninja import Router

router = Router(tags=["第三方机构与专家"])
