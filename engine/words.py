"""The words of the provision's own checks, in English and Dutch: one entry per kind of problem the
model finds beyond pydantic's own (an impossible date, empty free text, two fields that contradict
each other). The model (`provision.py`) raises them as pydantic custom errors whose type is the
kind and whose English text is the message; `messages.py` puts them in the chosen language. A
cross-field problem carries `field`, the path (below the model that raises it) of the field whose
line the error belongs on. Pure data and one constructor: this module imports nothing of the engine.
"""

from __future__ import annotations

from pydantic_core import PydanticCustomError

WORDS: dict[str, dict[str, str]] = {
    "date_and_time": {"en": "a date YYYY-MM-DD, not a date and time",
                      "nl": "een datum JJJJ-MM-DD, geen datum met tijd"},
    "date_format": {"en": "a date YYYY-MM-DD", "nl": "een datum JJJJ-MM-DD"},
    "date_unreal": {"en": "not a real date ({reason})", "nl": "geen bestaande datum ({value})"},
    "date_range": {"en": "a date between 1900 and 2999", "nl": "een datum tussen 1900 en 2999"},
    "text_empty": {"en": "empty: the text holds no visible letter or digit (invisible characters, "
                         "punctuation or white space alone are no text)",
                   "nl": "leeg: de tekst bevat geen zichtbare letter of cijfer (onzichtbare tekens, "
                         "leestekens of witruimte alleen zijn geen tekst)"},
    "valid_until_order": {"en": "valid_until must come after assessed_on ({valid_until} is not after {assessed_on})",
                          "nl": "valid_until moet na assessed_on liggen ({valid_until} ligt niet na {assessed_on})"},
    "listed_twice": {"en": "{field} lists a category twice",
                     "nl": "{field} noemt een soort gegevens twee keer"},
    "needs_personal_data": {"en": "{field} is set but personal_data is false",
                            "nl": "{field} is ingevuld maar personal_data is false"},
    "special_without_personal": {"en": "special_categories is true but personal_data is false",
                                 "nl": "special_categories is true maar personal_data is false"},
    "personal_by_nature": {"en": "categories has {categories}, personal data by nature, but personal_data is false",
                           "nl": "categories bevat {categories}, naar hun aard persoonsgegevens, maar "
                                 "personal_data is false"},
    "newest_before_oldest": {"en": "personal_data_newest ({newest}) lies before personal_data_oldest ({oldest})",
                             "nl": "personal_data_newest ({newest}) ligt voor personal_data_oldest ({oldest})"},
    "after_provision_date": {"en": "data.{name} ({day}) lies after the provision date ({date})",
                             "nl": "data.{name} ({day}) ligt na de verstrekkingsdatum ({date})"},
}


def problem(kind: str, field: str | None = None, **values) -> PydanticCustomError:
    """The model's own problem `kind` (a key of WORDS) as a pydantic error, its English words filled
    in with `values`; `field` moves it onto that field's path and line (a cross-field problem)."""
    ctx = {k: str(v) for k, v in values.items()}
    if field is not None:
        ctx["field"] = field
    return PydanticCustomError(kind, WORDS[kind]["en"], ctx)
