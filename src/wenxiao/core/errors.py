"""Errors raised by services. Views turn them into messages, the API into 400/403/404/409 with `detail`."""


class ServiceError(Exception):
    status = 400

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class ValidationError(ServiceError):
    status = 400


class PermissionDenied(ServiceError):
    status = 403


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    """The row changed since the user loaded it, or its state no longer allows the action (409)."""

    status = 409
