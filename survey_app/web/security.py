"""Response headers every page gets, and the cache rule for pages with personal data."""
from flask import Flask, g, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def no_store() -> None:
    """Mark this response as holding personal data: never cached, not even for the Back button."""
    g.no_store = True


def cache_control(value: str) -> None:
    """A response with nothing personal that needs its own rule (the door's service worker: "no-cache")."""
    g.cache_control = value


def init_app(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        h = response.headers
        h.setdefault("Content-Security-Policy", CSP)
        h["X-Content-Type-Options"] = "nosniff"
        # Personal links hold a secret in their path, so no other site may ever see our URLs; but a form
        # posted to ourselves must carry its Referer, which Flask-WTF requires on HTTPS (docs/security.md).
        h["Referrer-Policy"] = "same-origin"
        h["X-Frame-Options"] = "DENY"
        h["Cross-Origin-Opener-Policy"] = "same-origin"
        h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        h.add("Vary", "Cookie")
        if app.config.get("HSTS"):
            h["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        # Almost every page holds someone's personal data, so only static files may be cached.
        if g.get("cache_control") and not g.get("no_store"):
            h["Cache-Control"] = g.cache_control
        elif request.endpoint != "static" or g.get("no_store"):
            h["Cache-Control"] = "no-store"
        return response
