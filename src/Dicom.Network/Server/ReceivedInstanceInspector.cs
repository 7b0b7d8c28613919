namespace LiverFlow.Dicom.Network.Server;

/// <summary>What the received Part 10 file says about itself, or why it cannot be read.</summary>
internal sealed record InstanceInspection(string? SopClassUid, string? SopInstanceUid, DicomStatus? Problem);

/// <summary>
/// Parses a freshly received file with the core reader before any provider sees it, so a
/// malformed data set becomes a C-STORE failure status instead of a surprise downstream.
/// </summary>
internal static class ReceivedInstanceInspector
{
    /// <summary>Parses the data set from memory when the sink kept it, else the file on disk.</summary>
    public static InstanceInspection Inspect(string path, ReadOnlyMemory<byte>? dataSet, string transferSyntaxUid)
    {
        DicomDataset dataset;
        try
        {
            dataset = dataSet is { } bytes
                ? IO.DicomDatasetReader.Read(bytes, DicomTransferSyntax.Parse(transferSyntaxUid))
                : DicomFile.Open(path).Dataset;
        }
        catch (DicomException ex)
        {
            return new InstanceInspection(null, null, DicomStatus.StorageCannotUnderstand.WithComment($"Data set cannot be parsed: {ex.Message}"));
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IndexOutOfRangeException or OverflowException or FormatException)
        {
            // A reader defect on hostile input must still end in a status, not a dropped association.
            return new InstanceInspection(null, null, DicomStatus.StorageCannotUnderstand.WithComment($"Data set cannot be parsed: {ex.GetType().Name}"));
        }

        var sopClass = dataset.TryGetString(DicomTag.SOPClassUID, out var c) ? c.Trim(' ', '\0') : null;
        var sopInstance = dataset.TryGetString(DicomTag.SOPInstanceUID, out var i) ? i.Trim(' ', '\0') : null;
        if (string.IsNullOrEmpty(sopInstance))
        {
            return new InstanceInspection(sopClass, null, DicomStatus.StorageCannotUnderstand.WithComment("Data set has no SOP Instance UID (0008,0018)"));
        }

        if (string.IsNullOrEmpty(sopClass))
        {
            return new InstanceInspection(null, sopInstance, DicomStatus.StorageCannotUnderstand.WithComment("Data set has no SOP Class UID (0008,0016)"));
        }

        return new InstanceInspection(sopClass, sopInstance, null);
    }
}
