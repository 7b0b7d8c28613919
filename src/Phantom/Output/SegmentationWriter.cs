using System.Globalization;
using LiverFlow.Dicom;
using LiverFlow.Imaging;
using LiverFlow.Phantom.Generation;

namespace LiverFlow.Phantom.Output;

/// <summary>
/// A DICOM Segmentation (BINARY, 1 bit per pixel packed across frames without byte alignment, as the
/// standard requires): one segment per lesion, one frame per (segment, slice) that the lesion touches,
/// each frame referencing its source arterial instance and carrying its PlanePositionSequence.
/// </summary>
internal static class SegmentationWriter
{
    public static DicomDataset Build(
        StudyContext context,
        VolumeGeometry grid,
        string sourceSeriesUid,
        IReadOnlyList<string> sourceInstanceUids,
        IReadOnlyList<(LesionSpec Lesion, ImageVolume Mask)> masks)
    {
        var seed = context.Study.Seed;
        var dimensionOrganizationUid = DeterministicUids.For(seed, "seg/dimension-organization");
        var frames = new List<(int Segment, int Slice, ImageVolume Mask)>();
        foreach (var (lesion, mask) in masks)
        {
            for (var k = 0; k < grid.Slices; k++)
            {
                if (SliceHasVoxels(mask, k))
                {
                    frames.Add((lesion.SegmentNumber, k, mask));
                }
            }
        }

        var segments = masks.Select(m => new DicomDataset()
            .Add(DicomTag.SegmentNumber, DicomVR.US, (ushort)m.Lesion.SegmentNumber)
            .Add(DicomTag.SegmentLabel, DicomVR.LO, FormattableString.Invariant($"Lesion {m.Lesion.SegmentNumber}"))
            .Add(DicomTag.SegmentAlgorithmType, DicomVR.CS, "AUTOMATIC")
            .Add(DicomTag.SegmentAlgorithmName, DicomVR.LO, "LiverFlow phantom ground truth")
            .Add(new DicomSequence(DicomTag.SegmentedPropertyCategoryCodeSequence, Code("49755003", "SCT", "Morphologically abnormal structure")))
            .Add(new DicomSequence(DicomTag.SegmentedPropertyTypeCodeSequence, Code("4147007", "SCT", "Mass")))
            .Add(new DicomSequence(DicomTag.AnatomicRegionSequence, Code("10200004", "SCT", "Liver")))).ToArray();

        var shared = new DicomDataset()
            .Add(new DicomSequence(DicomTag.PixelMeasuresSequence, new DicomDataset()
                .Add(DicomTag.PixelSpacing, DicomVR.DS, PhantomDicomWriter.Ds(grid.RowSpacing), PhantomDicomWriter.Ds(grid.ColumnSpacing))
                .Add(DicomTag.SliceThickness, DicomVR.DS, PhantomDicomWriter.Ds(grid.SliceSpacing))
                .Add(DicomTag.SpacingBetweenSlices, DicomVR.DS, PhantomDicomWriter.Ds(grid.SliceSpacing))))
            .Add(new DicomSequence(DicomTag.PlaneOrientationSequence, new DicomDataset()
                .Add(DicomTag.ImageOrientationPatient, DicomVR.DS, [.. PhantomDicomWriter.Ds(grid.RowDirection), .. PhantomDicomWriter.Ds(grid.ColumnDirection)])));

        var perFrame = frames.Select(f => new DicomDataset()
            .Add(new DicomSequence(DicomTag.DerivationImageSequence, new DicomDataset()
                .Add(new DicomSequence(DicomTag.SourceImageSequence, new DicomDataset()
                    .Add(DicomTag.ReferencedSOPClassUID, DicomVR.UI, DicomUID.MRImageStorage.UID)
                    .Add(DicomTag.ReferencedSOPInstanceUID, DicomVR.UI, sourceInstanceUids[f.Slice])
                    .Add(new DicomSequence(DicomTag.PurposeOfReferenceCodeSequence, Code("121322", "DCM", "Source image for image processing operation")))))
                .Add(new DicomSequence(DicomTag.DerivationCodeSequence, Code("113076", "DCM", "Segmentation")))))
            .Add(new DicomSequence(DicomTag.FrameContentSequence, new DicomDataset()
                .Add(DicomTag.DimensionIndexValues, DicomVR.UL, (uint)f.Segment, (uint)(f.Slice + 1))))
            .Add(new DicomSequence(DicomTag.PlanePositionSequence, new DicomDataset()
                .Add(DicomTag.ImagePositionPatient, DicomVR.DS, PhantomDicomWriter.Ds(grid.SlicePosition(f.Slice)))))
            .Add(new DicomSequence(DicomTag.SegmentIdentificationSequence, new DicomDataset()
                .Add(DicomTag.ReferencedSegmentNumber, DicomVR.US, (ushort)f.Segment)))).ToArray();

        var referencedInstances = frames.Select(f => f.Slice).Distinct().Order().Select(k => new DicomDataset()
            .Add(DicomTag.ReferencedSOPClassUID, DicomVR.UI, DicomUID.MRImageStorage.UID)
            .Add(DicomTag.ReferencedSOPInstanceUID, DicomVR.UI, sourceInstanceUids[k])).ToArray();

        var time = PhantomDicomWriter.Time(context.InjectionTime.AddMinutes(30));
        var ds = context.PatientAndStudy();
        ds.Add(DicomTag.SOPClassUID, DicomVR.UI, DicomUID.SegmentationStorage.UID)
          .Add(DicomTag.SOPInstanceUID, DicomVR.UI, DeterministicUids.For(seed, "seg/instance"))
          .Add(DicomTag.ImageType, DicomVR.CS, "DERIVED", "PRIMARY")
          .Add(DicomTag.Modality, DicomVR.CS, "SEG")
          .Add(DicomTag.SeriesInstanceUID, DicomVR.UI, DeterministicUids.For(seed, "series/seg"))
          .Add(DicomTag.SeriesNumber, DicomVR.IS, "99")
          .Add(DicomTag.SeriesDescription, DicomVR.LO, "Lesion segmentation (phantom ground truth)")
          .Add(DicomTag.SeriesDate, DicomVR.DA, context.Date)
          .Add(DicomTag.SeriesTime, DicomVR.TM, time)
          .Add(DicomTag.ContentDate, DicomVR.DA, context.Date)
          .Add(DicomTag.ContentTime, DicomVR.TM, time)
          .Add(DicomTag.InstanceNumber, DicomVR.IS, "1")
          .Add(DicomTag.FrameOfReferenceUID, DicomVR.UI, context.FrameOfReferenceUid)
          .Add(DicomTag.PositionReferenceIndicator, DicomVR.LO, string.Empty)
          .Add(DicomTag.DeviceSerialNumber, DicomVR.LO, "LF-PHANTOM-1")
          .Add(DicomTag.SoftwareVersions, DicomVR.LO, "LiverFlow Phantom 1.0")
          .Add(DicomTag.ContentLabel, DicomVR.CS, "LESIONS")
          .Add(DicomTag.ContentDescription, DicomVR.LO, "Liver lesions drawn on the arterial phase")
          .Add(DicomTag.ContentCreatorName, DicomVR.PN, "LIVERFLOW^PHANTOM")
          .Add(DicomTag.SegmentationType, DicomVR.CS, "BINARY")
          .Add(DicomTag.SegmentsOverlap, DicomVR.CS, "NO")
          .Add(new DicomSequence(DicomTag.SegmentSequence, segments))
          .Add(new DicomSequence(DicomTag.ReferencedSeriesSequence, new DicomDataset()
              .Add(DicomTag.SeriesInstanceUID, DicomVR.UI, sourceSeriesUid)
              .Add(new DicomSequence(DicomTag.ReferencedInstanceSequence, referencedInstances))))
          .Add(new DicomSequence(DicomTag.DimensionOrganizationSequence, new DicomDataset()
              .Add(DicomTag.DimensionOrganizationUID, DicomVR.UI, dimensionOrganizationUid)))
          .Add(DicomTag.DimensionOrganizationType, DicomVR.CS, "3D")
          .Add(new DicomSequence(DicomTag.DimensionIndexSequence,
              new DicomDataset()
                  .Add(DicomTag.DimensionOrganizationUID, DicomVR.UI, dimensionOrganizationUid)
                  .Add(DicomTag.DimensionIndexPointer, DicomVR.AT, DicomTag.ReferencedSegmentNumber)
                  .Add(DicomTag.FunctionalGroupPointer, DicomVR.AT, DicomTag.SegmentIdentificationSequence)
                  .Add(DicomTag.DimensionDescriptionLabel, DicomVR.LO, "Segment Number"),
              new DicomDataset()
                  .Add(DicomTag.DimensionOrganizationUID, DicomVR.UI, dimensionOrganizationUid)
                  .Add(DicomTag.DimensionIndexPointer, DicomVR.AT, DicomTag.ImagePositionPatient)
                  .Add(DicomTag.FunctionalGroupPointer, DicomVR.AT, DicomTag.PlanePositionSequence)
                  .Add(DicomTag.DimensionDescriptionLabel, DicomVR.LO, "Image Position Patient")))
          .Add(new DicomSequence(DicomTag.SharedFunctionalGroupsSequence, shared))
          .Add(new DicomSequence(DicomTag.PerFrameFunctionalGroupsSequence, perFrame))
          .Add(DicomTag.NumberOfFrames, DicomVR.IS, frames.Count.ToString(CultureInfo.InvariantCulture))
          .Add(DicomTag.SamplesPerPixel, DicomVR.US, (ushort)1)
          .Add(DicomTag.PhotometricInterpretation, DicomVR.CS, "MONOCHROME2")
          .Add(DicomTag.Rows, DicomVR.US, (ushort)grid.Rows)
          .Add(DicomTag.Columns, DicomVR.US, (ushort)grid.Columns)
          .Add(DicomTag.BitsAllocated, DicomVR.US, (ushort)1)
          .Add(DicomTag.BitsStored, DicomVR.US, (ushort)1)
          .Add(DicomTag.HighBit, DicomVR.US, (ushort)0)
          .Add(DicomTag.PixelRepresentation, DicomVR.US, (ushort)0)
          .Add(DicomTag.LossyImageCompression, DicomVR.CS, "00")
          .Add(new DicomElement(DicomTag.PixelData, DicomVR.OB, PackFrames(grid, frames)));
        return ds;
    }

    /// <summary>Frames are concatenated bit by bit (LSB first), with no padding between frames, then padded to an even length.</summary>
    public static byte[] PackFrames(VolumeGeometry grid, IReadOnlyList<(int Segment, int Slice, ImageVolume Mask)> frames)
    {
        var pixelsPerFrame = (long)grid.Rows * grid.Columns;
        var totalBits = pixelsPerFrame * frames.Count;
        var bytes = new byte[((totalBits + 7) / 8 + 1) / 2 * 2];
        long bit = 0;
        foreach (var (_, slice, mask) in frames)
        {
            var offset = grid.Index(0, 0, slice);
            for (var n = 0; n < pixelsPerFrame; n++, bit++)
            {
                if (mask.Voxels[offset + n] > 0.5f)
                {
                    bytes[bit >> 3] |= (byte)(1 << (int)(bit & 7));
                }
            }
        }

        return bytes;
    }

    private static bool SliceHasVoxels(ImageVolume mask, int k)
    {
        var g = mask.Geometry;
        var offset = g.Index(0, 0, k);
        for (var n = 0; n < g.Rows * g.Columns; n++)
        {
            if (mask.Voxels[offset + n] > 0.5f)
            {
                return true;
            }
        }

        return false;
    }

    private static DicomDataset Code(string value, string scheme, string meaning) => new DicomDataset()
        .Add(DicomTag.CodeValue, DicomVR.SH, value)
        .Add(DicomTag.CodingSchemeDesignator, DicomVR.SH, scheme)
        .Add(DicomTag.CodeMeaning, DicomVR.LO, meaning);
}
