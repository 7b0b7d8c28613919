"""Reads a phantom study back with pydicom (an independent DICOM implementation) and prints a JSON summary:
per series the phases, geometry and contrast tags; for the SEG the frames, segments, references and the
number of set pixels per segment after unpacking the 1-bit frames."""
import glob
import json
import os
import sys

import numpy as np
import pydicom

study = sys.argv[1]
summary = {"series": {}, "seg": None}
for path in sorted(glob.glob(os.path.join(study, "*", "*.dcm"))):
    ds = pydicom.dcmread(path)
    if ds.Modality == "SEG":
        frames = ds.pixel_array.reshape(int(ds.NumberOfFrames), ds.Rows, ds.Columns)
        per_segment = {}
        positions = []
        for n, item in enumerate(ds.PerFrameFunctionalGroupsSequence):
            segment = int(item.SegmentIdentificationSequence[0].ReferencedSegmentNumber)
            per_segment[segment] = per_segment.get(segment, 0) + int(frames[n].sum())
            positions.append([float(v) for v in item.PlanePositionSequence[0].ImagePositionPatient])
        summary["seg"] = {
            "sop_class": ds.SOPClassUID,
            "type": ds.SegmentationType,
            "bits_allocated": int(ds.BitsAllocated),
            "frames": int(ds.NumberOfFrames),
            "segments": [int(s.SegmentNumber) for s in ds.SegmentSequence],
            "voxels_per_segment": {str(k): v for k, v in per_segment.items()},
            "referenced_series": ds.ReferencedSeriesSequence[0].SeriesInstanceUID,
            "frame_of_reference": ds.FrameOfReferenceUID,
            "first_source_instance": ds.PerFrameFunctionalGroupsSequence[0].DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID,
            "positions": positions[:3],
        }
        continue
    key = ds.SeriesInstanceUID
    entry = summary["series"].setdefault(key, {
        "description": ds.SeriesDescription, "number": int(ds.SeriesNumber), "instances": 0,
        "contrast": "ContrastBolusAgent" in ds, "temporal_positions": [], "acquisition_times": [],
        "rows": int(ds.Rows), "columns": int(ds.Columns), "pixel_spacing": [float(v) for v in ds.PixelSpacing],
        "frame_of_reference": ds.FrameOfReferenceUID, "sop_instances": [],
    })
    entry["instances"] += 1
    entry["sop_instances"].append(ds.SOPInstanceUID)
    if "TemporalPositionIdentifier" in ds and int(ds.TemporalPositionIdentifier) not in entry["temporal_positions"]:
        entry["temporal_positions"].append(int(ds.TemporalPositionIdentifier))
    if ds.AcquisitionTime not in entry["acquisition_times"]:
        entry["acquisition_times"].append(ds.AcquisitionTime)
    assert ds.pixel_array.shape == (ds.Rows, ds.Columns)
print(json.dumps(summary))
