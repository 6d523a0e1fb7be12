#!/usr/bin/env python3
"""Verify the R2P Commitment Tracker's public ledger with nothing but the Python standard library.

Usage:
    python verify_ledger.py r2p-tracker-open-data.zip
    python verify_ledger.py ledger.jsonl
    python verify_ledger.py page-1.json page-2.json ...      # pages saved from /api/v1/ledger/
    python verify_ledger.py dump.zip --head 1234:9f86d081884c7d65...   # a head you kept earlier

What it checks (docs/ledger.md defines the format):
  * the entries run 1, 2, 3, ... with nothing missing, repeated or out of order;
  * each entry's ``previous_hash`` is the hash of the entry before it (the first: 64 zeros);
  * each entry's ``hash`` is the SHA-256 of the canonical JSON of the entry without ``hash``
    (keys sorted, no insignificant whitespace, UTF-8);
  * in a zip, that the head in ``datapackage.json`` is the last entry of ``ledger.jsonl``;
  * with ``--head SEQUENCE:HASH``, that the chain still contains that entry unchanged — i.e. the
    chain you held then is a prefix of the chain you are given now.

Exit status: 0 verified; 1 broken (the first broken sequence is named); 2 unreadable input.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import zipfile
from collections.abc import Iterable, Iterator

GENESIS_HASH = "0" * 64


class Broken(Exception):
    def __init__(self, sequence, message: str):
        super().__init__(f"sequence {sequence}: {message}")
        self.sequence = sequence


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_hash(entry: dict) -> str:
    body = {key: value for key, value in entry.items() if key != "hash"}
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def _lines(stream) -> Iterator[dict]:
    for number, line in enumerate(stream, start=1):
        line = line.decode("utf-8") if isinstance(line, bytes) else line
        if line.strip():
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"line {number} is not JSON: {exc}") from exc


def _jsonl(path: str) -> Iterator[dict]:
    with open(path, "rb") as handle:
        yield from _lines(handle)


def _api_pages(paths: Iterable[str]) -> Iterator[dict]:
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        yield from data["results"] if isinstance(data, dict) else data


def read_zip(path: str) -> tuple[Iterator[dict], dict | None]:
    archive = zipfile.ZipFile(path)
    try:
        package = json.loads(archive.read("datapackage.json"))
    except KeyError:
        package = {}
    return _lines(archive.open("ledger.jsonl")), package.get("ledger_head")


def entries_from(paths: list[str]) -> tuple[Iterator[dict], dict | None]:
    if len(paths) == 1 and zipfile.is_zipfile(paths[0]):
        return read_zip(paths[0])
    if len(paths) == 1 and paths[0].endswith(".jsonl"):
        return _jsonl(paths[0]), None
    return _api_pages(paths), None


def verify(entries: Iterable[dict], *, held_head: tuple[int, str] | None = None) -> dict:
    """Walk the chain; raise :class:`Broken` at the first entry that does not hold. Returns the
    last entry's sequence and hash. Constant memory."""
    expected, previous = 1, GENESIS_HASH
    held_seen = held_head is None
    last = {"sequence": 0, "hash": GENESIS_HASH}
    for entry in entries:
        sequence = entry.get("sequence")
        if sequence != expected:
            raise Broken(sequence, f"expected sequence {expected} (entries missing or moved)")
        if entry.get("previous_hash") != previous:
            raise Broken(sequence, "previous_hash is not the hash of the entry before it")
        if entry_hash(entry) != entry.get("hash"):
            raise Broken(sequence, "hash does not match the entry's content")
        if held_head is not None and sequence == held_head[0]:
            if entry["hash"] != held_head[1]:
                raise Broken(sequence, "the head you held is not in this chain: history rewritten")
            held_seen = True
        expected, previous = sequence + 1, entry["hash"]
        last = {"sequence": sequence, "hash": entry["hash"]}
    if not held_seen:
        raise Broken(held_head[0], "the head you held is beyond the end of this chain")
    return last


def _parse_head(text: str) -> tuple[int, str]:
    sequence, _sep, digest = text.partition(":")
    if not sequence.isdigit() or len(digest) != 64:
        raise argparse.ArgumentTypeError("give the head as SEQUENCE:SHA256")
    return int(sequence), digest.lower()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="an open-data zip, a ledger.jsonl or API pages")
    parser.add_argument(
        "--head", type=_parse_head, help="SEQUENCE:HASH of a head you kept (prefix check)"
    )
    args = parser.parse_args(argv)
    try:
        entries, published_head = entries_from(args.paths)
        last = verify(entries, held_head=args.head)
        if published_head is not None and (
            published_head.get("sequence") != last["sequence"]
            or published_head.get("hash") != last["hash"]
        ):
            raise Broken(
                published_head.get("sequence"),
                "datapackage.json names a head that is not the last entry of ledger.jsonl",
            )
    except Broken as exc:
        print(f"BROKEN at {exc}", file=sys.stderr)
        return 1
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        print(f"Cannot read the ledger: {exc}", file=sys.stderr)
        return 2
    print(f"OK: {last['sequence']} entries verified; head {last['sequence']}:{last['hash']}")
    if args.head:
        print(f"The head you held ({args.head[0]}) is part of this chain, unchanged.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
