namespace LiverFlow.Dicom;

/// <summary>Anything a data set holds under a tag: a value element, a sequence, or encapsulated pixel data.</summary>
public abstract class DicomItem
{
    protected DicomItem(DicomTag tag, DicomVR vr)
    {
        ArgumentNullException.ThrowIfNull(vr);
        Tag = tag;
        ValueRepresentation = vr;
    }

    public DicomTag Tag { get; }

    public DicomVR ValueRepresentation { get; }

    public override string ToString() => $"{Tag} {ValueRepresentation} {Tag.Keyword ?? "(private or unknown)"}";
}

/// <summary>A sequence of items (VR SQ), each item a nested data set.</summary>
public sealed class DicomSequence : DicomItem
{
    public DicomSequence(DicomTag tag, params DicomDataset[] items)
        : base(tag, DicomVR.SQ)
    {
        Items = new List<DicomDataset>(items ?? []);
    }

    public DicomSequence(DicomTag tag, IEnumerable<DicomDataset> items)
        : base(tag, DicomVR.SQ)
    {
        Items = new List<DicomDataset>(items);
    }

    public IList<DicomDataset> Items { get; }
}

/// <summary>
/// Encapsulated pixel data (PS3.5 A.4): the Basic Offset Table and the fragments, kept exactly as
/// read so compressed images round-trip byte for byte even when LiverFlow cannot decode them.
/// </summary>
public sealed class DicomFragmentSequence : DicomItem
{
    public DicomFragmentSequence(DicomTag tag, DicomVR vr, IEnumerable<uint> offsetTable, IEnumerable<ReadOnlyMemory<byte>> fragments)
        : base(tag, vr)
    {
        OffsetTable = new List<uint>(offsetTable);
        Fragments = new List<ReadOnlyMemory<byte>>(fragments);
    }

    /// <summary>Byte offsets of each frame's first fragment, relative to the first fragment's item tag; may be empty.</summary>
    public IList<uint> OffsetTable { get; }

    public IList<ReadOnlyMemory<byte>> Fragments { get; }
}
