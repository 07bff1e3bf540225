"""Security headers on every kind of HTTP response the served portal gives (SECURITY.md, ASVS V3)."""

from __future__ import annotations

import re
import warnings

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from portal_app.api.headers import SecurityHeaders
from portal_app.config import Settings

with warnings.catch_warnings():  # Starlette 1.x prefers httpx2 (not installed); httpx still works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

SAFE_REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
SCHEME_ONLY_SOURCES = {"http:", "https:", "ws:", "wss:"}


def _asset_path(portal) -> str:
    html = httpx.get(f"{portal.url}/signin/", timeout=30).text
    scripts = re.findall(r"""(/assets/[^"'\s<>]+\.js)""", html)
    assert scripts, "the sign-in page references no JavaScript under /assets/"
    return scripts[0]


@pytest.fixture(scope="module")
def responses(portal) -> dict[str, httpx.Response]:
    """One response of each kind: page, JSON route, redirect, static file, build asset, not found."""
    paths = {
        "sign-in page": "/signin/",
        "patient page": "/home/",
        "staff page": "/console/",
        "health check": "/healthz",
        "sign-out redirect": "/auth/signout",
        "manifest": "/manifest.webmanifest",
        "build asset": _asset_path(portal),
        "not found": "/no-such-page",
    }
    with httpx.Client(base_url=portal.url, follow_redirects=False, timeout=30) as client:
        return {kind: client.get(path) for kind, path in paths.items()}


def _directives(csp: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for part in csp.split(";"):
        tokens = part.split()
        if tokens:
            parsed[tokens[0].lower()] = tokens[1:]
    return parsed


def csp_problems(csp: str | None) -> list[str]:
    if not csp:
        return ["no Content-Security-Policy"]
    directives = _directives(csp)
    problems = []
    if directives.get("frame-ancestors") != ["'none'"]:
        problems.append(f"frame-ancestors is {directives.get('frame-ancestors')}, not 'none'")
    if "default-src" not in directives:
        problems.append("no default-src")
    if directives.get("object-src") != ["'none'"]:
        problems.append("object-src is not 'none'")
    for name, sources in directives.items():
        for source in sources:
            if "*" in source:
                problems.append(f"wildcard source {source} in {name}")
            if source.lower() in SCHEME_ONLY_SOURCES:
                problems.append(f"scheme-wide source {source} in {name}")
    return problems


def header_problems(response: httpx.Response) -> list[str]:
    h = response.headers
    problems = csp_problems(h.get("content-security-policy"))
    for name in ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy"):
        if len(h.get_list(name)) > 1:
            problems.append(f"{name} sent {len(h.get_list(name))} times")
    if h.get("x-content-type-options", "").lower() != "nosniff":
        problems.append(f"X-Content-Type-Options is {h.get('x-content-type-options')!r}")
    if h.get("x-frame-options", "").upper() != "DENY":
        problems.append(f"X-Frame-Options is {h.get('x-frame-options')!r}")
    if h.get("referrer-policy", "").lower() not in SAFE_REFERRER_POLICIES:
        problems.append(f"Referrer-Policy is {h.get('referrer-policy')!r}")
    return problems


KINDS = ["sign-in page", "patient page", "staff page", "health check", "sign-out redirect", "manifest",
         "build asset", "not found"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_response_carries_the_security_headers(responses, kind):
    response = responses[kind]
    assert response.status_code < 500, f"{kind}: {response.status_code}"
    assert header_problems(response) == [], f"{kind} ({response.request.url.path})"


@pytest.mark.parametrize("kind", KINDS)
def test_no_hsts_outside_production(responses, kind):
    # HSTS over http://127.0.0.1 would pin a developer's browser to https for that host.
    assert "strict-transport-security" not in responses[kind].headers


@pytest.mark.parametrize("kind", ["sign-in page", "patient page", "staff page", "health check",
                                  "sign-out redirect", "not found"])
def test_pages_and_routes_are_never_cached(responses, kind):
    assert "no-store" in responses[kind].headers.get("cache-control", ""), kind


def test_build_assets_stay_cacheable(responses):
    response = responses["build asset"]
    assert response.status_code == 200
    assert "javascript" in response.headers.get("content-type", "")
    assert "no-store" not in response.headers.get("cache-control", "")


def test_sitemap_is_not_served(portal):
    response = httpx.get(f"{portal.url}/sitemap.xml", timeout=30)
    body = response.text.lower()
    assert response.status_code == 404 or "xml" not in response.headers.get("content-type", "")
    assert "<urlset" not in body and "<loc>" not in body
    for route in ("/console", "/home"):
        assert route not in body, f"/sitemap.xml mentions {route}"


# --- unit level: the middleware itself ---------------------------------------------------------


def _client(settings: Settings) -> TestClient:
    async def hello(request):
        return PlainTextResponse("hello")

    app = Starlette(routes=[Route("/page", hello), Route("/assets/app.js", hello)])
    return TestClient(SecurityHeaders(app, settings))


def test_hsts_is_added_in_production():
    production = Settings(env="production", origins=("https://portal.example",))
    response = _client(production).get("/page")
    hsts = response.headers.get("strict-transport-security", "")
    max_age = re.search(r"max-age=(\d+)", hsts)
    assert max_age and int(max_age.group(1)) >= 31536000, hsts  # at least a year
    assert "includesubdomains" in hsts.lower()


def test_hsts_is_absent_in_test_and_development():
    for env in ("test", "development"):
        assert "strict-transport-security" not in _client(Settings(env=env)).get("/page").headers


def test_middleware_sets_the_headers_and_cache_rule():
    client = _client(Settings(env="production", origins=("https://portal.example",)))
    page, asset = client.get("/page"), client.get("/assets/app.js")
    assert header_problems(page) == [] and header_problems(asset) == []
    assert page.headers["cache-control"] == "no-store"
    assert "no-store" not in asset.headers.get("cache-control", "")
    # The socket may connect only to the portal's own origin.
    connect = _directives(page.headers["content-security-policy"])["connect-src"]
    assert connect == ["'self'", "wss://portal.example"]


def test_csp_checker_catches_bad_policies():
    """The checker above must be able to fail, or the served-response tests prove nothing."""
    assert csp_problems("default-src 'self'; object-src 'none'; frame-ancestors 'none'") == []
    assert csp_problems("default-src *; object-src 'none'; frame-ancestors 'none'")
    assert csp_problems("default-src 'self'; object-src 'none'; frame-ancestors 'self'")
    assert csp_problems("default-src 'self'; object-src 'none'; frame-ancestors 'none'; img-src https:")
    assert csp_problems("default-src 'self'; object-src 'none'; frame-ancestors 'none'; script-src https://*.cdn.example")
