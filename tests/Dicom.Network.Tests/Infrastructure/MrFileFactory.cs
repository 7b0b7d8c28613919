using System.Globalization;

namespace LiverFlow.Dicom.Network.Tests.Infrastructure;

/// <summary>Writes small synthetic MR instances with the core writer: real Part 10 files, no PHI.</summary>
internal static class MrFileFactory
{
    public static DicomDataset CreateDataset(int instanceNumber, int rows = 16, int columns = 16, string? studyUid = null, string? seriesUid = null)
    {
        var pixels = new byte[rows * columns * 2];
        for (var i = 0; i < rows * columns; i++)
        {
            var value = (ushort)((i * 7 + instanceNumber * 13) & 0x0FFF);
            pixels[2 * i] = (byte)value;
            pixels[(2 * i) + 1] = (byte)(value >> 8);
        }

        var dataset = new DicomDataset()
            .Add(DicomTag.SpecificCharacterSet, "ISO_IR 100")
            .Add(DicomTag.ImageType, "ORIGINAL", "PRIMARY", "OTHER")
            .Add(DicomTag.SOPClassUID, DicomUID.MRImageStorage.Value)
            .Add(DicomTag.SOPInstanceUID, DicomUID.Generate().Value)
            .Add(DicomTag.StudyDate, "20260101")
            .Add(DicomTag.Modality, "MR")
            .Add(DicomTag.SeriesDescription, "ax t1 vibe portal venous")
            .Add(DicomTag.PatientName, "Phantom^Liver")
            .Add(DicomTag.PatientID, "PHANTOM-001")
            .Add(DicomTag.StudyInstanceUID, studyUid ?? DicomUID.Generate().Value)
            .Add(DicomTag.SeriesInstanceUID, seriesUid ?? DicomUID.Generate().Value)
            .Add(DicomTag.SeriesNumber, "5")
            .Add(DicomTag.InstanceNumber, instanceNumber.ToString(CultureInfo.InvariantCulture))
            .Add(DicomTag.ImagePositionPatient, "-120", "-100", (instanceNumber * 2.5).ToString(CultureInfo.InvariantCulture))
            .Add(DicomTag.ImageOrientationPatient, "1", "0", "0", "0", "1", "0")
            .Add(DicomTag.SamplesPerPixel, (ushort)1)
            .Add(DicomTag.PhotometricInterpretation, "MONOCHROME2")
            .Add(DicomTag.Rows, (ushort)rows)
            .Add(DicomTag.Columns, (ushort)columns)
            .Add(DicomTag.PixelSpacing, "1.5", "1.5")
            .Add(DicomTag.BitsAllocated, (ushort)16)
            .Add(DicomTag.BitsStored, (ushort)12)
            .Add(DicomTag.HighBit, (ushort)11)
            .Add(DicomTag.PixelRepresentation, (ushort)0)
            .Add(DicomTag.PixelData, DicomVR.OW, pixels);

        // A sequence and a private block, so transfer and transcoding keep nested and private data.
        dataset.Add(new DicomSequence(
            DicomTag.ReferencedImageSequence,
            new DicomDataset()
                .Add(DicomTag.ReferencedSOPClassUID, DicomUID.MRImageStorage.Value)
                .Add(DicomTag.ReferencedSOPInstanceUID, DicomUID.Generate().Value)));
        dataset.Add(new DicomTag(0x0029, 0x0010), DicomVR.LO, "LIVERFLOW TEST");
        dataset.Add(new DicomTag(0x0029, 0x1001), DicomVR.LO, "private note");
        return dataset;
    }

    public static string Write(string folder, int instanceNumber, DicomTransferSyntax? syntax = null, int rows = 16, int columns = 16, string? studyUid = null, string? seriesUid = null)
    {
        var dataset = CreateDataset(instanceNumber, rows, columns, studyUid, seriesUid);
        var path = Path.Combine(folder, $"mr{instanceNumber:D4}.dcm");
        new DicomFile(dataset, syntax ?? DicomTransferSyntax.ExplicitVRLittleEndian).Save(path);
        return path;
    }

    public static List<string> WriteSeries(string folder, int count, int rows = 16, int columns = 16)
    {
        var study = DicomUID.Generate().Value;
        var series = DicomUID.Generate().Value;
        return Enumerable.Range(1, count).Select(i => Write(folder, i, null, rows, columns, study, series)).ToList();
    }
}
