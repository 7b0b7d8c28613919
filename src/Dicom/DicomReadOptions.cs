namespace LiverFlow.Dicom;

/// <summary>Limits that keep a hostile or broken file from exhausting the process.</summary>
public sealed record DicomReadOptions
{
    public static DicomReadOptions Default { get; } = new();

    /// <summary>Deepest sequence nesting accepted (real SR trees stay well below 20).</summary>
    public int MaxNestingDepth { get; init; } = 64;

    /// <summary>Largest input read into memory, after inflation for deflated syntaxes (a deflate bomb stops here).</summary>
    public long MaxDataLength { get; init; } = 1L << 30;

    /// <summary>Accept a data set with no preamble or no File Meta Information, inferring its transfer syntax.</summary>
    public bool AllowMissingFileMeta { get; init; } = true;
}
