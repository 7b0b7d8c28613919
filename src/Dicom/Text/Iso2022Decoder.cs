using System.Text;

namespace LiverFlow.Dicom.Text;

/// <summary>
/// Decodes text that switches character sets with ISO 2022 escape sequences (PS3.5 6.1.2.5, PS3.3
/// C.12.1.1.2): Japanese (IR 13, IR 87), Korean (IR 149), Chinese (IR 58) and the ISO 8859 G1 sets.
/// Bytes below 0x80 belong to the G0 set, the rest to G1; both return to the value's initial sets at
/// each delimiter (CR, LF, FF, TAB, backslash, and for person names also '^' and '=').
/// </summary>
internal sealed class Iso2022Decoder
{
    private const byte Escape = 0x1B;
    private static readonly Encoding Ascii = Encoding.Latin1;

    private readonly Charset _initialG0;
    private readonly Charset _initialG1;

    private Iso2022Decoder(Charset initialG0, Charset initialG1)
    {
        _initialG0 = initialG0;
        _initialG1 = initialG1;
    }

    private enum Charset
    {
        None,
        Ascii,
        JisRomaji,
        JisKatakana,
        Jis0208,
        Ksx1001,
        Gb2312,
        Latin1,
        Latin2,
        Latin3,
        Latin4,
        Cyrillic,
        Arabic,
        Greek,
        Hebrew,
        Latin5,
        Thai,
    }

    /// <summary>A decoder for these terms, or null if a term is neither ISO 2022 nor known.</summary>
    public static Iso2022Decoder? Create(IReadOnlyList<string> terms, out string? unknownTerm)
    {
        unknownTerm = null;
        var first = terms.Count > 0 ? terms[0] : string.Empty;
        var (g0, g1) = first switch
        {
            "" or "ISO 2022 IR 6" => (Charset.Ascii, Charset.None),
            "ISO 2022 IR 13" => (Charset.JisRomaji, Charset.JisKatakana),
            _ => (Charset.Ascii, FromTerm(first)),
        };
        if (g1 == Charset.None && first is not ("" or "ISO 2022 IR 6"))
        {
            unknownTerm = first;
            return null;
        }

        foreach (var term in terms.Skip(1))
        {
            if (term.Length > 0 && term != "ISO 2022 IR 6" && FromTerm(term) == Charset.None)
            {
                unknownTerm = term;
                return null;
            }
        }

        return new Iso2022Decoder(g0, g1);
    }

    private static Charset FromTerm(string term) => term switch
    {
        "ISO 2022 IR 13" => Charset.JisKatakana,
        "ISO 2022 IR 87" => Charset.Jis0208,
        "ISO 2022 IR 149" => Charset.Ksx1001,
        "ISO 2022 IR 58" => Charset.Gb2312,
        "ISO 2022 IR 100" => Charset.Latin1,
        "ISO 2022 IR 101" => Charset.Latin2,
        "ISO 2022 IR 109" => Charset.Latin3,
        "ISO 2022 IR 110" => Charset.Latin4,
        "ISO 2022 IR 144" => Charset.Cyrillic,
        "ISO 2022 IR 127" => Charset.Arabic,
        "ISO 2022 IR 126" => Charset.Greek,
        "ISO 2022 IR 138" => Charset.Hebrew,
        "ISO 2022 IR 148" => Charset.Latin5,
        "ISO 2022 IR 166" => Charset.Thai,
        _ => Charset.None,
    };

    public string Decode(ReadOnlySpan<byte> bytes, bool personName)
    {
        var text = new StringBuilder(bytes.Length);
        var g0 = _initialG0;
        var g1 = _initialG1;
        var i = 0;
        while (i < bytes.Length)
        {
            var b = bytes[i];
            if (b == Escape)
            {
                i += Designate(bytes[i..], ref g0, ref g1);
                continue;
            }

            if (b < 0x80)
            {
                if (g0 == Charset.Jis0208)
                {
                    var start = i;
                    while (i + 1 < bytes.Length && bytes[i] is >= 0x21 and <= 0x7E && bytes[i + 1] is >= 0x21 and <= 0x7E)
                    {
                        i += 2;
                    }

                    if (i == start)
                    {
                        // A control byte or lone byte inside a two-byte run; keep it as ASCII.
                        text.Append((char)bytes[i++]);
                        continue;
                    }

                    // JIS X 0208 pairs become EUC-JP by setting the high bit of each byte.
                    var euc = bytes[start..i].ToArray();
                    for (var k = 0; k < euc.Length; k++)
                    {
                        euc[k] |= 0x80;
                    }

                    text.Append(Encodings.EucJp.GetString(euc));
                    continue;
                }

                text.Append((char)b);
                if (IsDelimiter(b, personName))
                {
                    g0 = _initialG0;
                    g1 = _initialG1;
                }

                i++;
                continue;
            }

            var runStart = i;
            while (i < bytes.Length && bytes[i] >= 0x80)
            {
                i++;
            }

            text.Append(DecodeHigh(bytes[runStart..i], g1));
        }

        return text.ToString();
    }

    private static bool IsDelimiter(byte b, bool personName) =>
        b is 0x0D or 0x0A or 0x0C or 0x09 or (byte)'\\' || (personName && b is (byte)'^' or (byte)'=');

    private static string DecodeHigh(ReadOnlySpan<byte> run, Charset g1) => g1 switch
    {
        Charset.JisKatakana => Encodings.ShiftJis.GetString(run),
        Charset.Ksx1001 => Encodings.Korean.GetString(run),
        Charset.Gb2312 => Encodings.Chinese.GetString(run),
        Charset.Latin1 or Charset.None => Ascii.GetString(run),
        Charset.Latin2 => Encoding.GetEncoding("iso-8859-2").GetString(run),
        Charset.Latin3 => Encoding.GetEncoding("iso-8859-3").GetString(run),
        Charset.Latin4 => Encoding.GetEncoding("iso-8859-4").GetString(run),
        Charset.Cyrillic => Encoding.GetEncoding("iso-8859-5").GetString(run),
        Charset.Arabic => Encoding.GetEncoding("iso-8859-6").GetString(run),
        Charset.Greek => Encoding.GetEncoding("iso-8859-7").GetString(run),
        Charset.Hebrew => Encoding.GetEncoding("iso-8859-8").GetString(run),
        Charset.Latin5 => Encoding.GetEncoding("iso-8859-9").GetString(run),
        Charset.Thai => Encoding.GetEncoding(874).GetString(run),
        _ => Ascii.GetString(run),
    };

    /// <summary>Applies one escape sequence; returns how many bytes it used (an unknown one is skipped as ESC alone).</summary>
    private static int Designate(ReadOnlySpan<byte> s, ref Charset g0, ref Charset g1)
    {
        static bool Is(ReadOnlySpan<byte> s, params byte[] tail) => s.Length > tail.Length && s[1..(tail.Length + 1)].SequenceEqual(tail);

        if (Is(s, (byte)'(', (byte)'B')) { g0 = Charset.Ascii; return 3; }
        if (Is(s, (byte)'(', (byte)'J')) { g0 = Charset.JisRomaji; return 3; }
        if (Is(s, (byte)'$', (byte)'B')) { g0 = Charset.Jis0208; return 3; }
        if (Is(s, (byte)')', (byte)'I')) { g1 = Charset.JisKatakana; return 3; }
        if (Is(s, (byte)'$', (byte)')', (byte)'C')) { g1 = Charset.Ksx1001; return 4; }
        if (Is(s, (byte)'$', (byte)')', (byte)'A')) { g1 = Charset.Gb2312; return 4; }
        if (s.Length >= 3 && s[1] == (byte)'-')
        {
            var set = s[2] switch
            {
                (byte)'A' => Charset.Latin1,
                (byte)'B' => Charset.Latin2,
                (byte)'C' => Charset.Latin3,
                (byte)'D' => Charset.Latin4,
                (byte)'L' => Charset.Cyrillic,
                (byte)'G' => Charset.Arabic,
                (byte)'F' => Charset.Greek,
                (byte)'H' => Charset.Hebrew,
                (byte)'M' => Charset.Latin5,
                (byte)'T' => Charset.Thai,
                _ => Charset.None,
            };
            if (set != Charset.None)
            {
                g1 = set;
                return 3;
            }
        }

        throw new DicomCharacterSetException($"Unsupported ISO 2022 escape sequence ESC {Encoding.ASCII.GetString(s[1..Math.Min(s.Length, 4)])} in a text value.");
    }

    private static class Encodings
    {
        public static readonly Encoding EucJp = Encoding.GetEncoding(51932);
        public static readonly Encoding ShiftJis = Encoding.GetEncoding(932);
        public static readonly Encoding Korean = Encoding.GetEncoding(949);
        public static readonly Encoding Chinese = Encoding.GetEncoding(936);
    }
}
