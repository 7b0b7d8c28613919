using System.Globalization;
using System.Numerics;

namespace LiverFlow.Dicom;

/// <summary>A unique identifier (PS3.5 9): dotted decimal, at most 64 characters.</summary>
public sealed class DicomUID : IEquatable<DicomUID>
{
    private static readonly Dictionary<string, DicomUID> Known = new(StringComparer.Ordinal);

    public DicomUID(string value, string name, DicomUidType type)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
        Name = name;
        Type = type;
    }

    private DicomUID(string value, string name, DicomUidType type, bool register)
        : this(value, name, type)
    {
        if (register)
        {
            Known[value] = this;
        }
    }

    public string UID => Value;

    public string Value { get; }

    public string Name { get; }

    public DicomUidType Type { get; }

    public static readonly DicomUID Verification = new("1.2.840.10008.1.1", "Verification SOP Class", DicomUidType.SopClass, true);
    public static readonly DicomUID ImplicitVRLittleEndian = new("1.2.840.10008.1.2", "Implicit VR Little Endian", DicomUidType.TransferSyntax, true);
    public static readonly DicomUID ExplicitVRLittleEndian = new("1.2.840.10008.1.2.1", "Explicit VR Little Endian", DicomUidType.TransferSyntax, true);
    public static readonly DicomUID DeflatedExplicitVRLittleEndian = new("1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", DicomUidType.TransferSyntax, true);
    public static readonly DicomUID ExplicitVRBigEndian = new("1.2.840.10008.1.2.2", "Explicit VR Big Endian (Retired)", DicomUidType.TransferSyntax, true);
    public static readonly DicomUID RLELossless = new("1.2.840.10008.1.2.5", "RLE Lossless", DicomUidType.TransferSyntax, true);

    public static readonly DicomUID CTImageStorage = new("1.2.840.10008.5.1.4.1.1.2", "CT Image Storage", DicomUidType.SopClass, true);
    public static readonly DicomUID EnhancedCTImageStorage = new("1.2.840.10008.5.1.4.1.1.2.1", "Enhanced CT Image Storage", DicomUidType.SopClass, true);
    public static readonly DicomUID MRImageStorage = new("1.2.840.10008.5.1.4.1.1.4", "MR Image Storage", DicomUidType.SopClass, true);
    public static readonly DicomUID EnhancedMRImageStorage = new("1.2.840.10008.5.1.4.1.1.4.1", "Enhanced MR Image Storage", DicomUidType.SopClass, true);
    public static readonly DicomUID MRSpectroscopyStorage = new("1.2.840.10008.5.1.4.1.1.4.2", "MR Spectroscopy Storage", DicomUidType.SopClass, true);
    public static readonly DicomUID EnhancedMRColorImageStorage = new("1.2.840.10008.5.1.4.1.1.4.3", "Enhanced MR Color Image Storage", DicomUidType.SopClass, true);
    public static readonly DicomUID SecondaryCaptureImageStorage = new("1.2.840.10008.5.1.4.1.1.7", "Secondary Capture Image Storage", DicomUidType.SopClass, true);
    public static readonly DicomUID MultiFrameGrayscaleWordSecondaryCaptureImageStorage = new("1.2.840.10008.5.1.4.1.1.7.3", "Multi-frame Grayscale Word Secondary Capture Image Storage", DicomUidType.SopClass, true);
    public static readonly DicomUID SegmentationStorage = new("1.2.840.10008.5.1.4.1.1.66.4", "Segmentation Storage", DicomUidType.SopClass, true);
    public static readonly DicomUID ParametricMapStorage = new("1.2.840.10008.5.1.4.1.1.30", "Parametric Map Storage", DicomUidType.SopClass, true);
    public static readonly DicomUID BasicTextSRStorage = new("1.2.840.10008.5.1.4.1.1.88.11", "Basic Text SR Storage", DicomUidType.SopClass, true);
    public static readonly DicomUID EnhancedSRStorage = new("1.2.840.10008.5.1.4.1.1.88.22", "Enhanced SR Storage", DicomUidType.SopClass, true);
    public static readonly DicomUID ComprehensiveSRStorage = new("1.2.840.10008.5.1.4.1.1.88.33", "Comprehensive SR Storage", DicomUidType.SopClass, true);
    public static readonly DicomUID Comprehensive3DSRStorage = new("1.2.840.10008.5.1.4.1.1.88.34", "Comprehensive 3D SR Storage", DicomUidType.SopClass, true);
    public static readonly DicomUID EncapsulatedPDFStorage = new("1.2.840.10008.5.1.4.1.1.104.1", "Encapsulated PDF Storage", DicomUidType.SopClass, true);
    public static readonly DicomUID RTStructureSetStorage = new("1.2.840.10008.5.1.4.1.1.481.3", "RT Structure Set Storage", DicomUidType.SopClass, true);
    public static readonly DicomUID MediaStorageDirectoryStorage = new("1.2.840.10008.1.3.10", "Media Storage Directory Storage", DicomUidType.SopClass, true);

    /// <summary>Storage SOP classes LiverFlow receives and produces (the SCP's default accept list).</summary>
    public static IReadOnlyList<DicomUID> LiverFlowStorageClasses { get; } =
    [
        MRImageStorage, EnhancedMRImageStorage, CTImageStorage, EnhancedCTImageStorage, SegmentationStorage,
        SecondaryCaptureImageStorage, BasicTextSRStorage, ComprehensiveSRStorage, Comprehensive3DSRStorage,
        EnhancedSRStorage, ParametricMapStorage,
    ];

    /// <summary>The well-known UID with this value, or an unnamed one; throws on text that is not a UID.</summary>
    public static DicomUID Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var trimmed = value.TrimEnd('\0', ' ');
        if (Known.TryGetValue(trimmed, out var known))
        {
            return known;
        }

        if (!IsValid(trimmed))
        {
            throw new DicomDataException($"'{value}' is not a UID: PS3.5 9.1 allows up to 64 digits and dots, components without leading zeros.");
        }

        return new DicomUID(trimmed, "Unknown", DicomUidType.Unknown);
    }

    /// <summary>Checks PS3.5 9.1: 1-64 characters, digit components separated by single dots, no leading zero.</summary>
    public static bool IsValid(string value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 64)
        {
            return false;
        }

        var componentStart = 0;
        for (var i = 0; i <= value.Length; i++)
        {
            if (i == value.Length || value[i] == '.')
            {
                var length = i - componentStart;
                if (length == 0 || (length > 1 && value[componentStart] == '0'))
                {
                    return false;
                }

                componentStart = i + 1;
            }
            else if (value[i] is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A new UID under the 2.25 arc (PS3.5 B.2): the decimal form of a random UUID, no registered root needed.</summary>
    public static DicomUID Generate()
    {
        Span<byte> bytes = stackalloc byte[16];
        Guid.NewGuid().TryWriteBytes(bytes, bigEndian: true, out _);
        var number = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        return new DicomUID("2.25." + number.ToString(CultureInfo.InvariantCulture), "Generated", DicomUidType.Instance);
    }

    public bool Equals(DicomUID? other) => other is not null && string.Equals(Value, other.Value, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is DicomUID other && Equals(other);

    public override int GetHashCode() => Value.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => Value;

    public static bool operator ==(DicomUID? left, DicomUID? right) => left?.Equals(right) ?? right is null;

    public static bool operator !=(DicomUID? left, DicomUID? right) => !(left == right);
}

public enum DicomUidType
{
    Unknown,
    TransferSyntax,
    SopClass,
    Instance,
}
