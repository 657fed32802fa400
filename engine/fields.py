"""The field reference of the provision: for every field path (`recipient.kind`, `approvals.rule`)
a label and a help text in Dutch and English and the article that needs it, read from the package
data `provision_fields.yaml`. Types and allowed values are not written there: they come from the
model (`engine/provision.py`), so the two cannot disagree. Source: DESIGN.md, the provision (v1.1).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

import yaml


@dataclass(frozen=True)
class FieldDoc:
    """What one field means: `label` and `help` as {"nl", "en"}, `article` (may be empty)."""

    path: str
    label: dict[str, str]
    help: dict[str, str]
    article: str = ""

    def text(self, lang: str = "en") -> str:
        """The help text in a language, with the article in brackets."""
        return self.help[lang] + (f" ({self.article})" if self.article else "")


@functools.cache
def field_reference() -> dict[str, FieldDoc]:
    """Every documented field, by dotted path (list items without an index: `approvals.rule`)."""
    raw = yaml.safe_load(resources.files(__package__).joinpath("provision_fields.yaml").read_text("utf-8"))
    return {path: FieldDoc(path, entry["label"], entry["help"], str(entry.get("article", "")))
            for path, entry in raw.items()}


def field_doc(path: str) -> FieldDoc | None:
    """The reference of one field path; list indexes are ignored (`approvals[0].rule`)."""
    import re
    return field_reference().get(re.sub(r"\[\d+\]", "", path))
