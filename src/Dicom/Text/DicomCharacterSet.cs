using System.Text;

namespace LiverFlow.Dicom.Text;

/// <summary>
/// The repertoire named by Specific Character Set (0008,0005), PS3.3 C.12.1.1.2. Single-byte ISO 8859
/// repertoires and UTF-8 (ISO_IR 192) are decoded; ISO 2022 code extensions that switch to multi-byte
/// sets by escape sequence (Japanese, Korean, Chinese) are kept as bytes and refused on decode.
/// </summary>
public sealed class DicomCharacterSet
{
    private static readonly Encoding Latin1 = Encoding.Latin1;

    private DicomCharacterSet(string[] terms, Encoding? encoding, string? unsupportedReason)
    {
        Terms = terms;
        Encoding = encoding ?? Latin1;
        UnsupportedReason = unsupportedReason;
    }

    static DicomCharacterSet() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>The default repertoire (ISO-IR 6). Decoded as Latin-1 so stray high bytes survive instead of failing.</summary>
    public static DicomCharacterSet Default { get; } = new([], Latin1, null);

    public static DicomCharacterSet Latin1Repertoire { get; } = new(["ISO_IR 100"], Latin1, null);

    public static DicomCharacterSet Utf8 { get; } = new(["ISO_IR 192"], new UTF8Encoding(false, false), null);

    public IReadOnlyList<string> Terms { get; }

    public Encoding Encoding { get; }

    public bool IsSupported => UnsupportedReason is null;

    public string? UnsupportedReason { get; }

    /// <summary>Builds the character set from the values of Specific Character Set.</summary>
    public static DicomCharacterSet FromTerms(IReadOnlyList<string> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var cleaned = terms.Select(t => t.Trim()).ToArray();
        if (cleaned.Length == 0 || (cleaned.Length == 1 && cleaned[0].Length == 0))
        {
            return Default;
        }

        if (cleaned.Length == 1)
        {
            switch (cleaned[0])
            {
                case "ISO_IR 6": return Default;
                case "ISO_IR 100": return Latin1Repertoire;
                case "ISO_IR 192": return Utf8;
                case "GB18030": return new DicomCharacterSet(cleaned, Encoding.GetEncoding("GB18030"), null);
                case "GBK": return new DicomCharacterSet(cleaned, Encoding.GetEncoding(936), null);
            }
        }

        // Only the first value may name a single-byte set without code extensions; later values are
        // ISO 2022 extensions. Extensions that stay within one single-byte G1 set decode like the set itself.
        Encoding? encoding = null;
        foreach (var term in cleaned)
        {
            if (term.Length == 0 || term is "ISO 2022 IR 6" or "ISO_IR 6")
            {
                continue;
            }

            var single = SingleByte(term);
            if (single is null)
            {
                return new DicomCharacterSet(cleaned, null, $"Specific Character Set '{string.Join('\\', cleaned)}' uses '{term}', which LiverFlow does not decode (supported: default repertoire, ISO 8859 single-byte sets, ISO_IR 192 UTF-8, GB18030, GBK).");
            }

            if (encoding is not null && encoding.CodePage != single.CodePage)
            {
                return new DicomCharacterSet(cleaned, null, $"Specific Character Set '{string.Join('\\', cleaned)}' switches between several repertoires by ISO 2022 escape sequences, which LiverFlow does not decode.");
            }

            encoding = single;
        }

        return new DicomCharacterSet(cleaned, encoding ?? Latin1, null);
    }

    private static Encoding? SingleByte(string term)
    {
        var code = term.Replace("ISO 2022 IR ", "ISO_IR ", StringComparison.Ordinal);
        return code switch
        {
            "ISO_IR 100" => Latin1,
            "ISO_IR 101" => Encoding.GetEncoding("iso-8859-2"),
            "ISO_IR 109" => Encoding.GetEncoding("iso-8859-3"),
            "ISO_IR 110" => Encoding.GetEncoding("iso-8859-4"),
            "ISO_IR 144" => Encoding.GetEncoding("iso-8859-5"),
            "ISO_IR 127" => Encoding.GetEncoding("iso-8859-6"),
            "ISO_IR 126" => Encoding.GetEncoding("iso-8859-7"),
            "ISO_IR 138" => Encoding.GetEncoding("iso-8859-8"),
            "ISO_IR 148" => Encoding.GetEncoding("iso-8859-9"),
            "ISO_IR 203" => Encoding.GetEncoding("iso-8859-15"),
            "ISO_IR 192" => new UTF8Encoding(false, false),
            _ => null,
        };
    }

    public string Decode(ReadOnlySpan<byte> bytes)
    {
        if (UnsupportedReason is not null)
        {
            throw new DicomCharacterSetException(UnsupportedReason);
        }

        return Encoding.GetString(bytes);
    }

    public byte[] Encode(string text)
    {
        if (UnsupportedReason is not null)
        {
            throw new DicomCharacterSetException(UnsupportedReason);
        }

        return Encoding.GetBytes(text);
    }

    public override string ToString() => Terms.Count == 0 ? "ISO_IR 6" : string.Join('\\', Terms);
}
