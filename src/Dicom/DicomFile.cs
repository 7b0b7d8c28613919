using System.Buffers.Binary;
using LiverFlow.Dicom.IO;

namespace LiverFlow.Dicom;

/// <summary>How a file was laid out on disk; anything other than <see cref="Part10"/> is a tolerated deviation.</summary>
public enum DicomFileFormat
{
    /// <summary>128-byte preamble, "DICM", File Meta Information, data set (PS3.10 7.1).</summary>
    Part10,

    /// <summary>File Meta Information at byte 0, without preamble and prefix.</summary>
    Part10WithoutPreamble,

    /// <summary>A bare data set (ACR-NEMA style); its transfer syntax was inferred from the first element.</summary>
    DatasetWithoutFileMeta,
}

/// <summary>A DICOM Part 10 file: File Meta Information plus the data set.</summary>
public sealed class DicomFile
{
    private static readonly byte[] Prefix = "DICM"u8.ToArray();

    public DicomFile(DicomDataset dataset, DicomTransferSyntax? syntax = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        Dataset = dataset;
        FileMetaInfo = new DicomFileMetaInformation(dataset, syntax ?? DefaultSyntax(dataset));
    }

    public DicomFile(DicomFileMetaInformation fileMetaInfo, DicomDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(fileMetaInfo);
        ArgumentNullException.ThrowIfNull(dataset);
        FileMetaInfo = fileMetaInfo;
        Dataset = dataset;
    }

    public DicomFileMetaInformation FileMetaInfo { get; }

    public DicomDataset Dataset { get; }

    public DicomFileFormat Format { get; private init; } = DicomFileFormat.Part10;

    public string? FilePath { get; private init; }

    public static DicomFile Open(string path, DicomReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= DicomReadOptions.Default;
        ReadOnlyMemory<byte> bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            if (stream.Length > Math.Min(options.MaxDataLength, Array.MaxLength))
            {
                throw new DicomFileException($"File of {stream.Length} bytes exceeds the limit of {Math.Min(options.MaxDataLength, Array.MaxLength)} bytes (DicomReadOptions.MaxDataLength).", path);
            }

            var buffer = GC.AllocateUninitializedArray<byte>((int)stream.Length);
            stream.ReadExactly(buffer);
            bytes = buffer;
        }
        catch (IOException ex)
        {
            throw new DicomFileException($"Cannot read the file: {ex.Message}", path, ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new DicomFileException($"Cannot read the file: {ex.Message}", path, ex);
        }

        return Parse(bytes, options, path);
    }

    public static DicomFile Open(Stream stream, DicomReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= DicomReadOptions.Default;
        ReadOnlyMemory<byte> bytes;
        try
        {
            bytes = DicomDatasetReader.ReadAll(stream, options.MaxDataLength);
        }
        catch (DicomParseException ex)
        {
            throw new DicomFileException(ex.Message, null, ex);
        }

        return Parse(bytes, options, null);
    }

    /// <summary>Parses a whole file held in memory; values are slices of <paramref name="bytes"/>.</summary>
    public static DicomFile Open(ReadOnlyMemory<byte> bytes, DicomReadOptions? options = null) =>
        Parse(bytes, options ?? DicomReadOptions.Default, null);

    /// <summary>
    /// Writes the file in the transfer syntax of its File Meta Information. The bytes go to a temporary file
    /// beside <paramref name="path"/> that replaces it only when complete, so a failed save never leaves a
    /// truncated DICOM file for a reader to pick up.
    /// </summary>
    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        EnsureSavable();
        var temporary = path + ".partial-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 65536))
            {
                Save(stream);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DicomException)
        {
            TryDelete(temporary);
            if (ex is DicomException)
            {
                throw;
            }

            throw new DicomFileException($"Cannot write the file: {ex.Message}", path, ex);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The original error matters more than a leftover temporary file.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }

    private void EnsureSavable()
    {
        if (FileMetaInfo.MediaStorageSOPClassUID == DicomUID.MediaStorageDirectoryStorage.Value)
        {
            throw new DicomFileException("LiverFlow does not write DICOMDIR files: re-encoding would invalidate the byte offsets its directory records (0004,1400/1420) point to.");
        }
    }

    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        EnsureSavable();

        var syntax = FileMetaInfo.TransferSyntax;
        FileMetaInfo.StampImplementation();
        if (FileMetaInfo.MediaStorageSOPClassUID is null && Dataset.TryGetString(DicomTag.SOPClassUID, out var sopClass))
        {
            FileMetaInfo.MediaStorageSOPClassUID = sopClass;
        }

        if (FileMetaInfo.MediaStorageSOPInstanceUID is null && Dataset.TryGetString(DicomTag.SOPInstanceUID, out var sopInstance))
        {
            FileMetaInfo.MediaStorageSOPInstanceUID = sopInstance;
        }

        if (!FileMetaInfo.Contains(DicomTag.FileMetaInformationVersion))
        {
            FileMetaInfo.Add(DicomTag.FileMetaInformationVersion, DicomVR.OB, new byte[] { 0, 1 });
        }

        if (!FileMetaInfo.Contains(DicomTag.FileMetaInformationGroupLength))
        {
            FileMetaInfo.Add(new DicomElement(DicomTag.FileMetaInformationGroupLength, DicomVR.UL, new byte[4]));
        }

        Span<byte> preamble = stackalloc byte[132];
        preamble.Clear();
        Prefix.CopyTo(preamble[128..]);
        stream.Write(preamble);
        DicomDatasetWriter.Write(stream, FileMetaInfo, DicomTransferSyntax.ExplicitVRLittleEndian);
        DicomDatasetWriter.Write(stream, Dataset, syntax);
    }

    /// <summary>A copy re-encoded in <paramref name="syntax"/> (pixel data must already suit it); the data set is shared.</summary>
    public DicomFile WithTransferSyntax(DicomTransferSyntax syntax)
    {
        ArgumentNullException.ThrowIfNull(syntax);
        var meta = new DicomFileMetaInformation();
        foreach (var item in FileMetaInfo)
        {
            meta.AddOrUpdate(item);
        }

        meta.TransferSyntax = syntax;
        return new DicomFile(meta, Dataset);
    }

    private static DicomTransferSyntax DefaultSyntax(DicomDataset dataset) =>
        dataset.GetItem(DicomTag.PixelData) is DicomFragmentSequence ? dataset.InternalTransferSyntax : DicomTransferSyntax.ExplicitVRLittleEndian;

    private static DicomFile Parse(ReadOnlyMemory<byte> bytes, DicomReadOptions options, string? path)
    {
        try
        {
            return ParseCore(bytes, options, path);
        }
        catch (DicomFileException)
        {
            throw;
        }
        catch (DicomException ex)
        {
            throw new DicomFileException(ex.Message, path, ex);
        }
    }

    private static DicomFile ParseCore(ReadOnlyMemory<byte> bytes, DicomReadOptions options, string? path)
    {
        var span = bytes.Span;
        var meta = new DicomFileMetaInformation();
        int metaStart;
        DicomFileFormat format;
        if (span.Length >= 132 && span.Slice(128, 4).SequenceEqual(Prefix))
        {
            metaStart = 132;
            format = DicomFileFormat.Part10;
        }
        else if (span.Length >= 8 && BinaryPrimitives.ReadUInt16LittleEndian(span) == 0x0002 && span[4] is >= (byte)'A' and <= (byte)'Z')
        {
            metaStart = 0;
            format = DicomFileFormat.Part10WithoutPreamble;
        }
        else
        {
            if (!options.AllowMissingFileMeta)
            {
                throw new DicomFileException("Not a DICOM Part 10 file: no 'DICM' prefix at offset 128 (PS3.10 7.1), and bare data sets are disabled by DicomReadOptions.AllowMissingFileMeta.", path);
            }

            var inferred = InferSyntax(span)
                ?? throw new DicomFileException("Not a DICOM file: no 'DICM' prefix at offset 128 and the first bytes are not a data element of group 0002 or 0008 in any uncompressed transfer syntax.", path);
            meta.TransferSyntax = inferred;
            var bare = DicomDatasetReader.Read(bytes, inferred, options);
            return new DicomFile(meta, bare) { Format = DicomFileFormat.DatasetWithoutFileMeta, FilePath = path };
        }

        var metaParser = new DicomParser(bytes[metaStart..], explicitVR: true, bigEndian: false, options, metaStart);
        metaParser.ReadDataset(meta, lastGroup: 0x0002);
        var datasetStart = metaStart + metaParser.Position;
        if (!meta.Contains(DicomTag.TransferSyntaxUID))
        {
            // PS3.10 requires (0002,0010); without it the data set's own first element tells explicit from implicit.
            meta.TransferSyntax = InferSyntax(span[datasetStart..]) ?? DicomTransferSyntax.ImplicitVRLittleEndian;
        }

        var syntax = meta.TransferSyntax;
        var data = bytes[datasetStart..];
        var dataset = new DicomDataset(64) { InternalTransferSyntax = syntax };
        if (syntax.IsDeflated)
        {
            data = DicomDatasetReader.Inflate(data, options);
            new DicomParser(data, true, false, options).ReadDataset(dataset);
        }
        else
        {
            new DicomParser(data, syntax.IsExplicitVR, syntax.IsBigEndian, options, datasetStart).ReadDataset(dataset);
        }

        return new DicomFile(meta, dataset) { Format = format, FilePath = path };
    }

    /// <summary>
    /// Guesses the syntax of a bare data set from its first element: a small even group in little or big
    /// endian, followed either by two VR letters (explicit) or by a length (implicit).
    /// </summary>
    internal static DicomTransferSyntax? InferSyntax(ReadOnlySpan<byte> span)
    {
        if (span.Length < 8)
        {
            return null;
        }

        var littleGroup = BinaryPrimitives.ReadUInt16LittleEndian(span);
        var bigGroup = BinaryPrimitives.ReadUInt16BigEndian(span);
        var vrLetters = DicomVR.TryParse(span[4], span[5], out _);
        if (littleGroup is >= 0x0002 and <= 0x0010 && (littleGroup & 1) == 0)
        {
            return vrLetters ? DicomTransferSyntax.ExplicitVRLittleEndian : DicomTransferSyntax.ImplicitVRLittleEndian;
        }

        if (bigGroup is >= 0x0002 and <= 0x0010 && (bigGroup & 1) == 0 && vrLetters)
        {
            return DicomTransferSyntax.ExplicitVRBigEndian;
        }

        return null;
    }
}
