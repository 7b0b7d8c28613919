#!/usr/bin/python3
"""Prints the number of set pixels in each frame of a SEG, as pydicom decodes it (the reference for our reader)."""
import sys
import pydicom

ds = pydicom.dcmread(sys.argv[1])
a = ds.pixel_array
if a.ndim == 2:
    a = a[None]
print(" ".join(str(int((f > 0).sum())) for f in a))
