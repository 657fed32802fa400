"""The analyst page at `/`: paste or upload a provision (YAML or JSON) or fill in the form, see the
decision with every reason, its citation and what would have to change (Dutch by default, English on
request), and record it when the role allows. Approvers (teamleider, diensthoofd, minister) land on
`/escalations`: the recorded escalations waiting at their level, each with its provision, reasons and
an approve form; approving records the approval in the decision log and shows the reference and the
entry to write in the provision (DESIGN.md, "Approvals"). Server-rendered, no JavaScript, every field
labelled.

Sign-in and forms are guarded (docs/security.md): the cookie holds a signed session, never the token
(`sessions`); every form carries a CSRF token bound to that session, and the sign-in form one bound to
a sign-in cookie; a POST that a browser marks as coming from another site or origin (`Sec-Fetch-Site`,
`Origin`) is refused. Forms are read here, with python-multipart, strictly: a field that is not UTF-8
is an error naming it, never text with replaced bytes."""

from __future__ import annotations

import io
import re
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

import jinja2
import python_multipart
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from wivcheck.engine import EngineError, FACT_SCHEMA, ProvisionError, parse_provisions, provision_from_data
from wivcheck.engine.load import MAX_PROVISION_BYTES

from wivcheck.engine.log import LedgerError
from wivcheck.engine.log import recording
from wivcheck.engine.log import approvals as log_approvals
from wivcheck.engine.render import approval_note
from wivcheck.policy import ROLES as APPROVER_ROLES, PolicyError
from wivcheck.policy.errors import WivcheckError

from .idempotency import recorder_of
from .auth import SCOPE_KEY, page_access
from .sessions import LOGIN_COOKIE, LOGIN_MAX_AGE, MAX_AGE, SESSION_COOKIE
from .tokens import digest
_ENV = jinja2.Environment(loader=jinja2.PackageLoader(__package__, "templates"),
                          autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)

CHECK_ROLES = ("analyst", "policy")
RECORD_ROLES = ("analyst",)
APPROVE_ROLES = APPROVER_ROLES

_T = {
    "nl": {"title": "Verstrekking toetsen", "paste": "Verstrekking (YAML of JSON)", "upload": "Of upload een bestand",
           "check": "Toetsen", "record": "Toetsen en vastleggen", "form": "Of vul het formulier in",
           "form_check": "Formulier toetsen", "result": "Uitkomst", "reasons": "Redenen", "cites": "Grondslag",
           "fix": "Wat moet veranderen", "none": "Alle regels voldaan of niet van toepassing.",
           "recorded": "Vastgelegd in het beslislog", "errors": "De verstrekking is niet geldig",
           "language": "Taal", "login": "Aanmelden", "token": "Token", "logout": "Afmelden",
           "unset": "(niet ingevuld)", "rules": "Regels", "escalate_to": "Voorleggen aan",
           "allow": "TOESTAAN", "deny": "WEIGEREN", "escalate": "VOORLEGGEN", "as": "aangemeld als",
           "grounds": "Grondslag", "no_grounds": "geen grondslag vastgesteld", "obligations": "Verplichtingen",
           "advice": "Advies", "unsettled": "voorwaarde niet vast te stellen, ontbreekt",
           "approvals": "Goedkeuringen", "queue": "Voorgelegd aan u", "queue_empty": "Er wacht niets op uw besluit.",
           "queue_for": "Open escalaties voor de", "approve": "Goedkeuren", "note": "Toelichting (komt in het beslislog)",
           "given": "Goedkeuring vastgelegd", "paste_entry": "Neem dit op in de verstrekking en toets opnieuw:",
           "recorded_by": "vastgelegd door", "provision": "Verstrekking", "recipient": "Ontvanger",
           "purpose": "Doel", "data": "Gegevens", "nav_check": "Verstrekking toetsen", "nav_queue": "Escalaties",
           "below": "ook lagere niveaus", "show": "Tonen", "level": "Niveau",
           "not_given": "Niet vastgelegd"},
    "en": {"title": "Check a provision", "paste": "Provision (YAML or JSON)", "upload": "Or upload a file",
           "check": "Check", "record": "Check and record", "form": "Or fill in the form",
           "form_check": "Check the form", "result": "Outcome", "reasons": "Reasons", "cites": "Cites",
           "fix": "What would have to change", "none": "Every rule satisfied or not applicable.",
           "recorded": "Recorded in the decision log", "errors": "The provision is not valid",
           "language": "Language", "login": "Sign in", "token": "Token", "logout": "Sign out",
           "unset": "(not given)", "rules": "Rules", "escalate_to": "Escalate to",
           "allow": "ALLOW", "deny": "DENY", "escalate": "ESCALATE", "as": "signed in as",
           "grounds": "Grounds", "no_grounds": "no ground established", "obligations": "Obligations",
           "advice": "Advice", "unsettled": "condition not settled, missing",
           "approvals": "Approvals", "queue": "Waiting for you", "queue_empty": "Nothing waits for your decision.",
           "queue_for": "Open escalations for the", "approve": "Approve", "note": "Note (kept in the decision log)",
           "given": "Approval recorded", "paste_entry": "Write this in the provision and check it again:",
           "recorded_by": "recorded by", "provision": "Provision", "recipient": "Recipient",
           "purpose": "Purpose", "data": "Data", "nav_check": "Check a provision", "nav_queue": "Escalations",
           "below": "lower levels too", "show": "Show", "level": "Level",
           "not_given": "Not recorded"},
}


def form_fields() -> list[tuple[str, list[dict]]]:
    """The provision's facts as labelled inputs, grouped by section."""
    groups: dict[str, list[dict]] = {}
    for path in FACT_SCHEMA.paths():
        ft = FACT_SCHEMA.get(path)
        if ft.kind == "object":
            continue
        section = path.split(".")[0] if "." in path else "provision"
        groups.setdefault(section, []).append({"path": path, "kind": ft.kind, "values": ft.values,
                                               "id": "f-" + path.replace(".", "-"), "help": ft.description})
    order = ["provision", "recipient", "request", "partnership", "purpose", "data", "handling"]
    return [(g, groups[g]) for g in order if g in groups]


def data_from_form(form) -> dict:
    """Nested provision data from the form's dotted field names; empty fields are left out."""
    out: dict[str, Any] = {}
    for path in FACT_SCHEMA.paths():
        ft = FACT_SCHEMA.get(path)
        if ft.kind == "object":
            continue
        key = "f." + path
        if ft.kind == "list":
            values = form.getlist(key)
            if not values:
                continue
            value: Any = values
        else:
            raw = (form.get(key) or "").strip()
            if raw == "":
                continue
            # the canonical reading: only "true"/"false" are booleans and only decimal digits numbers;
            # anything else stays text, for the strict model to refuse naming the field
            value = {"bool": _bool_or_text, "int": _int_or_text}.get(ft.kind, lambda v: v)(raw)
        node = out
        parts = path.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = value
    return out


class FormError(Exception):
    """A form that cannot be read: a field that is not UTF-8, a body that is not a form."""


@dataclass
class FormData:
    """A form's fields (text, several values per name possible) and uploaded files (name, bytes)."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)

    def get(self, name: str, default: str | None = None) -> str | None:
        values = self.fields.get(name)
        return values[-1] if values else default

    def getlist(self, name: str) -> list[str]:
        return list(self.fields.get(name, []))

    def keys(self):
        return self.fields.keys()


def _utf8(raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormError(f"{what}: not UTF-8 text (byte {exc.start})") from None


async def read_form(request: Request) -> FormData:
    """The request's form (urlencoded or multipart), every field decoded as UTF-8 strictly. Raises
    FormError naming the field. The body was bounded by the limits middleware already."""
    body = await request.body()
    ctype = request.headers.get("content-type", "")
    out = FormData()
    urlencoded = ctype.split(";")[0].strip().lower() == "application/x-www-form-urlencoded"

    def on_field(f) -> None:
        name_raw, value_raw = f.field_name or b"", f.value or b""
        if urlencoded:
            name_raw = urllib.parse.unquote_to_bytes(name_raw.replace(b"+", b" "))
            value_raw = urllib.parse.unquote_to_bytes(value_raw.replace(b"+", b" "))
        name = _utf8(name_raw, "a field name")
        out.fields.setdefault(name, []).append(_utf8(value_raw, f"field {name}"))

    def on_file(f) -> None:
        name = _utf8(f.field_name or b"", "a field name")
        f.file_object.seek(0)
        out.files[name] = (_utf8(f.file_name or b"", f"the name of file {name}"), f.file_object.read())

    try:
        python_multipart.parse_form({"Content-Type": ctype.encode("latin-1")}, io.BytesIO(body), on_field, on_file)
    except FormError:
        raise
    except Exception as exc:  # noqa: BLE001 - python-multipart's own errors: not a form
        raise FormError(f"the body is not a form ({type(exc).__name__}: {exc})") from None
    return out


def _cross_site(request: Request) -> str | None:
    """Why a POST must be refused as coming from elsewhere, or None. Browsers say where a request
    comes from (`Sec-Fetch-Site`; `Origin` on every POST); a page on another port is another origin
    but the same site, which SameSite cookies alone do not tell apart."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        if site in ("same-origin", "none"):
            return None
        return f"the form was sent from another {'site' if site == 'cross-site' else 'origin'} ({site})"
    origin = request.headers.get("origin")  # browsers without Sec-Fetch-Site
    if origin is not None:
        own = f"{request.url.scheme}://{request.headers.get('host', '')}"
        if origin != own:
            return f"the form was sent from {origin}, not from this page ({own})"
    return None


def add_page(app: FastAPI, state) -> None:
    sessions = state.sessions

    def _secure(request_or_scope) -> bool:
        scope = request_or_scope if isinstance(request_or_scope, dict) else request_or_scope.scope
        return scope.get("scheme") == "https"

    def _set(response, scope, name: str, value: str, max_age: int) -> None:
        response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="strict",
                            secure=_secure(scope))

    def render(request: Request | None, status: int = 200, scope: dict | None = None, **ctx) -> HTMLResponse:
        scope = scope if scope is not None else request.scope
        query = urllib.parse.parse_qs(scope.get("query_string", b"").decode("latin-1"))
        lang = ctx.pop("lang", None) or (query.get("lang") or ["nl"])[0]
        lang = lang if lang in _T else "nl"
        template = ctx.pop("template", "index.html")
        cookies = []
        if template == "login.html":  # a sign-in form: its own nonce, in a sign-in cookie
            cookie, nonce = sessions.new_login()
            csrf = sessions.csrf("login", nonce)
            cookies.append((LOGIN_COOKIE, cookie, LOGIN_MAX_AGE))
        else:
            session = ctx.pop("session")
            csrf = sessions.csrf("page", session.nonce)
            if ctx.pop("new_session", None):
                cookies.append((SESSION_COOKIE, ctx.pop("session_cookie"), MAX_AGE))
        html = _ENV.get_template(template).render(
            t=_T[lang], lang=lang, groups=form_fields(), ident=ctx.pop("ident", None), text=ctx.pop("text", ""),
            decision=ctx.pop("decision", None), errors=ctx.pop("errors", []), values=ctx.pop("values", {}),
            may_record=ctx.pop("may_record", False), message=ctx.pop("message", ""), csrf=csrf,
            queue=ctx.pop("queue", None), given=ctx.pop("given", None), level=ctx.pop("level", None),
            below=ctx.pop("below", False), levels=APPROVE_ROLES, may_check=ctx.pop("may_check", False),
            may_approve=ctx.pop("may_approve", False), approval_note=approval_note)
        response = HTMLResponse(html, status_code=status)
        for name, value, age in cookies:
            _set(response, scope, name, value, age)
        return response

    def refuse(scope, status: int, message: str) -> HTMLResponse:
        """The sign-in page as the answer to a refused page request (auth middleware)."""
        return render(None, status, scope=scope, template="login.html", message=message)

    app.state.refuse_page = refuse

    def session_of(request: Request):
        """(session, cookie to set or None): the browser's session; in local mode one is made for a
        browser that has none (its nonce binds the forms' CSRF tokens), and so it is for a client that
        sends a known bearer token instead of a session cookie (the page then signs it in)."""
        session = sessions.session(request.cookies.get(SESSION_COOKIE))
        if state.local and (session is None or session.subject != "local"):
            cookie, session = sessions.new_session("local")
            return session, cookie
        if session is None:
            header = request.headers.get("authorization", "")
            token = header[7:].strip() if header[:7].lower() == "bearer " else ""
            if token and digest(token) in state.tokens:
                cookie, session = sessions.new_session(digest(token))
                return session, cookie
        return session, None

    def who(request: Request):
        try:
            return state.identify(request, page=True), None
        except Exception as exc:  # noqa: BLE001 - ApiError: show the sign-in page with its status
            return None, exc

    @app.get("/", response_class=HTMLResponse, include_in_schema=False,
             openapi_extra=page_access(CHECK_ROLES + APPROVE_ROLES))
    def page(request: Request):
        ident, exc = who(request)
        if ident is None:
            return render(request, 401, template="login.html", message=exc.message)
        if not ident.local and ident.role in APPROVE_ROLES:   # an approver's page is their queue
            lang = request.query_params.get("lang", "nl")
            return RedirectResponse(f"/escalations?lang={urllib.parse.quote(lang)}", status_code=303)
        if not ident.may(CHECK_ROLES):
            return render(request, 403, template="login.html",
                          message=f"role {ident.role} may not use this page ({', '.join(CHECK_ROLES)})")
        session, cookie = session_of(request)
        return render(request, ident=ident, may_record=ident.may(RECORD_ROLES), session=session,
                      new_session=cookie is not None, session_cookie=cookie, may_check=True,
                      may_approve=ident.may(APPROVE_ROLES))

    def queue_context(request: Request, ident, lang: str | None = None) -> dict:
        level = request.query_params.get("role") or (ident.role if ident.role in APPROVE_ROLES else "diensthoofd")
        level = level if level in APPROVE_ROLES else "diensthoofd"
        below = request.query_params.get("below") == "true"
        return dict(template="escalations.html", level=level, below=below, lang=lang,
                    queue=log_approvals.open_escalations(state.ledger, level, below=below), may_approve=True,
                    may_check=ident.may(CHECK_ROLES))

    @app.get("/escalations", response_class=HTMLResponse, include_in_schema=False,
             openapi_extra=page_access(APPROVE_ROLES))
    def escalations_page(request: Request):
        ident, exc = who(request)
        if ident is None:
            return render(request, 401, template="login.html", message=exc.message)
        session, cookie = session_of(request)
        base = dict(ident=ident, session=session, new_session=cookie is not None, session_cookie=cookie)
        try:
            return render(request, **queue_context(request, ident), **base)
        except WivcheckError as exc:
            return render(request, exc.http_status, template="escalations.html", errors=[exc.message],
                          queue=[], level=None, may_approve=True, **base)

    @app.post("/escalations", response_class=HTMLResponse, include_in_schema=False,
              openapi_extra=page_access(APPROVE_ROLES))
    async def approve(request: Request):
        ident = request.scope["state"][SCOPE_KEY]  # the auth middleware let it through
        session, cookie = session_of(request)
        base = dict(ident=ident, session=session, new_session=cookie is not None, session_cookie=cookie)
        refused = _cross_site(request)
        form = FormData()
        if refused is None:
            try:
                form = await read_form(request)
            except FormError as exc:
                return render(request, 422, template="escalations.html", errors=[str(exc)], queue=[],
                              level=None, may_approve=True, **base)
            else:
                if cookie is not None or not sessions.csrf_ok("page", session.nonce, form.get("csrf")):
                    refused = ("the form's CSRF token is missing or not this session's; reload the page and "
                               "send it again")
        lang = form.get("lang") or "nl"
        if refused is not None:
            return render(request, 403, template="escalations.html", errors=[f"refused: {refused}"], queue=[],
                          lang=lang, may_approve=True, **base)
        note = (form.get("note") or "").strip() or None
        try:
            given = await run_in_threadpool(
                log_approvals.give, state.ledger, provision_id=form.get("provision_id") or "",
                rule=form.get("rule") or "", role=None if ident.local else ident.role,
                approver=recorder_of(ident), note=note, decision_id=form.get("decision_id") or None)
        except WivcheckError as exc:
            return render(request, exc.http_status, errors=[exc.message],
                          **queue_context(request, ident, lang), **base)
        import yaml
        given["yaml"] = yaml.safe_dump({"approvals": [given["approvals_entry"]]}, sort_keys=False, allow_unicode=True)
        return render(request, given=given, **queue_context(request, ident, lang), **base)

    @app.post("/", response_class=HTMLResponse, include_in_schema=False, openapi_extra=page_access(CHECK_ROLES))
    async def submit(request: Request):
        ident = request.scope["state"][SCOPE_KEY]  # the auth middleware let it through
        session, cookie = session_of(request)
        base = dict(ident=ident, may_record=ident.may(RECORD_ROLES), session=session,
                    new_session=cookie is not None, session_cookie=cookie, may_check=True,
                    may_approve=ident.may(APPROVE_ROLES))
        refused = _cross_site(request)
        if refused is None:
            try:
                form = await read_form(request)
            except FormError as exc:
                return render(request, 422, errors=[str(exc)], **base)
            if cookie is not None or not sessions.csrf_ok("page", session.nonce, form.get("csrf")):
                refused = "the form's CSRF token is missing or not this session's; reload the page and send it again"
        if refused is not None:
            return render(request, 403, errors=[f"refused: {refused}"], **base)
        lang = form.get("lang") or "nl"
        action = form.get("action") or "check"
        text = form.get("text") or ""
        upload = form.files.get("file")
        values = {k: form.getlist(k) if len(form.getlist(k)) > 1 else form.get(k) for k in form.keys()
                  if k != "csrf"}
        ctx = dict(lang=lang, text=text, values=values, **base)
        if upload is not None and upload[0]:
            try:
                ctx["text"] = upload[1].decode("utf-8")
            except UnicodeDecodeError:
                ctx["text"] = ""

        def parse_and_decide():
            if action == "form":
                provisions = [provision_from_data(data_from_form(form), source="form")]
            elif upload is not None and upload[0]:
                provisions = parse_provisions(upload[1], upload[0], max_bytes=MAX_PROVISION_BYTES)
            else:
                provisions = parse_provisions(text.encode("utf-8"), "text", max_bytes=MAX_PROVISION_BYTES)
            if len(provisions) != 1:
                raise ProvisionError(["the page checks one provision at a time"], "text")
            started = time.perf_counter()
            return provisions, state.engine.decide_many(provisions, register=state.approvals), time.perf_counter() - started

        try:
            # on a thread: reading YAML is pure Python, and the event loop keeps serving meanwhile
            provisions, decisions, elapsed = await run_in_threadpool(parse_and_decide)
            if action == "record":
                if not ident.may(RECORD_ROLES):
                    return render(request, 403, errors=[f"role {ident.role} may not record"], **ctx)
                # on a thread: a log held by another writer stalls this request, not the worker
                decisions = await run_in_threadpool(recording.record, state.ledger, provisions, decisions,
                                                    recorded_by=recorder_of(ident))
            state.decided("page", decisions, elapsed)
            return render(request, decision=decisions[0], **ctx)
        except ProvisionError as exc:
            return render(request, 422, errors=exc.problems, **ctx)
        except PolicyError as exc:
            return render(request, 422, errors=[str(exc)], **ctx)
        except LedgerError as exc:
            return render(request, 503, errors=[str(exc)], **ctx)
        except EngineError as exc:
            return render(request, 500, errors=[f"no decision: {exc}"], **ctx)

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False, openapi_extra=page_access())
    def login_page(request: Request):
        return render(request, template="login.html")

    @app.post("/login", include_in_schema=False, openapi_extra=page_access())
    async def login(request: Request):
        refused = _cross_site(request)
        form = FormData()
        if refused is None:
            try:
                form = await read_form(request)
            except FormError as exc:
                refused = str(exc)
        lang = form.get("lang") or "nl"
        if refused is None:
            nonce = sessions.login_nonce(request.cookies.get(LOGIN_COOKIE))
            if not sessions.csrf_ok("login", nonce, form.get("csrf")):
                refused = "the sign-in form's CSRF token is missing or does not fit; reload the page"
        if refused is None and not _secure(request) and not _loopback_client(request):
            refused = "sign in over HTTPS: over plain HTTP the page signs in only from this machine"
        if refused is not None:
            return render(request, 403, template="login.html", lang=lang, message=f"refused: {refused}")
        token = (form.get("token") or "").strip()
        if state.local:
            subject = "local"
        elif token and digest(token) in state.tokens:
            subject = digest(token)
        else:
            return render(request, 401, template="login.html", lang=lang, message="the token is not known")
        cookie, _ = sessions.new_session(subject)
        response = RedirectResponse(f"/?lang={urllib.parse.quote(lang)}", status_code=303)
        _set(response, request, SESSION_COOKIE, cookie, MAX_AGE)
        response.delete_cookie(LOGIN_COOKIE, path="/", httponly=True, samesite="strict", secure=_secure(request))
        return response

    @app.post("/logout", include_in_schema=False, openapi_extra=page_access())
    async def logout(request: Request):
        session = sessions.session(request.cookies.get(SESSION_COOKIE))
        refused = _cross_site(request)
        if refused is None and session is not None:
            try:
                form = await read_form(request)
            except FormError as exc:
                refused = str(exc)
            else:
                if not sessions.csrf_ok("page", session.nonce, form.get("csrf")):
                    refused = "the form's CSRF token is missing or not this session's"
        if refused is not None:
            return render(request, 403, template="login.html", message=f"refused: {refused}")
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=_secure(request))
        return response


def _loopback_client(request: Request) -> bool:
    from .state import is_loopback
    return request.client is not None and is_loopback(request.client.host)


def _int_or_text(v: str):
    """An integer field's value in plain decimal (no leading zero, no sign but -); other text stays
    text, for validation to name."""
    return int(v) if _DECIMAL.fullmatch(v) else v


def _bool_or_text(v: str):
    return {"true": True, "false": False}.get(v, v)


_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)")
