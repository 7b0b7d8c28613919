using System.Globalization;

namespace LiverFlow.Dicom.Network;

/// <summary>Status categories of PS3.7 Annex C.</summary>
public enum DicomState
{
    Success,
    Warning,
    Failure,
    Cancel,
    Pending,
}

/// <summary>
/// A DIMSE status (0000,0900) with an optional error comment (0000,0902). Equality is by code, so
/// a status with a comment still equals the named constant it was made from.
/// </summary>
public sealed class DicomStatus : IEquatable<DicomStatus>
{
    public static readonly DicomStatus Success = new(0x0000, "Success");
    public static readonly DicomStatus Cancel = new(0xFE00, "Cancel");
    public static readonly DicomStatus Pending = new(0xFF00, "Pending");
    public static readonly DicomStatus ProcessingFailure = new(0x0110, "Processing failure");
    public static readonly DicomStatus DuplicateSopInstance = new(0x0111, "Duplicate SOP instance");
    public static readonly DicomStatus NoSuchSopClass = new(0x0118, "No such SOP class");
    public static readonly DicomStatus SopClassNotSupported = new(0x0122, "SOP class not supported");
    public static readonly DicomStatus UnrecognizedOperation = new(0x0211, "Unrecognized operation");
    public static readonly DicomStatus MistypedArgument = new(0x0212, "Mistyped argument");
    public static readonly DicomStatus StorageOutOfResources = new(0xA700, "Refused: out of resources");
    public static readonly DicomStatus StorageDataSetDoesNotMatchSopClass = new(0xA900, "Error: data set does not match SOP class");
    public static readonly DicomStatus StorageCannotUnderstand = new(0xC000, "Error: cannot understand");
    public static readonly DicomStatus StorageCoercionOfDataElements = new(0xB000, "Warning: coercion of data elements");
    public static readonly DicomStatus StorageElementsDiscarded = new(0xB006, "Warning: elements discarded");
    public static readonly DicomStatus StorageDataSetDoesNotMatchSopClassWarning = new(0xB007, "Warning: data set does not match SOP class");

    public DicomStatus(ushort code, string description, string? errorComment = null)
    {
        ArgumentNullException.ThrowIfNull(description);
        Code = code;
        Description = description;
        ErrorComment = errorComment;
    }

    public ushort Code { get; }

    public string Description { get; }

    /// <summary>Free text for the peer's log (LO: at most 64 characters are sent).</summary>
    public string? ErrorComment { get; }

    public DicomState State => Code switch
    {
        0x0000 => DicomState.Success,
        0xFE00 => DicomState.Cancel,
        0xFF00 or 0xFF01 => DicomState.Pending,
        0x0001 or (>= 0xB000 and <= 0xBFFF) or 0x0107 or 0x0116 => DicomState.Warning,
        _ => DicomState.Failure,
    };

    /// <summary>The same status with an error comment for the peer.</summary>
    public DicomStatus WithComment(string? comment) => new(Code, Description, comment);

    /// <summary>Looks a received code up among the known statuses, keeping unknown codes by value.</summary>
    public static DicomStatus FromCode(ushort code, string? errorComment = null)
    {
        var known = Known.FirstOrDefault(s => s.Code == code);
        var description = known?.Description ?? (code is >= 0xC000 and <= 0xCFFF ? "Error: cannot understand" : $"Status 0x{code:X4}");
        return new DicomStatus(code, description, errorComment);
    }

    private static readonly DicomStatus[] Known =
    [
        Success, Cancel, Pending, ProcessingFailure, DuplicateSopInstance, NoSuchSopClass, SopClassNotSupported,
        UnrecognizedOperation, MistypedArgument, StorageOutOfResources, StorageDataSetDoesNotMatchSopClass,
        StorageCannotUnderstand, StorageCoercionOfDataElements, StorageElementsDiscarded, StorageDataSetDoesNotMatchSopClassWarning,
    ];

    public bool Equals(DicomStatus? other) => other is not null && other.Code == Code;

    public override bool Equals(object? obj) => Equals(obj as DicomStatus);

    public override int GetHashCode() => Code;

    public override string ToString() => ErrorComment is null
        ? string.Create(CultureInfo.InvariantCulture, $"0x{Code:X4} {Description}")
        : string.Create(CultureInfo.InvariantCulture, $"0x{Code:X4} {Description}: {ErrorComment}");

    public static bool operator ==(DicomStatus? left, DicomStatus? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(DicomStatus? left, DicomStatus? right) => !(left == right);
}
