namespace LiverFlow.Dicom;

/// <summary>A value representation (PS3.5 6.2): how a value is encoded and how long its length field is.</summary>
public sealed class DicomVR : IEquatable<DicomVR>
{
    private static readonly Dictionary<ushort, DicomVR> ByCode = new();

    // 26×26 table indexed by the two letters: the explicit VR reader looks a VR up per element.
    private static readonly DicomVR?[] ByLetters = new DicomVR?[26 * 26];

    private DicomVR(string code, VRKind kind, bool longLength, int unitSize, byte padding, bool usesCharacterSet = false, bool multiValued = true)
    {
        Code = code;
        Kind = kind;
        HasLongExplicitLength = longLength;
        UnitSize = unitSize;
        PaddingByte = padding;
        UsesSpecificCharacterSet = usesCharacterSet;
        IsMultiValuedString = kind == VRKind.String && multiValued;
        ByCode[Pack(code[0], code[1])] = this;
        ByLetters[((code[0] - 'A') * 26) + (code[1] - 'A')] = this;
    }

    public string Code { get; }

    internal VRKind Kind { get; }

    /// <summary>Explicit VR encodings give these VRs two reserved bytes and a 32-bit length (PS3.5 7.1.2).</summary>
    public bool HasLongExplicitLength { get; }

    /// <summary>Size of one binary number, the unit to swap for big endian (1 for strings and bytes).</summary>
    public int UnitSize { get; }

    /// <summary>Byte that pads a value to even length: space for text, NUL for UI and binary.</summary>
    public byte PaddingByte { get; }

    /// <summary>Text decoded with Specific Character Set (0008,0005); all other text is the default repertoire.</summary>
    public bool UsesSpecificCharacterSet { get; }

    /// <summary>Text whose values are separated by backslash (LT, ST, UT, UR hold a single value).</summary>
    public bool IsMultiValuedString { get; }

    public bool IsString => Kind == VRKind.String;

    public bool IsSequence => Kind == VRKind.Sequence;

    public static readonly DicomVR AE = new("AE", VRKind.String, false, 1, 0x20);
    public static readonly DicomVR AS = new("AS", VRKind.String, false, 1, 0x20);
    public static readonly DicomVR AT = new("AT", VRKind.Binary, false, 2, 0);
    public static readonly DicomVR CS = new("CS", VRKind.String, false, 1, 0x20);
    public static readonly DicomVR DA = new("DA", VRKind.String, false, 1, 0x20);
    public static readonly DicomVR DS = new("DS", VRKind.String, false, 1, 0x20);
    public static readonly DicomVR DT = new("DT", VRKind.String, false, 1, 0x20);
    public static readonly DicomVR FD = new("FD", VRKind.Binary, false, 8, 0);
    public static readonly DicomVR FL = new("FL", VRKind.Binary, false, 4, 0);
    public static readonly DicomVR IS = new("IS", VRKind.String, false, 1, 0x20);
    public static readonly DicomVR LO = new("LO", VRKind.String, false, 1, 0x20, usesCharacterSet: true);
    public static readonly DicomVR LT = new("LT", VRKind.String, false, 1, 0x20, usesCharacterSet: true, multiValued: false);
    public static readonly DicomVR OB = new("OB", VRKind.Bytes, true, 1, 0);
    public static readonly DicomVR OD = new("OD", VRKind.Bytes, true, 8, 0);
    public static readonly DicomVR OF = new("OF", VRKind.Bytes, true, 4, 0);
    public static readonly DicomVR OL = new("OL", VRKind.Bytes, true, 4, 0);
    public static readonly DicomVR OV = new("OV", VRKind.Bytes, true, 8, 0);
    public static readonly DicomVR OW = new("OW", VRKind.Bytes, true, 2, 0);
    public static readonly DicomVR PN = new("PN", VRKind.String, false, 1, 0x20, usesCharacterSet: true);
    public static readonly DicomVR SH = new("SH", VRKind.String, false, 1, 0x20, usesCharacterSet: true);
    public static readonly DicomVR SL = new("SL", VRKind.Binary, false, 4, 0);
    public static readonly DicomVR SQ = new("SQ", VRKind.Sequence, true, 1, 0);
    public static readonly DicomVR SS = new("SS", VRKind.Binary, false, 2, 0);
    public static readonly DicomVR ST = new("ST", VRKind.String, false, 1, 0x20, usesCharacterSet: true, multiValued: false);
    public static readonly DicomVR SV = new("SV", VRKind.Binary, true, 8, 0);
    public static readonly DicomVR TM = new("TM", VRKind.String, false, 1, 0x20);
    public static readonly DicomVR UC = new("UC", VRKind.String, true, 1, 0x20, usesCharacterSet: true);
    public static readonly DicomVR UI = new("UI", VRKind.String, false, 1, 0x00);
    public static readonly DicomVR UL = new("UL", VRKind.Binary, false, 4, 0);
    public static readonly DicomVR UN = new("UN", VRKind.Bytes, true, 1, 0);
    public static readonly DicomVR UR = new("UR", VRKind.String, true, 1, 0x20, multiValued: false);
    public static readonly DicomVR US = new("US", VRKind.Binary, false, 2, 0);
    public static readonly DicomVR UT = new("UT", VRKind.String, true, 1, 0x20, usesCharacterSet: true, multiValued: false);
    public static readonly DicomVR UV = new("UV", VRKind.Binary, true, 8, 0);

    /// <summary>Every VR of PS3.5 Table 6.2-1.</summary>
    public static IReadOnlyCollection<DicomVR> All => ByCode.Values;

    public static DicomVR Parse(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        if (code.Length == 2 && ByCode.TryGetValue(Pack(code[0], code[1]), out var vr))
        {
            return vr;
        }

        throw new DicomDataException($"'{code}' is not a value representation of PS3.5 Table 6.2-1.");
    }

    /// <summary>Looks up the two VR bytes of an explicit VR header without allocating.</summary>
    public static bool TryParse(byte first, byte second, out DicomVR vr)
    {
        var a = first - 'A';
        var b = second - 'A';
        vr = ((uint)a < 26 && (uint)b < 26 ? ByLetters[(a * 26) + b] : null)!;
        return vr is not null;
    }

    public static bool TryParse(string code, out DicomVR vr)
    {
        vr = null!;
        return code is { Length: 2 } && ByCode.TryGetValue(Pack(code[0], code[1]), out vr!);
    }

    private static ushort Pack(char a, char b) => (ushort)((a << 8) | (b & 0xFF));

    public bool Equals(DicomVR? other) => ReferenceEquals(this, other);

    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    public override int GetHashCode() => Code.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => Code;
}

internal enum VRKind
{
    String,
    Binary,
    Bytes,
    Sequence,
}
