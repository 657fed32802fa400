"""Hypothesis strategies that generate valid provisions across the whole schema, with dates near the
boundaries rules care about. Used by `wivcheck rules verify` to search for counterexamples to
invariants, and by the tests."""

from __future__ import annotations

import datetime as dt
import typing

from hypothesis import strategies as st

from wivcheck.policy.terms import ROLES as _ROLES

from .. import provision as pm
from ..provision import Provision

CATEGORIES = list(typing.get_args(pm.Category))
TASKS = list(typing.get_args(pm.Task))
CLASSIFICATIONS = list(typing.get_args(pm.Data.model_fields["classification"].annotation))
ROLES = list(_ROLES)
SHIPPED_IDS = [
    "wiv2017.recipient-basis", "wiv2017.foreign-private-party", "wiv2017.minister-decides",
    "wiv2017.personal-data-head-of-service", "wiv2017.personal-data-age-accuracy",
    "wiv2017.onward-provision-private", "wiv2017.special-categories-supplementary",
    "wiv2017.reliability-indicated", "waarborgen-pps.residual-risk", "waarborgen-pps.data-type-weighed",
    "beleidsregels-pps.partner-reweighed", "beleidsregels-pps.tlp-red-private",
    "beleidsregels-pps.personal-data-structural", "beleidsregels-pps.bulk-volume", "x-set.no-rule",
]
DAYS = [dt.date(2018, 4, 30), dt.date(2018, 5, 1), dt.date(2025, 2, 16), dt.date(2025, 2, 17),
        dt.date(2025, 3, 14), dt.date(2024, 2, 29), dt.date(2026, 1, 1)]


def near(day: dt.date, spread: int = 800):
    """Dates at and around a day (boundaries matter most), and some far away."""
    return st.one_of(
        st.sampled_from([0, -1, 1, -365, 365, -3652, -3653, -730, -731]).map(lambda n: day + dt.timedelta(days=n)),
        st.integers(-spread, spread).map(lambda n: day + dt.timedelta(days=n)))


TEXTS = st.one_of(st.sampled_from(["n.v.t.", "x" * 39, "y" * 40, "Nodig om de infectie te vinden: " * 2]),
                  st.text(min_size=1, max_size=60).filter(lambda s: s.strip()))


@st.composite
def provision_data(draw) -> dict:
    day = draw(st.one_of(st.sampled_from(DAYS), st.dates(dt.date(2018, 5, 1), dt.date(2030, 12, 31))))
    personal = draw(st.booleans())
    cats = draw(st.lists(st.sampled_from([c for c in CATEGORIES if personal or c != "personal_data"]),
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
    for key in ("originator_consent", "special_categories_supplementary", "personal_data_verifiable"):
        v = draw(st.one_of(st.none(), st.booleans()))
        if v is not None and (personal or key == "originator_consent"):
            data[key] = v
    if personal and draw(st.booleans()):
        data["personal_data_oldest"] = min(draw(near(day - dt.timedelta(days=3652))), day).isoformat()
    recipient = {
        "kind": draw(st.sampled_from(["private_party", "administrative_body", "minister",
                                      "foreign_service", "international_body"])),
        "id": "r-1", "name": draw(st.sampled_from(["Example B.V.", "Ünïcødé \"Ltd\" {x}"])),
        "country": draw(st.sampled_from(["NL", "BE", "NO", "US"])),
        "concern": draw(st.sampled_from(["victim", "infrastructure_operator", "can_mitigate", "none"])),
    }
    ctm = draw(st.one_of(st.none(), st.booleans()))
    if ctm is not None:
        recipient["can_take_measures"] = ctm
    out = {
        "id": f"PRV-{draw(st.integers(0, 10**6))}", "service": draw(st.sampled_from(["AIVD", "MIVD"])),
        "date": day.isoformat(), "context": draw(st.sampled_from(["structural", "ad_hoc"])),
        "recipient": recipient,
        "purpose": {"task": draw(st.sampled_from(TASKS)),
                    "aim": draw(st.sampled_from(["digital_resilience", "other"])),
                    "necessity": draw(TEXTS), "proportionality": draw(TEXTS)},
        "data": data,
    }
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
    out["approvals"] = draw(st.lists(st.fixed_dictionaries({
        "role": st.sampled_from(ROLES), "rule": st.sampled_from(SHIPPED_IDS),
        "reference": st.just("AP-1"), "date": near(day, 30).map(dt.date.isoformat)}), max_size=3))
    return out


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
                    "proportionality": _PROPORTION},
        "data": {"categories": ["domain_names"], "classification": "stg_confidentieel", "personal_data": False,
                 "special_categories": False, "origin": "own", "reliability_indicated": True,
                 "onward_provision_barred": True, "volume": 12, "tlp": "AMBER"},
        "approvals": [],
    }


def _set(data: dict, path: str, value) -> None:
    *parents, leaf = path.split(".")
    node = data
    for p in parents:
        node = node.setdefault(p, {})
    if value is None:
        node.pop(leaf, None)
    else:
        node[leaf] = value


_CHANGES = {
    "service": st.sampled_from(["AIVD", "MIVD"]),
    "context": st.sampled_from(["structural", "ad_hoc"]),
    "recipient.kind": st.sampled_from(["private_party", "administrative_body", "minister", "foreign_service",
                                       "international_body"]),
    "recipient.country": st.sampled_from(["NL", "BE", "US"]),
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
                                 {"form": "oral", "urgent": True}]),
}
_DATE_CHANGES = ("partnership.assessed_on", "partnership.valid_until", "partnership.secrecy_until")


@st.composite
def near_allowed_data(draw) -> dict:
    day = draw(st.one_of(st.sampled_from(DAYS[2:]), st.dates(dt.date(2018, 5, 1), dt.date(2030, 12, 31))))
    data = _compliant(day)
    fields = draw(st.lists(st.sampled_from(sorted(_CHANGES) + list(_DATE_CHANGES) + ["personal"]),
                           max_size=4, unique=True))
    for f in sorted(fields, key=lambda f: f == "partnership"):  # dropping the partnership comes last
        if f in _DATE_CHANGES:
            _set(data, f, draw(near(day, 400)).isoformat())
        elif f == "personal":
            data["data"].update(personal_data=True, special_categories=draw(st.booleans()),
                                personal_data_oldest=min(draw(near(day - dt.timedelta(days=3652))), day).isoformat(),
                                personal_data_verifiable=draw(st.booleans()))
        else:
            _set(data, f, draw(_CHANGES[f]))
    if "partnership" in data and data["partnership"]["valid_until"] <= data["partnership"]["assessed_on"]:
        data["partnership"]["valid_until"] = (dt.date.fromisoformat(data["partnership"]["assessed_on"])
                                              + dt.timedelta(days=1)).isoformat()
    if not data["data"]["personal_data"]:
        data["data"]["special_categories"] = False
    return data


def any_provision_data():
    """Near-allowed provisions and uniformly drawn ones, mixed."""
    return st.one_of(near_allowed_data(), provision_data())
