"""``/staff``: the hall staff's look-up — what one enterprise of the loaded library can get,
by its 统一社会信用代码, for the items of the staff member's department.

Login is the department's token (the one ``--tokens`` gives the staff API), typed once into
a form and kept in a cookie that scripts cannot read (HttpOnly), that no other site's page
can send (SameSite=Strict), limited to ``/staff`` and, over HTTPS, Secure. A wrong token is
refused with 401 and no cookie. When a reload of the rules folder failed, the errors are
listed at the top (the previous rulebook keeps serving meanwhile).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from policy_match.server import queries
from policy_match.server.errors import NotFound
from policy_match.server.pages.render import page, root_of, snapshot_of, today_of, w
from policy_match.server.tokens import Tokens

router = APIRouter()

COOKIE = "pm_staff"
COOKIE_PATH = "/staff"
COOKIE_SECONDS = 8 * 3600  # one working day


def _home(request: Request) -> str:
    """``/staff`` under the mount point of the app (``root_path``), for the cookie's path."""
    return root_of(request) + COOKIE_PATH


def _tokens(request: Request) -> Tokens:
    tokens: Tokens = request.app.state.tokens
    return tokens


def department_of(request: Request) -> str | None:
    """The department of the request's staff cookie, or None (no cookie, or a wrong one)."""
    return _tokens(request).department_for(request.cookies.get(COOKIE))


def _reload_errors(request: Request) -> list[str]:
    out = []
    for d in snapshot_of(request).errors:
        where = f"{d.span.path}:{d.span.line}:{d.span.column}" if d.span.path else ""
        out.append(w("pages.staff.error_line", where=where, code=d.code.value,
                     message=d.text("zh")))
    return out


def _login(request: Request, status: int = 200, problem: str = "") -> HTMLResponse:
    return page(request, "staff_login.html", status=status, problem=problem,
                enabled=len(_tokens(request)) > 0)


@router.get("/staff", response_class=HTMLResponse, include_in_schema=False)
def staff(request: Request, id: str | None = None) -> HTMLResponse:
    department = department_of(request)
    if department is None:
        return _login(request, status=401 if request.cookies.get(COOKIE) else 200)
    snapshot = snapshot_of(request)
    today = today_of(request)
    wanted = (id or "").strip()
    found, problem = None, ""
    if wanted:
        try:
            found = queries.enterprise_matches(snapshot, wanted, today, department)
        except NotFound as missing:
            problem = missing.text("zh")
    everyone = department == "*"
    return page(request, "staff.html", status=404 if problem else 200,
                department=w("pages.staff.all_departments") if everyone else department,
                wanted=wanted, found=found, problem=problem,
                reload_errors=_reload_errors(request), has_table=snapshot.table is not None,
                version=snapshot.version, loaded_at=snapshot.loaded_at)


@router.post("/staff/login", include_in_schema=False)
async def login(request: Request) -> Response:
    form = await request.form()
    token = str(form.get("token") or "").strip()
    if _tokens(request).department_for(token) is None:
        return _login(request, status=401, problem=w("pages.staff.wrong_token"))
    home = _home(request)
    response = RedirectResponse(home, status_code=303)
    response.set_cookie(COOKIE, token, max_age=COOKIE_SECONDS, path=home, httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")
    return response


@router.post("/staff/logout", include_in_schema=False)
def logout(request: Request) -> Response:
    home = _home(request)
    response = RedirectResponse(home, status_code=303)
    response.delete_cookie(COOKIE, path=home, httponly=True, samesite="strict")
    return response
