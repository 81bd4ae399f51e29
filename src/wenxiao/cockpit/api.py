"""/api/v1/cockpit."""

from ninja import Router

router = Router(tags=["领导驾驶舱"])
