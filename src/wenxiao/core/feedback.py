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


def attempt_step(request, pk: int, do_transition) -> Any | None:
    """A workflow button: take the POSTed `action` (with `comment` and the `version` the page was read at) through
    the app's `do_transition(pk, action, *, actor, comment, expected_version)` and report the new state."""
    p = request.POST
    return attempt(
        request,
        lambda: do_transition(
            pk,
            p.get("action", ""),
            actor=request.user,
            comment=p.get("comment", ""),
            expected_version=p.get("version") or None,
        ),
        lambda doc: f"已办理，当前状态：{doc.state_label}。",
    )
