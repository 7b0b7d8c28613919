#!/usr/bin/python3
"""Prints, per file and frame, a SHA-1 of pydicom's pixel_array (as little-endian int64, samples interleaved).

Run with Debian's /usr/bin/python3 (python3-pydicom, python3-numpy); paths as a JSON list on stdin.
"""
import hashlib
import json
import sys
import warnings

import numpy
import pydicom

warnings.simplefilter("ignore")


def frames(path):
    ds = pydicom.dcmread(path, force=True)
    if "TransferSyntaxUID" not in ds.file_meta:
        # A bare data set: tell pydicom's pixel handlers the syntax it was read in.
        ds.file_meta.TransferSyntaxUID = pydicom.uid.ImplicitVRLittleEndian if ds.is_implicit_VR else pydicom.uid.ExplicitVRLittleEndian
    arr = ds.pixel_array
    count = int(getattr(ds, "NumberOfFrames", 1) or 1)
    if count == 1:
        arr = arr[numpy.newaxis, ...]
    return [hashlib.sha1(numpy.ascontiguousarray(f).astype("<i8").tobytes()).hexdigest() for f in arr]


def main():
    result = {}
    for path in json.load(sys.stdin):
        try:
            result[path] = frames(path)
        except Exception as ex:
            result[path] = ["error: %s: %s" % (type(ex).__name__, ex)]
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
