namespace LiverFlow.Dicom;

/// <summary>
/// A transfer syntax (PS3.5 10): VR explicitness, byte order, deflate, and whether pixel data is
/// encapsulated. JPEG-family syntaxes are known (their files parse, fragments are kept) but not decoded.
/// </summary>
public sealed class DicomTransferSyntax : IEquatable<DicomTransferSyntax>
{
    private static readonly Dictionary<string, DicomTransferSyntax> Known = new(StringComparer.Ordinal);

    private DicomTransferSyntax(DicomUID uid, bool explicitVR, bool bigEndian, bool deflated, bool encapsulated, bool lossy, bool pixelDecodable, bool known)
    {
        UID = uid;
        IsExplicitVR = explicitVR;
        IsBigEndian = bigEndian;
        IsDeflated = deflated;
        IsEncapsulated = encapsulated;
        IsLossy = lossy;
        CanDecodePixelData = pixelDecodable;
        IsKnown = known;
        if (known)
        {
            Known[uid.Value] = this;
        }
    }

    public DicomUID UID { get; }

    public bool IsExplicitVR { get; }

    public bool IsBigEndian { get; }

    public bool IsDeflated { get; }

    /// <summary>Pixel data is a sequence of fragments (undefined length) rather than native samples.</summary>
    public bool IsEncapsulated { get; }

    public bool IsLossy { get; }

    /// <summary>LiverFlow can produce native frames: uncompressed syntaxes and RLE Lossless.</summary>
    public bool CanDecodePixelData { get; }

    /// <summary>False for a UID not in LiverFlow's table; such syntaxes are read as encapsulated Explicit VR LE (PS3.5 A.4).</summary>
    public bool IsKnown { get; }

    public static readonly DicomTransferSyntax ImplicitVRLittleEndian = new(DicomUID.ImplicitVRLittleEndian, false, false, false, false, false, true, true);
    public static readonly DicomTransferSyntax ExplicitVRLittleEndian = new(DicomUID.ExplicitVRLittleEndian, true, false, false, false, false, true, true);
    public static readonly DicomTransferSyntax DeflatedExplicitVRLittleEndian = new(DicomUID.DeflatedExplicitVRLittleEndian, true, false, true, false, false, true, true);
    public static readonly DicomTransferSyntax ExplicitVRBigEndian = new(DicomUID.ExplicitVRBigEndian, true, true, false, false, false, true, true);
    public static readonly DicomTransferSyntax RLELossless = new(DicomUID.RLELossless, true, false, false, true, false, true, true);
    public static readonly DicomTransferSyntax JPEGBaseline8Bit = Encapsulated("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)", lossy: true);
    public static readonly DicomTransferSyntax JPEGExtended12Bit = Encapsulated("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)", lossy: true);
    public static readonly DicomTransferSyntax JPEGLossless = Encapsulated("1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)", lossy: false);
    public static readonly DicomTransferSyntax JPEGLosslessSV1 = Encapsulated("1.2.840.10008.1.2.4.70", "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])", lossy: false);
    public static readonly DicomTransferSyntax JPEGLSLossless = Encapsulated("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless Image Compression", lossy: false);
    public static readonly DicomTransferSyntax JPEGLSNearLossless = Encapsulated("1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless) Image Compression", lossy: true);
    public static readonly DicomTransferSyntax JPEG2000Lossless = Encapsulated("1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)", lossy: false);
    public static readonly DicomTransferSyntax JPEG2000 = Encapsulated("1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression", lossy: true);
    public static readonly DicomTransferSyntax HTJ2KLossless = Encapsulated("1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 Image Compression (Lossless Only)", lossy: false);
    public static readonly DicomTransferSyntax HTJ2KLosslessRPCL = Encapsulated("1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)", lossy: false);
    public static readonly DicomTransferSyntax HTJ2K = Encapsulated("1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000 Image Compression", lossy: true);

    /// <summary>The native syntaxes in the order an SCP prefers them.</summary>
    public static IReadOnlyList<DicomTransferSyntax> Uncompressed { get; } =
        [ExplicitVRLittleEndian, ImplicitVRLittleEndian, DeflatedExplicitVRLittleEndian, ExplicitVRBigEndian];

    public static IReadOnlyCollection<DicomTransferSyntax> All => Known.Values;

    /// <summary>
    /// The transfer syntax for a UID. Unknown but well-formed UIDs become an encapsulated Explicit VR LE syntax
    /// (how PS3.5 defines every compressed syntax), so their files still parse and keep their fragments.
    /// </summary>
    public static DicomTransferSyntax Parse(string uid)
    {
        ArgumentNullException.ThrowIfNull(uid);
        var trimmed = uid.TrimEnd('\0', ' ');
        if (Known.TryGetValue(trimmed, out var known))
        {
            return known;
        }

        if (!DicomUID.IsValid(trimmed))
        {
            throw new DicomTransferSyntaxException($"Transfer Syntax UID '{uid}' is not a valid UID.");
        }

        return new DicomTransferSyntax(new DicomUID(trimmed, "Unknown transfer syntax", DicomUidType.TransferSyntax), true, false, false, true, true, false, false);
    }

    public static bool TryParse(string uid, out DicomTransferSyntax syntax)
    {
        ArgumentNullException.ThrowIfNull(uid);
        return Known.TryGetValue(uid.TrimEnd('\0', ' '), out syntax!);
    }

    private static DicomTransferSyntax Encapsulated(string uid, string name, bool lossy) =>
        new(new DicomUID(uid, name, DicomUidType.TransferSyntax), true, false, false, true, lossy, false, true);

    public bool Equals(DicomTransferSyntax? other) => other is not null && UID.Equals(other.UID);

    public override bool Equals(object? obj) => obj is DicomTransferSyntax other && Equals(other);

    public override int GetHashCode() => UID.GetHashCode();

    public override string ToString() => UID.Name;

    public static bool operator ==(DicomTransferSyntax? left, DicomTransferSyntax? right) => left?.Equals(right) ?? right is null;

    public static bool operator !=(DicomTransferSyntax? left, DicomTransferSyntax? right) => !(left == right);
}
