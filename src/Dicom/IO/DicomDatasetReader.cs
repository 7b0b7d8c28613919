using System.IO.Compression;

namespace LiverFlow.Dicom.IO;

/// <summary>
/// Reads a data set (no preamble, no File Meta) in a given transfer syntax: what the network layer
/// receives in P-DATA, and what follows the File Meta in a Part 10 file.
/// </summary>
public static class DicomDatasetReader
{
    /// <summary>Parses <paramref name="data"/>; element values are slices of it, so keep it unchanged.</summary>
    public static DicomDataset Read(ReadOnlyMemory<byte> data, DicomTransferSyntax syntax, DicomReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(syntax);
        options ??= DicomReadOptions.Default;
        if (syntax.IsDeflated)
        {
            data = Inflate(data, options);
        }

        var dataset = new DicomDataset(64) { InternalTransferSyntax = syntax };
        var parser = new DicomParser(data, syntax.IsExplicitVR, syntax.IsBigEndian, options);
        parser.ReadDataset(dataset);
        return dataset;
    }

    /// <summary>Reads the rest of <paramref name="stream"/> (up to <see cref="DicomReadOptions.MaxDataLength"/>) and parses it.</summary>
    public static DicomDataset Read(Stream stream, DicomTransferSyntax syntax, DicomReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= DicomReadOptions.Default;
        return Read(ReadAll(stream, options.MaxDataLength), syntax, options);
    }

    /// <summary>Reads a DIMSE command set: group 0000, always Implicit VR Little Endian (PS3.7 6.3.1).</summary>
    public static DicomDataset ReadCommand(ReadOnlyMemory<byte> data) =>
        Read(data, DicomTransferSyntax.ImplicitVRLittleEndian);

    internal static ReadOnlyMemory<byte> Inflate(ReadOnlyMemory<byte> data, DicomReadOptions options)
    {
        try
        {
            // PS3.5 A.5: raw deflate (RFC 1951) without a zlib header.
            using var input = new MemoryStream(data.ToArray(), writable: false);
            using var deflate = new DeflateStream(input, CompressionMode.Decompress);
            return ReadAll(deflate, options.MaxDataLength);
        }
        catch (InvalidDataException ex)
        {
            throw new DicomParseException($"Deflated data set is corrupt: {ex.Message}", ex);
        }
    }

    internal static ReadOnlyMemory<byte> ReadAll(Stream stream, long limit)
    {
        if (stream.CanSeek)
        {
            var remaining = stream.Length - stream.Position;
            if (remaining > limit)
            {
                throw new DicomParseException($"Input of {remaining} bytes exceeds the configured limit of {limit} bytes (DicomReadOptions.MaxDataLength).");
            }

            var buffer = new byte[remaining];
            stream.ReadExactly(buffer);
            return buffer;
        }

        using var copy = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (copy.Length + read > limit)
            {
                throw new DicomParseException($"Input exceeds the configured limit of {limit} bytes (DicomReadOptions.MaxDataLength).");
            }

            copy.Write(chunk, 0, read);
        }

        return copy.GetBuffer().AsMemory(0, (int)copy.Length);
    }
}
