"""The analyst page at `/`: paste or upload a provision (YAML or JSON) or fill in the form, see the
decision with every reason, its citation and what would have to change (Dutch by default, English on
request), and record it when the role allows. Server-rendered, no JavaScript, every field labelled."""

from __future__ import annotations

import time
from typing import Any

import jinja2
from fastapi import FastAPI, Form, Request
from starlette.datastructures import UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from wivcheck.engine import EngineError, FACT_SCHEMA, ProvisionError, parse_provisions, provision_from_data

from wivcheck.engine.log import LedgerError
from wivcheck.engine.log import recording
from wivcheck.policy import PolicyError

from .idempotency import recorder_of
from .tokens import digest

_ENV = jinja2.Environment(loader=jinja2.PackageLoader(__package__, "templates"),
                          autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)

CHECK_ROLES = ("analyst", "policy")
RECORD_ROLES = ("analyst",)
COOKIE = "wivcheck_token"

_T = {
    "nl": {"title": "Verstrekking toetsen", "paste": "Verstrekking (YAML of JSON)", "upload": "Of upload een bestand",
           "check": "Toetsen", "record": "Toetsen en vastleggen", "form": "Of vul het formulier in",
           "form_check": "Formulier toetsen", "result": "Uitkomst", "reasons": "Redenen", "cites": "Grondslag",
           "fix": "Wat moet veranderen", "none": "Alle regels voldaan of niet van toepassing.",
           "recorded": "Vastgelegd in het beslislog", "errors": "De verstrekking is niet geldig",
           "language": "Taal", "login": "Aanmelden", "token": "Token", "logout": "Afmelden",
           "unset": "(niet ingevuld)", "rules": "Regels", "escalate_to": "Voorleggen aan",
           "allow": "TOESTAAN", "deny": "WEIGEREN", "escalate": "VOORLEGGEN", "as": "aangemeld als"},
    "en": {"title": "Check a provision", "paste": "Provision (YAML or JSON)", "upload": "Or upload a file",
           "check": "Check", "record": "Check and record", "form": "Or fill in the form",
           "form_check": "Check the form", "result": "Outcome", "reasons": "Reasons", "cites": "Cites",
           "fix": "What would have to change", "none": "Every rule satisfied or not applicable.",
           "recorded": "Recorded in the decision log", "errors": "The provision is not valid",
           "language": "Language", "login": "Sign in", "token": "Token", "logout": "Sign out",
           "unset": "(not given)", "rules": "Rules", "escalate_to": "Escalate to",
           "allow": "ALLOW", "deny": "DENY", "escalate": "ESCALATE", "as": "signed in as"},
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
    order = ["provision", "recipient", "partnership", "purpose", "data", "handling"]
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
            value = {"bool": lambda v: v == "true", "int": _int_or_text}.get(ft.kind, lambda v: v)(raw)
        node = out
        parts = path.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = value
    return out


def add_page(app: FastAPI, state) -> None:
    def render(request: Request, status: int = 200, **ctx) -> HTMLResponse:
        lang = ctx.pop("lang", None) or request.query_params.get("lang", "nl")
        lang = lang if lang in _T else "nl"
        html = _ENV.get_template(ctx.pop("template", "index.html")).render(
            t=_T[lang], lang=lang, groups=form_fields(), ident=ctx.pop("ident", None), text=ctx.pop("text", ""),
            decision=ctx.pop("decision", None), errors=ctx.pop("errors", []), values=ctx.pop("values", {}),
            may_record=ctx.pop("may_record", False), message=ctx.pop("message", ""))
        return HTMLResponse(html, status_code=status)

    def who(request: Request):
        try:
            return state.identify(request), None
        except Exception as exc:  # noqa: BLE001 - ApiError: show the sign-in page with its status
            return None, exc

    def gate(request: Request, roles):
        ident, exc = who(request)
        if ident is None:
            return None, render(request, 401, template="login.html", message=exc.message)
        if not ident.may(roles):
            return None, render(request, 403, template="login.html",
                                message=f"role {ident.role} may not use this page ({', '.join(roles)})")
        return ident, None

    @app.get("/", response_class=HTMLResponse, include_in_schema=False, openapi_extra={"x-roles": list(CHECK_ROLES)})
    def page(request: Request):
        ident, refusal = gate(request, CHECK_ROLES)
        if refusal:
            return refusal
        return render(request, ident=ident, may_record=ident.may(RECORD_ROLES))

    @app.post("/", response_class=HTMLResponse, include_in_schema=False, openapi_extra={"x-roles": list(CHECK_ROLES)})
    async def submit(request: Request):
        ident, refusal = gate(request, CHECK_ROLES)
        if refusal:
            return refusal
        form = await request.form()
        lang = form.get("lang") or "nl"
        action = form.get("action") or "check"
        text = form.get("text") or ""
        upload = form.get("file")
        values = {k: form.getlist(k) if len(form.getlist(k)) > 1 else form.get(k) for k in form.keys()}
        ctx = dict(lang=lang, ident=ident, may_record=ident.may(RECORD_ROLES), text=text, values=values)
        try:
            if action == "form":
                provisions = [provision_from_data(data_from_form(form), source="form")]
            else:
                if isinstance(upload, UploadFile) and upload.filename:
                    raw = await upload.read(state.settings.max_body_bytes + 1)
                    text = raw.decode("utf-8", errors="replace")
                    ctx["text"] = text
                    provisions = parse_provisions(raw, upload.filename)
                else:
                    provisions = parse_provisions(text, "text")
            if len(provisions) != 1:
                raise ProvisionError(["the page checks one provision at a time"], "text")
            started = time.perf_counter()
            decisions = state.engine.decide_many(provisions)
            elapsed = time.perf_counter() - started
            if action == "record":
                if not ident.may(RECORD_ROLES):
                    return render(request, 403, template="login.html", message=f"role {ident.role} may not record")
                decisions = recording.record(state.ledger, provisions, decisions, recorded_by=recorder_of(ident))
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

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False, openapi_extra={"x-public": True})
    def login_page(request: Request):
        return render(request, template="login.html")

    @app.post("/login", include_in_schema=False, openapi_extra={"x-public": True})
    def login(request: Request, token: str = Form(...), lang: str = Form("nl")):
        if state.tokens and digest(token.strip()) not in state.tokens:
            return render(request, 401, template="login.html", lang=lang, message="the token is not known")
        response = RedirectResponse(f"/?lang={lang}", status_code=303)
        response.set_cookie(COOKIE, token.strip(), httponly=True, samesite="strict", max_age=8 * 3600)
        return response

    @app.post("/logout", include_in_schema=False, openapi_extra={"x-public": True})
    def logout():
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response


def _int_or_text(v: str):
    """An integer field's value; text that is not an integer stays text, for validation to name."""
    digits = v.removeprefix("-")
    return int(v) if digits.isascii() and digits.isdigit() else v
