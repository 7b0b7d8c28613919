using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace LiverFlow.Imaging;

/// <summary>Reads NumPy .npy files holding little-endian float32 in C order (what <see cref="NpyWriter"/> and numpy.save write).</summary>
public static class NpyReader
{
    public static (float[] Data, int[] Shape) Read(string path)
    {
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    public static (float[] Data, int[] Shape) Read(Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> preamble = stackalloc byte[10];
        stream.ReadExactly(preamble);
        if (preamble[0] != 0x93 || !preamble[1..6].SequenceEqual("NUMPY"u8))
        {
            throw new InvalidDataException($"{source} is not a .npy file (bad magic).");
        }

        int headerLength;
        if (preamble[6] == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(preamble[8..]);
        }
        else
        {
            Span<byte> extra = stackalloc byte[2];
            stream.ReadExactly(extra);
            headerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian([preamble[8], preamble[9], extra[0], extra[1]]);
        }

        var header = new byte[headerLength];
        stream.ReadExactly(header);
        var text = Encoding.ASCII.GetString(header);
        if (!text.Contains("'descr': '<f4'", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{source} does not hold little-endian float32 ({text.Trim()}).");
        }

        if (text.Contains("'fortran_order': True", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{source} is in Fortran order; only C order is supported.");
        }

        var open = text.IndexOf("'shape': (", StringComparison.Ordinal) + 10;
        var close = text.IndexOf(')', open);
        var shape = text[open..close].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        long count = 1;
        foreach (var d in shape)
        {
            count *= d;
        }

        var bytes = new byte[count * 4];
        stream.ReadExactly(bytes);
        var data = new float[count];
        for (var n = 0; n < count; n++)
        {
            data[n] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(4 * n));
        }

        return (data, shape);
    }
}
