"""Where absolute links point: the configured public URL, or a Host header the app trusts.

The API's documents carry absolute links (``next``, ``self``, a history's restore URLs, the
``Location`` of a new feature). Built from whatever ``Host`` a request names, they could be made
to point anywhere: to a page that then receives an editor's token, or into a shared cache. So
either ``PUBLIC_URL`` fixes the scheme, host and path prefix of every request as the app sees it
(the request's own ``Host`` is then ignored), or the ``Host`` (``X-Forwarded-Host`` only behind
``PROXY_HOPS`` trusted proxies) must be one of ``TRUSTED_HOSTS`` (Flask's own check: 400 otherwise).
"""

from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_TRUSTED_HOSTS = ("localhost", "127.0.0.1")


def parse_public_url(text: str) -> tuple[str, str, str]:
    """``https://maps.example.org/incidentmap`` → ("https", "maps.example.org", "/incidentmap");
    ValueError for anything but an http(s) URL with a host and no query."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment \
            or "@" in parts.netloc:
        raise ValueError(f"PUBLIC_URL must be an http:// or https:// URL such as https://maps.example.org, "
                         f"got {text!r}")
    return parts.scheme, parts.netloc, parts.path.rstrip("/")


def trusted_hosts(setting: str | list[str] | None, public_url: str | None) -> list[str] | None:
    """Flask's ``TRUSTED_HOSTS`` from the settings (a comma-separated text or a list): None (any
    host) for ``*`` or when PUBLIC_URL makes the Host header irrelevant; the defaults when unset."""
    if setting:
        given = setting.split(",") if isinstance(setting, str) else setting
        names = [name.strip() for name in given if name.strip()]
        return None if "*" in names else names
    if public_url:
        return None
    return list(DEFAULT_TRUSTED_HOSTS)


class PublicURL:
    """WSGI middleware: every request as if it came to ``public_url`` (scheme, host, path prefix)."""

    def __init__(self, app, public_url: str):
        self.app = app
        self.scheme, self.host, self.prefix = parse_public_url(public_url)

    def __call__(self, environ, start_response):
        environ["wsgi.url_scheme"] = self.scheme
        environ["HTTP_HOST"] = self.host
        environ.pop("HTTP_X_FORWARDED_HOST", None)
        host, _, port = self.host.rpartition(":") if self.host.rsplit(":", 1)[-1].isdigit() else (self.host, "", "")
        environ["SERVER_NAME"] = host or self.host
        environ["SERVER_PORT"] = port or ("443" if self.scheme == "https" else "80")
        if self.prefix:
            environ["SCRIPT_NAME"] = self.prefix
        return self.app(environ, start_response)
