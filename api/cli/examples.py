"""The examples each command shows at the end of its `--help` (`epilog`), one place for all, so a
test can hold every command to having them."""

from __future__ import annotations

EXAMPLES: dict[str, list[tuple[str, str]]] = {
    "check": [("wivcheck check examples/escalate-residual-risk.yaml", "decide, Dutch text"),
              ("wivcheck check --lang en --format markdown p.yaml", "English Markdown for the dossier"),
              ("wivcheck check --format json - < provision.json", "one JSON decision a line; errors too"),
              ("wivcheck check --record p.yaml", "decide and append to the decision log"),
              ("wivcheck -q check p.yaml && echo allowed", "only the exit code: 0 allow, 3 deny, 4 escalate")],
    "approve": [("wivcheck approve --provision PPS-2025-0142 --rule waarborgen-pps.residual-risk --role diensthoofd "
                 "--note 'risk accepted'", "approve a recorded escalation; prints the reference to write"),
                ("wivcheck approve --provision P-1 --rule wiv2017.foreign-restricted --format json", "as JSON")],
    "log escalations": [("wivcheck log escalations --role diensthoofd", "what waits for the head of service"),
                        ("wivcheck log escalations --role minister --below --format json", "everything a "
                         "Minister may approve, as JSON")],
    "gate": [("wivcheck gate --stix bundle.json --envelope envelope.yaml", "decide a STIX 2.1 bundle"),
             ("wivcheck gate --misp event.json --envelope envelope.yaml --format json", "a MISP event, as JSON")],
    "serve": [("wivcheck serve", "loopback only, every role (no tokens file)"),
              ("wivcheck serve --host 0.0.0.0 --tokens /etc/wivcheck/tokens.yaml --workers 2", "as a service"),
              ("wivcheck serve --log-format text --log-level debug", "logs for people, while developing")],
    "healthcheck": [("wivcheck healthcheck", "is the service on 127.0.0.1:8000 ready? exit 0 or 1"),
                    ("wivcheck healthcheck --url http://wivcheck:8000/readyz --timeout 5", "another address"),
                    ("wivcheck healthcheck --live", "only: does it answer at all")],
    "tokens new": [("wivcheck tokens new --role gate --name exchange-gateway", "a token for exchange tooling")],
    "provision template": [("wivcheck provision template > provision.yaml", "a commented provision to fill in (Dutch)"),
                           ("wivcheck provision template --lang en --route foreign-service", "English, for Art. 62(1)(d)")],
    "provision schema": [("wivcheck provision schema > provision.schema.json", "JSON Schema of a provision, for editors")],
    "provision doc": [("wivcheck provision doc > docs/provision.md", "every field, in Markdown (make docs)")],
    "rules list": [("wivcheck rules list", "every version, status, validity, sha256"),
                   ("wivcheck rules list --on 2025-02-16 --format json", "what was in force on a day, as JSON")],
    "rules validate": [("wivcheck rules validate", "the shipped rules"),
                       ("wivcheck rules validate my-change.yaml", "one rule file")],
    "rules test": [("wivcheck rules test --min-coverage 100", "YAML rule tests with coverage"),
                   ("wivcheck rules test rules/wiv2017 --format json", "one rule set, as JSON")],
    "rules diff": [("wivcheck rules diff --base waarborgen-pps@2025-02-17 --candidate my-change.yaml",
                    "what a change does to the logged provisions"),
                   ("wivcheck rules diff --base wiv2017@2018-05-01 --candidate my.yaml --corpus examples/",
                    "over a folder of provisions")],
    "rules verify": [("wivcheck rules verify", "search for counterexamples to the invariants"),
                     ("wivcheck rules verify --max-examples 200 --format json", "quicker, as JSON")],
    "rules lint": [("wivcheck rules lint", "dead, duplicate, overlapping, subsumed rules; citations; file:line"),
                   ("wivcheck rules lint --db decisions.sqlite3", "and rule files edited in place after decisions"),
                   ("wivcheck rules lint my-rules/ --format json", "another folder, as JSON")],
    "rules doc": [("wivcheck rules doc --format html --out book/", "the rule book as HTML"),
                  ("wivcheck rules doc --diff wiv2017@2018-05-01 --diff my.yaml", "what a change changes")],
    "rules schema": [("wivcheck rules schema > ruleset.schema.json", "JSON Schema of rule files, for editors")],
    "log show": [("wivcheck log show 3", "entry 3, explained"),
                 ("wivcheck log show PRV-2025-0042 --format html > dossier.html", "the latest for a provision"),
                 ("wivcheck log show --provision PRV-2025-0042", "every entry of a provision, oldest first")],
    "log head": [("wivcheck log head", "sequence number and hash of the last entry: write it down elsewhere")],
    "log verify": [("wivcheck log verify", "recompute the chain; check the database's integrity and triggers"),
                   ("wivcheck log verify --expect-head 9624a3c05649", "and nothing was cut off since that head "
                    "(12 or more digits of the hash)"),
                   ("wivcheck log verify --checkpoint cp-1.json --checkpoint cp-2.json --public-key cp.pub",
                    "not rewritten, cut off or backdated since each signed checkpoint")],
    "log keygen": [("wivcheck log keygen --key cp.key --public-key cp.pub",
                    "a key pair for checkpoints; keep cp.key away from the log's writers")],
    "log checkpoint": [("wivcheck log checkpoint --key cp.key --out cp-$(date +%F).json",
                        "sign the head now; keep the file outside the log")],
    "log migrate": [("wivcheck log migrate", "create or upgrade the default log"),
                    ("wivcheck log migrate --db postgresql://owner@db:5432/wivcheck --grant wivcheck_app",
                     "as the owner; the service's role may SELECT and INSERT only")],
    "log copy": [("wivcheck log copy --from decisions.sqlite3 --to postgresql://owner@db:5432/wivcheck",
                  "move a log into PostgreSQL, verified on both sides")],
    "log export": [("wivcheck log export --format csv --redact recipient.name > export.csv", "for oversight"),
                   ("wivcheck log export --from 2025-01-01 --out 2025.jsonl", "a year, as JSON lines")],
    "log import": [("wivcheck log import export.jsonl --db copy.sqlite3", "a fresh reader's copy, verified")],
    "log replay": [("wivcheck log replay --ruleset beleidsregels-pps@concept-2026-01", "what a draft would change"),
                   ("wivcheck log replay --as-of 2026-01-01 --format json", "past provisions on later rules")],
}


def epilog(command: str) -> str:
    """The `--help` epilog of a command ("check", "rules list"): its examples, one a paragraph."""
    lines = [f"{cmd}    ({what})" for cmd, what in EXAMPLES[command]]
    return "Examples:\n\n" + "\n\n".join(lines)
