"""Errors raised by services. Views turn them into messages, the API into 400/403/404/409 with `detail`."""


class ServiceError(Exception):
    status = 400

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


def error_text(e: ServiceError, limit: int = 8) -> str:
    """The message a page shows for a refused write: the reason, then the first details."""
    details = [m for msgs in e.errors.values() for m in msgs]
    if not details:
        return e.message
    more = "…" if len(details) > limit else ""
    return f"{e.message}（{'；'.join(details[:limit])}{more}）"


class ValidationError(ServiceError):
    status = 400


class PermissionDenied(ServiceError):
    status = 403


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    """The row changed since the user loaded it, or its state no longer allows the action (409)."""

    status = 409
