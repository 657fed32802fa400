"""A writer process for the decision-log tests: appends COUNT entries to DB, one per transaction,
and prints `ack SEQ HASH` after each append has returned (that is, once it is durable)."""

import sys
import uuid

sys.path.insert(0, __file__.rsplit("/", 2)[0])

from wivcheck.engine.log.ledger import Ledger  # noqa: E402


def main() -> None:
    db, count, tag = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    provision = {"id": f"P-{tag}", "service": "AIVD", "note": "x" * 200}
    with Ledger(db, create=True, timeout=60) as ledger:
        for i in range(count):
            decision = {"decision": "allow", "decision_id": str(uuid.uuid4()), "provision_id": f"P-{tag}",
                        "rulesets": [{"id": "wiv2017", "version": "2018-05-01", "sha256": "0" * 64,
                                      "status": "in_force"}], "reasons": [], "trace": [], "n": i}
            entry = ledger.append(provision, decision)
            print(f"ack {entry.seq} {entry.hash}", flush=True)


if __name__ == "__main__":
    main()
