using System.Globalization;

namespace LiverFlow.Dicom;

/// <summary>Parses and formats DA (YYYYMMDD), TM (HHMMSS.FFFFFF, truncated forms allowed) and DT values.</summary>
internal static class DicomDateTime
{
    private static readonly string[] DateFormats = ["yyyyMMdd", "yyyy.MM.dd"];

    private static readonly string[] TimeFormats = ["HHmmss.FFFFFF", "HHmmss", "HHmm", "HH", "HH:mm:ss.FFFFFF", "HH:mm:ss", "HH:mm"];

    private static readonly string[] DateTimeFormats =
        ["yyyyMMddHHmmss.FFFFFF", "yyyyMMddHHmmss", "yyyyMMddHHmm", "yyyyMMddHH", "yyyyMMdd", "yyyyMM", "yyyy"];

    public static DateTime Parse(string value, DicomVR vr, string element)
    {
        var text = value.Trim();
        string[] formats;
        if (vr == DicomVR.DA)
        {
            formats = DateFormats;
        }
        else if (vr == DicomVR.TM)
        {
            formats = TimeFormats;
        }
        else
        {
            // DT may end with a UTC offset (&ZZXX); it is dropped because LiverFlow keeps acquisition-local times.
            var offset = text.IndexOfAny(['+', '-'], 4);
            if (offset > 0)
            {
                text = text[..offset];
            }

            formats = DateTimeFormats;
        }

        if (DateTime.TryParseExact(text, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var result))
        {
            return vr == DicomVR.TM ? DateTime.MinValue.Add(result.TimeOfDay) : result;
        }

        throw new DicomDataException($"{element}: '{value}' is not a valid {vr} value (PS3.5 6.2).");
    }

    public static string Format(DateTime value, DicomVR vr)
    {
        if (vr == DicomVR.DA)
        {
            return value.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        }

        if (vr == DicomVR.TM)
        {
            return value.ToString("HHmmss.FFFFFF", CultureInfo.InvariantCulture).TrimEnd('.');
        }

        return value.ToString("yyyyMMddHHmmss.FFFFFF", CultureInfo.InvariantCulture).TrimEnd('.');
    }
}
