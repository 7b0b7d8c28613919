namespace LiverFlow.Dicom;

/// <summary>
/// A person name (PS3.5 6.2.1): up to three component groups (alphabetic, ideographic, phonetic) separated
/// by '=', each with five components separated by '^': family, given, middle, prefix, suffix.
/// </summary>
public sealed record DicomPersonName(DicomPersonNameGroup Alphabetic, DicomPersonNameGroup Ideographic, DicomPersonNameGroup Phonetic)
{
    public string FamilyName => Alphabetic.FamilyName;

    public string GivenName => Alphabetic.GivenName;

    public string MiddleName => Alphabetic.MiddleName;

    public string Prefix => Alphabetic.Prefix;

    public string Suffix => Alphabetic.Suffix;

    public static DicomPersonName Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var groups = value.TrimEnd(' ', '\0').Split('=');
        if (groups.Length > 3)
        {
            throw new DicomDataException($"Person name '{value}' has {groups.Length} component groups; PS3.5 6.2.1 allows three (alphabetic=ideographic=phonetic).");
        }

        return new DicomPersonName(
            DicomPersonNameGroup.Parse(groups[0]),
            DicomPersonNameGroup.Parse(groups.Length > 1 ? groups[1] : string.Empty),
            DicomPersonNameGroup.Parse(groups.Length > 2 ? groups[2] : string.Empty));
    }

    /// <summary>The encoded form with trailing empty groups and components dropped, as PS3.5 recommends.</summary>
    public override string ToString()
    {
        var groups = new[] { Alphabetic.ToString(), Ideographic.ToString(), Phonetic.ToString() };
        var last = groups.Length - 1;
        while (last > 0 && groups[last].Length == 0)
        {
            last--;
        }

        return string.Join('=', groups, 0, last + 1);
    }
}

/// <summary>One component group of a person name.</summary>
public sealed record DicomPersonNameGroup(string FamilyName, string GivenName, string MiddleName, string Prefix, string Suffix)
{
    public static DicomPersonNameGroup Empty { get; } = new(string.Empty, string.Empty, string.Empty, string.Empty, string.Empty);

    public bool IsEmpty => ToString().Length == 0;

    public static DicomPersonNameGroup Parse(string group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var parts = group.Split('^');
        if (parts.Length > 5)
        {
            throw new DicomDataException($"Person name group '{group}' has {parts.Length} components; PS3.5 6.2.1 allows five (family^given^middle^prefix^suffix).");
        }

        string At(int i) => i < parts.Length ? parts[i] : string.Empty;
        return new DicomPersonNameGroup(At(0), At(1), At(2), At(3), At(4));
    }

    public override string ToString()
    {
        var parts = new[] { FamilyName, GivenName, MiddleName, Prefix, Suffix };
        var last = parts.Length - 1;
        while (last >= 0 && parts[last].Length == 0)
        {
            last--;
        }

        return last < 0 ? string.Empty : string.Join('^', parts, 0, last + 1);
    }
}
