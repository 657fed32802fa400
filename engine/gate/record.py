"""The gate record of a decision (`Decision.gate`, a `GateRecord`) as people read it: text, Markdown
or an HTML section, in Dutch or English. `log show` appends it to the decision's explanation; the
command line's `gate` prints the brief form (objects that are not allowed only)."""

from __future__ import annotations

import html

_WORDS = {
    "nl": {"payload": "payload", "objects": "objecten", "remove": "verwijderen", "nothing": "niets",
           "dependents": "afhankelijk", "stripped": "gestripte payload", "events": "events",
           "removed": "verwijderd", "edited": "aangepast", "none": "geen (zie toelichting)"},
    "en": {"payload": "payload", "objects": "objects", "remove": "remove", "nothing": "nothing",
           "dependents": "dependents", "stripped": "stripped payload", "events": "events",
           "removed": "removed", "edited": "edited", "none": "none (see note)"},
}


def lines(record: dict, lang: str = "nl", brief: bool = False) -> list[str]:
    """The record as lines of text. brief: objects that are allowed or metadata are counted, not listed."""
    w = _WORDS.get(lang, _WORDS["en"])
    fmt = {"stix": "STIX 2.1", "misp": "MISP"}.get(record.get("format"), record.get("format"))
    out = [f"{w['payload']}: {fmt} {', '.join(record.get('payload_ids', []))} sha256 {record.get('payload_sha256')}"]
    objects = record.get("objects", [])
    counts: dict[str, int] = {}
    for o in objects:
        counts[o["decision"]] = counts.get(o["decision"], 0) + 1
    out.append(f"{w['objects']}: {len(objects)} (" + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) + ")")
    for o in objects:
        if brief and o["decision"] in ("allow", "metadata"):
            continue
        line = f"  {o['id']} ({o['type']}): {o['decision']}"
        if o.get("reasons"):
            line += ": " + ", ".join(o["reasons"])
        if o.get("findings"):
            line += " [" + "; ".join(o["findings"]) + "]"
        out.append(line)
    remove = record.get("remove")
    note = record.get("remove_note") or ""
    if remove is None:
        out.append(f"{w['remove']}: {w['none']}" + (f" ({note})" if note else ""))
    else:
        out.append(f"{w['remove']}: {', '.join(remove) if remove else w['nothing']}" + (f" ({note})" if note else ""))
    for d in record.get("dependents", []):
        props = f" {', '.join(d['properties'])}" if d.get("properties") else ""
        out.append(f"  {w['dependents']}: {d['id']} {w[d['action']]}{props} ({d['because']})")
    if record.get("stripped_decision"):
        out.append(f"{w['stripped']}: {record['stripped_decision']}"
                   + (f" sha256 {record['stripped_sha256']}" if record.get("stripped_sha256") else ""))
    for e in record.get("events", []):
        out.append(f"  {w['events']}: {e['id']}: {e['decision']}"
                   + (f": {', '.join(e['reasons'])}" if e.get("reasons") else ""))
    return out


def render_record(record: dict, lang: str = "nl", fmt: str = "text", brief: bool = False) -> str:
    """The record as text (indented lines), Markdown (a section with a list) or HTML (a section,
    every value escaped)."""
    got = lines(record, lang, brief)
    title = "Gate"
    if fmt == "markdown":
        return f"\n## {title}\n\n" + "\n".join(f"- {ln.strip()}" if not ln.startswith("  ") else f"  - {ln.strip()}"
                                               for ln in got) + "\n"
    if fmt == "html":
        items = "".join(f"<li>{html.escape(ln.strip())}</li>" for ln in got)
        return f'<section class="gate"><h2>{title}</h2><ul>{items}</ul></section>'
    return "\n".join(f"  {ln}" for ln in got)
