"""Properties named for a person or a person's details, whatever their prefix, where they sit and
what their value is.

A payload may put personal data under a key of its own making: `x_registrant_email`, `x_login`,
`registrant` inside an extension, `contact` in a custom object, `username` in a MISP part MISP does
not define, `x_phone: 31612345678` (a JSON number), `firstName`. The value may be in lower case, in
any script, a nickname or a handle, so the value cannot say what it is: the key does. A key is
split into words (`_`, `-`, `.`, `:`, spaces and camel case; a leading `x` of `x_`/`x-` and a
vendor's prefix are just words), and:

- a key naming a person or a person's detail (name parts, nickname, handle, screen name, username,
  login, registrant, author, analyst, contributor, reporter, employee, e-mail address, phone,
  date or place of birth, passport, BSN/SSN, home or street address) holds **personal data**, with
  the category its word says (`email_addresses`, `account_names`, `personal_data`);
- a key naming a role an organisation may also fill (contact, owner, user, account, member,
  creator, sender, recipient, …) or an organisation's registrant, owner or contact
  (`registrant_org`) **may** hold personal data: a person judges;
- a key whose words also say it is about something else is left to the value scan: `user_agent`,
  `login_url`, `handle_count`, `account_type`, `email_subject`, `contact_count`, … (the words in
  `_ABOUT_SOMETHING_ELSE`); so are references (`*_ref`, `*_refs`), whose target is read itself.

Empty values (null, "", [], {}) and true/false say nothing about a person and are not counted. The caller decides which
keys are not custom (the STIX properties the gate reads otherwise, MISP's own keys).

Own code: this is a vocabulary of the gate's own (which words name persons), not a parser; no
library classifies property names. Results are cached per key.
"""

from __future__ import annotations

import re

PERSONAL = "personal"
POSSIBLE = "possible"

_SPLIT = re.compile(r"[_\-.:\s/]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")

# single words: (what it names, category); PERSONAL
_PERSON_WORDS = {
    "firstname": "a first name", "lastname": "a last name", "surname": "a surname", "fullname": "a person's name",
    "givenname": "a given name", "familyname": "a family name", "middlename": "a middle name",
    "realname": "a person's name", "nickname": "a nickname", "nick": "a nickname", "handle": "a handle",
    "screenname": "a screen name", "displayname": "a display name", "username": "a username",
    "login": "a login name", "logon": "a login name", "userid": "a user id", "registrant": "a registrant",
    "registrants": "registrants", "author": "an author", "authors": "authors", "analyst": "an analyst",
    "analysts": "analysts", "contributor": "a contributor", "contributors": "contributors",
    "reporter": "a reporter", "employee": "an employee", "employees": "employees", "person": "a person",
    "persons": "persons", "people": "persons", "persona": "a persona", "individual": "an individual",
    "email": "an e-mail address", "emails": "e-mail addresses", "mailaddress": "an e-mail address",
    "emailaddress": "an e-mail address", "phone": "a phone number", "phonenumber": "a phone number",
    "telephone": "a phone number", "tel": "a phone number", "mobile": "a mobile number", "msisdn": "a phone number",
    "cellphone": "a mobile number", "fax": "a fax number", "birthday": "a date of birth", "birthdate": "a date of birth",
    "dateofbirth": "a date of birth", "dob": "a date of birth", "birthplace": "a place of birth",
    "placeofbirth": "a place of birth", "passport": "a passport number", "bsn": "a citizen service number",
    "ssn": "a social security number", "homeaddress": "a home address", "streetaddress": "a street address",
    "postaladdress": "a postal address", "residence": "a residence", "gender": "a gender", "nationality": "a nationality",
    "accountname": "an account name", "accountlogin": "an account login",
    "operator": "an operator", "operators": "operators", "suspect": "a suspect", "suspects": "suspects",
    "verdachte": "a suspect", "verdachten": "suspects", "naam": "a name", "voornaam": "a first name",
    "achternaam": "a last name", "vorname": "a first name", "nachname": "a last name", "nom": "a name",
    "prenom": "a first name", "prénom": "a first name", "apellido": "a last name", "nombre": "a name",
    "observer": "an observer", "observers": "observers", "who": "a person", "whom": "a person",
    "telegram": "a messenger account", "whatsapp": "a messenger account", "signal": "a messenger account",
    "skype": "a messenger account", "jabber": "a messenger account", "xmpp": "a messenger account",
    "icq": "a messenger account", "wickr": "a messenger account", "threema": "a messenger account",
    "discord": "a messenger account", "keybase": "a messenger account", "tox": "a messenger account",
    "moniker": "a handle", "pseudonym": "a pseudonym", "callsign": "a handle", "nicks": "nicknames",
    "handles": "handles", "usernames": "usernames", "logins": "login names",
    "credentials": "login credentials", "credential": "login credentials", "creds": "login credentials",
    "nichandle": "a contact handle (RIPE/whois)", "poster": "a poster (a forum account)",
    "commenter": "a commenter", "uploader": "an uploader"}
_CATEGORY = {"email": "email_addresses", "emails": "email_addresses", "mailaddress": "email_addresses",
             "emailaddress": "email_addresses", "username": "account_names", "login": "account_names",
             "logon": "account_names", "userid": "account_names", "screenname": "account_names",
             "handle": "account_names", "accountname": "account_names", "accountlogin": "account_names",
             "nick": "account_names", "nickname": "account_names", "telegram": "account_names",
             "whatsapp": "account_names", "signal": "account_names", "skype": "account_names",
             "jabber": "account_names", "xmpp": "account_names", "icq": "account_names", "wickr": "account_names",
             "threema": "account_names", "discord": "account_names", "keybase": "account_names",
             "tox": "account_names", "moniker": "account_names", "callsign": "account_names",
             "nicks": "account_names", "handles": "account_names", "usernames": "account_names",
             "logins": "account_names", "credentials": "account_names", "credential": "account_names",
             "creds": "account_names", "nichandle": "account_names", "poster": "account_names",
             "commenter": "account_names", "uploader": "account_names"}
# two words read as one (`first_name`, `e_mail`, `date_of_birth`, `home_address`)
_COMPOUNDS = {("first", "name"): "firstname", ("last", "name"): "lastname", ("full", "name"): "fullname",
              ("given", "name"): "givenname", ("family", "name"): "familyname", ("middle", "name"): "middlename",
              ("real", "name"): "realname", ("nick", "name"): "nickname", ("screen", "name"): "screenname",
              ("display", "name"): "displayname", ("user", "name"): "username", ("user", "id"): "userid",
              ("e", "mail"): "email", ("mail", "address"): "mailaddress", ("phone", "number"): "phonenumber",
              ("cell", "phone"): "cellphone", ("birth", "date"): "birthdate", ("date", "birth"): "dateofbirth",
              ("birth", "place"): "birthplace", ("place", "birth"): "placeofbirth", ("home", "address"): "homeaddress",
              ("street", "address"): "streetaddress", ("postal", "address"): "postaladdress",
              ("account", "name"): "accountname", ("account", "login"): "accountlogin", ("person", "name"): "fullname",
              ("contact", "name"): "fullname", ("contact", "person"): "fullname", ("contact", "email"): "email",
              ("contact", "phone"): "phone", ("owner", "name"): "fullname", ("owner", "email"): "email",
              # RIPE/whois contact handles (`admin-c: JDV12-RIPE`, `tech_c`, `nic-hdl`) point at person objects
              ("admin", "c"): "nichandle", ("tech", "c"): "nichandle", ("zone", "c"): "nichandle",
              ("billing", "c"): "nichandle", ("nic", "hdl"): "nichandle", ("nic", "handle"): "nichandle",
              ("operator", "name"): "fullname", ("suspect", "name"): "fullname",
              ("observer", "name"): "fullname",
              # who made, sent or changed it (`created_by`, `x_reported_by`): a person or an account
              ("created", "by"): "creator", ("modified", "by"): "creator", ("submitted", "by"): "reporter",
              ("reported", "by"): "reporter", ("uploaded", "by"): "uploader", ("authored", "by"): "author",
              ("written", "by"): "author", ("added", "by"): "creator"}
# roles an organisation may fill too: POSSIBLE
_ROLE_WORDS = {"contact": "a contact", "contacts": "contacts", "owner": "an owner", "owners": "owners",
               "user": "a user", "users": "users", "account": "an account", "accounts": "accounts",
               "member": "a member", "members": "members", "creator": "a creator", "holder": "a holder", "subscriber": "a subscriber", "customer": "a customer",
               "sender": "a sender", "recipient": "a recipient", "signer": "a signer"}
# words that say the key is about something else than the person (the value is still scanned)
_ABOUT_SOMETHING_ELSE = frozenset({
    "agent", "agents", "url", "uri", "urls", "link", "page", "path", "form", "endpoint", "count", "counts", "type",
    "types", "ref", "refs", "domain", "domains", "server", "servers", "host", "hosts", "port", "policy", "method",
    "methods", "attempt", "attempts", "status", "hash", "hashes", "time", "timestamp", "date", "created", "modified",
    "at", "since", "field", "fields", "enabled", "disabled", "required", "mode", "subject", "body", "header",
    "headers", "template", "format", "class", "classes", "kind", "sector", "sectors", "table", "key", "country",
    "language", "lang", "interface", "agreement", "prompt", "group", "groups", "mime", "size", "version", "tool",
    "software", "product", "vendor", "registrar", "expiration", "expires", "expiry", "updated", "leak", "leaks",
    "lock", "locked", "notes", "note", "comment", "comments", "description", "summary", "report", "text", "count",
    "number_of", "role", "roles", "permission", "permissions", "privileges", "right", "rights", "profile_url"})
# an organisation's registrant, owner or contact: may be a one-person business
_ORGANISATION = frozenset({"org", "organisation", "organization", "company", "business", "firm", "entity"})
# person words that name a person only as the key's last word (`x_signal` but not `signal_strength`,
# `x_operator` but not `operator_type`, `who` but not `who_is_lookup`)
_LAST_ONLY = frozenset({"signal", "tox", "who", "whom", "nom", "operator", "operators", "observer", "observers"})
_KEEP_WITH_DATE = {"birthdate", "dateofbirth", "birthday", "dob"}

_cache: dict[str, tuple[str, str, str] | None] = {}


_GLUE = frozenset({"first", "last", "full", "given", "family", "middle", "real", "nick", "screen", "display", "user",
                   "name", "id", "e", "mail", "address", "phone", "number", "cell", "birth", "date", "place", "home",
                   "street", "postal", "account", "login", "contact", "person", "owner", "of"})


_KNOWN: list[frozenset[str]] = []
_LONGEST_GLUED = 48


def _known() -> frozenset[str]:
    """Every word `_unglue` may split a glued word into (built once)."""
    if not _KNOWN:
        _KNOWN.append(frozenset(_GLUE | _PERSON_WORDS.keys() | _ROLE_WORDS.keys() | _ABOUT_SOMETHING_ELSE
                                | _ORGANISATION))
    return _KNOWN[0]


def _unglue(word: str) -> list[str]:
    """A word glued from two known words (`registrantemail`, `contactname`, `useragent`, STIX 2.1
    names being lower case without separators at times) split in two; other words as they are."""
    if len(word) < 6 or len(word) > _LONGEST_GLUED:
        return [word]                     # two known words are never longer: a longer word is read as it is
    known = _known()
    if word in known:
        return [word]
    for i in range(2, len(word) - 1):
        a, b = word[:i], word[i:]
        if a in known and b in known:
            return [a, b]
    return [word]


def words(key: str) -> list[str]:
    """A key's words in lower case: `x_acmeRegistrantEmail` -> ['x', 'acme', 'registrant', 'email'];
    a word glued from two known words is split (`x_registrantemail` -> [..., 'registrant', 'email'])."""
    out = []
    for w in _SPLIT.split(_CAMEL.sub("_", key)):
        if w:
            out.extend(_unglue(w.lower()))
    return out


def about_persons(key: str) -> tuple[str, str, str] | None:
    """What a key says its value is: (kind personal|possible, what, category) or None."""
    if not isinstance(key, str):
        return None
    got = _cache.get(key, 0)
    if got == 0:
        got = _about(key)
        if len(_cache) > 50_000:
            _cache.clear()
        _cache[key] = got
    return got


def about_something_else(key: str) -> bool:
    """The key's words say it is about something other than a person (`user_agent`, `email_subject`,
    `handle_count`): the value is scanned, the name says nothing."""
    return any(w in _ABOUT_SOMETHING_ELSE for w in words(key))


def _about(key: str) -> tuple[str, str, str] | None:
    ws = [w for w in words(key) if w not in ("of", "the")]
    if not ws or ws[-1] in ("ref", "refs"):
        return None
    joined = []
    i = 0
    while i < len(ws):
        pair = tuple(ws[i:i + 2])
        if len(pair) == 2 and pair in _COMPOUNDS:
            joined.append(_COMPOUNDS[pair])
            i += 2
        else:
            joined.append(ws[i])
            i += 1
    person = [w for i, w in enumerate(joined) if w in _PERSON_WORDS
              and (w not in _LAST_ONLY or i == len(joined) - 1)]
    strong = [w for w in person if w in _KEEP_WITH_DATE]
    other = [w for w in joined if w in _ABOUT_SOMETHING_ELSE]
    # a key that ends in a person word names that person's detail, whatever comes before it
    # (`x_created_by_nick`, `report_author`); `user_agent`, `email_subject` end in something else
    if other and not strong and not (person and joined[-1] == person[-1]):
        return None
    roles = [w for w in joined if w in _ROLE_WORDS]
    if (person or roles) and any(w in _ORGANISATION for w in joined):
        return POSSIBLE, "an organisation's details: a one-person business? (the property's name says so)", "personal_data"
    if person:
        w = next((w for w in person if w in _CATEGORY), person[0])
        return PERSONAL, f"{_PERSON_WORDS[w]} (the property's name says so)", _CATEGORY.get(w, "personal_data")
    if roles:
        return POSSIBLE, f"{_ROLE_WORDS[roles[0]]}: a person or an organisation (the property's name says so)", "personal_data"
    return None


def empty(value: object) -> bool:
    """A value that says nothing about a person: null, "", whitespace, [], {}, true, false."""
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, dict)):
        return not value
    return False


_PHONE_WORDS = frozenset({"phone", "phonenumber", "telephone", "tel", "mobile", "msisdn", "cellphone", "fax"})
_CODE = re.compile(r"\s*\+?\s*\d[\d\s\-()]{0,7}\s*")


def says_nothing(key: str, value: object) -> bool:
    """A value that says nothing about a person under `key`: `empty`, or under a key named for a
    phone number (`Phone`, `x_tel`) a value that cannot be a phone number: digits (with `+`, spaces,
    hyphens, brackets) holding fewer than six digits, or a list of such values only (a MISP country
    galaxy's `meta.Phone: ["31"]` is a country calling code; subscriber numbers have more digits,
    ITU-T E.164). Any other value under such a key (text, a longer number) still counts."""
    if empty(value):
        return True
    if not isinstance(key, str) or not any(w in _PHONE_WORDS for w in words(key)) or not about_persons(key):
        return False
    vals = value if isinstance(value, list) else [value]
    return all(not isinstance(v, bool) and isinstance(v, (str, int)) and _CODE.fullmatch(str(v)) is not None
               and sum(c.isdigit() for c in str(v)) < 6 for v in vals)


_NAME_PART_WORDS = frozenset({"given", "family", "first", "last", "fore", "forename", "forenames", "middle",
                              "initials", "initial", "sur", "roepnaam", "voorletters", "tussenvoegsel"})
_NAME_PART_KEYS: dict[str, bool] = {}
_NOT_A_NAME_PART = frozenset({"malware", "tool", "tools", "threat", "actor", "ransomware", "virus", "product",
                              "os", "font", "protocol", "address", "ip", "seen", "observed", "time", "date"})


def name_part_key(key: str) -> bool:
    """Whether a key's last word names a part of a name (`given`, `family`, `first`, `voorletters`)
    and none of its words says it is about something else (`malware_family`): the keys whose
    values `name_part` reads. Cached per key."""
    ok = _NAME_PART_KEYS.get(key)
    if ok is None:
        ws = words(key)
        ok = bool(ws) and ws[-1] in _NAME_PART_WORDS and not any(w in _NOT_A_NAME_PART for w in ws)
        if len(_NAME_PART_KEYS) > 50_000:
            _NAME_PART_KEYS.clear()
        _NAME_PART_KEYS[key] = ok
    return ok


def name_part(key: str, value: object) -> tuple[str, str, str] | None:
    """A part of a person's name under a key whose last word names a name's part without saying
    `name` (`x_acme_given: "Jan"`, `x_acme_family: "de Vries"`, `first`, `last`, `voorletters`): the
    value (at most four words, letters only) holds a given name or a surname `name_gazetteer` knows,
    none of them a codename word: personal data when it has two words or more (`de Vries`, `Jan
    Pieter`), possible (a person judges) for one word (`Jan`, `Conti`). Such keys are common for other things too (`malware_family:
    "Emotet"`, `first: 3`), so the value decides. Returns (kind, what, category) as `about_persons`."""
    if not isinstance(key, str) or not isinstance(value, str):
        return None
    if not name_part_key(key) or not 2 <= len(value) <= 60:
        return None
    from . import name_gazetteer
    from .person_names import _GROUP_WORDS
    parts = value.replace("-", " ").replace(".", " ").split()
    if not 1 <= len(parts) <= 4 or not all(p.isalpha() for p in parts):
        return None
    low = value.lower().strip()
    given, family = name_gazetteer.given_names(), name_gazetteer.surnames()
    if any(p.lower() in _GROUP_WORDS for p in parts):
        return None
    if len(parts) > 1 and (low in family or any(p.lower() in given for p in parts)):
        return PERSONAL, "a part of a person's name (the property's name and its value say so)", "personal_data"
    if low in family or low in given:      # one word: `Conti`, `Vidar` are malware families too
        return POSSIBLE, "a part of a person's name? (the property's name and its value say so)", "personal_data"
    return None


_USER_KEYS = frozenset({"u", "user", "username", "usr", "login", "email", "mail", "account", "acct", "uid"})
_PASSWORD_KEYS = frozenset({"p", "pw", "pass", "password", "passwd", "pwd", "passwort", "wachtwoord", "secret"})


def credential_pair(node: dict) -> bool:
    """A dictionary holding a login and its password (`{"u": …, "p": …}`, `{"user": …, "pass": …}`):
    a leaked credential, whose login is an account's (a person's, often), whatever the keys are
    called on their own. Both values must be non-empty."""
    if len(node) > 8:
        return False
    users = [k for k in node if isinstance(k, str) and k.lower() in _USER_KEYS and not empty(node[k])]
    return bool(users) and any(isinstance(k, str) and k.lower() in _PASSWORD_KEYS and not empty(node[k])
                               for k in node)


SHOWN_KEY = "<key>"
"""How a path in an answer shows a key that is itself a value (`key_is_text`): the value is never repeated."""


def key_is_text(key: str) -> bool:
    """A key that is no name of a property but a value used as a key (`{"jan@ziggo.nl": 4}`, a phone
    number, a person's name with spaces): scanned as text. Property names are identifiers
    (`x_acme_hits`, `tlp_2_0`), with hyphens at most."""
    return len(key) >= 5 and not key.replace("-", "_").isidentifier()

