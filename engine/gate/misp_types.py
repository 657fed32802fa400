"""What MISP attribute types, categories and object templates mean to the gate (data, tables only).

Every one of the 194 attribute types of MISP's `describeTypes.json` (as shipped with PyMISP 2.5) is
listed: a type missing here is one the gate does not know, and escalates. `PERSONAL_TYPES` are
personal data whatever their value; `POSSIBLE_TYPES` may be (a person judges); `TEXT_TYPES` are free
text and are scanned. The `Person` category and the object templates in `PERSONAL_TEMPLATES` make
every attribute in them personal data; `PERSONAL_RELATIONS` do so for an attribute's
`object_relation` in any object. A mail's Message-ID and thread index (`email-message-id`,
`email-thread-index`) identify a message, not a person: analysis data, their values scanned without
reading `<id@host>` as a mailbox. The `email` object template is not personal as a whole: its address
relations (`from`, `to`, `cc`, `reply-to`, …) are, by `PERSONAL_RELATIONS`; a subject (`email-subject`,
a phishing lure's) is analysis data whose text is scanned like any text; a body (`email-body`) stays
personal data (greetings and signatures).
"""

from __future__ import annotations

_D, _I, _U, _H, _S, _A, _V, _T = ("domain_names", "ip_addresses", "urls", "file_hashes", "malware_sample",
                                  "malware_analysis", "vulnerability", "ttp_description")
_E, _N, _P = "email_addresses", "account_names", "personal_data"

TYPES: dict[str, str] = {}
for _names, _cat in [
    ("domain hostname domain|ip hostname|port onion-address dkim dkim-signature", _D),
    ("ip-src ip-dst ip-src|port ip-dst|port AS community-id mac-address mac-eui-64 port", _I),
    ("url uri link http-method user-agent cookie", _U),
    ("md5 sha1 sha224 sha256 sha384 sha512 sha512/224 sha512/256 sha3-224 sha3-256 sha3-384 sha3-512 "
     "ssdeep imphash telfhash pehash impfuzzy authentihash vhash tlsh cdhash filename pdb "
     "filename|md5 filename|sha1 filename|sha256 filename|authentihash filename|vhash filename|ssdeep "
     "filename|imphash filename|impfuzzy filename|pehash filename|sha224 filename|sha384 filename|sha512 "
     "filename|sha512/224 filename|sha512/256 filename|sha3-224 filename|sha3-256 filename|sha3-384 "
     "filename|sha3-512 filename|tlsh x509-fingerprint-sha1 x509-fingerprint-md5 x509-fingerprint-sha256 "
     "ja3-fingerprint-md5 jarm-fingerprint favicon-mmh3 hassh-md5 hasshserver-md5 dom-hash ssh-fingerprint "
     "git-commit-id size-in-bytes mime-type", _H),
    ("malware-sample attachment", _S),
    ("malware-type regkey regkey|value mutex process-state windows-scheduled-task "
     "windows-service-name windows-service-displayname yara sigma snort suricata bro zeek stix2-pattern "
     "pattern-in-file pattern-in-traffic pattern-in-memory filename-pattern kusto-query gene "
     "mobile-application-id azure-application-id chrome-extension-id edge-extension-id cortex "
     "email-x-mailer email-mime-boundary email-message-id email-thread-index email-subject", _A),
    ("vulnerability weakness cpe", _V),
    ("text comment other hex threat-actor campaign-name campaign-id target-org whois-registrar "
     "whois-creation-date whois-registrant-org github-repository github-organisation counter integer "
     "float boolean datetime uuid anonymised target-location target-machine target-external bin bic aba-rtn", _T),
    ("email email-src email-dst target-email whois-registrant-email eppn email-reply-to email-header "
     "dns-soa-email", _E),
    ("target-user github-username twitter-id jabber-id", _N),
    ("first-name middle-name last-name full-name date-of-birth place-of-birth gender passport-number "
     "passport-country passport-expiration redress-number nationality visa-number issue-date-of-the-visa "
     "primary-residence country-of-residence special-service-request frequent-flyer-number travel-details "
     "payment-details place-port-of-original-embarkation place-port-of-clearance "
     "place-port-of-onward-foreign-destination passenger-name-record-locator-number identity-card-number "
     "phone-number whois-registrant-name whois-registrant-phone email-src-display-name email-dst-display-name "
     "iban bank-account-nr cc-number prtn pgp-public-key pgp-private-key email-body "
     "email-attachment", _P),
    ("btc dash xmr", _T),
]:
    for _name in _names.split():
        TYPES[_name] = _cat
TYPES["named pipe"] = _A

PERSONAL_TYPES = frozenset(t for t, c in TYPES.items() if c in (_E, _N, _P))
POSSIBLE_TYPES = {"btc": "a crypto-currency address (a person's?)", "dash": "a crypto-currency address (a person's?)",
                  "xmr": "a crypto-currency address (a person's?)",
                  "mac-address": "a MAC address (a device inside a network: a person's?)",
                  "mac-eui-64": "a MAC address (a device inside a network: a person's?)",
                  "target-machine": "a target machine's name (may name its user)",
                  "target-location": "a target's location (may be a home)",
                  "whois-registrant-org": "a registrant organisation (a one-person business?)"}
TEXT_TYPES = frozenset({"text", "comment", "other", "email-subject", "email-body", "target-external",
                        "whois-registrant-org", "threat-actor", "campaign-name", "anonymised"})
PERSONAL_CATEGORIES = frozenset({"Person", "Social network", "Targeting data"})

PERSONAL_TEMPLATES = frozenset({
    "person", "persnona", "personification", "employee", "passport", "user-account", "credential",
    "github-user", "gitlab-user", "google-account", "facebook-account", "instagram-account", "keybase-account",
    "parler-account", "reddit-account", "telegram-account", "twitter-account", "youtube-channel", "victim",
    "phone", "phone-number", "postal-address", "credit-card", "bank-account", "interpol-notice",
    "fbi-most-wanted", "tattoo", "facial-composite", "ftm-Person", "ftm-Passport", "ftm-UserAccount",
    "ftm-Family", "ftm-Associate", "ftm-BankAccount", "transport-ticket", "contact-list", "chat-message",
    "instant-message", "short-message-service", "impersonation", "regripper-NTUser",
    "regripper-sam-hive-single-user", "mfa-auth", "authentication-failure-report", "tsk-web-history",
    "tsk-web-search-query", "tsk-chats", "wifi-connection", "identity", "social-media-group", "vehicle"})
PERSONAL_RELATIONS = frozenset({
    "first-name", "middle-name", "last-name", "full-name", "name-of-person", "display-name", "username",
    "user-id", "user_id", "login", "email", "email-address", "phone", "phone-number", "mobile",
    "date-of-birth", "place-of-birth", "passport-number", "nationality", "address", "street", "home-address",
    "postal-address", "registrant-name", "registrant-email", "registrant-phone", "from", "to", "cc", "bcc",
    "reply-to", "from-display-name", "to-display-name", "sender", "recipient", "author", "owner",
    "screen-name", "nickname", "alias", "account-name", "account-id", "iban", "card-number"})

DISTRIBUTION = {0: "your organisation only", 1: "this community only", 2: "connected communities",
                3: "all communities", 4: "a sharing group", 5: "inherit"}
RESTRICTED_DISTRIBUTION = {0, 4}
