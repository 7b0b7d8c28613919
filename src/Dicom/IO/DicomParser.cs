using System.Buffers.Binary;
using LiverFlow.Dicom.Text;

namespace LiverFlow.Dicom.IO;

/// <summary>
/// Parses data set encodings held in memory. Values are slices of the input (no copy) except where
/// big-endian numbers are swapped to little endian. Every length is checked against the bytes that
/// remain in its enclosing container before it is used, so malformed input ends in a
/// <see cref="DicomParseException"/> carrying the offset and tag.
/// </summary>
internal sealed class DicomParser
{
    private const uint UndefinedLength = 0xFFFFFFFF;
    private const uint ItemTag = 0xFFFEE000;
    private const uint ItemDelimitationTag = 0xFFFEE00D;
    private const uint SequenceDelimitationTag = 0xFFFEE0DD;
    private static readonly DicomTag PixelDataTag = DicomTag.PixelData;

    private readonly ReadOnlyMemory<byte> _data;
    private readonly DicomReadOptions _options;
    private readonly DicomDictionary _dictionary = DicomDictionary.Default;
    private readonly long _baseOffset;
    private bool _explicitVR;
    private bool _bigEndian;
    private int _position;

    public DicomParser(ReadOnlyMemory<byte> data, bool explicitVR, bool bigEndian, DicomReadOptions options, long baseOffset = 0)
    {
        _data = data;
        _explicitVR = explicitVR;
        _bigEndian = bigEndian;
        _options = options;
        _baseOffset = baseOffset;
    }

    public int Position
    {
        get => _position;
        set => _position = value;
    }

    public int Length => _data.Length;

    /// <summary>Reads elements into <paramref name="dataset"/> until the data ends or a tag's group exceeds <paramref name="lastGroup"/>.</summary>
    public void ReadDataset(DicomDataset dataset, int lastGroup = 0xFFFF)
    {
        ReadElements(dataset, _data.Length, undefinedLength: false, depth: 0, lastGroup);
    }

    private void ReadElements(DicomDataset dataset, int end, bool undefinedLength, int depth, int lastGroup = 0xFFFF)
    {
        var span = _data.Span;
        while (_position < end)
        {
            var start = _position;
            if (end - _position < 8)
            {
                // Fewer than eight bytes cannot hold an element header; trailing NUL padding after the last element is tolerated.
                if (depth == 0 && !undefinedLength && span[_position..end].IndexOfAnyExcept((byte)0) < 0)
                {
                    _position = end;
                    return;
                }

                throw Error($"Truncated element header: {end - _position} byte(s) left where an 8-byte header is needed", start, null);
            }

            var group = ReadUInt16(span, _position);
            var element = ReadUInt16(span, _position + 2);
            var tag = new DicomTag(group, element);
            if (group > lastGroup)
            {
                return;
            }

            if (group == 0xFFFE)
            {
                var tagValue = tag.Value;
                var delimiterLength = ReadUInt32(span, _position + 4);
                _position += 8;
                if (tagValue == ItemDelimitationTag && undefinedLength)
                {
                    return;
                }

                if (tagValue == SequenceDelimitationTag && depth == 0 && !undefinedLength)
                {
                    // A stray sequence delimiter at the top level (seen in old files) carries no data; skip it.
                    continue;
                }

                if (tagValue == ItemDelimitationTag && delimiterLength == 0 && !undefinedLength)
                {
                    // An item delimiter closing a defined-length item is redundant but harmless.
                    continue;
                }

                throw Error($"Unexpected delimiter {tag} inside a data set", start, tag);
            }

            DicomVR vr;
            uint length;
            var explicitHeader = _explicitVR;
            if (explicitHeader)
            {
                var a = span[_position + 4];
                var b = span[_position + 5];
                if (DicomVR.TryParse(a, b, out vr))
                {
                    if (vr.HasLongExplicitLength)
                    {
                        if (end - _position < 12)
                        {
                            throw Error("Truncated explicit VR header", start, tag);
                        }

                        length = ReadUInt32(span, _position + 8);
                        _position += 12;
                    }
                    else
                    {
                        length = ReadUInt16(span, _position + 6);
                        _position += 8;
                    }
                }
                else if (a is >= (byte)'A' and <= (byte)'Z' && b is >= (byte)'A' and <= (byte)'Z')
                {
                    // PS3.5 6.2: a VR this reader does not know is read like UN (reserved bytes and a 32-bit length).
                    if (end - _position < 12)
                    {
                        throw Error("Truncated explicit VR header", start, tag);
                    }

                    vr = DicomVR.UN;
                    length = ReadUInt32(span, _position + 8);
                    _position += 12;
                }
                else
                {
                    // Some writers switch to implicit VR part way (classically in the File Meta group); follow them for this element.
                    vr = ImplicitVR(tag, dataset);
                    length = ReadUInt32(span, _position + 4);
                    _position += 8;
                    explicitHeader = false;
                }
            }
            else
            {
                vr = ImplicitVR(tag, dataset);
                length = ReadUInt32(span, _position + 4);
                _position += 8;
            }

            var item = ReadValue(dataset, tag, vr, length, end, depth, explicitHeader, start);
            dataset.AddParsed(item);
        }

        if (undefinedLength)
        {
            throw Error("Item of undefined length is not closed by an Item Delimitation Item before its container ends", _position, null);
        }
    }

    private DicomItem ReadValue(DicomDataset dataset, DicomTag tag, DicomVR vr, uint length, int end, int depth, bool explicitHeader, int start)
    {
        if (length == UndefinedLength)
        {
            if (vr == DicomVR.SQ)
            {
                return ReadSequence(dataset, tag, end, undefinedLength: true, depth, implicitInside: false);
            }

            if (vr == DicomVR.UN)
            {
                // CP-246: an undefined-length UN is a sequence encoded in Implicit VR Little Endian.
                return ReadSequence(dataset, tag, end, undefinedLength: true, depth, implicitInside: true);
            }

            if (tag == PixelDataTag || vr == DicomVR.OB || vr == DicomVR.OW)
            {
                return ReadFragments(tag, vr == DicomVR.OW ? DicomVR.OW : DicomVR.OB, end, start);
            }

            if (!explicitHeader)
            {
                return ReadSequence(dataset, tag, end, undefinedLength: true, depth, implicitInside: false);
            }

            throw Error($"Undefined length is not allowed for VR {vr}", start, tag);
        }

        if (length > (uint)(end - _position))
        {
            throw Error($"Value length {length} exceeds the {end - _position} byte(s) left in the enclosing {(depth == 0 ? "data set" : "item")}", start, tag);
        }

        var valueLength = (int)length;
        if (vr == DicomVR.SQ)
        {
            var sequenceEnd = _position + valueLength;
            var sequence = ReadSequence(dataset, tag, sequenceEnd, undefinedLength: false, depth, implicitInside: false);
            _position = sequenceEnd;
            return sequence;
        }

        if (vr == DicomVR.UN && !tag.IsPrivate && explicitHeader)
        {
            var known = _dictionary.Find(tag);
            if (known is { ValueRepresentations.Count: > 0 })
            {
                if (known.ValueRepresentation == DicomVR.SQ)
                {
                    var sequenceEnd = _position + valueLength;
                    var sequence = ReadSequence(dataset, tag, sequenceEnd, undefinedLength: false, depth, implicitInside: true);
                    _position = sequenceEnd;
                    return sequence;
                }

                // An explicit UN whose tag the dictionary knows is re-typed (as pydicom and dcmtk do): the bytes are unchanged.
                vr = ResolveAmbiguous(tag, known, dataset);
            }
        }

        var value = _data.Slice(_position, valueLength);
        _position += valueLength;
        if (_bigEndian && vr.UnitSize > 1)
        {
            value = SwapToLittleEndian(value.Span, vr == DicomVR.AT ? 2 : vr.UnitSize);
        }

        return new DicomElement(tag, vr, value, vr.UsesSpecificCharacterSet ? dataset.CharacterSet : null);
    }

    private DicomSequence ReadSequence(DicomDataset parent, DicomTag tag, int end, bool undefinedLength, int depth, bool implicitInside)
    {
        if (depth + 1 > _options.MaxNestingDepth)
        {
            throw Error($"Sequences nest deeper than the limit of {_options.MaxNestingDepth}", _position, tag);
        }

        var savedExplicit = _explicitVR;
        var savedBigEndian = _bigEndian;
        if (implicitInside)
        {
            _explicitVR = false;
            _bigEndian = false;
        }

        var sequence = new DicomSequence(tag);
        var span = _data.Span;
        try
        {
            while (undefinedLength || _position < end)
            {
                var start = _position;
                if (end - _position < 8)
                {
                    throw Error(undefinedLength
                        ? "Sequence of undefined length is not closed by a Sequence Delimitation Item"
                        : "Truncated item header inside a sequence", start, tag);
                }

                var itemTag = ((uint)ReadUInt16(span, _position) << 16) | ReadUInt16(span, _position + 2);
                var itemLength = ReadUInt32(span, _position + 4);
                _position += 8;
                if (itemTag == SequenceDelimitationTag)
                {
                    if (undefinedLength)
                    {
                        break;
                    }

                    continue;
                }

                if (itemTag != ItemTag)
                {
                    throw Error($"Expected an Item (FFFE,E000) in the sequence but found {DicomTag.FromValue(itemTag)}", start, tag);
                }

                var item = new DicomDataset { CharacterSet = parent.CharacterSet };
                if (itemLength == UndefinedLength)
                {
                    ReadElements(item, end, undefinedLength: true, depth + 1);
                }
                else
                {
                    if (itemLength > (uint)(end - _position))
                    {
                        throw Error($"Item length {itemLength} exceeds the {end - _position} byte(s) left in the sequence", start, tag);
                    }

                    var itemEnd = _position + (int)itemLength;
                    ReadElements(item, itemEnd, undefinedLength: false, depth + 1);
                    _position = itemEnd;
                }

                sequence.Items.Add(item);
            }
        }
        finally
        {
            _explicitVR = savedExplicit;
            _bigEndian = savedBigEndian;
        }

        return sequence;
    }

    private DicomFragmentSequence ReadFragments(DicomTag tag, DicomVR vr, int end, int start)
    {
        var span = _data.Span;
        var offsets = new List<uint>();
        var fragments = new List<ReadOnlyMemory<byte>>();
        var first = true;
        while (true)
        {
            var itemStart = _position;
            if (end - _position < 8)
            {
                if (_position == _data.Length && !first)
                {
                    // The file ends exactly after the last fragment: only the closing delimiter is missing
                    // (a known writer bug, fo-dicom #1339); every fragment is intact, so accept it.
                    break;
                }

                throw Error("Encapsulated pixel data is not closed by a Sequence Delimitation Item", itemStart, tag);
            }

            var itemTag = ((uint)ReadUInt16(span, _position) << 16) | ReadUInt16(span, _position + 2);
            var itemLength = ReadUInt32(span, _position + 4);
            _position += 8;
            if (itemTag == SequenceDelimitationTag)
            {
                break;
            }

            if (itemTag != ItemTag)
            {
                throw Error($"Expected a fragment Item (FFFE,E000) in encapsulated pixel data but found {DicomTag.FromValue(itemTag)}", itemStart, tag);
            }

            if (itemLength > (uint)(end - _position))
            {
                throw Error($"Fragment length {itemLength} exceeds the {end - _position} byte(s) left", itemStart, tag);
            }

            var fragment = _data.Slice(_position, (int)itemLength);
            _position += (int)itemLength;
            if (first)
            {
                // PS3.5 A.4: the first item is the Basic Offset Table, a list of 32-bit offsets (possibly empty).
                first = false;
                if (itemLength % 4 != 0)
                {
                    throw Error($"Basic Offset Table length {itemLength} is not a multiple of 4", itemStart, tag);
                }

                var table = fragment.Span;
                for (var i = 0; i < table.Length; i += 4)
                {
                    offsets.Add(ReadUInt32(table, i));
                }

                continue;
            }

            fragments.Add(fragment);
        }

        if (first)
        {
            throw Error("Encapsulated pixel data has no Basic Offset Table item", start, tag);
        }

        return new DicomFragmentSequence(tag, vr, offsets, fragments);
    }

    private DicomVR ImplicitVR(DicomTag tag, DicomDataset dataset)
    {
        if (tag.IsPrivateCreator)
        {
            return DicomVR.LO;
        }

        if (tag.IsGroupLength)
        {
            return DicomVR.UL;
        }

        var entry = _dictionary.Find(tag);
        return entry is null ? DicomVR.UN : ResolveAmbiguous(tag, entry, dataset);
    }

    /// <summary>Resolves "US or SS" and "OB or OW" registry entries the way PS3.5 A.1 and pydicom do.</summary>
    private DicomVR ResolveAmbiguous(DicomTag tag, DicomDictionaryEntry entry, DicomDataset dataset)
    {
        var vrs = entry.ValueRepresentations;
        if (vrs.Count <= 1)
        {
            return entry.ValueRepresentation;
        }

        if (vrs.Contains(DicomVR.OW) && (tag == PixelDataTag || !vrs.Contains(DicomVR.US)))
        {
            // Native pixel data in implicit VR is always OW (PS3.5 A.1).
            return DicomVR.OW;
        }

        if (vrs.Contains(DicomVR.SS) && vrs.Contains(DicomVR.US))
        {
            var signed = dataset.GetElement(DicomTag.PixelRepresentation) is { Length: >= 2 } pr && pr.Buffer.Span[0] == 1;
            return signed ? DicomVR.SS : DicomVR.US;
        }

        return vrs.Contains(DicomVR.US) ? DicomVR.US : entry.ValueRepresentation;
    }

    private static ReadOnlyMemory<byte> SwapToLittleEndian(ReadOnlySpan<byte> source, int unit)
    {
        var copy = source.ToArray();
        var whole = copy.Length - (copy.Length % unit);
        switch (unit)
        {
            case 2:
                BinaryPrimitives.ReverseEndianness(
                    System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(copy.AsSpan(0, whole)),
                    System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(copy.AsSpan(0, whole)));
                break;
            case 4:
                BinaryPrimitives.ReverseEndianness(
                    System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(copy.AsSpan(0, whole)),
                    System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(copy.AsSpan(0, whole)));
                break;
            default:
                BinaryPrimitives.ReverseEndianness(
                    System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(copy.AsSpan(0, whole)),
                    System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(copy.AsSpan(0, whole)));
                break;
        }

        return copy;
    }

    private ushort ReadUInt16(ReadOnlySpan<byte> span, int offset) =>
        _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(span[offset..]) : BinaryPrimitives.ReadUInt16LittleEndian(span[offset..]);

    private uint ReadUInt32(ReadOnlySpan<byte> span, int offset) =>
        _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(span[offset..]) : BinaryPrimitives.ReadUInt32LittleEndian(span[offset..]);

    private DicomParseException Error(string message, int offset, DicomTag? tag) => new(message, _baseOffset + offset, tag);
}
