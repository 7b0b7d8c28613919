using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LiverFlow.Dicom.Json;

/// <summary>Choices for the DICOM JSON model (PS3.18 Annex F).</summary>
public sealed record DicomJsonOptions
{
    public static DicomJsonOptions Default { get; } = new();

    /// <summary>Binary values up to this many bytes are written inline as base64; larger ones become BulkData.</summary>
    public int InlineBinaryMaxBytes { get; init; } = 1024;

    /// <summary>
    /// Gives the BulkDataURI for a large binary value (or encapsulated pixel data); null or a null result leaves the
    /// value out, keeping only its "vr" (PS3.18 F.2.7 allows metadata without bulk data).
    /// </summary>
    public Func<DicomItem, string?>? BulkDataUri { get; init; }

    public bool Indented { get; init; }
}

/// <summary>
/// Writes a data set as DICOM JSON (PS3.18 F.2): tags as "GGGGEEEE", IS/DS as numbers, PN as
/// Alphabetic/Ideographic/Phonetic objects, AT as tag strings, sequences as arrays of objects, binary
/// as InlineBinary or BulkDataURI. Group lengths are left out (F.2.1.1.2).
/// </summary>
public static class DicomJsonWriter
{
    public static string Serialize(DicomDataset dataset, DicomJsonOptions? options = null)
    {
        using var memory = new MemoryStream();
        Write(memory, dataset, options);
        return Encoding.UTF8.GetString(memory.GetBuffer(), 0, (int)memory.Length);
    }

    public static void Write(Stream stream, DicomDataset dataset, DicomJsonOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(dataset);
        options ??= DicomJsonOptions.Default;
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = options.Indented });
        WriteDataset(writer, dataset, options);
    }

    public static void WriteDataset(Utf8JsonWriter writer, DicomDataset dataset, DicomJsonOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(options);
        writer.WriteStartObject();
        foreach (var item in dataset)
        {
            if (item.Tag.IsGroupLength)
            {
                continue;
            }

            writer.WritePropertyName(string.Create(CultureInfo.InvariantCulture, $"{item.Tag.Group:X4}{item.Tag.Element:X4}"));
            writer.WriteStartObject();
            writer.WriteString("vr", item.ValueRepresentation.Code);
            WriteValue(writer, item, options);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, DicomItem item, DicomJsonOptions options)
    {
        switch (item)
        {
            case DicomSequence sequence:
                if (sequence.Items.Count == 0)
                {
                    return;
                }

                writer.WriteStartArray("Value");
                foreach (var child in sequence.Items)
                {
                    WriteDataset(writer, child, options);
                }

                writer.WriteEndArray();
                return;
            case DicomFragmentSequence:
                WriteBulkData(writer, item, options);
                return;
            case DicomElement element:
                WriteElement(writer, element, options);
                return;
        }
    }

    private static void WriteElement(Utf8JsonWriter writer, DicomElement element, DicomJsonOptions options)
    {
        var vr = element.ValueRepresentation;
        if (element.Length == 0)
        {
            return;
        }

        if (vr.Kind == VRKind.Bytes)
        {
            if (element.Length <= options.InlineBinaryMaxBytes)
            {
                writer.WriteBase64String("InlineBinary", element.Buffer.Span);
            }
            else
            {
                WriteBulkData(writer, element, options);
            }

            return;
        }

        var count = element.Count;
        if (count == 0)
        {
            return;
        }

        writer.WriteStartArray("Value");
        if (vr == DicomVR.PN)
        {
            foreach (var value in element.GetStrings())
            {
                var groups = value.Split('=');
                writer.WriteStartObject();
                string[] names = ["Alphabetic", "Ideographic", "Phonetic"];
                for (var i = 0; i < Math.Min(groups.Length, 3); i++)
                {
                    if (groups[i].Length > 0)
                    {
                        writer.WriteString(names[i], groups[i]);
                    }
                }

                writer.WriteEndObject();
            }
        }
        else if (vr == DicomVR.IS || vr == DicomVR.DS)
        {
            foreach (var value in element.GetStrings())
            {
                WriteNumericString(writer, element, value, integer: vr == DicomVR.IS);
            }
        }
        else if (vr.Kind == VRKind.String)
        {
            foreach (var value in element.GetStrings())
            {
                if (value.Length == 0)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    writer.WriteStringValue(value);
                }
            }
        }
        else if (vr == DicomVR.AT)
        {
            for (var i = 0; i < count; i++)
            {
                var tag = element.Get<DicomTag>(i);
                writer.WriteStringValue(string.Create(CultureInfo.InvariantCulture, $"{tag.Group:X4}{tag.Element:X4}"));
            }
        }
        else if (vr == DicomVR.FL || vr == DicomVR.FD)
        {
            for (var i = 0; i < count; i++)
            {
                var number = element.Get<double>(i);
                if (double.IsFinite(number))
                {
                    writer.WriteNumberValue(vr == DicomVR.FL ? (double)element.Get<float>(i) : number);
                }
                else
                {
                    // JSON has no NaN or infinity; null marks the value as absent rather than inventing one.
                    writer.WriteNullValue();
                }
            }
        }
        else if (vr == DicomVR.UV)
        {
            for (var i = 0; i < count; i++)
            {
                writer.WriteNumberValue(element.Get<ulong>(i));
            }
        }
        else
        {
            for (var i = 0; i < count; i++)
            {
                writer.WriteNumberValue(element.Get<long>(i));
            }
        }

        writer.WriteEndArray();
    }

    private static void WriteNumericString(Utf8JsonWriter writer, DicomElement element, string value, bool integer)
    {
        if (value.Length == 0)
        {
            writer.WriteNullValue();
            return;
        }

        if (integer && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole))
        {
            writer.WriteNumberValue(whole);
        }
        else if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && double.IsFinite(real))
        {
            writer.WriteNumberValue(real);
        }
        else
        {
            throw new DicomDataException($"{element.Describe()}: '{value}' is not a valid {element.ValueRepresentation} number, so it has no DICOM JSON form.");
        }
    }

    private static void WriteBulkData(Utf8JsonWriter writer, DicomItem item, DicomJsonOptions options)
    {
        var uri = options.BulkDataUri?.Invoke(item);
        if (uri is not null)
        {
            writer.WriteString("BulkDataURI", uri);
        }
    }
}
