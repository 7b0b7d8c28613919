using LiverFlow.Dicom;

namespace LiverFlow.Bench.DicomParse;

/// <summary>Writes a synthetic axial MR series (256×256, 16-bit) with LiverFlow's writer, as a scanner would send it.</summary>
internal static class SyntheticSeries
{
    public static IReadOnlyList<string> Write(string folder, int count)
    {
        Directory.CreateDirectory(folder);
        var study = DicomUID.Generate().Value;
        var series = DicomUID.Generate().Value;
        var frameOfReference = DicomUID.Generate().Value;
        var random = new Random(7);
        var pixels = new ushort[256 * 256];
        var paths = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            for (var p = 0; p < pixels.Length; p++)
            {
                pixels[p] = (ushort)random.Next(0, 4096);
            }

            var referenced = new DicomDataset()
                .Add(DicomTag.ReferencedSOPClassUID, DicomUID.MRImageStorage.Value)
                .Add(DicomTag.ReferencedSOPInstanceUID, DicomUID.Generate().Value);
            var dataset = new DicomDataset()
                .Add(DicomTag.SpecificCharacterSet, "ISO_IR 100")
                .Add(DicomTag.ImageType, "ORIGINAL", "PRIMARY", "M", "ND")
                .Add(DicomTag.SOPClassUID, DicomUID.MRImageStorage.Value)
                .Add(DicomTag.SOPInstanceUID, DicomUID.Generate().Value)
                .Add(DicomTag.StudyDate, "20260101")
                .Add(DicomTag.SeriesDate, "20260101")
                .Add(DicomTag.StudyTime, "101010")
                .Add(DicomTag.AccessionNumber, "ACC0001")
                .Add(DicomTag.Modality, "MR")
                .Add(DicomTag.Manufacturer, "LiverFlow Phantom")
                .Add(DicomTag.ReferringPhysicianName, "Referrer^Rita")
                .Add(DicomTag.StudyDescription, "MRI LIVER DYNAMIC")
                .Add(DicomTag.SeriesDescription, "T1 VIBE ART")
                .Add(new DicomSequence(DicomTag.ReferencedImageSequence, referenced))
                .Add(DicomTag.PatientName, "Phantom^Liver")
                .Add(DicomTag.PatientID, "LF-0001")
                .Add(DicomTag.PatientBirthDate, "19600101")
                .Add(DicomTag.PatientSex, "F")
                .Add(DicomTag.ScanningSequence, "GR")
                .Add(DicomTag.SequenceVariant, "SP", "SK")
                .Add(DicomTag.SliceThickness, "3")
                .Add(DicomTag.RepetitionTime, "3.9")
                .Add(DicomTag.EchoTime, "1.3")
                .Add(DicomTag.MagneticFieldStrength, "1.5")
                .Add(DicomTag.FlipAngle, "10")
                .Add(DicomTag.StudyInstanceUID, study)
                .Add(DicomTag.SeriesInstanceUID, series)
                .Add(DicomTag.SeriesNumber, "5")
                .Add(DicomTag.InstanceNumber, (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Add(DicomTag.ImagePositionPatient, "-180", "-180", (i * 3.0).ToString("R", System.Globalization.CultureInfo.InvariantCulture))
                .Add(DicomTag.ImageOrientationPatient, "1", "0", "0", "0", "1", "0")
                .Add(DicomTag.FrameOfReferenceUID, frameOfReference)
                .Add(DicomTag.SamplesPerPixel, (ushort)1)
                .Add(DicomTag.PhotometricInterpretation, "MONOCHROME2")
                .Add(DicomTag.Rows, (ushort)256)
                .Add(DicomTag.Columns, (ushort)256)
                .Add(DicomTag.PixelSpacing, "1.40625", "1.40625")
                .Add(DicomTag.BitsAllocated, (ushort)16)
                .Add(DicomTag.BitsStored, (ushort)12)
                .Add(DicomTag.HighBit, (ushort)11)
                .Add(DicomTag.PixelRepresentation, (ushort)0)
                .Add(DicomTag.PixelData, DicomVR.OW, pixels);
            var path = Path.Combine(folder, $"MR{i:D4}.dcm");
            new DicomFile(dataset).Save(path);
            paths.Add(path);
        }

        return paths;
    }
}
