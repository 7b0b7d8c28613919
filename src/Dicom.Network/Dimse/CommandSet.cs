using LiverFlow.Dicom.IO;

namespace LiverFlow.Dicom.Network;

/// <summary>Command Data Set Type values (0000,0800), PS3.7 §E.1.</summary>
public static class CommandDataSetTypes
{
    /// <summary>"No data set follows"; any other value means one does.</summary>
    public const ushort NoDataSet = 0x0101;

    /// <summary>What we send when a data set follows (dcmtk and fo-dicom send the same).</summary>
    public const ushort DataSetPresent = 0x0000;
}

/// <summary>
/// A DIMSE command set (PS3.7 §E.1): a <see cref="DicomDataset"/> of group 0000 elements, always
/// Implicit VR Little Endian on the wire, encoded and decoded by the core's data set codec with
/// Command Group Length (0000,0000) computed on write. Decoding refuses elements outside group
/// 0000, which no command may carry.
/// </summary>
public sealed class CommandSet
{
    public CommandSet()
        : this(new DicomDataset())
    {
    }

    private CommandSet(DicomDataset dataset)
    {
        Dataset = dataset;
    }

    public DicomDataset Dataset { get; }

    public bool Contains(DicomTag tag) => Dataset.Contains(tag);

    public CommandSet SetUInt16(DicomTag tag, ushort value)
    {
        Dataset.AddOrUpdate(tag, DicomVR.US, value);
        return this;
    }

    public CommandSet SetString(DicomTag tag, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Dataset.AddOrUpdate(tag, value);
        return this;
    }

    public ushort? GetUInt16(DicomTag tag)
    {
        if (!Dataset.Contains(tag))
        {
            return null;
        }

        try
        {
            return Dataset.GetSingleValue<ushort>(tag);
        }
        catch (DicomException ex)
        {
            throw new DicomNetworkException($"Command element {tag} is not a single US value: {ex.Message}", ex);
        }
    }

    public ushort GetRequiredUInt16(DicomTag tag) =>
        GetUInt16(tag) ?? throw new DicomNetworkException($"Command set lacks required element {tag} {tag.Keyword}.");

    public string? GetString(DicomTag tag)
    {
        if (!Dataset.TryGetString(tag, out var value))
        {
            return null;
        }

        var trimmed = value.Trim(' ', '\0');
        return trimmed.Length == 0 ? null : trimmed;
    }

    public DicomCommandField CommandField => (DicomCommandField)GetRequiredUInt16(DicomTag.CommandField);

    public bool HasDataSet => GetUInt16(DicomTag.CommandDataSetType) is { } type && type != CommandDataSetTypes.NoDataSet;

    public byte[] Encode() => DicomDatasetWriter.EncodeCommand(Dataset);

    /// <summary>Decodes an Implicit VR LE command set received in command PDVs.</summary>
    public static CommandSet Decode(ReadOnlyMemory<byte> data)
    {
        DicomDataset dataset;
        try
        {
            // Copy: the PDVs' buffer is reused for the next PDU, and element values would slice it.
            dataset = DicomDatasetReader.ReadCommand(data.ToArray());
        }
        catch (DicomException ex)
        {
            throw new DicomNetworkException($"Command set cannot be parsed: {ex.Message}", ex);
        }

        foreach (var item in dataset)
        {
            if (item.Tag.Group != 0x0000)
            {
                throw new DicomNetworkException($"Command set contains element {item.Tag} outside group 0000.");
            }
        }

        var command = new CommandSet(dataset);
        if (!dataset.Contains(DicomTag.CommandField))
        {
            throw new DicomNetworkException("Command set has no Command Field (0000,0100).");
        }

        _ = command.CommandField;
        return command;
    }
}
