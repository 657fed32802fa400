"""The provision: one proposed act of providing data (input contract v1, DESIGN.md).

Strict: unknown fields, wrong enum values, impossible dates (2025-02-30, data younger than the
provision, a partner weighed after its description expired) and empty justifications are rejected with
errors that name the field path. The fact schema that rules are validated against is derived from this
model, so a rule can only name facts a provision can have.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from wivcheck.policy import FactSchema, FieldType
from wivcheck.policy.terms import RoleName
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


Date = Annotated[dt.date, BeforeValidator(_iso_date)]
Justification = Annotated[str, Field(min_length=1, max_length=4000, pattern=r"\S")]

Category = Literal["domain_names", "ip_addresses", "urls", "file_hashes", "malware_sample",
                   "malware_analysis", "vulnerability", "ttp_description", "email_addresses",
                   "account_names", "personal_data"]
Task = Literal["8.2.a", "8.2.b", "8.2.c", "8.2.d", "8.2.e", "8.2.f",
               "10.2.a", "10.2.b", "10.2.c", "10.2.d", "10.2.e", "10.2.f", "10.2.g"]
Role = RoleName


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
                  "international_body"]
    id: str = Field(min_length=1, max_length=128)
    name: str = Field(min_length=1, max_length=256)
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")
    concern: Literal["victim", "infrastructure_operator", "can_mitigate", "none"]
    can_take_measures: Optional[bool] = Field(
        None, description="Art. 68(1): the recipient is competent to take measures against the "
                          "persons the data are about (e.g. an employer, a host that can suspend).")


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
    personal_data_verifiable: Optional[bool] = Field(
        None, description="Art. 69(1): the accuracy of the personal data can reasonably be established.")
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
            if "personal_data" in self.categories:
                raise ValueError("categories has personal_data but personal_data is false")
        return self


class Handling(_Strict):
    form: Literal["written", "oral"]
    urgent: bool = False


class Approval(_Strict):
    role: Role
    rule: str = Field(pattern=r"^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*$",
                      description="Qualified rule id, e.g. waarborgen-pps.residual-risk")
    reference: str = Field(min_length=1, max_length=128)
    date: Date


class Provision(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/:-]{0,127}$")
    service: Literal["AIVD", "MIVD"]
    date: Date
    context: Literal["structural", "ad_hoc"]
    recipient: Recipient
    partnership: Optional[Partnership] = None
    purpose: Purpose
    data: Data
    handling: Optional[Handling] = None
    approvals: list[Approval] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _consistent(self):
        oldest = self.data.personal_data_oldest
        if oldest is not None and oldest > self.date:
            raise ValueError(f"data.personal_data_oldest ({oldest}) lies after the provision "
                             f"date ({self.date})")
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
