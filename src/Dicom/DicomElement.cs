using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using LiverFlow.Dicom.Text;

namespace LiverFlow.Dicom;

/// <summary>
/// A data element with a value. The value is kept as its encoded bytes in little-endian order (the reader
/// swaps big-endian input once), and is converted to numbers, strings, tags or names only when asked.
/// </summary>
public sealed class DicomElement : DicomItem
{
    private DicomCharacterSet? _characterSet;

    public DicomElement(DicomTag tag, DicomVR vr, ReadOnlyMemory<byte> buffer, DicomCharacterSet? characterSet = null)
        : base(tag, vr)
    {
        if (vr.IsSequence)
        {
            throw new DicomDataException($"{tag}: a sequence (SQ) is a DicomSequence, not a DicomElement.");
        }

        Buffer = buffer;
        _characterSet = characterSet;
    }

    /// <summary>The value bytes, little endian, possibly with one padding byte.</summary>
    public ReadOnlyMemory<byte> Buffer { get; }

    public int Length => Buffer.Length;

    /// <summary>Repertoire for SH, LO, ST, LT, UT, UC and PN; the data set assigns its own when the element joins it.</summary>
    public DicomCharacterSet CharacterSet
    {
        get => _characterSet ?? DicomCharacterSet.Default;
        internal set => _characterSet = value;
    }

    internal bool HasCharacterSet => _characterSet is not null;

    /// <summary>Number of values (VM) actually present.</summary>
    public int Count
    {
        get
        {
            var span = Buffer.Span;
            switch (ValueRepresentation.Kind)
            {
                case VRKind.String:
                    if (TrimmedLength(span) == 0)
                    {
                        return 0;
                    }

                    if (!ValueRepresentation.IsMultiValuedString)
                    {
                        return 1;
                    }

                    // In multi-byte repertoires 0x5C can be the second byte of a character, so count decoded backslashes.
                    return ValueRepresentation.UsesSpecificCharacterSet && CharacterSet.IsSupported && (CharacterSet.UsesCodeExtensions || (!CharacterSet.Encoding.IsSingleByte && CharacterSet != DicomCharacterSet.Utf8))
                        ? Decode().Count(c => c == '\\') + 1
                        : span.Count((byte)'\\') + 1;
                case VRKind.Binary:
                    return ValueRepresentation == DicomVR.AT ? span.Length / 4 : span.Length / ValueRepresentation.UnitSize;
                default:
                    return span.Length > 0 ? 1 : 0;
            }
        }
    }

    /// <summary>The whole value as text: strings decoded and stripped of padding, numbers joined by backslash.</summary>
    public string GetString()
    {
        if (ValueRepresentation.Kind == VRKind.String)
        {
            var decoded = Decode();
            return ValueRepresentation.IsMultiValuedString
                ? string.Join('\\', decoded.Split('\\').Select(TrimValue))
                : TrimValue(decoded);
        }

        if (ValueRepresentation.Kind == VRKind.Binary)
        {
            return string.Join('\\', Enumerable.Range(0, Count).Select(i => Get<string>(i)));
        }

        throw new DicomDataException($"{Describe()}: a {ValueRepresentation} value is binary data, not text.");
    }

    /// <summary>Each value of a multi-valued string, stripped of padding.</summary>
    public string[] GetStrings()
    {
        if (ValueRepresentation.Kind != VRKind.String)
        {
            return Enumerable.Range(0, Count).Select(i => Get<string>(i)).ToArray();
        }

        if (Count == 0)
        {
            return [];
        }

        var decoded = Decode();
        return ValueRepresentation.IsMultiValuedString
            ? decoded.Split('\\').Select(TrimValue).ToArray()
            : [TrimValue(decoded)];
    }

    public T[] GetValues<T>()
    {
        if (typeof(T) == typeof(byte) && ValueRepresentation.Kind == VRKind.Bytes)
        {
            return (T[])(object)Buffer.ToArray();
        }

        if (ValueRepresentation.Kind == VRKind.Bytes && typeof(T).IsPrimitive && System.Runtime.CompilerServices.Unsafe.SizeOf<T>() == ValueRepresentation.UnitSize)
        {
            // OW as ushort[], OF as float[], OD as double[], OL as uint[], OV as ulong[]: the bytes are already little endian.
            var size = ValueRepresentation.UnitSize;
            var typed = new T[Buffer.Length / size];
            System.Buffer.BlockCopy(Buffer.ToArray(), 0, typed, 0, typed.Length * size);
            return typed;
        }

        var count = Count;
        var values = new T[count];
        if (typeof(T) == typeof(string) || ValueRepresentation.Kind == VRKind.String)
        {
            var strings = GetStrings();
            for (var i = 0; i < count; i++)
            {
                values[i] = ConvertString<T>(strings[i]);
            }

            return values;
        }

        for (var i = 0; i < count; i++)
        {
            values[i] = Get<T>(i);
        }

        return values;
    }

    /// <summary>The value at <paramref name="index"/> converted to <typeparamref name="T"/>.</summary>
    public T Get<T>(int index = 0)
    {
        if (typeof(T) == typeof(byte[]))
        {
            return (T)(object)Buffer.ToArray();
        }

        var count = Count;
        if (index < 0 || index >= count)
        {
            throw new DicomDataException(count == 0
                ? $"{Describe()} has no value."
                : $"{Describe()} has {count} value(s); index {index} does not exist.");
        }

        switch (ValueRepresentation.Kind)
        {
            case VRKind.String:
                return ConvertString<T>(GetStrings()[index]);
            case VRKind.Binary:
                return ConvertBinary<T>(index);
            default:
                if (typeof(T) == typeof(string))
                {
                    return (T)(object)Convert.ToBase64String(Buffer.Span);
                }

                throw new DicomDataException($"{Describe()}: a {ValueRepresentation} value is bulk data; read it with Buffer or Get<byte[]>().");
        }
    }

    private string Decode()
    {
        var span = Buffer.Span;
        return ValueRepresentation.UsesSpecificCharacterSet
            ? CharacterSet.Decode(span, ValueRepresentation == DicomVR.PN)
            : Encoding.Latin1.GetString(span);
    }

    private string TrimValue(string value)
    {
        var vr = ValueRepresentation;
        var trimmed = value.TrimEnd(' ', '\0');
        return vr == DicomVR.LT || vr == DicomVR.ST || vr == DicomVR.UT || vr == DicomVR.UC || vr == DicomVR.PN
            ? trimmed
            : trimmed.TrimStart(' ');
    }

    private static int TrimmedLength(ReadOnlySpan<byte> span)
    {
        var n = span.Length;
        while (n > 0 && (span[n - 1] == 0x20 || span[n - 1] == 0))
        {
            n--;
        }

        return n;
    }

    private T ConvertString<T>(string value)
    {
        var t = typeof(T);
        if (t == typeof(string))
        {
            return (T)(object)value;
        }

        if (t == typeof(DicomPersonName))
        {
            return (T)(object)DicomPersonName.Parse(value);
        }

        if (t == typeof(DicomUID))
        {
            return (T)(object)DicomUID.Parse(value);
        }

        if (t == typeof(DicomTransferSyntax))
        {
            return (T)(object)DicomTransferSyntax.Parse(value);
        }

        if (t == typeof(DateTime))
        {
            return (T)(object)DicomDateTime.Parse(value, ValueRepresentation, Describe());
        }

        if (t == typeof(DateOnly))
        {
            return (T)(object)DateOnly.FromDateTime(DicomDateTime.Parse(value, DicomVR.DA, Describe()));
        }

        // IS and DS carry numbers as text; other string VRs convert only if the text is numeric.
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var integer))
            {
                return ConvertNumber<T>(new Number(integer));
            }

            return ConvertNumber<T>(new Number(number));
        }

        throw new DicomDataException($"{Describe()}: '{value}' cannot be converted to {t.Name}.");
    }

    private T ConvertBinary<T>(int index)
    {
        var span = Buffer.Span;
        var vr = ValueRepresentation;
        if (vr == DicomVR.AT)
        {
            var tag = new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(span[(index * 4)..]), BinaryPrimitives.ReadUInt16LittleEndian(span[((index * 4) + 2)..]));
            if (typeof(T) == typeof(DicomTag))
            {
                return (T)(object)tag;
            }

            if (typeof(T) == typeof(string))
            {
                return (T)(object)$"{tag.Group:X4}{tag.Element:X4}";
            }

            return ConvertNumber<T>(new Number((long)tag.Value));
        }

        var offset = index * vr.UnitSize;
        var value = vr.Code switch
        {
            "US" => new Number(BinaryPrimitives.ReadUInt16LittleEndian(span[offset..])),
            "SS" => new Number(BinaryPrimitives.ReadInt16LittleEndian(span[offset..])),
            "UL" => new Number(BinaryPrimitives.ReadUInt32LittleEndian(span[offset..])),
            "SL" => new Number(BinaryPrimitives.ReadInt32LittleEndian(span[offset..])),
            "SV" => new Number(BinaryPrimitives.ReadInt64LittleEndian(span[offset..])),
            "UV" => Number.FromUnsigned(BinaryPrimitives.ReadUInt64LittleEndian(span[offset..])),
            "FL" => new Number(BinaryPrimitives.ReadSingleLittleEndian(span[offset..])),
            "FD" => new Number(BinaryPrimitives.ReadDoubleLittleEndian(span[offset..])),
            _ => throw new DicomDataException($"{Describe()}: VR {vr} has no numeric reading."),
        };
        return ConvertNumber<T>(value);
    }

    private T ConvertNumber<T>(Number n)
    {
        var t = typeof(T);
        try
        {
            checked
            {
                if (t == typeof(string))
                {
                    return (T)(object)n.ToString();
                }

                if (t == typeof(double))
                {
                    return (T)(object)n.AsDouble;
                }

                if (t == typeof(float))
                {
                    return (T)(object)(float)n.AsDouble;
                }

                if (t == typeof(decimal))
                {
                    return (T)(object)(n.IsFloat ? (decimal)n.Float : n.IsUnsigned ? n.Unsigned : n.Integer);
                }

                if (n.IsFloat && (double.IsNaN(n.Float) || Math.Floor(n.Float) != n.Float))
                {
                    throw new DicomDataException($"{Describe()}: {n} is not a whole number and cannot be read as {t.Name}.");
                }

                if (n.IsUnsigned)
                {
                    if (t == typeof(ulong))
                    {
                        return (T)(object)n.Unsigned;
                    }

                    n = new Number((long)n.Unsigned);
                }

                var integer = n.IsFloat ? (long)n.Float : n.Integer;
                object result = t switch
                {
                    _ when t == typeof(int) => (int)integer,
                    _ when t == typeof(long) => integer,
                    _ when t == typeof(ushort) => (ushort)integer,
                    _ when t == typeof(short) => (short)integer,
                    _ when t == typeof(uint) => (uint)integer,
                    _ when t == typeof(ulong) => (ulong)integer,
                    _ when t == typeof(byte) => (byte)integer,
                    _ when t == typeof(sbyte) => (sbyte)integer,
                    _ => throw new DicomDataException($"{Describe()}: a {ValueRepresentation} value cannot be read as {t.Name}."),
                };
                return (T)result;
            }
        }
        catch (OverflowException ex)
        {
            throw new DicomDataException($"{Describe()}: {n} does not fit in {t.Name}.", ex);
        }
    }

    internal string Describe() => Tag.Keyword is { } k ? $"{Tag} {k}" : Tag.ToString();

    /// <summary>Builds an element from typed values, encoding text with <paramref name="characterSet"/>.</summary>
    public static DicomElement Create<T>(DicomTag tag, DicomVR vr, IReadOnlyList<T> values, DicomCharacterSet? characterSet = null)
    {
        ArgumentNullException.ThrowIfNull(vr);
        ArgumentNullException.ThrowIfNull(values);
        var cs = characterSet ?? DicomCharacterSet.Default;
        return new DicomElement(tag, vr, DicomValueEncoder.Encode(tag, vr, values, cs), characterSet);
    }

    /// <summary>A number read from a binary VR or a numeric string, kept exact until converted.</summary>
    private readonly struct Number
    {
        public Number(long value)
        {
            Integer = value;
        }

        public Number(double value)
        {
            Float = value;
            IsFloat = true;
        }

        private Number(ulong value, bool unsigned)
        {
            Unsigned = value;
            IsUnsigned = unsigned;
        }

        public static Number FromUnsigned(ulong value) => value > long.MaxValue ? new Number(value, true) : new Number((long)value);

        public long Integer { get; }

        public ulong Unsigned { get; }

        public double Float { get; }

        public bool IsFloat { get; }

        public bool IsUnsigned { get; }

        public double AsDouble => IsFloat ? Float : IsUnsigned ? Unsigned : Integer;

        public override string ToString() =>
            IsFloat ? Float.ToString("R", CultureInfo.InvariantCulture)
            : IsUnsigned ? Unsigned.ToString(CultureInfo.InvariantCulture)
            : Integer.ToString(CultureInfo.InvariantCulture);
    }
}

/// <summary>Encodes typed values into element bytes (little endian, unpadded; the writer pads).</summary>
internal static class DicomValueEncoder
{
    public static ReadOnlyMemory<byte> Encode<T>(DicomTag tag, DicomVR vr, IReadOnlyList<T> values, DicomCharacterSet cs)
    {
        if (values.Count == 0)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        if (values is byte[] bytes && vr.Kind != VRKind.String)
        {
            return bytes;
        }

        switch (vr.Kind)
        {
            case VRKind.String:
                {
                    var text = string.Join('\\', values.Select(v => FormatForString(tag, vr, v)));
                    if (!vr.IsMultiValuedString && values.Count > 1)
                    {
                        throw new DicomDataException($"{tag}: VR {vr} holds a single value; {values.Count} were given.");
                    }

                    return vr.UsesSpecificCharacterSet ? cs.Encode(text) : Encoding.Latin1.GetBytes(text);
                }

            case VRKind.Binary:
            case VRKind.Bytes:
                return EncodeBinary(tag, vr, values);
            default:
                throw new DicomDataException($"{tag}: build sequences with DicomSequence.");
        }
    }

    private static string FormatForString<T>(DicomTag tag, DicomVR vr, T value)
    {
        switch (value)
        {
            case null:
                return string.Empty;
            case string s:
                return s;
            case DicomUID uid:
                return uid.Value;
            case DicomTransferSyntax ts:
                return ts.UID.Value;
            case DicomPersonName pn:
                return pn.ToString();
            case DateTime dt:
                return DicomDateTime.Format(dt, vr);
            case DateOnly d:
                return d.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
            case double or float or decimal when vr == DicomVR.DS:
                return FormatDecimalString(Convert.ToDouble(value, CultureInfo.InvariantCulture), tag);
            case IFormattable f:
                return f.ToString(null, CultureInfo.InvariantCulture);
            default:
                throw new DicomDataException($"{tag}: a {typeof(T).Name} cannot be written as VR {vr}.");
        }
    }

    /// <summary>DS allows 16 characters (PS3.5 6.2): use the shortest round-trip form, then fewer digits until it fits.</summary>
    internal static string FormatDecimalString(double value, DicomTag tag)
    {
        if (!double.IsFinite(value))
        {
            throw new DicomDataException($"{tag}: DS cannot hold {value}.");
        }

        var text = value.ToString("R", CultureInfo.InvariantCulture);
        for (var digits = 15; text.Length > 16 && digits > 0; digits--)
        {
            text = value.ToString("G" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        }

        return text;
    }

    private static byte[] EncodeBinary<T>(DicomTag tag, DicomVR vr, IReadOnlyList<T> values)
    {
        if (vr == DicomVR.AT)
        {
            var at = new byte[values.Count * 4];
            for (var i = 0; i < values.Count; i++)
            {
                var t = values[i] is DicomTag dt ? dt : throw new DicomDataException($"{tag}: AT values are DicomTag, not {typeof(T).Name}.");
                BinaryPrimitives.WriteUInt16LittleEndian(at.AsSpan(i * 4), t.Group);
                BinaryPrimitives.WriteUInt16LittleEndian(at.AsSpan((i * 4) + 2), t.Element);
            }

            return at;
        }

        // Typed arrays whose element size matches the VR are copied as they are (e.g. ushort[] for OW pixel data).
        if (values is T[] array && typeof(T).IsPrimitive && System.Runtime.CompilerServices.Unsafe.SizeOf<T>() == vr.UnitSize && BitConverter.IsLittleEndian && vr.Kind == VRKind.Bytes)
        {
            var copy = new byte[array.Length * vr.UnitSize];
            System.Buffer.BlockCopy(array, 0, copy, 0, copy.Length);
            return copy;
        }

        var size = vr.UnitSize;
        var result = new byte[values.Count * size];
        var span = result.AsSpan();
        try
        {
            checked
            {
                for (var i = 0; i < values.Count; i++)
                {
                    var v = values[i];
                    var dest = span[(i * size)..];
                    switch (vr.Code)
                    {
                        case "US": BinaryPrimitives.WriteUInt16LittleEndian(dest, Convert.ToUInt16(v, CultureInfo.InvariantCulture)); break;
                        case "SS": BinaryPrimitives.WriteInt16LittleEndian(dest, Convert.ToInt16(v, CultureInfo.InvariantCulture)); break;
                        case "UL": BinaryPrimitives.WriteUInt32LittleEndian(dest, Convert.ToUInt32(v, CultureInfo.InvariantCulture)); break;
                        case "SL": BinaryPrimitives.WriteInt32LittleEndian(dest, Convert.ToInt32(v, CultureInfo.InvariantCulture)); break;
                        case "SV": BinaryPrimitives.WriteInt64LittleEndian(dest, Convert.ToInt64(v, CultureInfo.InvariantCulture)); break;
                        case "UV": BinaryPrimitives.WriteUInt64LittleEndian(dest, Convert.ToUInt64(v, CultureInfo.InvariantCulture)); break;
                        case "FL" or "OF": BinaryPrimitives.WriteSingleLittleEndian(dest, Convert.ToSingle(v, CultureInfo.InvariantCulture)); break;
                        case "FD" or "OD": BinaryPrimitives.WriteDoubleLittleEndian(dest, Convert.ToDouble(v, CultureInfo.InvariantCulture)); break;
                        case "OW": BinaryPrimitives.WriteUInt16LittleEndian(dest, Convert.ToUInt16(v, CultureInfo.InvariantCulture)); break;
                        case "OL": BinaryPrimitives.WriteUInt32LittleEndian(dest, Convert.ToUInt32(v, CultureInfo.InvariantCulture)); break;
                        case "OV": BinaryPrimitives.WriteUInt64LittleEndian(dest, Convert.ToUInt64(v, CultureInfo.InvariantCulture)); break;
                        case "OB" or "UN": dest[0] = Convert.ToByte(v, CultureInfo.InvariantCulture); break;
                        default: throw new DicomDataException($"{tag}: cannot encode {typeof(T).Name} as VR {vr}.");
                    }
                }
            }
        }
        catch (Exception ex) when (ex is OverflowException or InvalidCastException or FormatException)
        {
            throw new DicomDataException($"{tag}: a value does not fit VR {vr} ({ex.Message}).", ex);
        }

        return result;
    }
}
