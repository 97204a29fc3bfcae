#!/usr/bin/env python3
"""Builds data/public-ca-subjects.txt: the subject names of every CA certificate disclosed to the CCADB.

The chain analysis (src/rules/chain/public_ca.rs) reads the file to tell a missing public intermediate
from a private CA: an issuer whose subject is in the list is a known public CA. Each line is the first
16 bytes (hex) of the SHA-256 of a subject Name's DER (the whole TLV, as a child's issuer field carries
it). Input: CCADB CSV reports with a PEM column (AllCertificatePEMsCSVFormat, or Mozilla's
PublicAllIntermediateCertsWithPEMCSV). Standard library only; network only in `make ccadb`.

Usage: ccadb_subjects.py --date YYYY-MM-DD --source TEXT OUT.txt REPORT.csv [REPORT.csv ...]
"""

import argparse
import base64
import csv
import hashlib
import re
import sys

PEM = re.compile(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", re.S)


def tlv(data, at):
    """(tag, start of value, end of value) of the DER TLV at `at`."""
    tag = data[at]
    length = data[at + 1]
    at += 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(data[at:at + count], "big")
        at += count
    if at + length > len(data):
        raise ValueError("truncated DER")
    return tag, at, at + length


def subject_name(der):
    """The subject Name TLV of a certificate."""
    _, cert, _ = tlv(der, 0)
    _, tbs, tbs_end = tlv(der, cert)
    at = tbs
    fields = []
    while at < tbs_end and len(fields) < 6:
        tag, value, end = tlv(der, at)
        fields.append((tag, at, end))
        at = end
    # [0] version is optional: skip it, then serial, signature, issuer, validity, subject.
    if fields and fields[0][0] == 0xA0:
        fields = fields[1:]
    _, start, end = fields[4]
    return der[start:end]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--date", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("out")
    parser.add_argument("reports", nargs="+")
    args = parser.parse_args()
    csv.field_size_limit(sys.maxsize)
    hashes = set()
    certificates = 0
    skipped = 0
    for path in args.reports:
        with open(path, newline="", encoding="utf-8", errors="replace") as report:
            for row in csv.reader(report):
                for cell in row:
                    for body in PEM.findall(cell):
                        try:
                            der = base64.b64decode(re.sub(r"[^A-Za-z0-9+/=]", "", body))
                            name = subject_name(der)
                        except (ValueError, IndexError):
                            skipped += 1
                            continue
                        certificates += 1
                        hashes.add(hashlib.sha256(name).hexdigest()[:32])
    if certificates == 0:
        sys.exit("no certificate found in the reports: is the CCADB report URL still right?")
    with open(args.out, "w", encoding="utf-8") as out:
        out.write(f"# CCADB CA subjects, as of {args.date}\n")
        out.write(f"# source: {args.source}\n")
        out.write(f"# {certificates} certificates ({skipped} unreadable skipped), {len(hashes)} distinct subjects\n")
        out.write("# each line: SHA-256 of the subject Name DER, first 16 bytes, hex (scripts/ccadb_subjects.py)\n")
        for h in sorted(hashes):
            out.write(h + "\n")
    print(f"{args.out}: {len(hashes)} subjects from {certificates} certificates", file=sys.stderr)


if __name__ == "__main__":
    main()
