"""Does a name look like a person's name? Used for the names and aliases of threat actors and
intrusion sets, the names of organisations (a one-person business is named after its owner),
MISP threat-actor galaxy clusters and note authors.

A name may name a person when it is two to five words, each a capitalised word of letters (initials
such as `J.` and surname particles such as `de`, `van der`, `al`, `bin` allowed), and no word
belongs to the vocabularies vendors name groups with (`Bear`, `Panda`, `Kitten`, `Typhoon`,
`Blizzard`, `Group`, `Team`, `Gang`, metals and colours, ...). Codenames with digits (`APT28`,
`FIN7`, `UNC2452`) and single words (`Turla`) are not read as persons' names.

Own code: no well-kept library tells a person's name from a group's codename (a name classifier such
as probablepeople reads `Fancy Bear` as a person and `Evgeniy Bogachev` as a company). The rule is
deliberately wide: a name it cannot settle escalates for a person to judge, naming the object and
the property, and never passes silently.
"""

from __future__ import annotations

import re

_PARTICLES = {"de", "den", "der", "van", "von", "vom", "zu", "ten", "ter", "te", "het", "'t", "da", "das", "do",
              "dos", "di", "del", "della", "du", "des", "la", "le", "al", "el", "bin", "ibn", "bint", "ben", "abu",
              "y", "e", "mac", "st.", "op", "in"}
_GROUP_WORDS = {
    # generic
    "group", "groups", "team", "gang", "crew", "corp", "corporation", "inc", "ltd", "llc", "squad", "army",
    "club", "collective", "syndicate", "cartel", "network", "operation", "operations", "campaign", "actor",
    "actors", "hackers", "hacker", "unit", "brigade", "company", "labs", "lab", "bureau", "agency",
    "ministry", "service", "services", "foundation", "institute", "university", "bank", "security",
    "cyber", "cert", "csirt", "soc", "council", "association", "partners", "holding", "systems",
    "technologies", "solutions", "software", "hosting", "telecom", "b.v.", "bv", "n.v.", "nv", "gmbh",
    "ag", "sa", "s.a.", "plc", "kitten", "kittens", "bears", "pandas", "spiders",
    # CrowdStrike's animals
    "bear", "panda", "chollima", "spider", "jackal", "tiger", "buffalo", "crane", "leopard", "lynx", "ocelot",
    "wolf", "hawk", "kangaroo", "saiga", "chinchilla", "libra", "mantis",
    # Microsoft's weather
    "typhoon", "blizzard", "sleet", "sandstorm", "tempest", "hail", "cyclone", "flood", "dust", "tsunami",
    "storm", "rain", "snow", "lightning", "thunder",
    # Secureworks' metals and Proofpoint/Mandiant words
    "gold", "bronze", "iron", "cobalt", "nickel", "tin", "zinc", "platinum", "copper", "silver", "aluminum",
    "bismuth", "mercury", "lead", "tungsten", "carbon", "titanium",
    # colours and the like used in codenames
    "red", "blue", "green", "black", "white", "dark", "shadow", "ghost", "night", "midnight", "cozy", "fancy",
    "charming", "wizard", "scattered", "mustang", "volt", "deep", "rocket", "sand", "sandworm", "equation",
    "lazarus", "cloud", "hat", "hats", "apt", "ransomware", "botnet", "malware", "kit", "panel", "market",
    "forum", "leaks", "leak", "news", "media", "bot", "bots", "worm", "rat", "loader", "stealer",
    # animals, creatures and other nouns of codenames
    "the", "tribe", "turtle", "hound", "eagle", "staff", "librarian", "dragon", "dragons", "cat", "dog", "fox",
    "owl", "snake", "viper", "cobra", "scorpion", "falcon", "raven", "crow", "bee", "hornet", "wasp", "shark",
    "whale", "lion", "jaguar", "puma", "panther", "bat", "rabbit", "dolphin", "octopus", "kraken", "hydra",
    "phoenix", "unicorn", "goblin", "troll", "elephant", "rhino", "gorilla", "monkey", "ape", "mole", "rats",
    "sparrow", "pigeon", "swan", "heron", "pelican", "cricket", "locust", "beetle", "ant", "ants", "tick"}
_WORD = re.compile(r"^(?:[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’\-]+|[A-ZÀ-ÖØ-Þ]\.|[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+-[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+"
                   r"|[A-ZÀ-ÖØ-Þ]['’][A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+|Mc[A-Z][a-z]+|Mac[A-Z][a-z]+)$")


def may_name_a_person(name: object) -> bool:
    """True when the text has the shape of a person's name and no word of a group's codename."""
    if not isinstance(name, str):
        return False
    words = name.replace(",", " ").split()
    if not 2 <= len(words) <= 5:
        return False
    proper = 0
    for w in words:
        lw = w.lower()
        if lw in _GROUP_WORDS:
            return False
        if lw in _PARTICLES:
            continue
        if not _WORD.match(w):
            return False
        proper += 1
    return proper >= 2
