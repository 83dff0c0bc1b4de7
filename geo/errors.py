"""Errors that know their own OGC code and HTTP status.

Every error the domain raises for a caller's mistake is a subclass of
:class:`IncidentMapError`, so the web layer can turn any of them into the one
JSON error body without guessing a status.
"""

from __future__ import annotations

import reprlib


class IncidentMapError(Exception):
    """Base of all expected errors: carries an OGC exception code and a status."""

    code = "ServerError"
    status = 500

    def __init__(self, description: str):
        super().__init__(description)
        self.description = description

    def to_dict(self) -> dict:
        return {"code": self.code, "description": self.description}


class InvalidParameterValue(IncidentMapError):
    """A query parameter is malformed or out of range (HTTP 400)."""

    code = "InvalidParameterValue"
    status = 400


class InvalidInput(IncidentMapError):
    """A request body or an input file cannot be used (HTTP 400)."""

    code = "InvalidInput"
    status = 400


class ValidationError(InvalidInput):
    """A feature breaks the data model; names the field and the bad value."""

    def __init__(self, field: str, value: object, problem: str):
        self.field = field
        self.value = value
        self.problem = problem
        super().__init__(f"{field}: {problem} (got {_quote(value)})")


def _quote(value: object, limit: int = 300) -> str:
    """``repr(value)``, shortened; a value nested too deep for ``repr`` is shown a few levels deep."""
    try:
        text = repr(value)
    except RecursionError:
        text = reprlib.repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


class NotFound(IncidentMapError):
    code = "NotFound"
    status = 404


class Conflict(IncidentMapError):
    code = "Conflict"
    status = 409


class Unauthorized(IncidentMapError):
    code = "Unauthorized"
    status = 401


class WritesDisabled(IncidentMapError):
    code = "Forbidden"
    status = 403


class Forbidden(IncidentMapError):
    """The caller's token is valid but its role does not allow this write (HTTP 403)."""

    code = "Forbidden"
    status = 403


class MethodNotAllowed(IncidentMapError):
    code = "MethodNotAllowed"
    status = 405


class NotAcceptable(IncidentMapError):
    code = "NotAcceptable"
    status = 406


class StoreUnavailable(IncidentMapError):
    """The store cannot take a write now (read-only or full disk)."""

    code = "StoreUnavailable"
    status = 503


class UnsupportedMediaType(IncidentMapError):
    code = "UnsupportedMediaType"
    status = 415


class PayloadTooLarge(IncidentMapError):
    code = "PayloadTooLarge"
    status = 413
