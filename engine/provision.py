"""The provision: one proposed act of providing data (input contract v1.1, DESIGN.md).

Strict: unknown fields, wrong enum values, impossible dates (2025-02-30, data younger than the
provision, a partner weighed after its description expired), contradictions (special categories or
categories that are personal data by nature without personal data) and empty free text are rejected
with errors that name the field path. Free text is empty when it holds no visible letter or digit
(policy/text.py): zero-width characters, punctuation or white space alone are no text. The fact
schema that rules are validated against is derived from this model, so a rule can only name facts a
provision can have. Every v1.1 field is optional: absent means unknown.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from typing import Annotated, Any, Literal, Optional

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from wivcheck.policy import FactSchema, FieldType
from wivcheck.policy.terms import RoleName
from wivcheck.policy.text import has_visible_letter
from wivcheck.policy.yamlsafe import canonical_text


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        raise ValueError("a date YYYY-MM-DD, not a date and time")
    if isinstance(value, dt.date):
        value = value.isoformat()
    if not isinstance(value, str) or len(value) != 10 or value[4] != "-" or value[7] != "-":
        raise ValueError("a date YYYY-MM-DD")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"not a real date ({exc})") from None
    if not 1900 <= day.year <= 2999:
        raise ValueError("a date between 1900 and 2999")
    return day


def _visible(value: Any) -> Any:
    if isinstance(value, str) and not has_visible_letter(value):
        raise ValueError("empty: the text holds no visible letter or digit (invisible characters, "
                         "punctuation or white space alone are no text)")
    return value


Date = Annotated[dt.date, BeforeValidator(_iso_date)]
Justification = Annotated[str, Field(min_length=1, max_length=4000), AfterValidator(_visible)]
Reference = Annotated[str, Field(min_length=1, max_length=128), AfterValidator(_visible)]

Category = Literal["domain_names", "ip_addresses", "urls", "file_hashes", "malware_sample",
                   "malware_analysis", "vulnerability", "ttp_description", "email_addresses",
                   "account_names", "personal_data"]
Task = Literal["8.2.a", "8.2.b", "8.2.c", "8.2.d", "8.2.e", "8.2.f",
               "10.2.a", "10.2.b", "10.2.c", "10.2.d", "10.2.e", "10.2.f", "10.2.g"]
Role = RoleName
# categories that are personal data by nature: with personal_data false they are a contradiction
PERSONAL_BY_NATURE = ("email_addresses", "account_names", "personal_data")


class _Strict(BaseModel):
    """Strict, whatever the front end: booleans are true/false only (not 1, "yes", "on"), numbers are
    numbers (not "12", not 12.0), text is text, normalised to Unicode NFC (DESIGN.md, the provision)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, strict=True)

    @field_validator("*", mode="before")
    @classmethod
    def _canonical_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            return canonical_text(value)
        if isinstance(value, list):
            return [canonical_text(v) if isinstance(v, str) else v for v in value]
        return value


class Recipient(_Strict):
    kind: Literal["private_party", "administrative_body", "minister", "foreign_service",
                  "international_body", "public_prosecutor", "designated_public_body"] = Field(
        description="public_prosecutor: the designated member of the Public Prosecution Service "
                    "(Art. 66); designated_public_body: a body designated by order in council with a "
                    "public task (Art. 67).")
    id: str = Field(min_length=1, max_length=128)
    name: Annotated[str, Field(min_length=1, max_length=256), AfterValidator(_visible)]
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")
    concern: Literal["victim", "infrastructure_operator", "can_mitigate", "none"]
    relationship: Optional[Literal["regular", "restricted", "none"]] = Field(
        None, description="Foreign service or international body: the Art. 88 cooperation relationship "
                          "and what its weighing allows: regular (Art. 62(1)(d)), restricted (the "
                          "weighing excludes this provision), none.")
    cleared_until: Optional[Date] = Field(
        None, description="The recipient's staff are screened or bound by a secrecy undertaking for "
                          "state secrets until this date (ad hoc provision of stg. geheim and above).")
    can_take_measures: Optional[bool] = Field(
        None, description="Art. 68(1): the recipient is competent to take measures against the "
                          "persons the data are about (e.g. an employer, a host that can suspend).")


class Request(_Strict):
    """The request the provision answers (Art. 63: a written request by a designated requester)."""

    form: Literal["written", "oral"]
    designated: Optional[bool] = Field(
        None, description="The requester is designated for this case (Regeling naslag Wiv 2017, Art. 63).")
    reference: Optional[Reference] = None


class Partnership(_Strict):
    id: str = Field(min_length=1, max_length=128)
    assessed_on: Date
    valid_until: Date
    residual_risk: Literal["none", "accepted", "open"]
    secrecy_until: Date
    permitted_categories: list[Category] = Field(default_factory=list)

    @model_validator(mode="after")
    def _dates(self):
        if self.valid_until <= self.assessed_on:
            raise ValueError("valid_until must come after assessed_on")
        if len(set(self.permitted_categories)) != len(self.permitted_categories):
            raise ValueError("permitted_categories lists a category twice")
        return self


class Purpose(_Strict):
    task: Task
    aim: Literal["digital_resilience", "other"]
    necessity: Justification
    proportionality: Justification
    measures: Optional[Literal["none", "defensive", "against_persons", "publication"]] = Field(
        None, description="What the recipient is expected or allowed to do with the data: none, "
                          "defensive (detect or block in its own systems), against_persons (measures "
                          "against the persons concerned, Art. 60(3), 68(1)), publication (make the data "
                          "or an attribution public, Art. 62(2)).")
    urgent_reason: Optional[Justification] = Field(
        None, description="The substantiated 'dringende en gewichtige reden' (Art. 64, 67).")


class Data(_Strict):
    categories: list[Category] = Field(min_length=1)
    classification: Literal["ongerubriceerd", "departementaal_vertrouwelijk", "stg_confidentieel",
                            "stg_geheim", "stg_zeer_geheim"]
    personal_data: bool
    special_categories: bool
    special_categories_supplementary: Optional[bool] = Field(
        None, description="Art. 19(4): special-category data only in addition to other data and "
                          "unavoidable for the purpose.")
    personal_data_oldest: Optional[Date] = None
    personal_data_newest: Optional[Date] = Field(
        None, description="Art. 69(1): the date of the newest data processed about the persons "
                          "concerned (for several persons: the earliest such date).")
    personal_data_verifiable: Optional[bool] = Field(
        None, description="Art. 69(1): the accuracy of the personal data can reasonably be established.")
    evaluated: Optional[bool] = Field(
        None, description="The data have been evaluated (false: Art. 64(3), 89(2)).")
    automated_selection: Optional[bool] = Field(
        None, description="Items or persons were selected solely by automated data analysis (Art. 60(3)).")
    lawyer_client: Optional[bool] = Field(
        None, description="The data come from confidential communication between a lawyer and a "
                          "client (Art. 66(3)).")
    origin: Literal["own", "foreign_service", "informant", "open_source", "partner"]
    originator_consent: Optional[bool] = None
    reliability_indicated: bool
    onward_provision_barred: bool
    volume: int = Field(ge=1, le=100_000_000)
    tlp: Literal["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]

    @model_validator(mode="after")
    def _consistent(self):
        if len(set(self.categories)) != len(self.categories):
            raise ValueError("categories lists a category twice")
        if not self.personal_data:
            if self.special_categories:
                raise ValueError("special_categories is true but personal_data is false")
            if self.personal_data_oldest is not None:
                raise ValueError("personal_data_oldest is set but personal_data is false")
            if self.personal_data_newest is not None:
                raise ValueError("personal_data_newest is set but personal_data is false")
            by_nature = [c for c in self.categories if c in PERSONAL_BY_NATURE]
            if by_nature:
                raise ValueError(f"categories has {', '.join(by_nature)}, personal data by nature, "
                                 f"but personal_data is false")
        if (self.personal_data_oldest is not None and self.personal_data_newest is not None
                and self.personal_data_newest < self.personal_data_oldest):
            raise ValueError(f"personal_data_newest ({self.personal_data_newest}) lies before "
                             f"personal_data_oldest ({self.personal_data_oldest})")
        return self


class Handling(_Strict):
    form: Literal["written", "oral"]
    urgent: bool = False
    court_consent: Optional[bool] = Field(
        None, description="Art. 66(3): the District Court of The Hague consented beforehand to "
                          "providing lawyer-client data to the public prosecutor.")


class Approval(_Strict):
    role: Role
    rule: str = Field(pattern=r"^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*$",
                      description="Qualified rule id, e.g. waarborgen-pps.residual-risk")
    reference: Reference
    date: Date


class Provision(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/:-]{0,127}$")
    service: Literal["AIVD", "MIVD"]
    date: Date
    context: Literal["structural", "ad_hoc"]
    recipient: Recipient
    request: Optional[Request] = None
    partnership: Optional[Partnership] = None
    purpose: Purpose
    data: Data
    handling: Optional[Handling] = None
    approvals: list[Approval] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _consistent(self):
        for name in ("personal_data_oldest", "personal_data_newest"):
            day = getattr(self.data, name)
            if day is not None and day > self.date:
                raise ValueError(f"data.{name} ({day}) lies after the provision date ({self.date})")
        return self

    def facts(self) -> dict[str, Any]:
        """Flat dotted fact paths with JSON values (dates as ISO text); absent and null facts are
        left out, present objects map to True."""
        out: dict[str, Any] = {}
        _flatten(self.model_dump(mode="json", exclude_none=True, exclude={"approvals"}), "", out)
        return out


def _flatten(obj: dict, prefix: str, out: dict) -> None:
    for key, value in obj.items():
        path = prefix + key
        if isinstance(value, dict):
            out[path] = True
            _flatten(value, path + ".", out)
        else:
            out[path] = value


def _field_type(annotation, description: str, required: bool) -> tuple[FieldType, type | None]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _field_type(args[0], description, required)
    if origin is Annotated:
        return _field_type(typing.get_args(annotation)[0], description, required)
    if origin is Literal:
        return FieldType("enum", tuple(typing.get_args(annotation)), description, required), None
    if origin is list:
        item = typing.get_args(annotation)[0]
        if typing.get_origin(item) is Literal:
            return FieldType("list", tuple(typing.get_args(item)), description, required), None
        raise TypeError(f"list of {item} cannot be a fact")
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return FieldType("object", (), description, required), annotation
    kind = {bool: "bool", int: "int", str: "str", dt.date: "date"}.get(annotation)
    if kind is None:
        raise TypeError(f"{annotation} cannot be a fact")
    return FieldType(kind, (), description, required), None


def derive_schema(model: type[BaseModel] = Provision, prefix: str = "",
                  exclude: frozenset = frozenset({"approvals"})) -> dict[str, FieldType]:
    fields: dict[str, FieldType] = {}
    for name, info in model.model_fields.items():
        if name in exclude:
            continue
        # present whenever its parent is: required, or with a default that is not None
        always = info.is_required() or info.default_factory is not None or info.default is not None
        ft, sub = _field_type(info.annotation, info.description or "", always)
        fields[prefix + name] = ft
        if sub is not None:
            fields.update(derive_schema(sub, prefix + name + "."))
    return fields


FACT_SCHEMA = FactSchema(derive_schema())
