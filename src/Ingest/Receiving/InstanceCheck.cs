using LiverFlow.Contracts;
using LiverFlow.Dicom;
using LiverFlow.Ingest.Assembly;

namespace LiverFlow.Ingest.Receiving;

/// <summary>What Ingest needs from an instance to index it.</summary>
public sealed record InstanceIdentity(
    string StudyInstanceUid,
    string SeriesInstanceUid,
    string SopInstanceUid,
    string SopClassUid,
    string Modality,
    int? SeriesNumber,
    string SeriesDescription,
    int? InstanceNumber,
    string PatientId,
    string IssuerOfPatientId);

/// <summary>
/// Decides whether a parsed instance can be kept, before anything is acknowledged. A rejection names
/// the attribute and the problem so the sending site can fix its export; it never quotes patient data.
/// </summary>
public static class InstanceCheck
{
    public static (InstanceIdentity? Identity, string? Problem) Inspect(DicomDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var study = dataset.Text(DicomTag.StudyInstanceUID);
        var series = dataset.Text(DicomTag.SeriesInstanceUID);
        var sop = dataset.Text(DicomTag.SOPInstanceUID);
        var sopClass = dataset.Text(DicomTag.SOPClassUID);
        if (sop.Length == 0)
        {
            return (null, "no SOP Instance UID (0008,0018)");
        }
        if (sopClass.Length == 0)
        {
            return (null, "no SOP Class UID (0008,0016)");
        }
        if (study.Length == 0)
        {
            return (null, "no Study Instance UID (0020,000D): the instance cannot be grouped into a study");
        }
        if (series.Length == 0)
        {
            return (null, "no Series Instance UID (0020,000E): the instance cannot be grouped into a series");
        }
        foreach (var (name, uid) in new[] { ("Study Instance UID", study), ("Series Instance UID", series), ("SOP Instance UID", sop) })
        {
            try
            {
                StudyIdentity.ValidateStudyInstanceUid(uid);
            }
            catch (ArgumentException ex)
            {
                return (null, $"{name} is not a valid DICOM UID: {ex.Message.Replace("StudyInstanceUID", name, StringComparison.Ordinal).Split(" (Parameter", 2)[0]}");
            }
        }
        if (PixelDataProblem(dataset) is { } pixelProblem)
        {
            return (null, pixelProblem);
        }
        var description = dataset.Text(DicomTag.SeriesDescription);
        return (new InstanceIdentity(study, series, sop, sopClass, dataset.Text(DicomTag.Modality), dataset.Int(DicomTag.SeriesNumber),
            description.Length > 64 ? description[..64] : description, dataset.Int(DicomTag.InstanceNumber),
            dataset.Text(DicomTag.PatientID), dataset.Text(DicomTag.IssuerOfPatientID)), null);
    }

    /// <summary>
    /// Native pixel data must hold every frame: a truncated file parses (the element is just short)
    /// but would fail much later, in the middle of building a volume, far from the sender.
    /// </summary>
    public static string? PixelDataProblem(DicomDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (dataset.GetItem(DicomTag.PixelData) is not DicomElement pixels)
        {
            return null; // encapsulated (fragments) or no pixel data: checked when a volume is built
        }
        var rows = dataset.Int(DicomTag.Rows);
        var columns = dataset.Int(DicomTag.Columns);
        var bits = dataset.Int(DicomTag.BitsAllocated);
        if (rows is not > 0 || columns is not > 0 || bits is not (1 or 8 or 16 or 32 or 64))
        {
            return $"pixel data without a usable image description (Rows {rows?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "absent"}, Columns {columns?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "absent"}, Bits Allocated {bits?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "absent"})";
        }
        var frames = Math.Max(1, dataset.Int(DicomTag.NumberOfFrames) ?? 1);
        var samples = Math.Max(1, dataset.Int(DicomTag.SamplesPerPixel) ?? 1);
        var expectedBits = (long)rows.Value * columns.Value * frames * samples * bits.Value;
        var expected = (expectedBits + 7) / 8;
        if (pixels.Length < expected)
        {
            return string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"pixel data is truncated: {pixels.Length} bytes where {frames} frame(s) of {rows}×{columns} at {bits} bits need {expected}");
        }
        return null;
    }
}
