#!/usr/bin/python3
"""Writes a small synthetic multiphasic liver MR study with pydicom (an independent DICOM writer),
a DICOM SEG of its lesions and a ground-truth JSON, for Ingest's end-to-end tests.

  make_study.py --out DIR --vendor siemens|ge|philips --seed N [--variant normal|no-arterial|ct|corrupt]
                [--fractional]

The study follows the vendors' habits, not our classifier: Siemens puts the three dynamic phases in
one series told apart by Temporal Position Identifier ("t1_vibe_fs_tra_bh_3 x dyn_Gd"), GE writes one
series per phase with timing in the name and ContrastBolusStartTime, Philips writes one series per
phase with the agent but no bolus start time (phases follow from agent and acquisition order).
Grids are 61 x 59 pixels so 1-bit SEG frames do not end on byte boundaries; slices are spaced 3 mm
while SliceThickness says 3.5 (spacing must come from positions); the delayed phase is shifted half a
slice so it has to be resampled onto the arterial grid.
"""
import argparse, json, os, datetime
import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

MR = "1.2.840.10008.5.1.4.1.1.4"
CT = "1.2.840.10008.5.1.4.1.1.2"
SEG = "1.2.840.10008.5.1.4.1.1.66.4"
COLS, ROWS, SLICES = 61, 59, 24
PIXEL = 2.5          # mm in-plane
SPACING = 3.0        # mm between slice centres
ORIGIN = np.array([-75.0, -70.0, -30.0])
BOLUS = "100000"


def uid(seed, *parts):
    return generate_uid(prefix="1.2.826.0.1.3680043.8.498.", entropy_srcs=[str(seed)] + [str(p) for p in parts])


def world(i, j, k, z_shift=0.0):
    return ORIGIN + np.array([i * PIXEL, j * PIXEL, k * SPACING + z_shift])


def phantom(rng, lesions, phase, z_shift):
    jj, ii = np.mgrid[0:ROWS, 0:COLS]
    vol = np.zeros((SLICES, ROWS, COLS), dtype=np.float64)
    liver_level = {"pre": 300, "arterial": 420, "portal": 600, "delayed": 520, "t2": 200}[phase]
    lesion_level = {"pre": 200, "arterial": 900, "portal": 450, "delayed": 350, "t2": 700}[phase]
    for k in range(SLICES):
        x = ORIGIN[0] + ii * PIXEL
        y = ORIGIN[1] + jj * PIXEL
        z = ORIGIN[2] + k * SPACING + z_shift
        body = (x / 70.0) ** 2 + (y / 65.0) ** 2 <= 1
        liver = ((x + 10) / 55.0) ** 2 + ((y + 5) / 45.0) ** 2 + (z / 40.0) ** 2 <= 1
        img = np.where(body, 150.0, 0.0)
        img = np.where(liver, liver_level, img)
        for les in lesions:
            c = np.array(les["centreLps"])
            inside = (x - c[0]) ** 2 + (y - c[1]) ** 2 + (z - c[2]) ** 2 <= (les["diameterMm"] / 2) ** 2
            img = np.where(inside, lesion_level, img)
        vol[k] = img + rng.normal(0, 8, img.shape)
    return np.clip(vol, 0, 4000).astype(np.uint16)


def base(seed, modality, sop_class, study_uid, patient):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = "1.2.826.0.1.3680043.8.498.1"
    ds = FileDataset(None, {}, file_meta=meta, preamble=b"\0" * 128)
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.SOPClassUID = sop_class
    ds.Modality = modality
    ds.StudyInstanceUID = study_uid
    ds.PatientName = patient["name"]
    ds.PatientID = patient["id"]
    ds.PatientBirthDate = "19600101"
    ds.PatientSex = "O"
    ds.StudyDate = "20260101"
    ds.StudyTime = "095000"
    ds.AccessionNumber = f"ACC{seed}"
    ds.StudyID = "1"
    ds.ReferringPhysicianName = ""
    ds.Manufacturer = patient["manufacturer"]
    ds.FrameOfReferenceUID = uid(seed, "for")
    ds.PositionReferenceIndicator = ""
    ds.PatientPosition = "HFS"
    ds.BodyPartExamined = "ABDOMEN"
    return meta, ds


def write_series(out, seed, study_uid, patient, series, modality="MR", sop_class=MR, corrupt=False):
    """series: dict(number, description, phase, time, agent, bolus, tpi list of (tpi, phase, time), echo, image_type, z_shift)."""
    rng = np.random.default_rng(seed * 100 + series["number"])
    series_uid = uid(seed, "series", series["number"])
    positions = series.get("tpi") or [(None, series["phase"], series["time"])]
    written = []
    instance = 0
    for tpi, phase, time in positions:
        vol = phantom(rng, patient["lesions"], phase, series.get("z_shift", 0.0))
        for k in range(SLICES):
            instance += 1
            meta, ds = base(seed, modality, sop_class, study_uid, patient)
            ds.SOPInstanceUID = uid(seed, "sop", series["number"], instance)
            meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
            ds.SeriesInstanceUID = series_uid
            ds.SeriesNumber = series["number"]
            ds.SeriesDescription = series["description"]
            ds.ProtocolName = series["description"]
            ds.SeriesTime = series["time"]
            ds.AcquisitionTime = time
            ds.ContentTime = time
            ds.InstanceNumber = instance
            ds.ImageType = series.get("image_type", ["ORIGINAL", "PRIMARY", "M", "ND"])
            if modality == "MR":
                ds.ScanningSequence = "GR"
                ds.SequenceVariant = "SP"
                ds.EchoTime = series.get("echo", 1.3)
                ds.RepetitionTime = 3.9
                ds.MagneticFieldStrength = 1.5
                ds.ScanOptions = ""
                ds.EchoTrainLength = 1
                ds.MRAcquisitionType = "3D"
            if series.get("agent"):
                ds.ContrastBolusAgent = series["agent"]
            if series.get("bolus"):
                ds.ContrastBolusStartTime = series["bolus"]
            if tpi is not None:
                ds.TemporalPositionIdentifier = tpi
                ds.NumberOfTemporalPositions = len(positions)
            ds.ImagePositionPatient = [f"{v:.4f}" for v in world(0, 0, k, series.get("z_shift", 0.0))]
            ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
            ds.PixelSpacing = [PIXEL, PIXEL]
            ds.SliceThickness = 3.5
            ds.SliceLocation = f"{world(0, 0, k, series.get('z_shift', 0.0))[2]:.4f}"
            ds.SamplesPerPixel = 1
            ds.PhotometricInterpretation = "MONOCHROME2"
            ds.Rows, ds.Columns = ROWS, COLS
            ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
            if modality == "CT":
                ds.RescaleSlope, ds.RescaleIntercept, ds.RescaleType = 1, -1024, "HU"
            pixels = vol[k].tobytes()
            if corrupt and k == SLICES // 2:
                pixels = pixels[: len(pixels) // 3 * 2]  # cut: the element is short but the file still parses
            ds.PixelData = pixels
            path = os.path.join(out, f"s{series['number']:03d}_{instance:04d}.dcm")
            ds.save_as(path, write_like_original=False)
            written.append({"sop": ds.SOPInstanceUID, "ipp": [float(v) for v in ds.ImagePositionPatient], "path": path})
    return series_uid, written


def write_seg(out, seed, study_uid, patient, source_series_uid, source, fractional):
    meta, ds = base(seed, "SEG", SEG, study_uid, patient)
    ds.SOPInstanceUID = uid(seed, "seg")
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.SeriesInstanceUID = uid(seed, "segseries")
    ds.SeriesNumber = 300
    ds.SeriesDescription = "Lesion segmentation"
    ds.InstanceNumber = 1
    ds.ContentLabel = "LESIONS"
    ds.ManufacturerModelName, ds.DeviceSerialNumber, ds.SoftwareVersions = "make_study.py", "1", "1"
    ds.ContentDescription = "synthetic"
    ds.ContentCreatorName = "TEST"
    ds.ContentDate, ds.ContentTime = "20260101", "101000"
    ds.ImageType = ["DERIVED", "PRIMARY"]
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.Rows, ds.Columns = ROWS, COLS
    if fractional:
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 8, 8, 7
        ds.SegmentationType, ds.SegmentationFractionalType, ds.MaximumFractionalValue = "FRACTIONAL", "PROBABILITY", 255
    else:
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 1, 1, 0
        ds.SegmentationType = "BINARY"
    ds.PixelRepresentation = 0
    ds.LossyImageCompression = "00"
    segments = []
    frames = []
    per_frame = []
    for n, les in enumerate(patient["lesions"], start=1):
        item = Dataset()
        item.SegmentNumber = n
        item.SegmentLabel = les["label"]
        item.SegmentAlgorithmType = "MANUAL"
        cat = Dataset(); cat.CodeValue, cat.CodingSchemeDesignator, cat.CodeMeaning = "49755003", "SCT", "Morphologically Altered Structure"
        typ = Dataset(); typ.CodeValue, typ.CodingSchemeDesignator, typ.CodeMeaning = "4147007", "SCT", "Mass"
        item.SegmentedPropertyCategoryCodeSequence = Sequence([cat])
        item.SegmentedPropertyTypeCodeSequence = Sequence([typ])
        segments.append(item)
        c = np.array(les["centreLps"])
        r = les["diameterMm"] / 2
        jj, ii = np.mgrid[0:ROWS, 0:COLS]
        for k, src in enumerate(source):
            z = src["ipp"][2]
            x = src["ipp"][0] + ii * PIXEL
            y = src["ipp"][1] + jj * PIXEL
            mask = (x - c[0]) ** 2 + (y - c[1]) ** 2 + (z - c[2]) ** 2 <= r * r
            if not mask.any():
                continue
            frames.append((mask * (255 if fractional else 1)).astype(np.uint8))
            fg = Dataset()
            pos = Dataset(); pos.ImagePositionPatient = [f"{v:.4f}" for v in src["ipp"]]
            fg.PlanePositionSequence = Sequence([pos])
            ident = Dataset(); ident.ReferencedSegmentNumber = n
            fg.SegmentIdentificationSequence = Sequence([ident])
            content = Dataset(); content.DimensionIndexValues = [n, k + 1]
            fg.FrameContentSequence = Sequence([content])
            deriv = Dataset()
            srcimg = Dataset(); srcimg.ReferencedSOPClassUID = MR; srcimg.ReferencedSOPInstanceUID = src["sop"]
            purpose = Dataset(); purpose.CodeValue, purpose.CodingSchemeDesignator, purpose.CodeMeaning = "121322", "DCM", "Source image for image processing operation"
            srcimg.PurposeOfReferenceCodeSequence = Sequence([purpose])
            deriv.SourceImageSequence = Sequence([srcimg])
            code = Dataset(); code.CodeValue, code.CodingSchemeDesignator, code.CodeMeaning = "113076", "DCM", "Segmentation"
            deriv.DerivationCodeSequence = Sequence([code])
            fg.DerivationImageSequence = Sequence([deriv])
            per_frame.append(fg)
    ds.SegmentSequence = Sequence(segments)
    org = Dataset(); org.DimensionOrganizationUID = uid(seed, "dimorg")
    ds.DimensionOrganizationSequence = Sequence([org])
    dims = []
    for pointer, group in (((0x0062, 0x000B), (0x0062, 0x000A)), ((0x0020, 0x0032), (0x0020, 0x9113))):
        d = Dataset(); d.DimensionOrganizationUID = org.DimensionOrganizationUID
        d.DimensionIndexPointer = pointer; d.FunctionalGroupPointer = group
        dims.append(d)
    ds.DimensionIndexSequence = Sequence(dims)
    shared = Dataset()
    orient = Dataset(); orient.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    measures = Dataset(); measures.PixelSpacing = [PIXEL, PIXEL]; measures.SliceThickness = 3.5; measures.SpacingBetweenSlices = SPACING
    shared.PlaneOrientationSequence = Sequence([orient])
    shared.PixelMeasuresSequence = Sequence([measures])
    ds.SharedFunctionalGroupsSequence = Sequence([shared])
    ds.PerFrameFunctionalGroupsSequence = Sequence(per_frame)
    ds.NumberOfFrames = len(frames)
    ref = Dataset(); ref.SeriesInstanceUID = source_series_uid
    refs = []
    for src in source:
        r = Dataset(); r.ReferencedSOPClassUID = MR; r.ReferencedSOPInstanceUID = src["sop"]
        refs.append(r)
    ref.ReferencedInstanceSequence = Sequence(refs)
    ds.ReferencedSeriesSequence = Sequence([ref])
    if frames:
        stack = np.stack(frames)
        ds.PixelData = stack.tobytes() if fractional else np.packbits(stack.reshape(-1), bitorder="little").tobytes()
    ds.save_as(os.path.join(out, "seg.dcm"), write_like_original=False)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--vendor", default="siemens", choices=["siemens", "ge", "philips"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--variant", default="normal", choices=["normal", "no-arterial", "ct", "corrupt"])
    ap.add_argument("--fractional", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rng = np.random.default_rng(a.seed)
    study_uid = uid(a.seed, "study", a.vendor, a.variant)
    lesions = []
    for n in range(2):
        # Inside the liver, apart from each other; centres off the voxel grid on purpose.
        centre = [-30.0 + 35 * n + rng.uniform(-3, 3), -10.0 + rng.uniform(-6, 6), -6.0 + 10 * n + rng.uniform(-2, 2)]
        diameter = float(rng.uniform(20, 28))
        lesions.append({"label": f"lesion {n + 1}", "centreLps": centre, "diameterMm": diameter,
                        "volumeMm3": 4.0 / 3.0 * np.pi * (diameter / 2) ** 3})
    patient = {"name": f"PHANTOM^{a.vendor.upper()}{a.seed}", "id": f"LF{a.seed:06d}", "lesions": lesions,
               "manufacturer": {"siemens": "SIEMENS", "ge": "GE MEDICAL SYSTEMS", "philips": "Philips Medical Systems"}[a.vendor]}
    truth = {"studyInstanceUid": study_uid, "vendor": a.vendor, "variant": a.variant, "lesions": lesions, "series": {},
             "grid": {"columns": COLS, "rows": ROWS, "slices": SLICES, "pixelMm": PIXEL, "spacingMm": SPACING}}
    if a.variant == "ct":
        uid_, _ = write_series(a.out, a.seed, study_uid, patient,
                               {"number": 2, "description": "CT ABDOMEN W CONTRAST", "phase": "portal", "time": "100110", "agent": "OMNIPAQUE"},
                               modality="CT", sop_class=CT)
        truth["series"][uid_] = None
        json.dump(truth, open(os.path.join(a.out, "truth.json"), "w"), indent=1)
        return
    agent = "Gadavist"
    loc = {"number": 1, "description": "3-plane localizer", "phase": "pre", "time": "095500", "image_type": ["ORIGINAL", "PRIMARY", "LOCALIZER"]}
    t2 = {"number": 3, "description": {"siemens": "t2_haste_tra_mbh", "ge": "Ax SSFSE T2", "philips": "T2W_SPAIR"}[a.vendor],
          "phase": "t2", "time": "095700", "echo": 90.0}
    if a.vendor == "siemens":
        series = [loc, t2,
                  {"number": 5, "description": "t1_vibe_fs_tra_bh_pre", "phase": "pre", "time": "095900"},
                  {"number": 6, "description": "t1_vibe_fs_tra_bh_3 x dyn_Gd", "agent": agent, "bolus": BOLUS, "time": "100030",
                   "tpi": [(1, "arterial", "100030"), (2, "portal", "100115"), (3, "delayed", "100300")]}]
        expected = {5: {None: "PreContrast"}, 6: {1: "Arterial", 2: "PortalVenous", 3: "Delayed"}}
    elif a.vendor == "ge":
        series = [loc, t2,
                  {"number": 5, "description": "Ax LAVA-Flex pre", "phase": "pre", "time": "095900"},
                  {"number": 6, "description": "Ax LAVA-Flex 30s", "phase": "arterial", "time": "100030", "agent": agent, "bolus": BOLUS},
                  {"number": 7, "description": "Ax LAVA-Flex 75s", "phase": "portal", "time": "100115", "agent": agent, "bolus": BOLUS},
                  {"number": 8, "description": "Ax LAVA-Flex 3min", "phase": "delayed", "time": "100300", "agent": agent, "bolus": BOLUS, "z_shift": 1.5}]
        expected = {5: {None: "PreContrast"}, 6: {None: "Arterial"}, 7: {None: "PortalVenous"}, 8: {None: "Delayed"}}
    else:
        series = [loc, t2,
                  {"number": 501, "description": "sT1W_eTHRIVE", "phase": "pre", "time": "095900"},
                  {"number": 601, "description": "sT1W_eTHRIVE dyn", "phase": "arterial", "time": "100030", "agent": agent},
                  {"number": 701, "description": "sT1W_eTHRIVE dyn", "phase": "portal", "time": "100115", "agent": agent},
                  {"number": 801, "description": "sT1W_eTHRIVE dyn", "phase": "delayed", "time": "100300", "agent": agent, "z_shift": 1.5}]
        expected = {501: {None: "PreContrast"}, 601: {None: "Arterial"}, 701: {None: "PortalVenous"}, 801: {None: "Delayed"}}
    if a.variant == "no-arterial":
        if a.vendor == "siemens":
            series[3]["tpi"] = [(2, "portal", "100115"), (3, "delayed", "100300")]
            series[3]["time"] = "100115"
        else:
            series = [s for s in series if s.get("phase") != "arterial"]
    arterial_source = None
    for s in series:
        su, written = write_series(a.out, a.seed, study_uid, patient, s, corrupt=(a.variant == "corrupt" and s["number"] == 3))
        truth["series"][su] = {str(k): v for k, v in expected.get(s["number"], {}).items()} or None
        if s["number"] in (6, 601) and a.variant != "no-arterial":
            arterial_source = su, written[:SLICES]
    if arterial_source is not None and a.variant == "normal":
        write_seg(a.out, a.seed, study_uid, patient, arterial_source[0], arterial_source[1], a.fractional)
    json.dump(truth, open(os.path.join(a.out, "truth.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
