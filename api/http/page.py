"""The analyst page at `/`: fill in the form (the provision's fields in the order an analyst thinks,
labelled and explained from the field reference, in Dutch or English; `form.py`) or paste or upload a
provision (YAML or JSON); the two are kept in sync (a form check writes the form's YAML into the text
area, a paste check fills the form). The result shows the decision first, then every reason with its
citation and what would have to change (the fields to fill in, linked to the form, and the approvals
entry to ask for), the grounds, obligations and advice; the analyst may record it and then open its
dossier at `/dossier/{seq}` (the decision's explanation, for the roles that may read decisions).
Approvers (teamleider, diensthoofd, minister) land on `/escalations`: the recorded escalations
waiting at their level, each with its provision, reasons and an approve form; approving records the
approval in the decision log and shows the reference and the entry to write in the provision
(DESIGN.md, "Approvals"). Server-rendered, no JavaScript (conditional parts of the form are hidden
by CSS alone), every field labelled; a page asked for without a session shows the sign-in form.

Sign-in and forms are guarded (docs/security.md): the cookie holds a signed session, never the token
(`sessions`); every form carries a CSRF token bound to that session, and the sign-in form one bound to
a sign-in cookie; a POST that a browser marks as coming from another site or origin (`Sec-Fetch-Site`,
`Origin`) is refused; after signing in the browser goes only to one of the page's own pages. Forms
are read here, with python-multipart, strictly: a field that is not UTF-8 is an error naming it,
never text with replaced bytes."""

from __future__ import annotations

import io
import re
import time
import urllib.parse
from dataclasses import dataclass, field

import jinja2
import python_multipart
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from wivcheck.engine import EngineError, ProvisionError, parse_provisions, provision_from_data
from wivcheck.engine.fields import field_doc
from wivcheck.engine.load import MAX_PROVISION_BYTES, MAX_PROVISION_DEPTH
from wivcheck.engine.log import LedgerError
from wivcheck.engine.log import recording
from wivcheck.engine.log import approvals as log_approvals
from wivcheck.engine.reasons import ROLE_NAMES
from wivcheck.engine.render import approval_note, explanation_context
from wivcheck.policy import ROLES as APPROVER_ROLES, PolicyError
from wivcheck.policy.errors import Problem, WivcheckError
from wivcheck.policy.yamlsafe import parse_text

from . import form
from .auth import SCOPE_KEY, page_access
from .idempotency import recorder_of
from .routes_decisions import READERS
from .sessions import LOGIN_COOKIE, LOGIN_MAX_AGE, MAX_AGE, SESSION_COOKIE
from .tokens import digest

# the page's templates, and the engine's explanation of a decision (the dossier includes it)
_ENV = jinja2.Environment(loader=jinja2.ChoiceLoader([jinja2.PackageLoader(__package__, "templates"),
                                                      jinja2.PackageLoader("wivcheck.engine", "templates")]),
                          autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)

CHECK_ROLES = ("analyst", "policy")
RECORD_ROLES = ("analyst",)
APPROVE_ROLES = APPROVER_ROLES
DOSSIER_ROLES = READERS          # the roles of GET /v1/decisions/{key}

_T = {
    "nl": {"title": "Verstrekking toetsen", "paste": "Verstrekking als YAML of JSON",
           "paste_title": "YAML of JSON", "paste_intro": "Plak een verstrekking of upload een bestand; na het toetsen "
           "staat hier de YAML van wat getoetst is, en het formulier is ermee gevuld.",
           "upload": "Of upload een bestand (.yaml, .yml, .json)",
           "check": "Geplakte tekst toetsen", "record": "Geplakte tekst toetsen en vastleggen",
           "form_check": "Toetsen", "form_record": "Toetsen en vastleggen", "add_row": "Rij toevoegen",
           "form": "Verstrekking", "form_intro": "Vul in wat u weet; velden met * zijn verplicht. Onder elk veld staat "
           "wat het betekent en welk artikel erom vraagt; de YAML-naam staat erbij voor wie YAML plakt.",
           "result": "Uitkomst", "reasons": "Redenen", "cites": "Grondslag", "reason": "Reden",
           "fix": "Wat moet veranderen", "fix_fields": "Vul in of wijzig", "none": "Alle regels voldaan of niet van toepassing.",
           "recorded": "Vastgelegd in het beslislog", "errors": "De verstrekking is niet geldig",
           "errors_intro": "Verbeter deze velden en toets opnieuw:",
           "language": "Taal (pagina en uitkomst)", "login": "Aanmelden", "token": "Token", "logout": "Afmelden",
           "unset": "(niet ingevuld)", "rules": "Toegepaste regels", "escalate_to": "Voorleggen aan",
           "allow": "TOESTAAN", "deny": "WEIGEREN", "escalate": "VOORLEGGEN", "as": "aangemeld als",
           "allow_says": "De verstrekking mag doorgaan, met de verplichtingen hieronder.",
           "deny_says": "De verstrekking mag zo niet doorgaan. Hieronder staat waarom en wat er moet veranderen.",
           "escalate_says": "De verstrekking moet eerst worden goedgekeurd door: {roles}.",
           "grounds": "Grondslag", "no_grounds": "geen grondslag vastgesteld", "obligations": "Verplichtingen",
           "advice": "Advies", "unsettled": "voorwaarde niet vast te stellen, ontbreekt",
           "approvals": "Goedkeuringen", "approvals_intro": "Besluiten die al genomen zijn, elk voor één regel die moest "
           "worden voorgelegd. Laat leeg als er geen zijn.", "row": "rij",
           "approval_paste": "Na goedkeuring in de verstrekking opnemen (het kenmerk geeft de goedkeurder):",
           "ask_for": "Vraag goedkeuring aan", "warnings": "Let op",
           "queue": "Voorgelegd aan u", "queue_empty": "Er wacht niets op uw besluit.",
           "queue_for": "Open escalaties op het niveau", "approve": "Goedkeuren", "note": "Toelichting (komt in het beslislog)",
           "given": "Goedkeuring vastgelegd", "paste_entry": "Neem dit op in de verstrekking en toets opnieuw:",
           "recorded_by": "vastgelegd door", "provision": "Verstrekking", "recipient": "Ontvanger",
           "purpose": "Doel", "data": "Gegevens", "nav_check": "Verstrekking toetsen", "nav_queue": "Escalaties",
           "below": "ook lagere niveaus", "show": "Tonen", "level": "Niveau",
           "not_given": "Niet vastgelegd", "required": "verplicht", "skip": "Naar het formulier",
           "skip_result": "Naar de uitkomst", "dossier": "Dossier openen (uitleg van de vastgelegde beslissing)",
           "dossier_title": "Dossier", "back": "Terug naar het toetsen", "not_found": "Niet gevonden",
           "login_intro": "Meld u aan met uw persoonlijke token. U krijgt het van de beheerder "
           "(wivcheck tokens new); het wordt niet in de browser bewaard.", "login_next": "Daarna",
           "login_refused": "Aanmelden lukte niet", "path": "YAML", "article": "Artikel",
           "verified": "geverifieerd", "unverified": "niet geverifieerd", "changed": "ingevuld",
           "open_in_form": "naar het veld", "summary_reasons": "{n} reden(en)", "rule": "Regel", "role": "Door",
           "reference": "Kenmerk", "date": "Datum", "recorded_at": "vastgelegd op",
           "refused_title": "Formulier geweigerd", "lang_nl": "Nederlands", "lang_en": "English"},
    "en": {"title": "Check a provision", "paste": "Provision as YAML or JSON",
           "paste_title": "YAML or JSON", "paste_intro": "Paste a provision or upload a file; after a check this holds "
           "the YAML of what was checked, and the form is filled from it.",
           "upload": "Or upload a file (.yaml, .yml, .json)",
           "check": "Check the pasted text", "record": "Check the pasted text and record",
           "form_check": "Check", "form_record": "Check and record", "add_row": "Add a row",
           "form": "Provision", "form_intro": "Fill in what you know; fields marked * are required. Under each field "
           "is what it means and which article asks for it; its YAML name is there for those who paste YAML.",
           "result": "Outcome", "reasons": "Reasons", "cites": "Cites", "reason": "Reason",
           "fix": "What would have to change", "fix_fields": "Fill in or change", "none": "Every rule satisfied or not applicable.",
           "recorded": "Recorded in the decision log", "errors": "The provision is not valid",
           "errors_intro": "Correct these fields and check again:",
           "language": "Language (page and outcome)", "login": "Sign in", "token": "Token", "logout": "Sign out",
           "unset": "(not given)", "rules": "Rules applied", "escalate_to": "Escalate to",
           "allow": "ALLOW", "deny": "DENY", "escalate": "ESCALATE", "as": "signed in as",
           "allow_says": "The provision may go ahead, with the obligations below.",
           "deny_says": "The provision may not go ahead as it is. Below is why and what would have to change.",
           "escalate_says": "The provision must first be approved by: {roles}.",
           "grounds": "Grounds", "no_grounds": "no ground established", "obligations": "Obligations",
           "advice": "Advice", "unsettled": "condition not settled, missing",
           "approvals": "Approvals", "approvals_intro": "Decisions already taken, each for one rule that had to be "
           "escalated. Leave empty when there are none.", "row": "row",
           "approval_paste": "Once approved, write this in the provision (the approver gives the reference):",
           "ask_for": "Ask for approval by", "warnings": "Warnings",
           "queue": "Waiting for you", "queue_empty": "Nothing waits for your decision.",
           "queue_for": "Open escalations at the level of", "approve": "Approve", "note": "Note (kept in the decision log)",
           "given": "Approval recorded", "paste_entry": "Write this in the provision and check it again:",
           "recorded_by": "recorded by", "provision": "Provision", "recipient": "Recipient",
           "purpose": "Purpose", "data": "Data", "nav_check": "Check a provision", "nav_queue": "Escalations",
           "below": "lower levels too", "show": "Show", "level": "Level",
           "not_given": "Not recorded", "required": "required", "skip": "Skip to the form",
           "skip_result": "Skip to the outcome", "dossier": "Open the dossier (explanation of the recorded decision)",
           "dossier_title": "Dossier", "back": "Back to checking", "not_found": "Not found",
           "login_intro": "Sign in with your personal token. Your administrator gives it to you "
           "(wivcheck tokens new); the browser does not keep it.", "login_next": "Then",
           "login_refused": "Could not sign in", "path": "YAML", "article": "Article",
           "verified": "verified", "unverified": "not verified", "changed": "filled in",
           "open_in_form": "to the field", "summary_reasons": "{n} reason(s)", "rule": "Rule", "role": "By",
           "reference": "Reference", "date": "Date", "recorded_at": "recorded at",
           "refused_title": "Form refused", "lang_nl": "Nederlands", "lang_en": "English"},
}


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


# Why a form is refused, in the page's languages; `{…}` is filled in from what the browser said.
_REFUSALS = {
    "cross_site": {"nl": "het formulier is verzonden vanaf een andere site ({site})",
                   "en": "the form was sent from another site ({site})"},
    "cross_origin": {"nl": "het formulier is verzonden vanaf een andere oorsprong ({site})",
                     "en": "the form was sent from another origin ({site})"},
    "origin": {"nl": "het formulier is verzonden vanaf {origin}, niet vanaf deze pagina ({own})",
               "en": "the form was sent from {origin}, not from this page ({own})"},
    "csrf": {"nl": "het CSRF-token van het formulier ontbreekt of hoort niet bij deze sessie; laad de pagina "
                   "opnieuw en verstuur het nog eens",
             "en": "the form's CSRF token is missing or not this session's; reload the page and send it again"},
    "login_csrf": {"nl": "het CSRF-token van het aanmeldformulier ontbreekt of past niet; laad de pagina opnieuw",
                   "en": "the sign-in form's CSRF token is missing or does not fit; reload the page"},
    "https": {"nl": "meld u aan via HTTPS: over gewoon HTTP kan alleen vanaf deze machine worden aangemeld",
              "en": "sign in over HTTPS: over plain HTTP the page signs in only from this machine"},
}
_REFUSED = {"nl": "geweigerd", "en": "refused"}


def refusal(code: str, lang: str, **said: str) -> str:
    """The text of a refused form (`refused: …` / `geweigerd: …`) in `lang` (nl or en; nl otherwise);
    `code` is a key of `_REFUSALS`, `said` fills its placeholders. Raises KeyError for an unknown code."""
    lang = lang if lang in _REFUSED else "nl"
    return f"{_REFUSED[lang]}: " + _REFUSALS[code][lang].format(**said)


def _cross_site(request: Request) -> tuple[str, dict[str, str]] | None:
    """Why a POST must be refused as coming from elsewhere, as (code of `_REFUSALS`, what the browser
    said), or None. Browsers say where a request comes from (`Sec-Fetch-Site`; `Origin` on every
    POST); a page on another port is another origin but the same site, which SameSite cookies alone
    do not tell apart."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        if site in ("same-origin", "none"):
            return None
        return ("cross_site" if site == "cross-site" else "cross_origin"), {"site": site}
    origin = request.headers.get("origin")  # browsers without Sec-Fetch-Site
    if origin is not None:
        own = f"{request.url.scheme}://{request.headers.get('host', '')}"
        if origin != own:
            return "origin", {"origin": origin, "own": own}
    return None


def _query_lang(request: Request) -> str:
    """The page's language as the address says it (`?lang=`), before any form is read."""
    lang = request.query_params.get("lang") or "nl"
    return lang if lang in _T else "nl"


def add_page(app: FastAPI, state) -> None:
    """Add the page's routes (`/`, `/escalations`, `/dossier/{seq}`, `/login`, `/logout`) to the app,
    on the worker's state, and the sign-in page as the answer to a refused page request."""
    sessions = state.sessions
    escalate_rules = _escalate_rules(state)

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
            ctx.setdefault("next", _next_of(scope))
        else:
            session = ctx.pop("session")
            csrf = sessions.csrf("page", session.nonce)
            if ctx.pop("new_session", None):
                cookies.append((SESSION_COOKIE, ctx.pop("session_cookie"), MAX_AGE))
            ctx.pop("session_cookie", None)
        page = dict(ident=None, text="", decision=None, errors=[], values={}, forced=(), may_record=False,
                    message="", queue=None, given=None, level=None, below=False, may_check=False,
                    may_approve=False, next="/", ex=None, source=None, refused=False)
        page.update(ctx)
        errors = [_problem_view(e, lang) for e in page.pop("errors")]
        by_field: dict[str, list[str]] = {}
        for e in errors:
            if e["target"]:
                by_field.setdefault(e["target"], []).append(e["message"])
        values = page["values"]
        rows = form.approval_rows(_Values(values))
        role_doc = field_doc("approvals.role")
        html = _ENV.get_template(template).render(
            t=_T[lang], lang=lang, csrf=csrf, levels=APPROVE_ROLES, approval_note=approval_note, errors=errors,
            by_field=by_field, sections=form.view(lang, values, page["forced"], by_field), hiding_css=form.hiding_css(),
            rows=rows, max_rows=form.MAX_APPROVAL_ROWS,
            approval_fields=[(f, field_doc("approvals." + f)) for f in form.APPROVAL_FIELDS],
            roles=[(r, role_doc.value_label(r, lang)) for r in APPROVE_ROLES],
            role_names=ROLE_NAMES[lang], escalate_rules=[(q, title[lang]) for q, title in escalate_rules],
            fix_target=_fix_target, approval_entry=_approval_entry, current=template,
            vlabel=lambda path, value: _value_label(path, value, lang),
            roles_text=lambda roles: ", ".join(ROLE_NAMES[lang].get(r, r) for r in roles), **page)
        response = HTMLResponse(html, status_code=status)
        for name, value, age in cookies:
            _set(response, scope, name, value, age)
        return response

    def refuse(scope, status: int, message: str) -> HTMLResponse:
        """The sign-in page as the answer to a refused page request (auth middleware)."""
        return render(None, status, scope=scope, template="login.html", message=_sign_in_message(message))

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

    def sign_in_first(request: Request, exc) -> HTMLResponse:
        """The sign-in page for a page asked for without a session: a first visit is greeted, not
        told off; a token that is not known is said."""
        return render(request, 401, template="login.html", message=_sign_in_message(exc.message))

    @app.get("/", response_class=HTMLResponse, include_in_schema=False,
             openapi_extra=page_access(CHECK_ROLES + APPROVE_ROLES))
    def page(request: Request):
        ident, exc = who(request)
        if ident is None:
            return sign_in_first(request, exc)
        if not ident.local and ident.role in APPROVE_ROLES:   # an approver's page is their queue
            lang = request.query_params.get("lang", "nl")
            return RedirectResponse(f"/escalations?lang={urllib.parse.quote(lang)}", status_code=303)
        if not ident.may(CHECK_ROLES):
            return render(request, 403, template="login.html",
                          message=f"role {ident.role} may not use this page ({', '.join(CHECK_ROLES)})")
        session, cookie = session_of(request)
        return render(request, ident=ident, may_record=ident.may(RECORD_ROLES), session=session,
                      new_session=cookie is not None, session_cookie=cookie, may_check=True,
                      may_approve=ident.may(APPROVE_ROLES), values={"a.rows": "1"})

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
            return sign_in_first(request, exc)
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
        form_data = FormData()
        if refused is None:
            try:
                form_data = await read_form(request)
            except FormError as exc:
                return render(request, 422, template="escalations.html", errors=[str(exc)], queue=[],
                              level=None, may_approve=True, **base)
            else:
                if cookie is not None or not sessions.csrf_ok("page", session.nonce, form_data.get("csrf")):
                    refused = "csrf", {}
        lang = form_data.get("lang") or _query_lang(request)
        if refused is not None:
            return render(request, 403, template="escalations.html", errors=[refusal(refused[0], lang, **refused[1])],
                          queue=[], lang=lang, may_approve=True, **base)
        note = (form_data.get("note") or "").strip() or None
        try:
            given = await run_in_threadpool(
                log_approvals.give, state.ledger, provision_id=form_data.get("provision_id") or "",
                rule=form_data.get("rule") or "", role=None if ident.local else ident.role,
                approver=recorder_of(ident), note=note, decision_id=form_data.get("decision_id") or None)
        except WivcheckError as exc:
            return render(request, exc.http_status, errors=[exc.message],
                          **queue_context(request, ident, lang), **base)
        import yaml
        given["yaml"] = yaml.safe_dump({"approvals": [given["approvals_entry"]]}, sort_keys=False, allow_unicode=True)
        return render(request, given=given, **queue_context(request, ident, lang), **base)

    @app.get("/dossier/{seq}", response_class=HTMLResponse, include_in_schema=False,
             openapi_extra=page_access(DOSSIER_ROLES))
    async def dossier(seq: str, request: Request):
        """A recorded decision explained (the explanation of `GET /v1/decisions/{seq}?format=html`),
        inside the page, for a signed-in reader of decisions (the roles of that route)."""
        ident, exc = who(request)
        if ident is None:
            return sign_in_first(request, exc)
        session, cookie = session_of(request)
        lang = request.query_params.get("lang", "nl")
        lang = lang if lang in _T else "nl"
        base = dict(ident=ident, session=session, new_session=cookie is not None, session_cookie=cookie,
                    template="dossier.html", lang=lang, may_check=ident.may(CHECK_ROLES),
                    may_approve=ident.may(APPROVE_ROLES))
        if not _SEQ.fullmatch(seq):
            return render(request, 404, errors=[f"{seq!r} is not the sequence number of a log entry"], **base)
        try:
            provision, decision, _ = await run_in_threadpool(recording.shown, state.ledger, seq)
        except WivcheckError as exc:   # not found (404), an approval entry (404), tampered (500)
            return render(request, exc.http_status, errors=[exc.message], **base)
        gate = ""
        if decision.gate is not None:      # a gate decision: its record after it, as the API shows it
            from wivcheck.engine.gate.record import render_record
            gate = Markup(render_record(decision.gate.model_dump(mode="json"), lang, "html"))  # escaped there
            decision = decision.model_copy(update={"gate": None})
        return render(request, ex=explanation_context(decision, provision, lang), gate=gate, seq=seq, **base)

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
                posted = await read_form(request)
            except FormError as exc:
                return render(request, 422, errors=[str(exc)], **base)
            if cookie is not None or not sessions.csrf_ok("page", session.nonce, posted.get("csrf")):
                refused = "csrf", {}
        if refused is not None:
            lang = (posted.get("lang") if refused[0] == "csrf" else None) or _query_lang(request)
            return render(request, 403, errors=[refusal(refused[0], lang, **refused[1])], refused=True, lang=lang,
                          **base)
        lang = posted.get("lang") or "nl"
        lang = lang if lang in _T else "nl"
        action = posted.get("action") or "check"
        from_form = action in ("form", "form_record", "add_row")
        text = posted.get("text") or ""
        upload = posted.files.get("file")
        values = {k: posted.getlist(k) if k.startswith("f.") and form.is_list(k[2:]) else posted.get(k)
                  for k in posted.keys() if k not in ("csrf", "text", "action")}
        forced = set(posted.getlist("show")) & {g.key for g in form.groups()}
        if upload is not None and upload[0] and not from_form:
            try:
                text = upload[1].decode("utf-8")
            except UnicodeDecodeError:
                text = ""
        ctx = dict(lang=lang, text=text, values=values, forced=forced, source="form" if from_form else "text", **base)
        if action == "add_row":   # one more approval row; nothing is checked
            values["a.rows"] = str(min(form.approval_rows(posted) + 1, form.MAX_APPROVAL_ROWS))
            return render(request, **ctx)
        if from_form:
            data = form.data_from_form(posted, forced)
            ctx["text"] = form.provision_yaml(data)   # the pasted YAML follows the form
            values.update(form.list_values(data))
        else:                                           # the form follows the pasted text
            filled = _fill_from_text(upload[1] if upload is not None and upload[0] else text.encode("utf-8"))
            if filled is not None:
                ctx["values"], ctx["forced"] = filled.values, filled.forced

        def parse_and_decide():
            if from_form:
                provisions = [provision_from_data(data, source="form", lang=lang)]
            elif upload is not None and upload[0]:
                provisions = parse_provisions(upload[1], upload[0], max_bytes=MAX_PROVISION_BYTES, lang=lang)
            else:
                provisions = parse_provisions(text.encode("utf-8"), "text", max_bytes=MAX_PROVISION_BYTES, lang=lang)
            if len(provisions) != 1:
                raise ProvisionError(["the page checks one provision at a time" if lang == "en" else
                                      "de pagina toetst één verstrekking tegelijk"], "text")
            started = time.perf_counter()
            return provisions, state.engine.decide_many(provisions, register=state.approvals), time.perf_counter() - started

        try:
            # on a thread: reading YAML is pure Python, and the event loop keeps serving meanwhile
            provisions, decisions, elapsed = await run_in_threadpool(parse_and_decide)
            if action in ("record", "form_record"):
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
        return render(request, template="login.html", next=_safe_next(request.query_params.get("next")))

    @app.post("/login", include_in_schema=False, openapi_extra=page_access())
    async def login(request: Request):
        refused = _cross_site(request)
        posted = FormData()
        unread = None
        if refused is None:
            try:
                posted = await read_form(request)
            except FormError as exc:
                unread = str(exc)
        lang = posted.get("lang") or _query_lang(request)
        lang = lang if lang in _T else "nl"
        after = _safe_next(posted.get("next"))
        if refused is None and unread is None:
            nonce = sessions.login_nonce(request.cookies.get(LOGIN_COOKIE))
            if not sessions.csrf_ok("login", nonce, posted.get("csrf")):
                refused = "login_csrf", {}
        if refused is None and unread is None and not _secure(request) and not _loopback_client(request):
            refused = "https", {}
        if refused is not None or unread is not None:
            message = refusal(refused[0], lang, **refused[1]) if refused else f"{_REFUSED[lang]}: {unread}"
            return render(request, 403, template="login.html", lang=lang, next=after, message=message)
        token = (posted.get("token") or "").strip()
        if state.local:
            subject = "local"
        elif token and digest(token) in state.tokens:
            subject = digest(token)
        else:
            return render(request, 401, template="login.html", lang=lang, next=after,
                          message=_WRONG_TOKEN[lang])
        cookie, _ = sessions.new_session(subject)
        response = RedirectResponse(f"{after}?lang={urllib.parse.quote(lang)}", status_code=303)
        _set(response, request, SESSION_COOKIE, cookie, MAX_AGE)
        response.delete_cookie(LOGIN_COOKIE, path="/", httponly=True, samesite="strict", secure=_secure(request))
        return response

    @app.post("/logout", include_in_schema=False, openapi_extra=page_access())
    async def logout(request: Request):
        session = sessions.session(request.cookies.get(SESSION_COOKIE))
        refused = _cross_site(request)
        if refused is None and session is not None:
            try:
                posted = await read_form(request)
            except FormError as exc:
                refused = str(exc)
            else:
                if not sessions.csrf_ok("page", session.nonce, posted.get("csrf")):
                    refused = "the form's CSRF token is missing or not this session's"
        if refused is not None:
            return render(request, 403, template="login.html", message=f"refused: {refused}")
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=_secure(request))
        return response


_SEQ = re.compile(r"[1-9][0-9]{0,17}")
# where the sign-in form may send the browser after signing in: the page's own GET pages only
_NEXT = re.compile(r"/(?:escalations|dossier/[1-9][0-9]{0,17})?")
_WRONG_TOKEN = {"nl": "Dit token is niet bekend. Controleer het en probeer opnieuw.",
                "en": "This token is not known. Check it and try again."}
# the identify() messages that only mean "not signed in yet": a first visit, greeted rather than told off
_NOT_SIGNED_IN = ("sign in with your token",)


def _safe_next(value: str | None) -> str:
    """A page path to go to after signing in, or `/`: never another site, never a path the page
    does not own (no open redirect)."""
    return value if value and _NEXT.fullmatch(value) else "/"


def _next_of(scope) -> str:
    return _safe_next(scope.get("path")) if scope.get("method") in ("GET", "HEAD") else "/"


def _sign_in_message(message: str) -> str:
    return "" if message in _NOT_SIGNED_IN else message


class _Values:
    """The page's values (`f.…`, `a.…`) read as a form is read (`get`)."""

    def __init__(self, values: dict):
        self.values = values

    def get(self, name: str, default=None):
        v = self.values.get(name, default)
        return v[-1] if isinstance(v, list) and v else v


def _problem_view(problem, lang: str) -> dict:
    """A problem as the page shows it: its text (line, field, message), the field's label, and the id
    of the input it belongs to (for the link and for the message beside the field)."""
    if isinstance(problem, Problem):
        target = form.problem_target(problem.path)
        doc = field_doc(problem.path) if problem.path else None
        return {"text": problem.text(lang), "message": problem.message, "path": problem.path,
                "label": doc.label[lang] if doc else "", "target": target}
    return {"text": str(problem), "message": str(problem), "path": "", "label": "", "target": None}


def _fix_target(path: str) -> str | None:
    """The id of the form's input a fix names, or None when the form has no such field."""
    return form.input_id(path) if path in form.form_paths() else None


def _approval_entry(entry) -> str:
    """One ready-to-paste approvals entry (a reason's `fix_approval`) as YAML."""
    return (f"approvals:\n  - role: {entry.role}\n    rule: {entry.rule}\n    reference: {entry.reference}\n"
            f"    date: {entry.date.isoformat()}")


def _fill_from_text(raw: bytes):
    """The form's values from pasted or uploaded text, when it reads as one provision's data (valid
    or not); None when it does not read at all (the check names why)."""
    try:
        located = parse_text(raw, "text", max_bytes=MAX_PROVISION_BYTES, max_depth=MAX_PROVISION_DEPTH + 1)
    except Exception:  # noqa: BLE001 - unreadable text: the decision path reports it
        return None
    return form.values_from_data(located.data) if isinstance(located.data, dict) else None


def _escalate_rules(state) -> list[tuple[str, dict]]:
    """The escalate-rules of every loaded rule set (qualified id, title {nl, en}), for the approval
    rows' suggestions."""
    out: dict[str, dict] = {}
    try:
        versions = state.engine.library.all()
    except Exception:  # noqa: BLE001 - suggestions only
        return []
    for v in versions:
        for r in v.model.rules:
            if r.on_fail == "escalate":
                out.setdefault(f"{v.name}.{r.id}", {"nl": r.title.nl, "en": r.title.en})
    return sorted(out.items())


def _loopback_client(request: Request) -> bool:
    from .state import is_loopback
    return request.client is not None and is_loopback(request.client.host)


def _value_label(path: str, value, lang: str) -> str:
    """The label of a field's value (`recipient.kind`, `foreign_service` -> "Buitenlandse ..."), or
    the value as text when the reference has none."""
    doc = field_doc(path)
    text = "" if value is None else ("true" if value is True else "false" if value is False else str(value))
    return doc.value_label(text, lang) if doc else text
