"""Content in compressed and archived forms is judged by what it holds (engine/gate/binary.py): a
list of addresses and passwords is text whether it is bare, gzip-, xz- or bzip2-compressed, in a
tar (bare or compressed) or a zip, and escalates; executables and scripts stay samples; a document
or a SQLite database inside is a document; base64 of such archives inside free text is found."""

from __future__ import annotations

import base64
import bz2
import gzip
import io
import lzma
import tarfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gate_util import bundle, misp_event, misp_doc, raw, run, zip_of
from wivcheck.engine import Engine, load_library
from wivcheck.engine.gate import binary
from wivcheck.engine.gate.items import POSSIBLE
from wivcheck.engine.gate.personal_text import scan

COMBO = b"jan.devries@acme-hosting.example:Zomer2024!\npiet@mail.example:Welkom01\n" * 20
EXE = b"MZ" + b"\x90" * 200
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
SQLITE = b"SQLite format 3\x00" + b"\x00" * 200
JS = b"var s = new ActiveXObject('WScript.Shell'); s.Run('powershell -enc ...');\n"


@pytest.fixture(scope="module")
def engine():
    return Engine(load_library())


def _tar(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


_zip = zip_of


WRAPS = {"gzip": gzip.compress, "xz": lzma.compress, "bzip2": bz2.compress,
         "tar": lambda d: _tar({"combo": d}), "tar.gz": lambda d: gzip.compress(_tar({"list": d})),
         "tar.xz": lambda d: lzma.compress(_tar({"list": d})), "tar.bz2": lambda d: bz2.compress(_tar({"x": d})),
         "zip": lambda d: _zip({"combo": d}), "zip in gzip": lambda d: gzip.compress(_zip({"combo": d}))}


@pytest.mark.parametrize("wrap", list(WRAPS))
def test_text_in_any_archive_is_text_and_not_a_sample(wrap):
    kind, what = binary.kind_of(WRAPS[wrap](COMBO))
    assert kind == binary.TEXT and "plain text" in what, (wrap, what)
    got = binary.finding(base64.b64encode(WRAPS[wrap](COMBO)).decode())
    assert got is not None and got[0] == "unknown"


@pytest.mark.parametrize("wrap", list(WRAPS))
@pytest.mark.parametrize("inside,kind", [(EXE, binary.ARCHIVE), (PDF, binary.DOCUMENT), (SQLITE, binary.DOCUMENT)])
def test_samples_stay_samples_and_documents_stay_documents_in_any_archive(wrap, inside, kind):
    assert binary.kind_of(WRAPS[wrap](inside))[0] == kind


@pytest.mark.parametrize("name", ["dropper.js", "run.ps1", "stage.vbs", "x.hta", "go.bat"])
def test_a_script_in_an_archive_is_a_sample_by_its_name(name):
    for data in (_zip({name: JS}), gzip.compress(_tar({name: JS}))):
        assert binary.kind_of(data)[0] == binary.ARCHIVE
        assert binary.finding(base64.b64encode(data).decode()) is None


def test_a_document_wins_over_text_in_one_archive():
    assert binary.kind_of(_zip({"a.txt.bin": COMBO, "b.bin": PDF}))[0] == binary.DOCUMENT
    assert binary.kind_of(_tar({"a": COMBO, "b": PDF}))[0] == binary.DOCUMENT


def test_bombs_cost_nothing():
    bomb = lzma.compress(b"\0" * (64 << 20))        # 64 MB of zeros: only the head is decompressed
    assert binary.kind_of(bomb)[0] == binary.ARCHIVE
    assert binary.kind_of(bz2.compress(b"A" * (32 << 20)))[0] == binary.TEXT


@pytest.mark.parametrize("damaged", [b"\xfd7zXZ\x00garbage", b"BZh9garbage", b"\x1f\x8bgarbage"])
def test_a_damaged_stream_is_of_no_known_kind(damaged):
    assert binary.kind_of(damaged)[0] == binary.UNKNOWN


@pytest.mark.parametrize("wrap", ["gzip", "xz", "bzip2", "zip"])
def test_base64_of_compressed_text_inside_free_text_is_found(wrap):
    b64 = base64.b64encode(WRAPS[wrap](COMBO)).decode()
    assert any(f.kind == POSSIBLE and "base64 content" in f.what for f in scan(f"dump attached: {b64} (from the panel)"))


@pytest.mark.parametrize("wrap", ["gzip", "xz", "bzip2", "tar.gz"])
def test_the_gate_escalates_a_compressed_combo_list_in_stix_and_misp(engine, wrap):
    data = base64.b64encode(WRAPS[wrap](COMBO)).decode()
    art = raw("artifact", payload_bin=data, hashes={"SHA-256": "a" * 64}, mime_type="application/octet-stream")
    r = run(engine, bundle(art))
    assert r.decision.decision != "allow"
    assert any(o.id == art["id"] and o.decision != "allow" and any("plain text" in f for f in o.findings)
               for o in r.objects)
    event = misp_event()
    event.add_attribute("malware-sample", "stealer.bin|" + "b" * 32, data=data)
    doc = misp_doc(event)
    r = run(engine, doc, fmt="misp")
    assert r.decision.decision != "allow"
    assert any(o.decision != "allow" and o.type == "malware-sample" and any("plain text" in f for f in o.findings)
               for o in r.objects), [(o.id, o.type, o.decision, o.findings) for o in r.objects]


@given(st.binary(max_size=2048), st.sampled_from(list(WRAPS)))
@settings(max_examples=150, deadline=None)
def test_any_bytes_in_any_wrap_are_judged_without_an_exception(data, wrap):
    kind, what = binary.kind_of(WRAPS[wrap](data))
    assert kind in (binary.EXECUTABLE, binary.ARCHIVE, binary.SCRIPT, binary.DOCUMENT, binary.TEXT, binary.UNKNOWN)
    assert isinstance(what, str) and what
