"""Signing in and out: `GET /login` (the form), `POST /login` (field `token`), `POST /logout`."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from api.http.auth import Principal
from api.web.common import FormDep, UserDep, render, see_other, session_key
from api.web.session import (
    COOKIE,
    LOGIN_COOKIE,
    LOGIN_MAX_AGE,
    MAX_AGE,
    new_session,
    principal_for,
    same_secret,
    sign,
)

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never `//host` or `https://host`)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _login_form(
    request: Request, target: str, error: str | None = None, status: int = 200
) -> Response:
    secret = secrets.token_urlsafe(24)
    response = render(
        request, None, "login.html", status=status, csrf=secret, next=target, error=error
    )
    response.set_cookie(
        LOGIN_COOKIE, secret, max_age=LOGIN_MAX_AGE, httponly=True, samesite="strict",
        secure=request.url.scheme == "https", path="/login",
    )  # fmt: skip
    return response


@router.get("/login")
def login_form(request: Request, next: Annotated[str | None, Query()] = None) -> Response:
    return _login_form(request, _safe_next(next))


@router.post("/login")
def login(
    request: Request,
    token: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    target = _safe_next(next)
    if not same_secret(request.cookies.get(LOGIN_COOKIE, ""), csrf):
        return _login_form(
            request, target, "The sign-in form had expired: please sign in again.", 403
        )
    tokens: dict[str, Principal] = request.app.state.tokens
    if principal_for(tokens, token) is None:
        return _login_form(request, target, "That token is not known.", 401)
    response = see_other(target)
    response.set_cookie(
        COOKIE, sign(session_key(request), new_session(token)), max_age=MAX_AGE,
        httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/",
    )  # fmt: skip
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(user: UserDep, form: FormDep) -> Response:
    response = see_other("/login")
    response.delete_cookie(COOKIE, path="/")
    return response
