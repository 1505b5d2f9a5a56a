"""What building a connection costs: no CA bundle for an http:// origin (yet any certificate would still be
refused; https verifies as usual)."""

from __future__ import annotations

import ssl

import pytest

from explorer.protocol.client import CallRequest, Connection
from explorer.protocol.transport import tls_verify

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


@pytest.fixture
def no_proxy_env(monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_an_http_origin_gets_an_empty_context_that_still_requires_a_valid_certificate(no_proxy_env):
    context = tls_verify("http://127.0.0.1:4100")
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509_ca"] == 0  # nothing trusted: an https request fails closed


def test_an_https_origin_verifies_with_the_usual_bundle(no_proxy_env):
    assert tls_verify("https://api.puter.com") is True


def test_a_proxy_from_the_environment_keeps_the_usual_verification(no_proxy_env, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "https://proxy.example:3128")
    assert tls_verify("http://127.0.0.1:4100") is True


async def test_a_call_over_http_works_with_the_empty_context(demo_server, tmp_path, no_proxy_env):
    async with Connection(demo_server.origin, demo_server.token, download_dir=tmp_path) as connection:
        outcome = await connection.call(CallRequest("puter-kvstore", "list", {}))
    assert outcome.kind == "result", outcome
