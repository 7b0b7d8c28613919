namespace LiverFlow.Dicom.Network.Tests.Infrastructure;

/// <summary>
/// Compares two data sets element by element through the core reader, independent of transfer
/// syntax: values are compared as decoded bytes (big endian is swapped on read), text with its
/// padding trimmed. A VR of UN on either side (private data read as Implicit VR) matches any VR.
/// </summary>
internal static class DatasetComparer
{
    /// <summary>Data Set Trailing Padding (FFFC,FFFC) has no content; dcmtk drops it when sending.</summary>
    private static readonly DicomTag TrailingPadding = new(0xFFFC, 0xFFFC);

    public static List<string> Differences(DicomDataset expected, DicomDataset actual, string path = "")
    {
        var differences = new List<string>();
        var expectedItems = expected.Where(Compared).ToDictionary(i => i.Tag);
        var actualItems = actual.Where(Compared).ToDictionary(i => i.Tag);
        foreach (var tag in expectedItems.Keys.Union(actualItems.Keys).Order())
        {
            var where = $"{path}{tag}";
            if (!expectedItems.TryGetValue(tag, out var e))
            {
                differences.Add($"{where} only in received");
                continue;
            }

            if (!actualItems.TryGetValue(tag, out var a))
            {
                differences.Add($"{where} missing from received");
                continue;
            }

            if (e.ValueRepresentation != a.ValueRepresentation && e.ValueRepresentation != DicomVR.UN && a.ValueRepresentation != DicomVR.UN)
            {
                differences.Add($"{where} VR {e.ValueRepresentation} became {a.ValueRepresentation}");
                continue;
            }

            switch (e, a)
            {
                case (DicomSequence es, DicomSequence @as):
                    if (es.Items.Count != @as.Items.Count)
                    {
                        differences.Add($"{where} has {@as.Items.Count} items, expected {es.Items.Count}");
                        break;
                    }

                    for (var i = 0; i < es.Items.Count; i++)
                    {
                        differences.AddRange(Differences(es.Items[i], @as.Items[i], $"{where}[{i}]."));
                    }

                    break;
                case (DicomElement ee, DicomElement ae):
                    if (!Trim(ee.Buffer.Span).SequenceEqual(Trim(ae.Buffer.Span)))
                    {
                        differences.Add($"{where} value differs ({ee.Buffer.Length} vs {ae.Buffer.Length} bytes)");
                    }

                    break;
                case (DicomFragmentSequence ef, DicomFragmentSequence af):
                    if (ef.Fragments.Count != af.Fragments.Count || !ef.Fragments.Zip(af.Fragments).All(p => p.First.Span.SequenceEqual(p.Second.Span)))
                    {
                        differences.Add($"{where} fragments differ");
                    }

                    break;
                default:
                    // Private sequences read as Implicit VR come back as UN bytes: compare nothing finer.
                    if (e.ValueRepresentation != DicomVR.UN && a.ValueRepresentation != DicomVR.UN)
                    {
                        differences.Add($"{where} is {e.GetType().Name} vs {a.GetType().Name}");
                    }

                    break;
            }
        }

        return differences;
    }

    private static bool Compared(DicomItem item) => item.Tag.Group != 0x0002 && !item.Tag.IsGroupLength && item.Tag != TrailingPadding;

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> value)
    {
        while (value.Length > 0 && value[^1] is 0 or (byte)' ')
        {
            value = value[..^1];
        }

        return value;
    }
}
