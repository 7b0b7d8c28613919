using System.Globalization;

namespace LiverFlow.Dicom;

/// <summary>A data element tag (group, element). Ordered as the standard orders elements in a data set.</summary>
public readonly partial struct DicomTag : IEquatable<DicomTag>, IComparable<DicomTag>
{
    public DicomTag(ushort group, ushort element)
    {
        Group = group;
        Element = element;
    }

    public ushort Group { get; }

    public ushort Element { get; }

    /// <summary>The tag as one 32-bit number, group in the high half (how PS3.6 lists tags).</summary>
    public uint Value => ((uint)Group << 16) | Element;

    /// <summary>Odd groups (other than 0001, 0003, 0005, 0007, FFFF) carry private data elements (PS3.5 7.8).</summary>
    public bool IsPrivate => (Group & 1) == 1 && Group > 0x0007 && Group != 0xFFFF;

    /// <summary>A private creator element (gggg,0010-00FF) reserves a block of private elements.</summary>
    public bool IsPrivateCreator => IsPrivate && Element is >= 0x0010 and <= 0x00FF;

    /// <summary>Element 0000 of a group: the retired group length, still required in group 0000 and 0002.</summary>
    public bool IsGroupLength => Element == 0x0000;

    public static DicomTag FromValue(uint value) => new((ushort)(value >> 16), (ushort)value);

    /// <summary>Parses "(0010,0010)", "0010,0010" or "00100010".</summary>
    public static DicomTag Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim().TrimStart('(').TrimEnd(')').Replace(",", string.Empty, StringComparison.Ordinal);
        if (t.Length != 8 || !uint.TryParse(t, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            throw new DicomDataException($"'{text}' is not a DICOM tag: expected eight hexadecimal digits such as (0010,0010).");
        }

        return FromValue(value);
    }

    /// <summary>The keyword from the data dictionary, or null for private and unknown tags.</summary>
    public string? Keyword => DicomDictionary.Default.Find(this)?.Keyword;

    public bool Equals(DicomTag other) => Value == other.Value;

    public override bool Equals(object? obj) => obj is DicomTag other && Equals(other);

    public override int GetHashCode() => (int)Value;

    public int CompareTo(DicomTag other) => Value.CompareTo(other.Value);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"({Group:X4},{Element:X4})");

    public static bool operator ==(DicomTag left, DicomTag right) => left.Equals(right);

    public static bool operator !=(DicomTag left, DicomTag right) => !left.Equals(right);

    public static bool operator <(DicomTag left, DicomTag right) => left.Value < right.Value;

    public static bool operator >(DicomTag left, DicomTag right) => left.Value > right.Value;

    public static bool operator <=(DicomTag left, DicomTag right) => left.Value <= right.Value;

    public static bool operator >=(DicomTag left, DicomTag right) => left.Value >= right.Value;
}
