namespace LiverFlow.Ingest.Phases;

/// <summary>
/// The DICOM attributes of one series (or one temporal position of a multiphase series) that the
/// phase rules read. Ingest fills it from the first instance of the group; the rules never see pixels.
/// </summary>
public sealed record SeriesHeader
{
    public required string SeriesInstanceUid { get; init; }
    public int? SeriesNumber { get; init; }
    public string Modality { get; init; } = "MR";
    /// <summary>Body Part Examined (0018,0015); empty when the scanner left it out, as many do.</summary>
    public string BodyPartExamined { get; init; } = "";
    public string SeriesDescription { get; init; } = "";
    public string ProtocolName { get; init; } = "";
    /// <summary>Image Type (0008,0008) values, e.g. ORIGINAL, PRIMARY, M, ND.</summary>
    public IReadOnlyList<string> ImageType { get; init; } = [];
    /// <summary>Contrast/Bolus Agent (0018,0010); empty when none was recorded.</summary>
    public string ContrastBolusAgent { get; init; } = "";
    /// <summary>Contrast/Bolus Start Time (0018,1042), time of day.</summary>
    public TimeOnly? ContrastBolusStartTime { get; init; }
    /// <summary>Acquisition Time (0008,0032), falling back to Series Time (0008,0031) when absent.</summary>
    public TimeOnly? AcquisitionTime { get; init; }
    /// <summary>Temporal Position Identifier (0020,0100) when this header stands for one position of a multiphase series.</summary>
    public int? TemporalPositionIdentifier { get; init; }
    public int? NumberOfTemporalPositions { get; init; }
    public double? EchoTimeMs { get; init; }
    public double? RepetitionTimeMs { get; init; }
    public double? DiffusionBValue { get; init; }
    /// <summary>Scanning Sequence (0018,0020), e.g. GR, SE, EP.</summary>
    public IReadOnlyList<string> ScanningSequence { get; init; } = [];

    /// <summary>How a decision refers to this group in a reason a radiographer can act on.</summary>
    public string Label
    {
        get
        {
            var number = SeriesNumber is { } n ? $"series {n}" : "series (no number)";
            var position = TemporalPositionIdentifier is { } t ? $" temporal position {t}" : "";
            var description = string.IsNullOrWhiteSpace(SeriesDescription) ? "" : $" '{SeriesDescription.Trim()}'";
            return number + position + description;
        }
    }
}
