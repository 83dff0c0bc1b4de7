"""One JSON error body for everything: domain errors, Flask's own, and crashes."""

from __future__ import annotations

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import ClientDisconnected, HTTPException, SecurityError

from geo.errors import IncidentMapError

_HTTP_CODES = {400: "InvalidParameterValue", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
               405: "MethodNotAllowed", 406: "NotAcceptable", 413: "PayloadTooLarge",
               408: "RequestTimeout", 414: "URITooLong", 415: "UnsupportedMediaType",
               429: "TooManyRequests", 431: "RequestHeaderFieldsTooLarge"}


def error_response(status: int, code: str, description: str) -> Response:
    """``{"code": ..., "description": ...}`` with the status that tells the truth."""
    response = jsonify({"code": code, "description": description})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="incidentmap"'
    return response


def body_limit_description() -> str:
    """What a 413 says: the limit the request really passed. A form's body is read whole before it
    is parsed (webapp.api), so with the body in hand it was the form's parts or a field."""
    body = getattr(request, "_cached_data", None)
    boundary = request.mimetype_params.get("boundary", "")
    if request.mimetype != "multipart/form-data" or body is None or not boundary:
        return f"the request body is larger than {g.get('body_limit') or f'{request.max_content_length} bytes'}"
    parts = body.count(b"--" + boundary.encode("latin-1", "replace")) - 1
    if request.max_form_parts is not None and parts > request.max_form_parts:
        return f"the form has {parts} parts; at most {request.max_form_parts} are taken"
    return f"a form field is larger than {request.max_form_memory_size} bytes"


def register(app: Flask) -> None:
    @app.errorhandler(IncidentMapError)
    def domain_error(exc: IncidentMapError) -> Response:
        response = error_response(exc.status, exc.code, exc.description)
        if getattr(exc, "retry_after", None):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        description = exc.description or exc.name
        if status == 404:
            description = "no such path; the API starts at / (try /collections)"
        elif status == 405:
            allowed = exc.valid_methods if hasattr(exc, "valid_methods") else None
            description = f"method not allowed here{'; allowed: ' + ', '.join(allowed) if allowed else ''}"
        elif status == 413:
            description = body_limit_description()
        elif isinstance(exc, SecurityError):  # a Host header outside TRUSTED_HOSTS
            description = (f"{exc.description.rstrip('.')}: this server answers only to the hosts in "
                           "INCIDENTMAP_TRUSTED_HOSTS (or set INCIDENTMAP_PUBLIC_URL)")
        elif isinstance(exc, ClientDisconnected):
            description = "the request body did not arrive whole (the client stopped sending, or sent too slowly)"
        response = error_response(status, _HTTP_CODES.get(status, exc.name.replace(" ", "")), description)
        if status == 405 and getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def crash(exc: Exception) -> Response:
        app.logger.exception("unhandled error")
        return error_response(500, "ServerError", "the server failed to answer; the error is logged")
