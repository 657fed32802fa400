"""Free text as substantiation: only visible letters and digits count (DESIGN.md, the provision).

A justification, an urgent reason or a reference is judged by the letters and digits a reader can
see: Unicode categories L* (letters) and N* (digits and other numbers). Format and control
characters (zero-width spaces, joiners, direction marks), combining marks alone, punctuation,
symbols and white space count for nothing, so text made of them is empty. The provision model uses
this to reject empty free text; the rule language's `min_letters` operator uses it for its length
proxy. Own code: the standard library's `unicodedata` is the library; what counts is a choice of ours.
"""

from __future__ import annotations

import unicodedata


# In ASCII the letters and digits (categories L* and N*) are exactly A-Z, a-z and 0-9 (checked in
# tests/policy): deleting them counts them, without asking unicodedata character by character.
_ASCII_LN = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_WITHOUT_ASCII_LN = str.maketrans("", "", _ASCII_LN)


def visible_letters(text: str) -> int:
    """How many letters and digits (Unicode categories L* and N*) the text holds."""
    if text.isascii():
        return len(text) - len(text.translate(_WITHOUT_ASCII_LN))
    return sum(1 for ch in text if unicodedata.category(ch)[0] in "LN")


def has_visible_letter(text: str) -> bool:
    """True when the text holds at least one letter or digit a reader can see."""
    if text.isascii():
        return len(text.translate(_WITHOUT_ASCII_LN)) < len(text)
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)
