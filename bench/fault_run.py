"""Fault run: bad inputs of every kind, through every front end, counted (docs/security.md).

Starts `wivcheck serve` on 127.0.0.1 with a tokens file, builds bad provisions of each kind from the
allow example (each kind in many forms and fields, seeded), and sends every one through the CLI
(`wivcheck check --format json`, one run over all files of a kind), the API (`POST /v1/check`) and
the page (pasted text, or an uploaded file where the text is not UTF-8). Every answer must be an error
naming what is wrong; the run counts what each front end answered, and any decision on bad input, let
alone an allow. Bounded: a fixed number of inputs per kind; loopback only.

    .venv/bin/python bench/fault_run.py [--per-kind N] [--seed S]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from server_util import Server  # noqa: E402

BASE = (ROOT / "examples" / "allow-structural.yaml").read_text()
BIN = Path(sys.executable).parent / "wivcheck"
INT_FIELDS = [("data", "volume")]
BOOL_FIELDS = [("data", "personal_data"), ("data", "special_categories"), ("data", "reliability_indicated"),
               ("data", "onward_provision_barred")]
STR_FIELDS = [("recipient", "name"), ("recipient", "id"), ("partnership", "id")]


def yaml_set(section: str, key: str, raw: str) -> str:
    """The base YAML with `section.key` written as the raw YAML text `raw`."""
    lines, out, inside = BASE.splitlines(), [], False
    done = False
    for line in lines:
        if not line.startswith(" "):
            inside = line.startswith(section + ":")
        if inside and not done and re.match(rf"^  {re.escape(key)}:", line):
            out.append(f"  {key}: {raw}")
            done = True
        else:
            out.append(line)
    assert done, (section, key)
    return "\n".join(out) + "\n"


def base_json() -> dict:
    return json.loads(json.dumps(yaml.safe_load(BASE), default=str))


def json_set(section: str, key: str, raw: str) -> bytes:
    data = base_json()
    data[section][key] = "@@"
    return json.dumps(data).replace('"@@"', raw).encode("utf-8", "surrogateescape")


def kinds(rng: random.Random, n: int) -> dict[str, list[tuple[str, bytes]]]:
    """kind -> [(suffix, bytes)]: `.yaml` texts go to CLI and page, `.json` to all three."""
    out: dict[str, list[tuple[str, bytes]]] = {}

    def number_forms(v: int) -> list[str]:
        return [f"0{v}", f"0{oct(v)[2:]}", hex(v), f"0o{oct(v)[2:]}", f"0b{bin(v)[2:]}", f"{v // 60 + 1}:{v % 60:02d}",
                f"+{v}", f"{v // 1000 + 1}_{v % 1000:03d}", f"{v}.0", f"'{v}'", ".inf", "-.inf", ".nan", "1e400"]
    items = []
    for _ in range(n):
        v = rng.randint(1, 99999)
        form = rng.choice(number_forms(v))
        section, key = rng.choice(INT_FIELDS + STR_FIELDS)
        if (section, key) in STR_FIELDS and form.startswith("'"):
            form = form.strip("'") + ".5e"  # quoted text is text in a text field: use an unquoted form
            form = f"0{v}"
        items.append((".yaml", yaml_set(section, key, form).encode()))
    out["number not in decimal (YAML)"] = items
    out["number given as text or fraction (JSON)"] = [
        (".json", json_set(*rng.choice(INT_FIELDS), rng.choice([f'"{v}"', f"{v}.0", f"{v}e0", f'"0x{v:x}"', "true"])))
        for v in (rng.randint(1, 99999) for _ in range(n))]
    out["boolean not true/false (YAML)"] = [
        (".yaml", yaml_set(*rng.choice(BOOL_FIELDS), rng.choice(
            ["yes", "no", "on", "off", "y", "n", "Yes", "NO", "True", "FALSE", "1", "0", "'true'", "~", "null"])).encode())
        for _ in range(n)]
    out["boolean not true/false (JSON)"] = [
        (".json", json_set(*rng.choice(BOOL_FIELDS), rng.choice(["1", "0", '"true"', '"no"', "null", "0.0", "[]"])))
        for _ in range(n)]

    def dup_yaml() -> bytes:
        section, key = rng.choice(INT_FIELDS + BOOL_FIELDS + STR_FIELDS)
        text = yaml_set(section, key, "@@")
        value = {"volume": "12", "name": "Other B.V."}.get(key, "false")
        first = re.search(rf"^  {key}: @@$", text, re.M).group(0)
        return text.replace(first, f"  {key}: {value}\n{first}".replace("@@", value)).encode()

    def dup_json() -> bytes:
        section, key = rng.choice(INT_FIELDS + BOOL_FIELDS + STR_FIELDS)
        data = base_json()
        value = json.dumps(data[section][key])
        data[section][key] = "@@"
        return json.dumps(data).replace('"@@"', f'{value}, "{key}": {value}').encode()
    out["duplicate key (YAML)"] = [(".yaml", dup_yaml()) for _ in range(n)]
    out["duplicate key (JSON)"] = [(".json", dup_json()) for _ in range(n)]

    def bad_utf8(suffix: str) -> bytes:
        bad = rng.choice([b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf8\x88\x80\x80\x80"])
        section, key = rng.choice(STR_FIELDS)
        raw = (yaml_set(section, key, "X@@X").encode() if suffix == ".yaml" else json_set(section, key, '"X@@X"'))
        return raw.replace(b"@@", bad)
    out["not UTF-8"] = [(s, bad_utf8(s)) for s in (rng.choice([".yaml", ".json"]) for _ in range(n))]
    out["lone surrogate"] = [
        (s, yaml_set(*sf, f'"X\\u{rng.randint(0xD800, 0xDFFF):04x}X"').encode() if s == ".yaml"
         else json_set(*sf, f'"X\\u{rng.randint(0xD800, 0xDFFF):04x}X"'))
        for s, sf in ((rng.choice([".yaml", ".json"]), rng.choice(STR_FIELDS)) for _ in range(n))]
    out["NaN or Infinity (JSON)"] = [
        (".json", json_set(*rng.choice(INT_FIELDS), rng.choice(["NaN", "Infinity", "-Infinity"]))) for _ in range(n)]
    out["explicit tag (YAML)"] = [
        (".yaml", yaml_set(*rng.choice(INT_FIELDS + BOOL_FIELDS),
                           rng.choice(["!!int '12'", "!!bool 'yes'", "!!float 12", "!!str 12", "!!binary eA=="])).encode())
        for _ in range(n)]
    out["nested too deep"] = [
        (s, (yaml_set("recipient", "name", "[" * d + "]" * d).encode() if s == ".yaml"
             else json_set("recipient", "name", "[" * d + "]" * d)))
        for s, d in ((rng.choice([".yaml", ".json"]), rng.randint(10, 3000)) for _ in range(n))]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-kind", type=int, default=60)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--timeout", type=float, default=30, help="seconds to wait for one answer")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    cases = kinds(rng, args.per_kind)
    tmp = Path(tempfile.mkdtemp(prefix="wivcheck-fault-"))
    made = subprocess.run([str(BIN), "tokens", "new", "--role", "analyst", "--name", "fault-run"],
                          capture_output=True, text=True, check=True).stdout
    token = made.split("token: ")[1].split()[0]
    (tmp / "tokens.yaml").write_text(made.split("entry for the tokens file:\n")[1])
    server = Server("--tokens", str(tmp / "tokens.yaml"), "--db", str(tmp / "log.sqlite3"))
    rows = []
    try:
        api = httpx.Client(base_url=server.url, headers={"authorization": f"Bearer {token}"}, timeout=args.timeout)
        page = httpx.Client(base_url=server.url, timeout=args.timeout)
        def csrf_of(html: str) -> str:  # (a version without CSRF tokens gets none)
            found = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
            return found.group(1) if found else ""
        page.post("/login", data={"token": token, "csrf": csrf_of(page.get("/login").text)})
        csrf = csrf_of(page.get("/").text)
        for kind, items in cases.items():
            counts = {"cli": Counter(), "api": Counter(), "page": Counter()}
            folder = tmp / re.sub(r"\W+", "-", kind)
            folder.mkdir()
            files = []
            for i, (suffix, raw) in enumerate(items):
                f = folder / f"{i}{suffix}"
                f.write_bytes(raw)
                files.append(f)
            out = subprocess.run([str(BIN), "check", "--format", "json", *map(str, files)],
                                 capture_output=True, text=True, timeout=600)
            for line in out.stdout.splitlines():
                d = json.loads(line)
                counts["cli"][d["decision"] if "decision" in d else "error"] += 1
            if sum(counts["cli"].values()) < len(files):  # a run that ended without answering every file
                counts["cli"]["no answer"] += len(files) - sum(counts["cli"].values())
            for f, (suffix, raw) in zip(files, items):
                if suffix == ".json":
                    try:
                        r = api.post("/v1/check", content=raw, headers={"content-type": "application/json"})
                        counts["api"][r.json().get("decision", "error") if r.status_code == 200 else
                                      ("error" if 400 <= r.status_code < 500 else f"status {r.status_code}")] += 1
                    except httpx.TransportError:
                        counts["api"]["no answer"] += 1
                try:
                    try:
                        r = page.post("/", data={"text": raw.decode("utf-8"), "action": "check", "csrf": csrf})
                    except UnicodeDecodeError:
                        r = page.post("/", files={"file": (f.name, raw)}, data={"action": "check", "csrf": csrf})
                except httpx.TransportError:
                    counts["page"]["no answer"] += 1
                    continue
                got = re.search(r'class="decision (allow|deny|escalate)"', r.text)
                counts["page"][got.group(1) if got else ("error" if 400 <= r.status_code < 500
                                                        else f"status {r.status_code}")] += 1
            rows.append((kind, len(items), counts))
            print(kind, {k: dict(v) for k, v in counts.items()}, file=sys.stderr, flush=True)
    finally:
        server.stop()
    total = Counter()
    print("| kind | inputs | CLI errors | API errors | page errors | decisions on bad input | allows | "
          "5xx or no answer |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for kind, n, c in rows:
        decisions = sum(v for front in c.values() for k, v in front.items() if k in ("allow", "deny", "escalate"))
        allows = sum(front["allow"] for front in c.values())
        faults = sum(v for front in c.values() for k, v in front.items()
                     if k not in ("allow", "deny", "escalate", "error"))
        api_n = sum(c["api"].values())
        print(f"| {kind} | {n} | {c['cli']['error']}/{sum(c['cli'].values())} | "
              f"{c['api']['error']}/{api_n} | {c['page']['error']}/{sum(c['page'].values())} | {decisions} | {allows} "
              f"| {faults} |")
        total["faults"] += faults
        total["inputs"] += n
        total["tried"] += sum(sum(front.values()) for front in c.values())
        total["decisions"] += decisions
        total["allows"] += allows
    print(f"\n{total['inputs']} bad inputs, {total['tried']} tries over CLI, API and page; "
          f"decisions on bad input: {total['decisions']}; allows on bad input: {total['allows']}; "
          f"5xx or no answer: {total['faults']}")
    sys.exit(1 if total["decisions"] or total["faults"] else 0)


if __name__ == "__main__":
    main()
