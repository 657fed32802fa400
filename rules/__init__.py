"""The shipped rule sets (data): one folder per rule set, one YAML file per version, rule tests in
`<ruleset>/tests/`, invariants and the JSON Schema of the format. Installed as package data."""
