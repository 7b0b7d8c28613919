#!/usr/bin/python3
"""Prints pydicom's decoded Patient's Name for each path (JSON list on stdin)."""
import json
import sys
import warnings

import pydicom

warnings.simplefilter("ignore")
result = {}
for path in json.load(sys.stdin):
    ds = pydicom.dcmread(path, force=True)
    result[path] = str(ds.PatientName)
json.dump(result, sys.stdout, ensure_ascii=False)
