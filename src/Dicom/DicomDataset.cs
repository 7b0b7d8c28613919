using System.Collections;
using LiverFlow.Dicom.Text;

namespace LiverFlow.Dicom;

/// <summary>
/// A data set: items kept in ascending tag order (the order PS3.5 7.1 requires on the wire), with typed
/// getters in the style of fo-dicom. Nested item data sets inherit the parent's character set unless they
/// carry their own Specific Character Set.
/// </summary>
public class DicomDataset : IEnumerable<DicomItem>
{
    private readonly List<DicomItem> _items;
    private DicomCharacterSet _characterSet = DicomCharacterSet.Default;

    public DicomDataset()
    {
        _items = [];
    }

    public DicomDataset(IEnumerable<DicomItem> items)
        : this()
    {
        ArgumentNullException.ThrowIfNull(items);
        foreach (var item in items)
        {
            AddOrUpdate(item);
        }
    }

    internal DicomDataset(int capacity)
    {
        _items = new List<DicomItem>(capacity);
    }

    public int Count => _items.Count;

    /// <summary>Repertoire for text elements, from Specific Character Set (own or inherited).</summary>
    public DicomCharacterSet CharacterSet
    {
        get => _characterSet;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _characterSet = value;
        }
    }

    /// <summary>
    /// The transfer syntax the data set was read in; encapsulated pixel data stays in this syntax until decoded.
    /// </summary>
    public DicomTransferSyntax InternalTransferSyntax { get; set; } = DicomTransferSyntax.ExplicitVRLittleEndian;

    public bool Contains(DicomTag tag) => IndexOf(tag) >= 0;

    public DicomItem? GetItem(DicomTag tag)
    {
        var index = IndexOf(tag);
        return index >= 0 ? _items[index] : null;
    }

    public DicomElement? GetElement(DicomTag tag) => GetItem(tag) as DicomElement;

    /// <summary>The first value, converted. Throws a <see cref="DicomDataException"/> when absent or empty.</summary>
    public T GetSingleValue<T>(DicomTag tag) => RequireElement(tag).Get<T>(0);

    public T GetSingleValueOrDefault<T>(DicomTag tag, T defaultValue) =>
        TryGetSingleValue<T>(tag, out var value) ? value : defaultValue;

    public bool TryGetSingleValue<T>(DicomTag tag, out T value)
    {
        if (GetItem(tag) is DicomElement element && element.Count > 0)
        {
            try
            {
                value = element.Get<T>(0);
                return true;
            }
            catch (DicomException)
            {
                // A value that does not convert counts as missing for the Try… pattern.
            }
        }

        value = default!;
        return false;
    }

    public T GetValue<T>(DicomTag tag, int index) => RequireElement(tag).Get<T>(index);

    public T[] GetValues<T>(DicomTag tag) => RequireElement(tag).GetValues<T>();

    public bool TryGetValues<T>(DicomTag tag, out T[] values)
    {
        if (GetItem(tag) is DicomElement element)
        {
            try
            {
                values = element.GetValues<T>();
                return true;
            }
            catch (DicomException)
            {
                // Unconvertible values count as missing for the Try… pattern.
            }
        }

        values = [];
        return false;
    }

    /// <summary>The whole value as text (multiple values joined by backslash).</summary>
    public string GetString(DicomTag tag) => RequireElement(tag).GetString();

    public bool TryGetString(DicomTag tag, out string value)
    {
        if (GetItem(tag) is DicomElement element)
        {
            try
            {
                value = element.GetString();
                return true;
            }
            catch (DicomException)
            {
                // Binary values or undecodable text count as missing for the Try… pattern.
            }
        }

        value = string.Empty;
        return false;
    }

    public DicomSequence GetSequence(DicomTag tag) =>
        GetItem(tag) switch
        {
            DicomSequence sequence => sequence,
            null => throw new DicomDataException($"{Describe(tag)} is not present in the data set."),
            var other => throw new DicomDataException($"{Describe(tag)} is a {other.ValueRepresentation} element, not a sequence."),
        };

    public bool TryGetSequence(DicomTag tag, out DicomSequence sequence)
    {
        sequence = (GetItem(tag) as DicomSequence)!;
        return sequence is not null;
    }

    /// <summary>Adds an item; throws if the tag is already present (use <see cref="AddOrUpdate(DicomItem)"/> to replace).</summary>
    public DicomDataset Add(DicomItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var index = IndexOf(item.Tag);
        if (index >= 0)
        {
            throw new DicomDataException($"{Describe(item.Tag)} is already present; use AddOrUpdate to replace it.");
        }

        Insert(~index, item);
        return this;
    }

    public DicomDataset AddOrUpdate(DicomItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var index = IndexOf(item.Tag);
        if (index >= 0)
        {
            _items[index] = item;
            Adopt(item);
        }
        else
        {
            Insert(~index, item);
        }

        return this;
    }

    /// <summary>Adds typed values with the VR from the data dictionary (private and ambiguous tags need the VR overload).</summary>
    public DicomDataset Add<T>(DicomTag tag, params T[] values) => Add(Create(tag, DictionaryVR(tag), values));

    public DicomDataset Add<T>(DicomTag tag, DicomVR vr, params T[] values) => Add(Create(tag, vr, values));

    public DicomDataset AddOrUpdate<T>(DicomTag tag, params T[] values) => AddOrUpdate(Create(tag, DictionaryVR(tag), values));

    public DicomDataset AddOrUpdate<T>(DicomTag tag, DicomVR vr, params T[] values) => AddOrUpdate(Create(tag, vr, values));

    public bool Remove(DicomTag tag)
    {
        var index = IndexOf(tag);
        if (index < 0)
        {
            return false;
        }

        _items.RemoveAt(index);
        if (tag == DicomTag.SpecificCharacterSet)
        {
            _characterSet = DicomCharacterSet.Default;
        }

        return true;
    }

    public DicomDataset Remove(Func<DicomItem, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        foreach (var item in _items.Where(predicate).ToList())
        {
            Remove(item.Tag);
        }

        return this;
    }

    public void Clear() => _items.Clear();

    /// <summary>A deep copy of the structure; value buffers are immutable and shared.</summary>
    public DicomDataset Clone()
    {
        var copy = new DicomDataset(_items.Count) { _characterSet = _characterSet, InternalTransferSyntax = InternalTransferSyntax };
        foreach (var item in _items)
        {
            copy._items.Add(item is DicomSequence sq ? new DicomSequence(sq.Tag, sq.Items.Select(i => i.Clone())) : item);
        }

        return copy;
    }

    public IEnumerator<DicomItem> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Appends an item read from a stream; elements normally arrive in order, so this is O(1).</summary>
    internal void AddParsed(DicomItem item)
    {
        if (_items.Count == 0 || _items[^1].Tag < item.Tag)
        {
            _items.Add(item);
            if (item.Tag == DicomTag.SpecificCharacterSet)
            {
                Adopt(item);
            }

            return;
        }

        // Out-of-order or repeated tags are malformed but seen in the wild; the last occurrence wins, as in pydicom.
        AddOrUpdate(item);
    }

    private void Insert(int index, DicomItem item)
    {
        _items.Insert(index, item);
        Adopt(item);
    }

    private void Adopt(DicomItem item)
    {
        if (item.Tag == DicomTag.SpecificCharacterSet && item is DicomElement charset)
        {
            _characterSet = DicomCharacterSet.FromTerms(charset.GetStrings());
        }
        else if (item is DicomElement { HasCharacterSet: false, ValueRepresentation.UsesSpecificCharacterSet: true } text)
        {
            text.CharacterSet = _characterSet;
        }
    }

    private DicomElement Create<T>(DicomTag tag, DicomVR vr, T[] values)
    {
        if (vr.IsSequence)
        {
            throw new DicomDataException($"{Describe(tag)} is a sequence; add a DicomSequence instead.");
        }

        return DicomElement.Create(tag, vr, values, _characterSet);
    }

    private static DicomVR DictionaryVR(DicomTag tag)
    {
        var entry = DicomDictionary.Default.Find(tag);
        if (tag.IsPrivateCreator)
        {
            return DicomVR.LO;
        }

        if (entry is null)
        {
            throw new DicomDataException($"{tag} is not in the data dictionary; pass its VR explicitly.");
        }

        if (entry.ValueRepresentations.Count != 1)
        {
            throw new DicomDataException($"{Describe(tag)} may be {string.Join(" or ", entry.ValueRepresentations)}; pass the VR explicitly.");
        }

        return entry.ValueRepresentation;
    }

    private DicomElement RequireElement(DicomTag tag) =>
        GetItem(tag) switch
        {
            DicomElement element => element,
            null => throw new DicomDataException($"{Describe(tag)} is not present in the data set."),
            var other => throw new DicomDataException($"{Describe(tag)} is a {other.ValueRepresentation} item, not a single-valued element."),
        };

    internal static string Describe(DicomTag tag) => tag.Keyword is { } k ? $"{tag} {k}" : tag.ToString();

    private int IndexOf(DicomTag tag)
    {
        // Binary search over the ordered list; returns the complement of the insertion point when absent.
        int lo = 0, hi = _items.Count - 1;
        var key = tag.Value;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var value = _items[mid].Tag.Value;
            if (value == key)
            {
                return mid;
            }

            if (value < key)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return ~lo;
    }
}
