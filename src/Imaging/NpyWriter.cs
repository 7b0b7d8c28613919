using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace LiverFlow.Imaging;

/// <summary>Writes NumPy .npy version 1.0 files: little-endian float32, C order (what numpy.load reads back bit-exactly).</summary>
public static class NpyWriter
{
    public static void Write(Stream stream, ReadOnlySpan<float> data, IReadOnlyList<int> shape)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(shape);
        var count = ElementCount(shape);
        if (count != data.Length)
        {
            throw new ArgumentException($"Shape ({string.Join(", ", shape)}) holds {count} values but {data.Length} were given.", nameof(shape));
        }

        WriteHeader(stream, shape);
        var buffer = new byte[4 * 4096];
        var offset = 0;
        while (offset < data.Length)
        {
            var n = Math.Min(4096, data.Length - offset);
            for (var i = 0; i < n; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(4 * i), data[offset + i]);
            }

            stream.Write(buffer, 0, 4 * n);
            offset += n;
        }
    }

    public static void Write(string path, ReadOnlySpan<float> data, IReadOnlyList<int> shape)
    {
        using var stream = File.Create(path);
        Write(stream, data, shape);
    }

    /// <summary>Writes only the header for a float32 array of this shape and returns its length in bytes; the data follows it.</summary>
    public static int WriteHeader(Stream stream, IReadOnlyList<int> shape)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(shape);
        ElementCount(shape);
        var shapeText = shape.Count == 1
            ? string.Create(CultureInfo.InvariantCulture, $"({shape[0]},)")
            : "(" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")";
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeText + ", }";

        // The format pads the header with spaces and a newline so the data starts on a 64-byte boundary.
        const int preamble = 10;
        var total = preamble + header.Length + 1;
        var padded = (total + 63) / 64 * 64;
        header = header + new string(' ', padded - total) + "\n";

        Span<byte> head = stackalloc byte[preamble];
        head[0] = 0x93;
        "NUMPY"u8.CopyTo(head[1..]);
        head[6] = 1;
        head[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(head[8..], (ushort)header.Length);
        stream.Write(head);
        stream.Write(Encoding.ASCII.GetBytes(header));
        return preamble + header.Length;
    }

    private static long ElementCount(IReadOnlyList<int> shape)
    {
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0)
            {
                throw new ArgumentException($"Negative dimension {d} in shape.", nameof(shape));
            }

            count *= d;
        }

        return count;
    }
}
