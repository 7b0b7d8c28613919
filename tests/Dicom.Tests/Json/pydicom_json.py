#!/usr/bin/python3
"""Prints pydicom's DICOM JSON (PS3.18 F) for each path given as a JSON list on stdin; all binary inline."""
import json
import sys
import warnings

import pydicom

warnings.simplefilter("ignore")

result = {}
for path in json.load(sys.stdin):
    ds = pydicom.dcmread(path, force=True)
    result[path] = ds.to_json_dict(bulk_data_threshold=1 << 30, bulk_data_element_handler=None)
json.dump(result, sys.stdout)
