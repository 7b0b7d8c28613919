using System.Text;

namespace LiverFlow.Dicom.Text;

/// <summary>
/// The repertoire named by Specific Character Set (0008,0005), PS3.3 C.12.1.1.2. Single-byte ISO 8859
/// repertoires, UTF-8 (ISO_IR 192), GB18030 and GBK are decoded and encoded; ISO 2022 code extensions that
/// switch sets by escape sequence (Japanese, Korean, Chinese) are decoded only.
/// </summary>
public sealed class DicomCharacterSet
{
    private static readonly Encoding Latin1 = Encoding.Latin1;

    private readonly Iso2022Decoder? _iso2022;

    private DicomCharacterSet(string[] terms, Encoding? encoding, string? unsupportedReason, Iso2022Decoder? iso2022 = null)
    {
        Terms = terms;
        Encoding = encoding ?? Latin1;
        UnsupportedReason = unsupportedReason;
        _iso2022 = iso2022;
    }

    /// <summary>True when values switch sets by ISO 2022 escape sequences; such text is decoded but not encoded.</summary>
    public bool UsesCodeExtensions => _iso2022 is not null;

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
            if (single is null || (encoding is not null && encoding.CodePage != single.CodePage))
            {
                return CodeExtensions(cleaned);
            }

            encoding = single;
        }

        return new DicomCharacterSet(cleaned, encoding ?? Latin1, null);
    }

    private static DicomCharacterSet CodeExtensions(string[] terms)
    {
        var decoder = Iso2022Decoder.Create(terms, out var unknown);
        return decoder is null
            ? new DicomCharacterSet(terms, null, $"Specific Character Set '{string.Join('\\', terms)}' uses '{unknown}', which LiverFlow does not decode (supported: default repertoire, ISO 8859 sets, ISO_IR 192 UTF-8, GB18030, GBK, and ISO 2022 IR 13, 87, 149, 58 with escape sequences).")
            : new DicomCharacterSet(terms, null, null, decoder);
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

    public string Decode(ReadOnlySpan<byte> bytes, bool personName = false)
    {
        if (UnsupportedReason is not null)
        {
            throw new DicomCharacterSetException(UnsupportedReason);
        }

        return _iso2022 is null ? Encoding.GetString(bytes) : _iso2022.Decode(bytes, personName);
    }

    public byte[] Encode(string text)
    {
        if (UnsupportedReason is not null)
        {
            throw new DicomCharacterSetException(UnsupportedReason);
        }

        if (_iso2022 is not null)
        {
            // Only ASCII needs no escape sequence; anything else would need an ISO 2022 encoder LiverFlow lacks.
            if (text.Any(c => c > 0x7F))
            {
                throw new DicomCharacterSetException($"Writing non-ASCII text under '{this}' needs ISO 2022 escape sequences, which LiverFlow does not encode; use ISO_IR 192 (UTF-8).");
            }

            return Encoding.ASCII.GetBytes(text);
        }

        return Encoding.GetBytes(text);
    }

    public override string ToString() => Terms.Count == 0 ? "ISO_IR 6" : string.Join('\\', Terms);
}
