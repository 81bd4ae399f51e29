"""How a page reports a service call: a refusal becomes the page's error message, success a notice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages

from wenxiao.core.errors import ServiceError, error_text


def attempt(request, call: Callable[[], Any], success: str | Callable[[Any], str]) -> Any | None:
    """Run `call`; on a ServiceError show why (in Chinese) and return None, else show `success` and the result."""
    try:
        result = call()
    except ServiceError as e:
        messages.error(request, error_text(e))
        return None
    messages.success(request, success(result) if callable(success) else success)
    return result
