using System.Globalization;

namespace LiverFlow.Dicom;

/// <summary>One registry row of PS3.6: a tag's VR(s), multiplicity, keyword and name.</summary>
public sealed record DicomDictionaryEntry(DicomTag Tag, IReadOnlyList<DicomVR> ValueRepresentations, string ValueMultiplicity, string Keyword, string Name, bool IsRetired)
{
    /// <summary>The first listed VR; "US or SS" style ambiguity is resolved by the reader from context.</summary>
    public DicomVR ValueRepresentation => ValueRepresentations.Count > 0 ? ValueRepresentations[0] : DicomVR.UN;
}

/// <summary>
/// The PS3.6 data dictionary, loaded from an embedded table generated from the standard's registry
/// (tools/dicom-dictionary/generate.py), so no tag is hand-typed.
/// </summary>
public sealed class DicomDictionary
{
    private static readonly Lazy<DicomDictionary> DefaultInstance = new(Load);

    private readonly Dictionary<uint, DicomDictionaryEntry> _byTag;
    private readonly Dictionary<string, DicomDictionaryEntry> _byKeyword;
    private readonly (uint Mask, uint Value, DicomDictionaryEntry Entry)[] _repeaters;

    private DicomDictionary(Dictionary<uint, DicomDictionaryEntry> byTag, (uint, uint, DicomDictionaryEntry)[] repeaters)
    {
        _byTag = byTag;
        _repeaters = repeaters;
        _byKeyword = new Dictionary<string, DicomDictionaryEntry>(StringComparer.Ordinal);
        foreach (var entry in byTag.Values)
        {
            if (entry.Keyword.Length > 0)
            {
                _byKeyword.TryAdd(entry.Keyword, entry);
            }
        }
    }

    public static DicomDictionary Default => DefaultInstance.Value;

    public int Count => _byTag.Count + _repeaters.Length;

    /// <summary>The entry for a tag, including repeating groups such as overlays (60xx,3000); null when unknown or private.</summary>
    public DicomDictionaryEntry? Find(DicomTag tag)
    {
        if (_byTag.TryGetValue(tag.Value, out var entry))
        {
            return entry;
        }

        if (tag.IsPrivate)
        {
            return null;
        }

        foreach (var (mask, value, repeating) in _repeaters)
        {
            if ((tag.Value & mask) == value)
            {
                return repeating;
            }
        }

        return null;
    }

    public DicomDictionaryEntry? FindByKeyword(string keyword) => _byKeyword.GetValueOrDefault(keyword);

    /// <summary>
    /// The VR an implicit VR reader assumes: the registry's first VR, LO for private creators (PS3.5 7.8.1)
    /// and UN for private or unknown elements.
    /// </summary>
    public DicomVR GetDefaultVR(DicomTag tag)
    {
        if (tag.IsPrivateCreator)
        {
            return DicomVR.LO;
        }

        if (tag.IsGroupLength)
        {
            return DicomVR.UL;
        }

        return Find(tag)?.ValueRepresentation ?? DicomVR.UN;
    }

    private static DicomDictionary Load()
    {
        using var stream = typeof(DicomDictionary).Assembly.GetManifestResourceStream("LiverFlow.Dicom.Dictionary.dicom-dictionary.tsv")
            ?? throw new InvalidOperationException("The embedded DICOM data dictionary is missing from LiverFlow.Dicom; rebuild the project.");
        using var reader = new StreamReader(stream);
        var byTag = new Dictionary<uint, DicomDictionaryEntry>(5000);
        var repeaters = new List<(uint, uint, DicomDictionaryEntry)>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var f = line.Split('\t');
            var vrs = f[1] == "NONE"
                ? Array.Empty<DicomVR>()
                : f[1].Split('/').Select(DicomVR.Parse).ToArray();
            if (f[0].Contains('x', StringComparison.Ordinal))
            {
                uint mask = 0, value = 0;
                foreach (var c in f[0])
                {
                    mask <<= 4;
                    value <<= 4;
                    if (c != 'x')
                    {
                        mask |= 0xF;
                        value |= uint.Parse(c.ToString(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
                    }
                }

                repeaters.Add((mask, value, new DicomDictionaryEntry(DicomTag.FromValue(value), vrs, f[2], f[3], f[5], f[4] == "R")));
            }
            else
            {
                var tag = DicomTag.FromValue(uint.Parse(f[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
                byTag[tag.Value] = new DicomDictionaryEntry(tag, vrs, f[2], f[3], f[5], f[4] == "R");
            }
        }

        return new DicomDictionary(byTag, repeaters.ToArray());
    }
}
