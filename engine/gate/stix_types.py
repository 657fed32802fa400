"""What STIX 2.1 object types, references and properties mean to the gate (data, tables only).

- `CATEGORIES`: the provision's data categories an object type carries (DESIGN.md, data.categories).
- `PERSONAL_TYPES`: observable types that are personal data whatever their values.
- `METADATA`: types that carry no threat data of their own (their text is still read).
- `REF_TARGETS`: where a reference property of an observable leads (STIX 2.1 §6), so a pattern path
  such as `email-message:from_ref.value` counts as an e-mail address.
- `REQUIRED_REFS` / `REQUIRED_REF_LISTS`: references an object cannot lose (STIX 2.1 §5, §4.13,
  §4.14, §4.15): an object that loses one goes with what it refers to.
- `STRUCTURAL`: properties whose values are identifiers, vocabularies, hashes or timestamps. No longer
  decides what is scanned (since issue 12 every string value is, whatever its property): kept as a
  table of the specification's structural properties.
"""

from __future__ import annotations

CATEGORIES: dict[str, tuple[str, ...]] = {
    "domain-name": ("domain_names",), "ipv4-addr": ("ip_addresses",), "ipv6-addr": ("ip_addresses",),
    "network-traffic": ("ip_addresses",), "autonomous-system": ("ip_addresses",), "url": ("urls",),
    "file": ("file_hashes",), "artifact": ("malware_sample",),
    "malware": ("malware_analysis",), "malware-analysis": ("malware_analysis",),
    "vulnerability": ("vulnerability",),
    "attack-pattern": ("ttp_description",), "infrastructure": ("ttp_description",),
    "intrusion-set": ("ttp_description",), "campaign": ("ttp_description",),
    "threat-actor": ("ttp_description",), "tool": ("ttp_description",), "course-of-action": ("ttp_description",),
    "email-addr": ("email_addresses",), "email-message": ("email_addresses",),
    "user-account": ("account_names",),
}
PERSONAL_TYPES = frozenset({"email-addr", "email-message", "user-account"})
METADATA = frozenset({"marking-definition", "extension-definition", "relationship", "sighting", "report",
                      "grouping", "note", "opinion", "language-content", "location", "observed-data",
                      "identity", "indicator"})

# (type, reference property) -> the types it may lead to; a reference not listed leads to anything
REF_TARGETS: dict[tuple[str, str], tuple[str, ...]] = {
    ("email-message", "from_ref"): ("email-addr",), ("email-message", "sender_ref"): ("email-addr",),
    ("email-message", "to_refs"): ("email-addr",), ("email-message", "cc_refs"): ("email-addr",),
    ("email-message", "bcc_refs"): ("email-addr",), ("email-message", "raw_email_ref"): ("artifact",),
    ("email-message", "body_raw_ref"): ("artifact", "file"),
    ("email-addr", "belongs_to_ref"): ("user-account",),
    ("domain-name", "resolves_to_refs"): ("ipv4-addr", "ipv6-addr", "domain-name"),
    ("ipv4-addr", "resolves_to_refs"): ("mac-addr",), ("ipv6-addr", "resolves_to_refs"): ("mac-addr",),
    ("ipv4-addr", "belongs_to_refs"): ("autonomous-system",), ("ipv6-addr", "belongs_to_refs"): ("autonomous-system",),
    ("network-traffic", "src_ref"): ("ipv4-addr", "ipv6-addr", "mac-addr", "domain-name"),
    ("network-traffic", "dst_ref"): ("ipv4-addr", "ipv6-addr", "mac-addr", "domain-name"),
    ("network-traffic", "src_payload_ref"): ("artifact",), ("network-traffic", "dst_payload_ref"): ("artifact",),
    ("network-traffic", "encapsulates_refs"): ("network-traffic",),
    ("network-traffic", "encapsulated_by_ref"): ("network-traffic",),
    ("network-traffic", "message_body_data_ref"): ("artifact",),
    ("file", "parent_directory_ref"): ("directory",), ("file", "content_ref"): ("artifact",),
    ("file", "contains_refs"): ("file", "directory"),
    ("directory", "contains_refs"): ("file", "directory"),
    ("process", "opened_connection_refs"): ("network-traffic",), ("process", "creator_user_ref"): ("user-account",),
    ("process", "image_ref"): ("file",), ("process", "parent_ref"): ("process",), ("process", "child_refs"): ("process",),
    ("process", "service_dll_refs"): ("file",),
    ("windows-registry-key", "creator_user_ref"): ("user-account",),
    ("artifact", "content_ref"): ("artifact",),
}

REQUIRED_REFS: dict[str, frozenset[str]] = {
    "relationship": frozenset({"source_ref", "target_ref"}),
    "sighting": frozenset({"sighting_of_ref"}),
    "language-content": frozenset({"object_ref"}),
}
REQUIRED_REF_LISTS: dict[str, frozenset[str]] = {
    "report": frozenset({"object_refs"}), "grouping": frozenset({"object_refs"}),
    "note": frozenset({"object_refs"}), "opinion": frozenset({"object_refs"}),
    "observed-data": frozenset({"object_refs"}),
}

STRUCTURAL = frozenset({
    "type", "id", "spec_version", "created", "modified", "revoked", "confidence", "lang", "pattern_type",
    "pattern_version", "identity_class", "relationship_type", "definition_type", "extension_type",
    "object_marking_refs", "granular_markings", "hashes", "number_observed", "count", "x_mitre_version",
    "x_mitre_attack_spec_version", "x_mitre_deprecated", "x_mitre_is_subtechnique", "x_mitre_domains",
    "x_mitre_platforms", "x_mitre_modified_by_ref", "kill_chain_phases", "external_id", "source_name",
    "is_family", "is_multipart", "is_hidden", "is_active", "is_service_account", "is_privileged",
    "can_escalate_privs", "is_disabled", "dst_port", "src_port", "protocols", "size", "mime_type",
    "encryption_algorithm", "result", "precision", "latitude", "longitude", "region", "country",
    "administrative_area", "opinion", "indicator_types", "malware_types", "tool_types", "infrastructure_types",
    "threat_actor_types", "report_types", "sophistication", "resource_level", "primary_motivation",
    "secondary_motivations", "personal_motivations", "architecture_execution_envs", "implementation_languages",
    "capabilities", "context", "roles", "sectors", "summary", "tlp", "tlp_2_0", "rir", "number",
    "value_type", "dst_byte_count", "src_byte_count", "dst_packets", "src_packets", "pid", "x_mitre_contents",
    "schema", "version", "extension_properties", "content_type", "subject_public_key_algorithm",
    "signature_algorithm", "serial_number", "x_mitre_shortname", "valid_from", "valid_until", "published",
    "first_seen", "last_seen", "first_observed", "last_observed"})
