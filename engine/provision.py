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

from .fields import field_reference
from .words import problem


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        raise problem("date_and_time")
    if isinstance(value, dt.date):
        value = value.isoformat()
    if not isinstance(value, str) or len(value) != 10 or value[4] != "-" or value[7] != "-":
        raise problem("date_format")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise problem("date_unreal", reason=exc, value=value) from None
    if not 1900 <= day.year <= 2999:
        raise problem("date_range")
    return day


def _visible(value: Any) -> Any:
    if isinstance(value, str) and not has_visible_letter(value):
        raise problem("text_empty")
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
                  "international_body", "public_prosecutor", "designated_public_body"]
    id: str = Field(min_length=1, max_length=128)
    name: Annotated[str, Field(min_length=1, max_length=256), AfterValidator(_visible)]
    country: str = Field(pattern=r"^[A-Z]{2}$")
    concern: Literal["victim", "infrastructure_operator", "can_mitigate", "none"]
    relationship: Optional[Literal["regular", "restricted", "none"]] = None
    cleared_until: Optional[Date] = None
    can_take_measures: Optional[bool] = None


class Request(_Strict):
    """The request the provision answers (Art. 63: a written request by a designated requester)."""

    form: Literal["written", "oral"]
    designated: Optional[bool] = None
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
            raise problem("valid_until_order", "valid_until", valid_until=self.valid_until,
                          assessed_on=self.assessed_on)
        if len(set(self.permitted_categories)) != len(self.permitted_categories):
            raise problem("listed_twice", "permitted_categories")
        return self


class Purpose(_Strict):
    task: Task
    aim: Literal["digital_resilience", "other"]
    necessity: Justification
    proportionality: Justification
    measures: Optional[Literal["none", "defensive", "against_persons", "publication"]] = None
    urgent_reason: Optional[Justification] = None


class Data(_Strict):
    categories: list[Category] = Field(min_length=1)
    classification: Literal["ongerubriceerd", "departementaal_vertrouwelijk", "stg_confidentieel",
                            "stg_geheim", "stg_zeer_geheim"]
    personal_data: bool
    special_categories: bool
    special_categories_supplementary: Optional[bool] = None
    personal_data_oldest: Optional[Date] = None
    personal_data_newest: Optional[Date] = None
    personal_data_verifiable: Optional[bool] = None
    evaluated: Optional[bool] = None
    automated_selection: Optional[bool] = None
    lawyer_client: Optional[bool] = None
    origin: Literal["own", "foreign_service", "informant", "open_source", "partner"]
    originator_consent: Optional[bool] = None
    reliability_indicated: bool
    onward_provision_barred: bool
    volume: int = Field(ge=1, le=100_000_000)
    tlp: Literal["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]

    @model_validator(mode="after")
    def _consistent(self):
        if len(set(self.categories)) != len(self.categories):
            raise problem("listed_twice", "categories")
        if not self.personal_data:
            if self.special_categories:
                raise problem("special_without_personal", "special_categories")
            for name in ("personal_data_oldest", "personal_data_newest"):
                if getattr(self, name) is not None:
                    raise problem("needs_personal_data", name)
            by_nature = [c for c in self.categories if c in PERSONAL_BY_NATURE]
            if by_nature:
                raise problem("personal_by_nature", "categories", categories=", ".join(by_nature))
        if (self.personal_data_oldest is not None and self.personal_data_newest is not None
                and self.personal_data_newest < self.personal_data_oldest):
            raise problem("newest_before_oldest", "personal_data_newest", newest=self.personal_data_newest,
                          oldest=self.personal_data_oldest)
        return self


class Handling(_Strict):
    form: Literal["written", "oral"]
    urgent: bool = False
    court_consent: Optional[bool] = None


class Approval(_Strict):
    role: Role
    rule: str = Field(pattern=r"^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*$")
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
                raise problem("after_provision_date", f"data.{name}", name=name, day=day, date=self.date)
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


def submodel(annotation) -> type[BaseModel] | None:
    """The model a field holds (directly, optional, or as list items), or None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = submodel(arg)
        if found is not None:
            return found
    return None


def _document(model: type[BaseModel], prefix: str = "") -> None:
    """Give every field of the model (and of the models inside it) its title and description from
    the field reference (`fields.py`): English in `title`/`description`, Dutch under `x-nl`, the
    article under `x-article`; then rebuild, so the JSON Schema, the OpenAPI and the fact schema
    carry them. A field the reference lacks is a fault of the reference (tested), not of input."""
    reference = field_reference()
    for name, info in model.model_fields.items():
        path = prefix + name
        sub = submodel(info.annotation)
        if sub is not None:
            _document(sub, path + ".")
        doc = reference.get(path)
        if doc is None:
            continue
        info.title = doc.label["en"]
        info.description = doc.text("en")
        extra = {"x-nl": {"title": doc.label["nl"], "description": doc.text("nl")}}
        if doc.article:
            extra["x-article"] = doc.article
        info.json_schema_extra = extra
    model.model_rebuild(force=True)


_document(Provision)
FACT_SCHEMA = FactSchema(derive_schema())
# every field a provision can hold, approvals' fields too (`approvals.role`; `approvals` itself is a
# list of objects, a list without values): for errors, templates and docs/provision.md
FIELD_TYPES: dict[str, FieldType] = {
    **FACT_SCHEMA.fields,
    "approvals": FieldType("list", (), Provision.model_fields["approvals"].description or "", False),
    **derive_schema(Approval, "approvals.", frozenset()),
}
