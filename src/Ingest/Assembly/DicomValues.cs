using System.Globalization;
using LiverFlow.Dicom;
using LiverFlow.Imaging;

namespace LiverFlow.Ingest.Assembly;

/// <summary>Lenient attribute access: real studies carry empty, padded or malformed optional values, and one bad value must not sink a study.</summary>
internal static class DicomValues
{
    public static string Text(this DicomDataset ds, DicomTag tag) =>
        ds.TryGetString(tag, out var value) ? value.Trim(' ', '\0') : "";

    public static string[] Texts(this DicomDataset ds, DicomTag tag) =>
        ds.TryGetValues<string>(tag, out var values) ? values.Select(v => v.Trim(' ', '\0')).Where(v => v.Length > 0).ToArray() : [];

    public static int? Int(this DicomDataset ds, DicomTag tag)
    {
        if (ds.GetElement(tag) is not { Count: > 0 })
        {
            return null;
        }
        if (ds.TryGetSingleValue<int>(tag, out var i))
        {
            return i;
        }
        return double.TryParse(ds.Text(tag), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? (int)Math.Round(d) : null;
    }

    public static double? Double(this DicomDataset ds, DicomTag tag)
    {
        if (ds.GetElement(tag) is not { Count: > 0 })
        {
            return null;
        }
        if (ds.TryGetSingleValue<double>(tag, out var d) && double.IsFinite(d))
        {
            return d;
        }
        return double.TryParse(ds.Text(tag), NumberStyles.Float, CultureInfo.InvariantCulture, out d) && double.IsFinite(d) ? d : null;
    }

    public static double[]? Doubles(this DicomDataset ds, DicomTag tag, int count)
    {
        if (ds.GetElement(tag) is not { Count: > 0 })
        {
            return null;
        }
        if (ds.TryGetValues<double>(tag, out var values) && values.Length >= count && values.Take(count).All(double.IsFinite))
        {
            return values[..count];
        }
        var parts = ds.Text(tag).Split('\\');
        if (parts.Length < count)
        {
            return null;
        }
        var parsed = new double[count];
        for (var n = 0; n < count; n++)
        {
            if (!double.TryParse(parts[n], NumberStyles.Float, CultureInfo.InvariantCulture, out parsed[n]) || !double.IsFinite(parsed[n]))
            {
                return null;
            }
        }
        return parsed;
    }

    public static Vector3d? Vector(this DicomDataset ds, DicomTag tag) =>
        ds.Doubles(tag, 3) is { } v ? new Vector3d(v[0], v[1], v[2]) : null;

    /// <summary>First item of a sequence, or null.</summary>
    public static DicomDataset? Item(this DicomDataset ds, DicomTag sequence) =>
        ds.TryGetSequence(sequence, out var s) && s.Items.Count > 0 ? s.Items[0] : null;

    /// <summary>
    /// DICOM TM (PS3.5 §6.2): HHMMSS.FFFFFF with optional trailing components; the ACR-NEMA form
    /// HH:MM:SS still appears in old scanners' output.
    /// </summary>
    public static TimeOnly? ParseTime(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        var t = text.Trim().Replace(":", "", StringComparison.Ordinal);
        var fraction = 0.0;
        var dot = t.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            if (!double.TryParse("0" + t[dot..], NumberStyles.Float, CultureInfo.InvariantCulture, out fraction))
            {
                return null;
            }
            t = t[..dot];
        }
        if (t.Length is not (2 or 4 or 6) || !t.All(char.IsAsciiDigit))
        {
            return null;
        }
        var hours = int.Parse(t[..2], CultureInfo.InvariantCulture);
        var minutes = t.Length >= 4 ? int.Parse(t[2..4], CultureInfo.InvariantCulture) : 0;
        var seconds = t.Length >= 6 ? int.Parse(t[4..6], CultureInfo.InvariantCulture) : 0;
        if (hours > 23 || minutes > 59 || seconds > 60)
        {
            return null;
        }
        return new TimeOnly(hours, minutes, Math.Min(seconds, 59)).Add(TimeSpan.FromSeconds(fraction));
    }

    public static TimeOnly? Time(this DicomDataset ds, DicomTag tag) => ParseTime(ds.Text(tag));
}
