using System.Globalization;

namespace LiverFlow.Dicom;

/// <summary>Base of every error LiverFlow.Dicom raises on purpose; callers catch this one type for bad DICOM.</summary>
public class DicomException : Exception
{
    public DicomException()
    {
    }

    public DicomException(string message)
        : base(message)
    {
    }

    public DicomException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Malformed encoding: carries the byte offset and, where known, the tag being read.</summary>
public class DicomParseException : DicomException
{
    public DicomParseException()
    {
    }

    public DicomParseException(string message)
        : base(message)
    {
    }

    public DicomParseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DicomParseException(string message, long offset, DicomTag? tag)
        : base(Describe(message, offset, tag))
    {
        Offset = offset;
        Tag = tag;
        Reason = message;
    }

    /// <summary>Byte offset in the decoded stream where the problem was found (-1 when unknown).</summary>
    public long Offset { get; } = -1;

    public DicomTag? Tag { get; }

    /// <summary>The message without offset and tag, for tables of expected rejections.</summary>
    public string Reason { get; } = string.Empty;

    private static string Describe(string message, long offset, DicomTag? tag)
    {
        var where = tag is { } t
            ? string.Create(CultureInfo.InvariantCulture, $" (at offset {offset}, element {t}{Keyword(t)})")
            : string.Create(CultureInfo.InvariantCulture, $" (at offset {offset})");
        return message + where;
    }

    private static string Keyword(DicomTag tag) => tag.Keyword is { } k ? " " + k : string.Empty;
}

/// <summary>A Part 10 file could not be read or written; names the file and wraps the parse error.</summary>
public class DicomFileException : DicomException
{
    public DicomFileException()
    {
    }

    public DicomFileException(string message)
        : base(message)
    {
    }

    public DicomFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DicomFileException(string message, string? path, Exception? innerException = null)
        : base(path is null ? message : $"{path}: {message}", innerException!)
    {
        FilePath = path;
    }

    public string? FilePath { get; }
}

/// <summary>A value is missing or cannot be converted to the requested type.</summary>
public class DicomDataException : DicomException
{
    public DicomDataException()
    {
    }

    public DicomDataException(string message)
        : base(message)
    {
    }

    public DicomDataException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A transfer syntax is unknown or not supported for the requested operation.</summary>
public class DicomTransferSyntaxException : DicomException
{
    public DicomTransferSyntaxException()
    {
    }

    public DicomTransferSyntaxException(string message)
        : base(message)
    {
    }

    public DicomTransferSyntaxException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Pixel data is inconsistent with its image pixel description, too large, or not decodable.</summary>
public class DicomPixelDataException : DicomException
{
    public DicomPixelDataException()
    {
    }

    public DicomPixelDataException(string message)
        : base(message)
    {
    }

    public DicomPixelDataException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Specific Character Set names a repertoire LiverFlow cannot decode.</summary>
public class DicomCharacterSetException : DicomException
{
    public DicomCharacterSetException()
    {
    }

    public DicomCharacterSetException(string message)
        : base(message)
    {
    }

    public DicomCharacterSetException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
