"""Street addresses and postcodes in formats of countries `addresses` does not read: a British
postcode with a place or its word but no street, Russian, Ukrainian and Belarusian streets in
Cyrillic, Polish streets and postcodes, Portuguese and Brazilian streets and CEPs, Turkish streets
and postcodes, Persian and Arabic, Indian, Greek and transliterated Russian streets, Japanese and
Chinese addresses. Asked by `addresses.found` for every text its own forms do not settle.

What counts:
- a British postcode (`SW1A 2AA`, `M1 1AE`) followed by a capitalised place (`SW1A 2AA, London`) or
  after the word postcode (`postcode SW1A 2AA`);
- a Cyrillic street word with its dot or in full (`ул.`, `вул.`, `улица`, `вулиця`, `пр.`, `просп.`,
  `пер.`, `бул.`, `пл.`, `наб.`, `ш.`) before a capitalised name and a house number (`ул. Ленина, д. 5`,
  `вул. Хрещатик, 22`), or a house and a flat (`д. 5, кв. 12`);
- a Polish street word (`ul.`, `al.`, `os.`, `pl.`) before a capitalised name and a house number
  (`ul. Długa 5/12`), or a Polish postcode starting an address line before a city Faker's pl_PL
  list knows (`, 80-831 Gdańsk`);
- a Portuguese or Brazilian street word (`Rua`, `Avenida`, `Av.`, `Travessa`, `Praça`, `Largo`,
  `Estrada`, `Alameda`) before a capitalised name, a comma and a house number (`Rua Augusta, 1500`), or a
  CEP after its word or a comma (`CEP 01304-001`, `…, 01304-001`);
- a Turkish street: a capitalised name and a street word, abbreviated (`Cad.`, `Cd.`, `Sok.`, `Sk.`,
  `Blv.`, `Mah.`) before a house number with or without `No`, or written out (`Caddesi`, `Sokak`,
  `Bulvarı`, `Mahallesi`, `Yolu`) before `No` and a number (`Atatürk Cad. No:15 Daire 3`); and a
  five-digit postcode starting an address line before a district and its province
  (`34710 Kadıköy/İstanbul`);
- a Persian or Arabic street word (`خیابان`, `کوچه`, `بلوار`, `شارع`) before a name and a number within 40
  characters (in any digits: `خیابان آزادی، پلاک ۱۲`), or `پلاک` and its number;
- an Indian address: a numbered `Cross` or `Main` (`4th Cross`), a name before `Road`, `Nagar`, `Layout`,
  `Marg`, `Colony`, or `Flat`/`House`/`Plot` and a number, then a comma, a place and a six-digit PIN code
  (`Flat 12, 4th Cross, MG Road, Bengaluru 560001`);
- a Russian address in Latin letters: `ul.`, `pr.`, `per.`, `nab.` before a name and `d.` with a
  number, or `d. 5, kv. 12`;
- a Greek street: `Οδός`, `Λεωφόρος`, `Πλατεία` (or abbreviated) before a name and a number
  (`Οδός Ερμού 12`);
- a Japanese address: a prefecture (`…都`, `…道`, `…府`, `…県`) followed by a ward, city, town or village
  (`区`, `市`, `町`, `村`, `郡`) and a block number (`東京都千代田区千代田1-1`), or a city or ward and a
  district followed by a `丁目`/`番` number; a Chinese street (`…路`, `…街`, `…道`, `…巷`) with its
  number and `号` (`中山路100号`).

What it says: "a street address" or "a postcode" (possible personal data, as `addresses`).

Own code for the reasons `addresses` gives (no maintained address parser without a 2 GB model). The
patterns are RE2 (linear); one pre-filter (`rx.Hint`) over all of them rules most text out.
"""

from __future__ import annotations

import re2

from .rx import Hint

_OPTIONS = re2.Options()
_OPTIONS.max_mem = 64 << 20         # as `addresses._ANY`: the joined pattern's automaton needs more than 8 MB

_UK_P = (r"(?:^|[^\w])[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2},?\s+\p{Lu}\p{Ll}{2,}"
         r"|(?i:post\s?code)\s*:?\s*[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}(?:[^\w]|$)")
_CYR_P = (r"(?:^|[^\p{L}])(?:ул\.|вул\.|улица|вулиця|пр\.|просп\.|проспект|пер\.|переулок|провулок|бул\.|бульв\.|"
          r"бульвар|пл\.|наб\.|ш\.|шоссе)\s*\p{Lu}[\p{L}\-]+(?:\s+\p{L}[\p{L}\-]+){0,2},?\s+(?:д\.\s*|буд\.\s*)?\d{1,4}"
          r"|(?:^|[^\p{L}])(?:д|буд)\.\s*\d{1,4}\s*[\p{L}]?,?\s*кв\.\s*\d{1,4}")
_PL_P = (r"(?:^|[^\p{L}])(?:ul|al|os|pl)\.\s*\p{Lu}[\p{L}\-]+(?:\s+\p{L}[\p{L}\-]+){0,2}\s+\d{1,4}[a-z]?(?:/\d{1,4})?"
        )
_PL_POSTCODE = Hint(r"(?:^|[,;:\n]\s*)\d{2}-\d{3}\s+\p{Lu}\p{Ll}{2,}")
_PT_P = (r"(?:^|[^\p{L}])(?:Rua|Avenida|Av\.|Travessa|Praça|Largo|Estrada|Alameda)\s+(?:(?:da|do|das|dos|de)\s+)?"
         r"\p{Lu}[\p{L}\-]+(?:\s+\p{L}[\p{L}\-]+){0,3},\s*(?:n[º°o]\.?\s*)?\d{1,5}"
         r"|(?:CEP\s*:?\s*|[,;\n]\s*)\d{5}-\d{3}(?:[^\d\-]|$)")
_JA_P = (r"\p{Han}{1,3}[都道府県][\p{Han}\p{Hiragana}\p{Katakana}ヶ]{0,8}[区市町村郡][\p{Han}\p{Hiragana}\p{Katakana}ヶ]{0,12}\d{1,4}"
         r"|\p{Han}{1,5}[市区][\p{Han}\p{Katakana}ヶ]{1,10}\d{1,3}丁目|\p{Han}{1,8}[路街道巷弄]\d{1,5}号")
# Turkish: a name and a street word, abbreviated (`Cad.`, `Sok.`, `Sk.`, `Blv.`, `Mah.`) before a house number
# with or without `No`, or written out (`Caddesi`, `Sokak`, `Bulvarı`, `Mahallesi`, `Yolu`) before `No` and
# the number (`Atatürk Cad. No:15`, `Bağdat Caddesi No. 5`); and a postcode before a district and its
# province (`34710 Kadıköy/İstanbul`)
_TR_P = (r"(?:^|[^\p{L}])\p{Lu}[\p{L}\-]+(?:\s+\p{L}[\p{L}\-]+){0,3}\s+"
         r"(?:(?:Cad|Cd|Sok|Sk|Blv|Bulv|Mah|Mh)\.\s*,?\s*(?:(?i:no)\s*[:.]?\s*)?\d{1,4}"
         r"|(?:Caddesi|Sokak|Sokağı|Bulvarı|Mahallesi|Yolu)\s*,?\s*(?i:no)\s*[:.]?\s*\d{1,4})")
_TR_POSTCODE_P = r"(?:^|[,;:\n]\s*)\d{5}\s+\p{Lu}\p{Ll}+/\p{Lu}\p{Ll}+"
# Persian and Arabic: a street word (`خیابان`, `کوچه`, `بلوار`, `شارع`) before a name and, within 40
# characters, a number in any digits; or `پلاک` (a house's number plate) before its number
_FA_P = (r"(?:خیابان|خيابان|کوچه|كوچه|بلوار|شارع|زقاق)\s+\p{Arabic}+[^\n]{0,40}?[\p{Nd}]"
         r"|(?:پلاک|پلاك)\s*[\p{Nd}]+")
# India: a street word of Indian addresses, then within 60 characters a comma, a place and a six-digit PIN code
# (`Flat 12, 4th Cross, MG Road, Bengaluru 560001`)
_IN_P = (r"(?:\d{1,3}(?:st|nd|rd|th)\s+(?:Cross|Main)|\p{Lu}[\p{L}.]+\s+(?:Road|Rd\.|Nagar|Layout|Marg|Colony|Chowk)"
         r"|(?:Flat|House|Plot|Door)\s+(?:No\.?\s*)?\d{1,5})\b[^\n]{0,60},\s*\p{Lu}\p{Ll}{3,}\s*[-–]?\s*"
         r"[1-9]\d{2}\s?\d{3}(?:$|[^\d])")
# Russian addresses in Latin letters (`ul. Lenina d. 5 kv. 12`, `pr. Mira, d. 3`)
_RU_LATIN_P = (r"(?:^|[^\p{L}])(?:ul|pr|prosp|per|nab|bul|sh)\.\s*\p{Lu}[\p{L}\-]+,?\s+d\.\s*\d{1,4}"
               r"|(?:^|[^\p{L}])d\.\s*\d{1,4}\s*[\p{L}]?,?\s*kv\.\s*\d{1,4}")
# Greek: `Οδός`, `Λεωφόρος`, `Πλατεία` (and abbreviated) before a name and a number (`Οδός Ερμού 12`)
_EL_P = r"(?:Οδός|οδός|Οδ\.|Λεωφόρος|Λεωφ\.|Πλατεία|Πλ\.)\s+\p{Greek}+(?:\s+\p{Greek}+){0,2}\s+\d{1,4}"
_STREET = Hint("|".join([_CYR_P, _PL_P, _PT_P, _JA_P, _TR_P, _FA_P, _IN_P, _RU_LATIN_P, _EL_P]), options=_OPTIONS)
_POSTCODE = Hint(_UK_P + "|" + _TR_POSTCODE_P)


_ANY = Hint("|".join([_CYR_P, _PL_P, _PT_P, _JA_P, _TR_P, _FA_P, _IN_P, _RU_LATIN_P, _EL_P, _UK_P, _TR_POSTCODE_P, r"(?:^|[,;:\n]\s*)\d{2}-\d{3}\s+\p{Lu}\p{Ll}{2,}"]),
            options=_OPTIONS)


def found(text: str) -> str | None:
    """`a street address`, `a postcode`, or None for one of this module's forms. Expects
    normalised text (`normalise`: NFKC, so full-width digits are ASCII)."""
    if not _ANY(text):                  # one RE2 call rules most text out
        return None
    if _STREET(text):
        return "a street address"
    if _POSTCODE(text):
        return "a postcode"
    if _PL_POSTCODE(text):
        from .addresses import _cities          # Faker's Polish cities among them
        for m in _PL_POSTCODE.pattern.finditer(text):
            if m.group(0).split()[-1].lower() in _cities():
                return "a postcode"
    return None
