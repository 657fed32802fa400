"""Hypothesis strategies that generate valid provisions across the whole schema (contract v1.1), with
dates near the boundaries rules care about (ten years, leap days) and free text near the letter
count the rules ask for. Used by `wivcheck rules verify` to search for counterexamples to
invariants, and by the tests."""

from __future__ import annotations

import copy
import datetime as dt
import typing

from hypothesis import strategies as st

from wivcheck.policy.terms import ROLES as _ROLES
from wivcheck.policy.text import has_visible_letter

from .. import provision as pm
from ..provision import PERSONAL_BY_NATURE, Provision

CATEGORIES = list(typing.get_args(pm.Category))
TASKS = list(typing.get_args(pm.Task))
CLASSIFICATIONS = list(typing.get_args(pm.Data.model_fields["classification"].annotation))
ROLES = list(_ROLES)
KINDS = list(typing.get_args(pm.Recipient.model_fields["kind"].annotation))
# escalate rules of the shipped rule sets (and some that are not), for approvals to name
SHIPPED_IDS = [
    "wiv2017.urgent-foreign-service-minister", "wiv2017.prosecutor-by-head", "wiv2017.request-by-head",
    "wiv2017.unevaluated-partner-service", "wiv2017.unevaluated-international-body",
    "wiv2017.minister-nature-publication", "wiv2017.personal-data-head-of-service",
    "wiv2017.personal-data-age-accuracy", "wiv2017.special-categories-supplementary",
    "wiv2017.source-protection", "wiv2017.reliability-indicated",
    "praktijk.onward-provision-private", "praktijk.foreign-private-party", "praktijk.top-secret-minister",
    "waarborgen-pps.residual-risk", "waarborgen-pps.data-type-weighed", "waarborgen-pps.digital-resilience",
    "beleidsregels-pps.partner-reweighed", "beleidsregels-pps.tlp-shareable-private",
    "beleidsregels-pps.personal-data-structural", "beleidsregels-pps.bulk-volume", "x-set.no-rule",
]
DAYS = [dt.date(2018, 4, 30), dt.date(2018, 5, 1), dt.date(2025, 2, 16), dt.date(2025, 2, 17),
        dt.date(2025, 3, 14), dt.date(2024, 2, 29), dt.date(2026, 1, 1), dt.date(2028, 2, 29),
        dt.date(2026, 3, 1)]


def near(day: dt.date, spread: int = 800):
    """Dates at and around a day (boundaries matter most), and some far away."""
    return st.one_of(
        st.sampled_from([0, -1, 1, -365, 365, -3652, -3653, -730, -731]).map(lambda n: day + dt.timedelta(days=n)),
        st.integers(-spread, spread).map(lambda n: day + dt.timedelta(days=n)))


TEXTS = st.one_of(st.sampled_from(["n.v.t.", "x" * 39, "y" * 40, "Nodig om de infectie te vinden: " * 2,
                                   "a\u200b" * 39, "b\u200b" * 40, "Block." + "\u200b" * 45,
                                   "1.2.3.4.5.6.7.8.9.0." * 4]),
                  st.text(min_size=1, max_size=60).filter(has_visible_letter))


@st.composite
def provision_data(draw) -> dict:
    day = draw(st.one_of(st.sampled_from(DAYS), st.dates(dt.date(2018, 5, 1), dt.date(2030, 12, 31))))
    personal = draw(st.booleans())
    cats = draw(st.lists(st.sampled_from([c for c in CATEGORIES if personal or c not in PERSONAL_BY_NATURE]),
                         min_size=1, max_size=4, unique=True))
    data = {
        "categories": cats,
        "classification": draw(st.sampled_from(CLASSIFICATIONS)),
        "personal_data": personal,
        "special_categories": draw(st.booleans()) if personal else False,
        "origin": draw(st.sampled_from(["own", "foreign_service", "informant", "open_source", "partner"])),
        "reliability_indicated": draw(st.booleans()),
        "onward_provision_barred": draw(st.booleans()),
        "volume": draw(st.one_of(st.sampled_from([1, 10000, 10001]), st.integers(1, 10**6))),
        "tlp": draw(st.sampled_from(["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"])),
    }
    for key in ("originator_consent", "special_categories_supplementary", "personal_data_verifiable",
                "evaluated", "automated_selection", "lawyer_client"):
        v = draw(st.one_of(st.none(), st.booleans()))
        if v is not None and (personal or key not in ("special_categories_supplementary",
                                                      "personal_data_verifiable")):
            data[key] = v
    if personal and draw(st.booleans()):
        data["personal_data_oldest"] = min(draw(near(day - dt.timedelta(days=3652))), day).isoformat()
    if personal and draw(st.booleans()):
        low = data.get("personal_data_oldest", "1900-01-01")
        newest = min(draw(near(day - dt.timedelta(days=3652))), day).isoformat()
        data["personal_data_newest"] = max(newest, low)
    recipient = {
        "kind": draw(st.sampled_from(KINDS)),
        "id": "r-1", "name": draw(st.sampled_from(["Example B.V.", "Ünïcødé \"Ltd\" {x}"])),
        "country": draw(st.sampled_from(["NL", "BE", "NO", "US", "SE", "FI", "AT"])),
        "concern": draw(st.sampled_from(["victim", "infrastructure_operator", "can_mitigate", "none"])),
    }
    ctm = draw(st.one_of(st.none(), st.booleans()))
    if ctm is not None:
        recipient["can_take_measures"] = ctm
    rel = draw(st.one_of(st.none(), st.sampled_from(["regular", "restricted", "none"])))
    if rel is not None:
        recipient["relationship"] = rel
    if draw(st.booleans()):
        recipient["cleared_until"] = draw(near(day, 400)).isoformat()
    out = {
        "id": f"PRV-{draw(st.integers(0, 10**6))}", "service": draw(st.sampled_from(["AIVD", "MIVD"])),
        "date": day.isoformat(), "context": draw(st.sampled_from(["structural", "ad_hoc"])),
        "recipient": recipient,
        "purpose": {"task": draw(st.sampled_from(TASKS)),
                    "aim": draw(st.sampled_from(["digital_resilience", "other"])),
                    "necessity": draw(TEXTS), "proportionality": draw(TEXTS)},
        "data": data,
    }
    measures = draw(st.one_of(st.none(), st.sampled_from(MEASURES)))
    if measures is not None:
        out["purpose"]["measures"] = measures
    if draw(st.booleans()):
        out["purpose"]["urgent_reason"] = draw(TEXTS)
    if draw(st.integers(0, 2)) == 0:
        out["request"] = {"form": draw(st.sampled_from(["written", "oral"]))}
        designated = draw(st.one_of(st.none(), st.booleans()))
        if designated is not None:
            out["request"]["designated"] = designated
    if draw(st.integers(0, 3)):
        assessed = draw(near(day, 1200))
        valid_until = max(draw(near(day, 900)), assessed + dt.timedelta(days=1))
        out["partnership"] = {
            "id": "SB-1", "assessed_on": assessed.isoformat(), "valid_until": valid_until.isoformat(),
            "residual_risk": draw(st.sampled_from(["none", "accepted", "open"])),
            "secrecy_until": draw(near(day, 400)).isoformat(),
            "permitted_categories": draw(st.lists(st.sampled_from(CATEGORIES), max_size=6, unique=True)),
        }
    if draw(st.booleans()):
        out["handling"] = {"form": draw(st.sampled_from(["written", "oral"])), "urgent": draw(st.booleans())}
        consent = draw(st.one_of(st.none(), st.booleans()))
        if consent is not None:
            out["handling"]["court_consent"] = consent
    out["approvals"] = draw(st.lists(st.fixed_dictionaries({
        "role": st.sampled_from(ROLES), "rule": st.sampled_from(SHIPPED_IDS),
        "reference": st.just("AP-1"), "date": near(day, 30).map(dt.date.isoformat)}), max_size=3))
    return out


MEASURES = ["none", "defensive", "against_persons", "publication"]
provisions = provision_data().map(Provision.model_validate)


# ---- provisions near the allowed ones --------------------------------------------------------
# Uniformly drawn provisions almost never satisfy every rule at once, so "never allow when ..." is
# rarely put to the test by them. These start from a provision every shipped rule allows and change
# a few fields; they shrink towards the fewest changes.

_NECESSITY = "The domains are command-and-control servers for malware found on the recipient's network."
_PROPORTION = "Only the indicators of this campaign are shared; no sources, methods or personal data."


def _compliant(day: dt.date) -> dict:
    return {
        "id": "PRV-GEN", "service": "AIVD", "date": day.isoformat(), "context": "structural",
        "recipient": {"kind": "private_party", "id": "r-1", "name": "Example B.V.", "country": "NL",
                      "concern": "victim"},
        "partnership": {"id": "SB-1", "assessed_on": (day - dt.timedelta(days=100)).isoformat(),
                        "valid_until": (day + dt.timedelta(days=300)).isoformat(), "residual_risk": "accepted",
                        "secrecy_until": (day + dt.timedelta(days=200)).isoformat(),
                        "permitted_categories": ["domain_names", "ip_addresses", "malware_analysis"]},
        "purpose": {"task": "8.2.c", "aim": "digital_resilience", "necessity": _NECESSITY,
                    "proportionality": _PROPORTION, "measures": "defensive"},
        "data": {"categories": ["domain_names"], "classification": "stg_confidentieel", "personal_data": False,
                 "special_categories": False, "origin": "own", "reliability_indicated": True,
                 "onward_provision_barred": True, "volume": 12, "tlp": "AMBER", "evaluated": True,
                 "automated_selection": False, "lawyer_client": False},
        "approvals": [],
    }


_URGENT = "An attack on the partner's networks is under way and the indicators are needed within hours."


def _variant(data: dict, variant: str) -> dict:
    """The compliant provision moved onto another route of the law, still allowed (or, where a
    named person must decide on that route, escalated only for that)."""
    if variant == "structural":
        return data
    data["context"] = "ad_hoc"
    data.pop("partnership")
    r = data["recipient"]
    if variant == "foreign_service":
        r.update(kind="foreign_service", country="DE", relationship="regular")
    elif variant == "international_body":
        r.update(kind="international_body", country="BE", relationship="regular")
    elif variant == "public_prosecutor":
        r.update(kind="public_prosecutor")
        data["handling"] = {"form": "written"}
    elif variant == "designated_public_body":
        r.update(kind="designated_public_body")
        data["purpose"]["urgent_reason"] = _URGENT
        data["handling"] = {"form": "written"}
    elif variant == "administrative_body":
        r.update(kind="administrative_body")
    return data


def _set(data: dict, path: str, value) -> None:
    *parents, leaf = path.split(".")
    node = data
    for p in parents:
        node = node.setdefault(p, {})
    if value is None:
        node.pop(leaf, None)
    else:
        node[leaf] = value


VARIANTS = ["structural", "ad_hoc", "foreign_service", "international_body", "public_prosecutor",
            "designated_public_body", "administrative_body"]

_CHANGES = {
    "service": st.sampled_from(["AIVD", "MIVD"]),
    "context": st.sampled_from(["structural", "ad_hoc"]),
    "recipient.kind": st.sampled_from(KINDS),
    "recipient.country": st.sampled_from(["NL", "BE", "US", "SE", "AT"]),
    "recipient.relationship": st.sampled_from([None, "regular", "restricted", "none"]),
    "purpose.measures": st.sampled_from([None, *MEASURES]),
    "purpose.urgent_reason": st.one_of(st.none(), TEXTS),
    "data.evaluated": st.sampled_from([None, True, False]),
    "data.automated_selection": st.sampled_from([None, True, False]),
    "data.lawyer_client": st.sampled_from([None, True, False]),
    "request": st.sampled_from([None, {"form": "written", "designated": True}, {"form": "oral", "designated": True},
                                {"form": "written", "designated": False}, {"form": "written"}]),
    "recipient.concern": st.sampled_from(["victim", "infrastructure_operator", "can_mitigate", "none"]),
    "recipient.can_take_measures": st.sampled_from([None, True, False]),
    "purpose.task": st.sampled_from(TASKS),
    "purpose.aim": st.sampled_from(["digital_resilience", "other"]),
    "purpose.necessity": TEXTS,
    "purpose.proportionality": TEXTS,
    "data.classification": st.sampled_from(CLASSIFICATIONS),
    "data.origin": st.sampled_from(["own", "foreign_service", "informant", "open_source", "partner"]),
    "data.originator_consent": st.sampled_from([None, True, False]),
    "data.reliability_indicated": st.booleans(),
    "data.onward_provision_barred": st.booleans(),
    "data.volume": st.sampled_from([1, 10000, 10001, 250000]),
    "data.tlp": st.sampled_from(["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]),
    "data.categories": st.lists(st.sampled_from([c for c in CATEGORIES if c != "personal_data"]),
                                min_size=1, max_size=3, unique=True),
    "partnership": st.none(),
    "partnership.residual_risk": st.sampled_from(["none", "accepted", "open"]),
    "handling": st.sampled_from([None, {"form": "written"}, {"form": "oral", "urgent": False},
                                 {"form": "oral", "urgent": True}, {"form": "written", "court_consent": True}]),
}
_DATE_CHANGES = ("partnership.assessed_on", "partnership.valid_until", "partnership.secrecy_until",
                 "recipient.cleared_until")


@st.composite
def near_allowed_data(draw) -> dict:
    day = draw(st.one_of(st.sampled_from(DAYS[2:]), st.dates(dt.date(2018, 5, 1), dt.date(2030, 12, 31))))
    data = _variant(_compliant(day), draw(st.sampled_from(VARIANTS)))
    # few changes at a time: each one is likely to open a rule, and an invariant about one fact is
    # best put to the test on a provision that is otherwise allowed
    n = draw(st.sampled_from([1, 1, 1, 1, 2, 2, 3, 4]))
    fields = draw(st.lists(st.sampled_from(sorted(_CHANGES) + list(_DATE_CHANGES) + ["personal"] * 3),
                           min_size=n, max_size=n, unique=True))
    for f in sorted(fields, key=lambda f: f == "partnership"):  # dropping the partnership comes last
        if f in _DATE_CHANGES:
            if f.startswith("partnership.") and "partnership" not in data:
                continue
            _set(data, f, draw(near(day, 400)).isoformat())
        elif f == "personal":
            oldest = min(draw(near(day - dt.timedelta(days=3652))), day)
            data["data"].update(personal_data=True, special_categories=draw(st.booleans()),
                                personal_data_oldest=oldest.isoformat(),
                                personal_data_verifiable=draw(st.booleans()))
            data["data"]["categories"] = sorted({*data["data"]["categories"], "email_addresses"})
            if draw(st.booleans()):
                data["data"]["personal_data_newest"] = min(max(draw(near(day - dt.timedelta(days=3652))),
                                                               oldest), day).isoformat()
            data["recipient"].setdefault("can_take_measures", draw(st.booleans()))
        elif f.startswith("partnership.") and "partnership" not in data:
            continue
        else:
            _set(data, f, draw(_CHANGES[f]))
    if "partnership" in data and data["partnership"]["valid_until"] <= data["partnership"]["assessed_on"]:
        data["partnership"]["valid_until"] = (dt.date.fromisoformat(data["partnership"]["assessed_on"])
                                              + dt.timedelta(days=1)).isoformat()
    if not data["data"]["personal_data"]:
        data["data"]["special_categories"] = False
        data["data"]["categories"] = [c for c in data["data"]["categories"]
                                      if c not in PERSONAL_BY_NATURE] or ["domain_names"]
    return data


def _hints(cond, out: dict) -> None:
    """A best-effort patch that makes `cond` hold: equals, in (its first value) and exists false on
    single facts, the first branch of an `any`; everything else is left to the search."""
    from wivcheck.policy import All, AnyOf, FactRef, Leaf
    if isinstance(cond, All):
        for c in cond.all:
            _hints(c, out)
    elif isinstance(cond, AnyOf):
        _hints(cond.any[0], out)
    elif isinstance(cond, Leaf) and not isinstance(cond.value, FactRef):
        if cond.op == "equals":
            out[cond.fact] = cond.value
        elif cond.op == "in":
            out[cond.fact] = cond.value[0]
        elif cond.op == "exists" and cond.value is False:
            out[cond.fact] = None


def towards(cond):
    """Near-allowed provisions moved, where they validly can be, so that `cond` holds: the search
    for a counterexample to an invariant starts where the invariant bites."""
    patch: dict = {}
    if cond is not None:
        _hints(cond, patch)

    def move(data: dict) -> dict:
        out = copy.deepcopy(data)
        for path, value in patch.items():
            _set(out, path, value)
        try:
            Provision.model_validate(out)
        except ValueError:
            return data
        return out
    return near_allowed_data().map(move)


def any_provision_data():
    """Near-allowed provisions (two in three) and uniformly drawn ones, mixed."""
    return st.one_of(near_allowed_data(), near_allowed_data(), provision_data())
