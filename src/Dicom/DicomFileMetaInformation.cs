namespace LiverFlow.Dicom;

/// <summary>File Meta Information (group 0002, PS3.10 7.1), always encoded in Explicit VR Little Endian.</summary>
public sealed class DicomFileMetaInformation : DicomDataset
{
    /// <summary>LiverFlow's Implementation Class UID: a 2.25 UUID-derived UID, fixed for this implementation.</summary>
    public const string LiverFlowImplementationClassUid = "2.25.302511234470127765314406411349851137001";

    /// <summary>Implementation Version Name (SH, at most 16 characters).</summary>
    public const string LiverFlowImplementationVersionName = "LIVERFLOW_1";

    public DicomFileMetaInformation()
    {
    }

    /// <summary>Meta describing <paramref name="dataset"/>: its SOP Class and Instance UIDs and the given transfer syntax.</summary>
    public DicomFileMetaInformation(DicomDataset dataset, DicomTransferSyntax syntax)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(syntax);
        Add(DicomTag.FileMetaInformationVersion, DicomVR.OB, new byte[] { 0, 1 });
        if (dataset.TryGetString(DicomTag.SOPClassUID, out var sopClass))
        {
            MediaStorageSOPClassUID = sopClass;
        }

        if (dataset.TryGetString(DicomTag.SOPInstanceUID, out var sopInstance))
        {
            MediaStorageSOPInstanceUID = sopInstance;
        }

        TransferSyntax = syntax;
        StampImplementation();
    }

    public string? MediaStorageSOPClassUID
    {
        get => TryGetString(DicomTag.MediaStorageSOPClassUID, out var v) ? v : null;
        set => SetOrRemove(DicomTag.MediaStorageSOPClassUID, DicomVR.UI, value);
    }

    public string? MediaStorageSOPInstanceUID
    {
        get => TryGetString(DicomTag.MediaStorageSOPInstanceUID, out var v) ? v : null;
        set => SetOrRemove(DicomTag.MediaStorageSOPInstanceUID, DicomVR.UI, value);
    }

    /// <summary>Transfer Syntax UID (0002,0010); a file without one is treated as Implicit VR Little Endian (the default syntax).</summary>
    public DicomTransferSyntax TransferSyntax
    {
        get => TryGetString(DicomTag.TransferSyntaxUID, out var uid) && uid.Length > 0
            ? DicomTransferSyntax.Parse(uid)
            : DicomTransferSyntax.ImplicitVRLittleEndian;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            AddOrUpdate(DicomTag.TransferSyntaxUID, DicomVR.UI, value.UID.Value);
        }
    }

    public string? ImplementationClassUID
    {
        get => TryGetString(DicomTag.ImplementationClassUID, out var v) ? v : null;
        set => SetOrRemove(DicomTag.ImplementationClassUID, DicomVR.UI, value);
    }

    public string? ImplementationVersionName
    {
        get => TryGetString(DicomTag.ImplementationVersionName, out var v) ? v : null;
        set => SetOrRemove(DicomTag.ImplementationVersionName, DicomVR.SH, value);
    }

    public string? SourceApplicationEntityTitle
    {
        get => TryGetString(DicomTag.SourceApplicationEntityTitle, out var v) ? v : null;
        set => SetOrRemove(DicomTag.SourceApplicationEntityTitle, DicomVR.AE, value);
    }

    /// <summary>Marks the file as written by LiverFlow (PS3.7 D.3.3.2 identifies the writer, not the creator).</summary>
    public void StampImplementation()
    {
        ImplementationClassUID = LiverFlowImplementationClassUid;
        ImplementationVersionName = LiverFlowImplementationVersionName;
    }

    private void SetOrRemove(DicomTag tag, DicomVR vr, string? value)
    {
        if (value is null)
        {
            Remove(tag);
        }
        else
        {
            AddOrUpdate(tag, vr, value);
        }
    }
}
