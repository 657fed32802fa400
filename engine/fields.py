"""The field reference of the provision: for every field path (`recipient.kind`, `approvals.rule`)
a label and a help text in Dutch and English and the article that needs it, read from the package
data `provision_fields.yaml`. Types and allowed values are not written there: they come from the
model (`engine/provision.py`), so the two cannot disagree. Source: DESIGN.md, the provision (v1.1).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib import resources

import yaml


@dataclass(frozen=True)
class FieldDoc:
    """What one field means: `label` and `help` as {"nl", "en"}, `article` (may be empty), and for a
    field with allowed values a label per value (`values`: value -> {"nl", "en"}; empty otherwise)."""

    path: str
    label: dict[str, str]
    help: dict[str, str]
    article: str = ""
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    def value_label(self, value: str, lang: str = "en") -> str:
        """The label of one allowed value in a language; the value itself when it has none."""
        return self.values.get(value, {}).get(lang, value)

    def text(self, lang: str = "en") -> str:
        """The help text in a language, with the article in brackets."""
        return self.help[lang] + (f" ({self.article})" if self.article else "")


@functools.cache
def field_reference() -> dict[str, FieldDoc]:
    """Every documented field, by dotted path (list items without an index: `approvals.rule`)."""
    return parse_reference(resources.files(__package__).joinpath("provision_fields.yaml").read_text("utf-8"))


def parse_reference(text: str) -> dict[str, FieldDoc]:
    """The reference from its YAML text. Each entry holds `label` and `help`, each exactly
    `{nl, en}` of text, and may hold `article` and `values` (each allowed value -> `{nl, en}`);
    anything else raises ValueError naming the field (an unquoted comma inside `{nl: ..., en: ...}`
    splits the text into stray keys, and would otherwise cut a help text short without a word)."""
    out = {}
    for path, entry in yaml.safe_load(text).items():
        if not isinstance(entry, dict) or set(entry) - {"label", "help", "article", "values"}:
            raise ValueError(f"{path}: an entry holds label, help, article and values only")
        for key in ("label", "help"):
            _bilingual(entry.get(key), f"{path}.{key}")
        values = entry.get("values") or {}
        if not isinstance(values, dict):
            raise ValueError(f"{path}.values: a mapping of each allowed value to its label {{nl, en}}")
        for value, label in values.items():
            _bilingual(label, f"{path}.values.{value}")
        out[path] = FieldDoc(path, entry["label"], entry["help"], str(entry.get("article", "")),
                             {str(k): dict(v) for k, v in values.items()})
    return out


def _bilingual(value, where: str) -> None:
    if (not isinstance(value, dict) or set(value) != {"nl", "en"}
            or not all(isinstance(v, str) and v.strip() for v in value.values())):
        raise ValueError(f"{where}: exactly nl and en, each a text (quote a text with a comma)")


def field_doc(path: str) -> FieldDoc | None:
    """The reference of one field path; list indexes are ignored (`approvals[0].rule`,
    `approvals.0.rule`)."""
    return field_reference().get(plain_path(path))


def plain_path(path: str) -> str:
    """A field path without list indexes: `approvals[0].rule` and `approvals.0.rule` are
    `approvals.rule`."""
    return re.sub(r"\.\d+(?=\.|$)", "", re.sub(r"\[\d+\]", "", path))
