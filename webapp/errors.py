"""One JSON error body for everything: domain errors, Flask's own, and crashes."""

from __future__ import annotations

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from geo.errors import IncidentMapError

_HTTP_CODES = {400: "InvalidParameterValue", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
               405: "MethodNotAllowed", 406: "NotAcceptable", 413: "PayloadTooLarge",
               415: "UnsupportedMediaType"}


def error_response(status: int, code: str, description: str) -> Response:
    """``{"code": ..., "description": ...}`` with the status that tells the truth."""
    response = jsonify({"code": code, "description": description})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="incidentmap"'
    return response


def register(app: Flask) -> None:
    @app.errorhandler(IncidentMapError)
    def domain_error(exc: IncidentMapError) -> Response:
        return error_response(exc.status, exc.code, exc.description)

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
            description = f"the request body is larger than {app.config['MAX_CONTENT_LENGTH']} bytes"
        response = error_response(status, _HTTP_CODES.get(status, exc.name.replace(" ", "")), description)
        if status == 405 and getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def crash(exc: Exception) -> Response:
        app.logger.exception("unhandled error")
        return error_response(500, "ServerError", "the server failed to answer; the error is logged")
