"""Checkpoints signed outside the log, on SQLite and on PostgreSQL: against any earlier checkpoint, a
log rewritten and re-chained by someone with write access, cut off, or with a backdated entry
appended fails `verify`; a checkpoint altered or signed with another key is refused; the signing key
is kept 0600."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
import uuid

import pytest
from cryptography.hazmat.primitives import serialization

from log_util import WHO, fake, flip_deny, rechain
from wivcheck.engine.log import Ledger, checkpoint
from wivcheck.engine.log.checkpoint import CheckpointError


@pytest.fixture()
def keys(tmp_path):
    key, pub = tmp_path / "cp.key", tmp_path / "cp.pub"
    fingerprint = checkpoint.keygen(key, pub)
    return key, pub, fingerprint


def signed(ledger, key, path):
    data = checkpoint.make(ledger, checkpoint.load_private(key))
    path.write_text(json.dumps(data))
    return data


def with_deny(target, n=4) -> Ledger:
    ledger = Ledger(target, create=True)
    for i in range(n):
        p, d = fake(i)
        if i == 1:
            d["decision"] = "deny"
        ledger.append(p, d, recorded_by=WHO)
    return ledger


def backdate(rows):
    last = rows[-1]
    new_id = str(uuid.uuid4())
    return rows + [{**last, "seq": last["seq"] + 1, "decision_id": new_id,
                    "decision": last["decision"].replace(last["decision_id"], new_id),
                    "recorded_at": "2026-01-01T00:00:00.000000+00:00"}]


@pytest.mark.parametrize("attack,found", [
    (flip_deny, "rewritten and re-chained"),
    (lambda rows: rows[:3], "cut off"),
    (backdate, "backdated"),
])
def test_each_attack_fails_against_an_earlier_checkpoint(log_target, keys, tmp_path, attack, found):
    key, pub, _ = keys
    ledger = with_deny(log_target)
    data = signed(ledger, key, tmp_path / "cp-1.json")
    assert (data["seq"], data["head"]) == ledger.head()
    for i in range(2):  # the log grows after the checkpoint: still fine
        ledger.append(*fake(10 + i), recorded_by=WHO)
    later = signed(ledger, key, tmp_path / "cp-2.json")
    public = checkpoint.load_public(pub)
    anchors = [checkpoint.read(tmp_path / "cp-1.json", public), checkpoint.read(tmp_path / "cp-2.json", public)]
    assert ledger.verify(anchors=anchors) == (6, None)
    ledger.close()
    rechain(log_target, attack)
    ledger = Ledger(log_target)
    assert ledger.verify()[1] is None and ledger.check_database() == []  # nothing else shows it
    for anchor in anchors:  # any one earlier checkpoint is enough
        n, fault = ledger.verify(anchors=[anchor])
        if found == "backdated" and anchor.seq == later["seq"]:
            assert fault is not None and found in fault.problem and anchor.source in fault.problem
        elif found == "cut off" and anchor.seq <= 3:
            assert fault is None  # a checkpoint of what is still there cannot tell
        else:
            assert fault is not None and found in fault.problem, (anchor, fault)


def test_an_entry_dated_before_a_checkpoint_it_follows_is_found_at_once(log_target, keys, tmp_path):
    key, pub, _ = keys
    ledger = with_deny(log_target, 2)
    signed(ledger, key, tmp_path / "cp.json")
    ledger.close()
    rechain(log_target, backdate)
    anchor = checkpoint.read(tmp_path / "cp.json", checkpoint.load_public(pub))
    n, fault = Ledger(log_target).verify(anchors=[anchor])
    assert fault.seq == 3 and "dated 2026-01-01" in fault.problem


def test_checkpoint_of_an_empty_log(log_target, keys, tmp_path):
    key, pub, _ = keys
    ledger = Ledger(log_target, create=True)
    data = signed(ledger, key, tmp_path / "cp.json")
    assert data["seq"] == 0 and data["head"] == "0" * 64
    ledger.append(*fake(1))
    anchor = checkpoint.read(tmp_path / "cp.json", checkpoint.load_public(pub))
    assert ledger.verify(anchors=[anchor]) == (1, None)


def test_altered_or_foreign_checkpoints_are_refused(tmp_path, keys):
    key, pub, fingerprint = keys
    ledger = with_deny(str(tmp_path / "log.sqlite3"))
    data = signed(ledger, key, tmp_path / "cp.json")
    raw = serialization.load_pem_public_key(pub.read_bytes()).public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert data["public_key_sha256"] == fingerprint == hashlib.sha256(raw).hexdigest()
    public = checkpoint.load_public(pub)
    for change in ({"seq": 2}, {"head": "0" * 64}, {"time": "2030-01-01T00:00:00.000000+00:00"}):
        forged = tmp_path / "forged.json"
        forged.write_text(json.dumps({**data, **change}))
        with pytest.raises(CheckpointError, match="signature does not fit"):
            checkpoint.read(forged, public)
    checkpoint.keygen(tmp_path / "other.key", tmp_path / "other.pub")
    with pytest.raises(CheckpointError, match="signature does not fit"):
        checkpoint.read(tmp_path / "cp.json", checkpoint.load_public(tmp_path / "other.pub"))
    for bad, why in (("{", "not JSON"), (json.dumps({**data, "signature": "***"}), "not a checkpoint"),
                     (json.dumps({**data, "format": "x"}), "format")):
        (tmp_path / "bad.json").write_text(bad)
        with pytest.raises(CheckpointError, match=why):
            checkpoint.read(tmp_path / "bad.json", public)
    assert base64.b64decode(data["signature"]) and len(base64.b64decode(data["signature"])) == 64


def test_the_signing_key_is_kept_private(tmp_path, keys):
    key, pub, _ = keys
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    with pytest.raises(CheckpointError, match="never overwritten"):
        checkpoint.keygen(key, tmp_path / "new.pub")
    os.chmod(key, 0o640)
    with pytest.raises(CheckpointError, match="may be read by other users"):
        checkpoint.load_private(key)
    with pytest.raises(CheckpointError, match="not an unencrypted PEM private key"):
        os.chmod(pub, 0o600)
        checkpoint.load_private(pub)
