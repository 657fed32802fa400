"""Renderings of a decision for people and files: plain text, Markdown, a self-contained HTML page
and JSON (DESIGN.md, "A rendering of it as text, Markdown and HTML is the explanation attached to the
dossier"). Each shows the grounds, the reasons (with the basis of every non-statutory reason and a
mark on proxies), the obligations and the advice.

Every value that came from input (a provision, a rule file, a log entry) is written through the
escaping of its format, so it shows as text and can never act on the reader: `terminal_text` for the
terminal (control characters and escape sequences, bidirectional overrides and line breaks become
visible escapes: a name cannot clear the screen or print a fake "ALLOW" line), `markdown_text` for
Markdown (HTML and Markdown punctuation escaped, one line: a name cannot make a heading or a link), and
jinja2's autoescape for HTML. Own code: no well-kept library escapes text for Markdown or the terminal.
"""

from __future__ import annotations

import json
import re

import jinja2

from .decision import Decision
from .fields import field_doc
from .provision import Provision
from .reasons import ROLE_NAMES, fmt

_TEMPLATE = jinja2.Environment(
    loader=jinja2.PackageLoader(__package__, "templates"),
    autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
).get_template("explanation.html")

# C0 and C1 controls and DEL, and the Unicode controls that reorder text (bidi overrides, isolates)
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_KEEP_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _visible(m: re.Match) -> str:
    c = ord(m.group())
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def terminal_text(value, keep_lines: bool = False) -> str:
    """`value` as text safe to print on a terminal: every control character (ESC, BEL, CR, ...),
    C1 control and bidirectional control written as a visible escape (`\\x1b`, `\\u202e`);
    line breaks too unless `keep_lines` (for whole outputs whose lines are ours)."""
    text = str(value)
    return (_UNSAFE_KEEP_LINES if keep_lines else _UNSAFE).sub(_visible, text)


# what can start markup inside a line: emphasis, code, links and images, table cells, strikethrough
# (headings, lists and quotes need a line start, and values never start a line)
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def markdown_text(value) -> str:
    """`value` as Markdown text that renders as itself: on one line (breaks become spaces, Unicode's
    line and paragraph separators too), HTML's `& < >` as entities, Markdown punctuation
    backslash-escaped (no emphasis, link, cell break, HTML)."""
    text = terminal_text(re.sub(r"[\r\n\t\u2028\u2029]+", " ", str(value)))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


_DECISION = {"nl": {"allow": "TOESTAAN", "deny": "WEIGEREN", "escalate": "VOORLEGGEN"},
             "en": {"allow": "ALLOW", "deny": "DENY", "escalate": "ESCALATE"}}
_ROLE = ROLE_NAMES


def render_json(decision: Decision) -> str:
    return json.dumps(decision.model_dump(mode="json"), ensure_ascii=False, sort_keys=False)


def basis_label(basis: str, proxy: bool) -> str:
    """`<interpretation>`, `<statute, proxy>`; empty for a plain statute."""
    parts = ([] if basis == "statute" and not proxy else [basis]) + (["proxy"] if proxy else [])
    return f"<{', '.join(parts)}>" if parts else ""


_WORDS = {
    "nl": {"grounds": "grondslag", "no_grounds": "geen grondslag vastgesteld", "obligations": "verplichtingen",
           "advice": "advies", "unsettled": "voorwaarde niet vast te stellen, ontbreekt"},
    "en": {"grounds": "grounds", "no_grounds": "no ground established", "obligations": "obligations",
           "advice": "advice", "unsettled": "condition not settled, missing"},
}


def _statement_lines(items, lang: str) -> list[str]:
    tt = terminal_text
    out = []
    for s in items:
        extra = f" ({_WORDS[lang]['unsettled']}: {', '.join(s.missing_facts)})" if s.missing_facts else ""
        out.append(f"   - {tt(s.id)} ({tt('; '.join(s.cites))}){extra}")
        out.append(f"     {tt(getattr(s.message, lang))}")
    return out


_PASTE = {"nl": "Na goedkeuring in de verstrekking plakken (vul het kenmerk van het besluit in; staat er al "
                "een lijst approvals, voeg dan alleen het item toe):",
          "en": "Once approved, paste into the provision (fill in the decision's reference; where the "
                "provision has approvals already, add the entry only):"}


def approvals_yaml(decision: Decision) -> str:
    """The `approvals:` block that would close the decision's open escalations once each person named
    gives their approval: one entry per violated escalate-rule, reference TODO, dated the provision
    date; empty when nothing is to approve. Values are written so the safe reader reads them back as
    they are (rule ids and roles are plain words; the date is ISO)."""
    entries = [r.fix_approval for r in decision.reasons if r.fix_approval is not None]
    if not entries:
        return ""
    lines = ["approvals:"]
    for e in entries:
        lines += [f"  - role: {e.role}", f"    rule: {e.rule}", f"    reference: {e.reference}",
                  f"    date: {e.date.isoformat()}"]
    return "\n".join(lines)


def render_text(decision: Decision, lang: str = "nl") -> str:
    nl = lang == "nl"
    tt = terminal_text
    w = _WORDS[lang]
    lines = [f"{tt(decision.provision_id)}: {_DECISION[lang][decision.decision]}"]
    if decision.escalate_to:
        roles = ", ".join(_ROLE[lang][r] for r in decision.escalate_to)
        lines[0] += f" ({'voorleggen aan' if nl else 'escalate to'}: {roles})"
    sets = ", ".join(tt(f"{r.id}@{r.version}") + ("" if r.status == "in_force" else f" [{r.status}]")
                     for r in decision.rulesets)
    lines.append(f"  {'regels' if nl else 'rules'}: {sets}   "
                 f"{'peildatum' if nl else 'as of'}: {decision.as_of}")
    lines.append(f"  {w['grounds']}: " + (tt("; ".join(g.cite for g in decision.grounds)) or w["no_grounds"]))
    for i, r in enumerate(decision.reasons, 1):
        tag = {"deny": "WEIGEREN" if nl else "DENY", "escalate": "VOORLEGGEN" if nl else "ESCALATE"}[r.outcome]
        state = ("ontbrekende gegevens" if nl else "missing facts") if r.status == "missing" else ""
        label = tt(basis_label(r.basis, r.proxy))
        lines.append(f"  {i}. [{tag}{', ' + state if state else ''}] {tt(r.rule)} ({tt('; '.join(r.cites))})"
                     + (f" {label}" if label else ""))
        lines.append(f"     {tt(getattr(r.message, lang))}")
        lines.append(f"     {'Wat moet veranderen' if nl else 'What would have to change'}: "
                     f"{tt(getattr(r.fix, lang))}")
    paste = approvals_yaml(decision)
    if paste:  # flush left, so it can be pasted into the provision as it stands
        lines.append(f"  {_PASTE[lang]}")
        lines += [tt(line) for line in paste.split("\n")]
    for t in decision.approved:
        ap = t.approved_by
        lines.append(f"  {'goedgekeurd' if nl else 'approved'}: {t.rule} "
                     f"({ap.role}, {terminal_text(ap.reference)}, {ap.date}; {terminal_text(approval_note(ap, lang))})")
    for warning in decision.warnings:
        lines.append(f"  {'let op' if nl else 'warning'}: {terminal_text(warning)}")
    if decision.decision == "allow" and not decision.approved:
        lines.append(f"  {'alle regels voldaan of niet van toepassing' if nl else 'every rule satisfied or not applicable'}"
                     f" ({len(decision.trace)} {'regels' if nl else 'rules'})")
    if decision.obligations:
        lines.append(f"  {w['obligations']}:")
        lines += _statement_lines(decision.obligations, lang)
    if decision.advice:
        lines.append(f"  {w['advice']}:")
        lines += _statement_lines(decision.advice, lang)
    return "\n".join(lines)


_SUMMARY = [
    ("service", "Dienst", "Service"), ("date", "Datum", "Date"), ("context", "Context", "Context"),
    ("recipient.name", "Ontvanger", "Recipient"), ("recipient.kind", "Soort ontvanger", "Kind of recipient"),
    ("recipient.country", "Land", "Country"), ("recipient.concern", "Gaat de ontvanger aan als", "Concerns the recipient as"),
    ("recipient.relationship", "Samenwerkingsrelatie (art. 88)", "Cooperation relationship (Art. 88)"),
    ("request.form", "Verzoek", "Request"),
    ("partnership.id", "Samenwerkingsbeschrijving", "Cooperation description"),
    ("purpose.task", "Taak", "Task"), ("purpose.aim", "Doel", "Aim"),
    ("purpose.measures", "Maatregelen van de ontvanger", "Measures of the recipient"),
    ("data.categories", "Categorieen", "Categories"), ("data.classification", "Rubricering", "Classification"),
    ("data.personal_data", "Persoonsgegevens", "Personal data"), ("data.evaluated", "Geevalueerd", "Evaluated"),
    ("data.origin", "Herkomst", "Origin"), ("data.tlp", "TLP", "TLP"), ("data.volume", "Aantal items", "Items"),
    ("handling.form", "Vorm", "Form"),
]


def approval_note(ap, lang: str = "nl") -> str:
    """Whether an approval was checked, for people (DESIGN.md, "Approvals"): verified in the decision
    log (its entry and who gave it), or unverified (taken as written: no log was consulted)."""
    nl = lang == "nl"
    if ap.verified:
        return (f"geverifieerd in het beslislog (#{ap.sequence}), gegeven door {ap.approver}" if nl
                else f"verified in the decision log (#{ap.sequence}), given by {ap.approver}")
    return ("NIET geverifieerd: overgenomen zoals geschreven, zonder beslislog" if nl
            else "NOT verified: taken as written, no decision log consulted")


def provision_summary(provision: Provision, lang: str = "nl") -> list[tuple[str, str]]:
    """The provision's main facts for people, as (label, value) rows in `lang`: a value the field
    reference labels (`recipient.kind: private_party`) shows as its label with the code after it
    (`Private partij (private_party)`; just the label when it holds the code), so the reader and the
    YAML both recognise it."""
    facts = provision.facts()
    return [(nl if lang == "nl" else en, _labelled(path, facts[path], lang)) for path, nl, en in _SUMMARY
            if path in facts]


def _labelled(path: str, value, lang: str) -> str:
    doc = field_doc(path)
    if doc is None or not doc.values or value is None:
        return fmt(value)

    def one(v) -> str:
        code = str(v)
        label = doc.value_label(code, lang)
        return label if code in label else f"{label} ({code})"
    return ", ".join(one(v) for v in value) if isinstance(value, (list, tuple)) else one(value)


def explanation_context(decision: Decision, provision: Provision | None = None, lang: str = "nl") -> dict:
    """What the explanation template (`templates/explanation_body.html`) shows of a decision: the words
    (`t`), the decision (`d`), its label, the approvals block to paste, the roles to escalate to, the
    approval notes and the provision summary. The standalone page and the analyst page's dossier
    render the same template with it, so both say the same."""
    nl = lang == "nl"
    t = {"escalate_to": "Voorleggen aan" if nl else "Escalate to",
         "provision": "Verstrekking" if nl else "Provision", "reasons": "Redenen" if nl else "Reasons",
         "rule": "Regel" if nl else "Rule", "outcome": "Uitkomst" if nl else "Outcome",
         "cites": "Grondslag" if nl else "Cites", "message": "Toelichting" if nl else "Message",
         "fix": "Wat moet veranderen" if nl else "What would have to change",
         "none": "Alle regels voldaan of niet van toepassing." if nl else "Every rule satisfied or not applicable.",
         "approvals": "Goedkeuringen" if nl else "Approvals", "warnings": "Waarschuwingen" if nl else "Warnings",
         "record": "Vastlegging" if nl else "Record", "decision_id": "Beslissing" if nl else "Decision",
         "evaluated": "Beoordeeld op" if nl else "Evaluated at", "as_of": "peildatum" if nl else "as of",
         "ruleset": "Regelset" if nl else "Rule set", "log": "Beslislog" if nl else "Decision log",
         "sequence": "volgnummer" if nl else "sequence", "grounds": "Grondslag (route)" if nl else "Grounds (route)",
         "no_grounds": "Geen grondslag vastgesteld." if nl else "No ground established.",
         "obligations": "Verplichtingen" if nl else "Obligations", "advice": "Advies" if nl else "Advice",
         "unsettled": _WORDS[lang]["unsettled"], "ask": "Goedkeuring vragen" if nl else "Ask for approval",
         "paste": _PASTE[lang]}
    return dict(
        d=decision, lang=lang, t=t, label=_DECISION[lang][decision.decision], paste=approvals_yaml(decision),
        roles=", ".join(_ROLE[lang][r] for r in decision.escalate_to),
        approval_notes=[approval_note(a.approved_by, lang) for a in decision.approved],
        summary=provision_summary(provision, lang) if provision else [("id", decision.provision_id)])


def render_html(decision: Decision, provision: Provision | None = None, lang: str = "nl") -> str:
    """A self-contained page: provision summary, decision, reasons, versions and hashes, log entry."""
    return _TEMPLATE.render(top=1, **explanation_context(decision, provision, lang))


def render_markdown(decision: Decision, lang: str = "nl", provision: Provision | None = None) -> str:
    nl = lang == "nl"
    m = markdown_text
    out = [f"## {m(decision.provision_id)}: **{_DECISION[lang][decision.decision]}**", ""]
    if decision.escalate_to:
        out.append(f"{'Voorleggen aan' if nl else 'Escalate to'}: "
                   + ", ".join(_ROLE[lang][r] for r in decision.escalate_to) + "\n")
    if provision is not None:
        out.append(f"| {'Verstrekking' if nl else 'Provision'} | |")
        out.append("|---|---|")
        out.extend(f"| {k} | {m(v)} |" for k, v in provision_summary(provision, lang))
        out.append("")
    w = _WORDS[lang]
    out.append(f"**{w['grounds'].capitalize()}**: "
               + (m("; ".join(g.cite for g in decision.grounds)) or w["no_grounds"]) + "\n")
    out.append(f"- {'Beslissing' if nl else 'Decision'} id: `{decision.decision_id}`")
    out.append(f"- {'Beoordeeld op' if nl else 'Evaluated at'}: {decision.evaluated_at.isoformat()}; "
               f"{'peildatum' if nl else 'as of'} {decision.as_of}")
    for r in decision.rulesets:
        out.append(f"- {'Regelset' if nl else 'Rule set'} `{r.id}@{r.version}` ({r.status}), "
                   f"sha256 `{r.sha256}`")
    if decision.log:
        out.append(f"- Log: {'volgnummer' if nl else 'sequence'} {decision.log.sequence}, "
                   f"hash `{decision.log.hash}`")
    out.append("")
    if decision.reasons:
        out.append(f"### {'Redenen' if nl else 'Reasons'}\n")
        out.append(f"| # | {'regel' if nl else 'rule'} | {'uitkomst' if nl else 'outcome'} | "
                   f"{'grondslag' if nl else 'cites'} | {'toelichting' if nl else 'message'} | "
                   f"{'wat moet veranderen' if nl else 'what would have to change'} |")
        out.append("|---|---|---|---|---|---|")
        for i, r in enumerate(decision.reasons, 1):
            label = basis_label(r.basis, r.proxy)
            out.append(f"| {i} | `{r.rule}` | {r.outcome} ({r.status}) | {m('; '.join(r.cites))}"
                       + (f" {m(label)}" if label else "")
                       + f" | {m(getattr(r.message, lang))} | {m(getattr(r.fix, lang))} |")
        out.append("")
    paste = approvals_yaml(decision)
    if paste:
        out += [f"### {'Goedkeuring vragen' if nl else 'Ask for approval'}", "", _PASTE[lang], "",
                "```yaml", terminal_text(paste, keep_lines=True).replace("`", "'"), "```", ""]
    for key, items in (("obligations", decision.obligations), ("advice", decision.advice)):
        if not items:
            continue
        out.append(f"### {w[key].capitalize()}\n")
        for s in items:
            extra = f" ({w['unsettled']}: {m(', '.join(s.missing_facts))})" if s.missing_facts else ""
            out.append(f"- `{s.id}` ({m('; '.join(s.cites))}){extra}: {m(getattr(s.message, lang))}")
        out.append("")
    if decision.approved:
        out.append(f"### {'Goedkeuringen' if nl else 'Approvals'}\n")
        for t in decision.approved:
            ap = t.approved_by
            out.append(f"- `{t.rule}`: {ap.role}, {m(ap.reference)}, {ap.date}; {m(approval_note(ap, lang))}")
        out.append("")
    if decision.warnings:
        out.append(f"### {'Waarschuwingen' if nl else 'Warnings'}\n")
        out.extend(f"- {m(w)}" for w in decision.warnings)
        out.append("")
    out.append(f"<details><summary>Trace ({len(decision.trace)})</summary>\n")
    out.extend(f"- `{t.rule}`: {t.status}" for t in decision.trace)
    out.append("\n</details>\n")
    return "\n".join(out)
