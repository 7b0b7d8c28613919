#!/usr/bin/python3
"""Dumps every element value of DICOM files as canonical JSON, using pydicom as the independent reader.

Run with Debian's /usr/bin/python3 (python3-pydicom). Reads a JSON list of paths on stdin and writes
{path: {element-path: canonical value} | {"__error__": message}} to stdout, all files in one process.

Canonical values make two encodings of the same data comparable: text as pydicom decodes it,
binary numbers and byte values as a SHA-1 of their little-endian bytes (big-endian files are swapped),
sequences as their item count plus their items' elements. Group lengths are skipped (they depend on
the encoding), and so is File Meta except the Media Storage SOP Class/Instance UIDs.
"""
import hashlib
import json
import struct
import sys
import warnings

import pydicom
from pydicom.multival import MultiValue
from pydicom.sequence import Sequence

warnings.simplefilter("ignore")

NUMERIC = {"US": "H", "SS": "h", "UL": "I", "SL": "i", "FL": "f", "FD": "d", "SV": "q", "UV": "Q"}
WORD = {"OW": 2, "OF": 4, "OL": 4, "OD": 8, "OV": 8}


def digest(data):
    return "sha1:" + hashlib.sha1(data).hexdigest() + ":" + str(len(data))


def swap(data, size):
    out = bytearray(data)
    for i in range(0, len(out) - len(out) % size, size):
        out[i:i + size] = out[i:i + size][::-1]
    return bytes(out)


def canonical(elem, little_endian):
    vr = elem.VR
    value = elem.value
    if value is None or value == "" or value == b"":
        return ""
    if vr in NUMERIC:
        values = value if isinstance(value, (list, MultiValue)) else [value]
        return digest(struct.pack("<" + NUMERIC[vr] * len(values), *values))
    if vr == "AT":
        values = value if isinstance(value, (list, MultiValue)) else [value]
        return digest(b"".join(struct.pack("<HH", int(v) >> 16, int(v) & 0xFFFF) for v in values))
    if isinstance(value, (bytes, bytearray)):
        data = bytes(value)
        if not little_endian and not elem.is_undefined_length:
            size = WORD.get(vr, 1)
            if size > 1:
                data = swap(data, size)
        if len(data) % 2 == 1 and not elem.is_undefined_length:
            # PS3.5 7.1.1: values have even length; a writer pads an odd one with NUL.
            data += b"\x00"

        return digest(data)
    if isinstance(value, (list, MultiValue)):
        return "\\".join(str(v) for v in value)
    return str(value)


def walk(dataset, prefix, out, little_endian):
    for elem in dataset:
        if elem.tag.element == 0 or elem.tag.group == 2:
            continue
        key = prefix + "%08X" % elem.tag
        if elem.VR == "SQ":
            out[key] = "SQ:%d" % len(elem.value)
            for i, item in enumerate(elem.value):
                walk(item, key + "/%d/" % i, out, little_endian)
        else:
            try:
                out[key] = canonical(elem, little_endian)
            except Exception as ex:  # a value pydicom cannot convert is still a comparable fact
                out[key] = "error:%s" % type(ex).__name__


def dump(path):
    ds = pydicom.dcmread(path, force=True)
    out = {}
    meta = getattr(ds, "file_meta", None)
    for tag in (0x00020002, 0x00020003):
        # Files without File Meta carry these in the data set (where pydicom leaves them) or not at all.
        source = meta if meta is not None and tag in meta else ds
        if tag in source:
            out["%08X" % tag] = str(source[tag].value)
    little = ds.is_little_endian if ds.is_little_endian is not None else True
    walk(ds, "", out, little)
    return out


def main():
    paths = json.load(sys.stdin)
    result = {}
    for path in paths:
        try:
            result[path] = dump(path)
        except Exception as ex:
            result[path] = {"__error__": "%s: %s" % (type(ex).__name__, ex)}
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
