"""Signing in to the pages, the session cookie, CSRF on every form, and rights by role."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.web.session import COOKIE
from tests.web_pages.conftest import csrf_of, sign_in


def test_a_page_without_a_session_sends_the_visitor_to_the_sign_in_form(client: TestClient) -> None:
    client.cookies.clear()
    answer = client.get("/?cycle=2003/04")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2F%3Fcycle%3D2003%2F04"


def test_signing_in_with_a_known_token_sets_an_httponly_strict_signed_cookie(
    client: TestClient,
) -> None:
    client.cookies.clear()
    form = client.get("/login")
    assert 'type="password"' in form.text and '<label for="token">' in form.text
    answer = client.post(
        "/login", data={"token": "demo-tmb", "csrf": csrf_of(form.text), "next": "/runs"}
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/runs"
    cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith(COOKIE + "="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" in cookie
    assert "demo-tmb" not in cookie  # the token itself never travels in the cookie
    assert "tmb.chair" in client.get("/").text


def test_an_unknown_token_is_refused_and_no_session_is_set(client: TestClient) -> None:
    client.cookies.clear()
    form = client.get("/login")
    answer = client.post("/login", data={"token": "guess", "csrf": csrf_of(form.text)})
    assert answer.status_code == 401 and "That token is not known" in answer.text
    assert COOKIE not in answer.cookies
    assert client.get("/").status_code == 303


def test_signing_in_without_the_forms_csrf_secret_is_refused(client: TestClient) -> None:
    client.cookies.clear()
    client.get("/login")
    answer = client.post("/login", data={"token": "demo-tmb", "csrf": "forged"})
    assert answer.status_code == 403
    assert COOKIE not in answer.cookies


def test_a_tampered_session_cookie_is_no_session(client: TestClient) -> None:
    sign_in(client, "demo-auditor")
    value = client.cookies[COOKIE]
    client.cookies.set(COOKIE, value[:-2] + ("00" if not value.endswith("00") else "11"))
    assert client.get("/").status_code == 303


def test_the_sign_in_form_sends_back_only_to_a_path_of_this_site(client: TestClient) -> None:
    client.cookies.clear()
    form = client.get("/login?next=//evil.example/x")
    answer = client.post(
        "/login",
        data={"token": "demo-tmb", "csrf": csrf_of(form.text), "next": "https://evil.example"},
    )
    assert answer.headers["location"] == "/"


def test_a_post_without_the_sessions_csrf_secret_changes_nothing(client: TestClient) -> None:
    sign_in(client, "demo-tmb")
    refused = client.post("/logout", data={"csrf": "forged"})
    assert refused.status_code == 403 and "did not come from this site" in refused.text
    assert client.get("/").status_code == 200  # still signed in


def test_signing_out_ends_the_session(client: TestClient) -> None:
    page = sign_in(client, "demo-tmb").get("/")
    answer = client.post("/logout", data={"csrf": csrf_of(page.text)})
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    assert client.get("/").status_code == 303


def test_the_audit_desk_is_offered_to_auditors_alone(client: TestClient) -> None:
    assert 'href="/audit"' in sign_in(client, "demo-auditor").get("/").text
    home = sign_in(client, "demo-planner-tp").get("/")
    assert 'href="/audit"' not in home.text
    # the audit desk itself refuses them (tests/web_pages/test_audit_desk.py)


def test_the_api_documentation_is_served_from_this_site(client: TestClient) -> None:
    for path in ("/docs", "/redoc"):
        page = client.get(path)
        assert page.status_code == 200
        assert "cdn" not in page.text.lower() and "fonts.googleapis" not in page.text
    assert client.get("/static/docs/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static/docs/redoc.standalone.js").status_code == 200


def test_the_audit_desk_and_its_export_refuse_everyone_but_auditors(client: TestClient) -> None:
    for token in ("demo-tmb", "demo-lspu", "demo-planner-tp"):
        sign_in(client, token)
        assert client.get("/audit").status_code == 403
        assert client.get("/audit/export").status_code == 403
    sign_in(client, "demo-auditor")
    assert client.get("/audit?check=1").status_code == 200
    assert client.get("/audit?as_of=2003-13-01").text.count("is not a date") == 1
