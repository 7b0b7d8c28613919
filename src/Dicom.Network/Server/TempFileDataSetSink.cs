namespace LiverFlow.Dicom.Network.Server;

/// <summary>
/// Streams one received data set into a temporary Part 10 file. A write failure (disk full,
/// folder gone) is remembered, not thrown: the rest of the data set is swallowed so the
/// association stays in step and the sender gets 0xA700 instead of losing the association.
/// </summary>
internal sealed class TempFileDataSetSink : IDataSetSink, IAsyncDisposable
{
    /// <summary>
    /// Data sets up to this size are also kept in memory so the check after receipt parses them
    /// without reading the file back; one instance, never a study, is held.
    /// </summary>
    public const int InMemoryCopyLimit = 8 * 1024 * 1024;

    private FileStream? _file;
    private MemoryStream? _copy;

    /// <param name="directory">Temp folder for the file.</param>
    /// <param name="fileMetaInformation">Preamble, prefix and group 0002 to write first.</param>
    /// <param name="copyBuffer">
    /// The association's reusable buffer for the in-memory copy: one per association, so
    /// receiving does not allocate a large-object-heap array per instance.
    /// </param>
    public TempFileDataSetSink(string directory, byte[] fileMetaInformation, MemoryStream copyBuffer)
    {
        _copy = copyBuffer;
        _copy.SetLength(0);
        Path = System.IO.Path.Combine(directory, $"{Guid.NewGuid():N}.dcm.part");
        try
        {
            Directory.CreateDirectory(directory);

            // Synchronous writes: the association's task owns this file, and on Linux "async"
            // file I/O is the same write on a pool thread plus a hand-off.
            _file = new FileStream(Path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
            _file.Write(fileMetaInformation);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Fail(ex);
        }
    }

    public string Path { get; }

    public long BytesReceived { get; private set; }

    /// <summary>Why the data set could not be stored; null when it was.</summary>
    public Exception? WriteError { get; private set; }

    public bool IsComplete { get; private set; }

    /// <summary>The data set bytes as received, when small enough to have been kept; null otherwise.</summary>
    /// <remarks>The explicit null cast matters: a bare null would convert through byte[] to an empty, non-null Memory.</remarks>
    public ReadOnlyMemory<byte>? DataSetInMemory => _copy is null ? (ReadOnlyMemory<byte>?)null : _copy.GetBuffer().AsMemory(0, (int)_copy.Length);

    public ValueTask WriteAsync(ReadOnlyMemory<byte> fragment, CancellationToken cancellationToken)
    {
        BytesReceived += fragment.Length;
        if (_file is null)
        {
            return ValueTask.CompletedTask;
        }

        if (_copy is not null)
        {
            if (_copy.Length + fragment.Length <= InMemoryCopyLimit)
            {
                _copy.Write(fragment.Span);
            }
            else
            {
                _copy = null;
            }
        }

        try
        {
            _file.Write(fragment.Span);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Fail(ex);
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        if (_file is not null)
        {
            try
            {
                await _file.DisposeAsync();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Fail(ex);
            }

            _file = null;
        }

        IsComplete = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_file is not null)
        {
            await _file.DisposeAsync();
            _file = null;
        }

        TryDelete();
    }

    public void TryDelete()
    {
        try
        {
            File.Delete(Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A leftover temp file is harmless; the folder is ours and can be swept.
        }
    }

    private void Fail(Exception ex)
    {
        WriteError ??= ex;
        try
        {
            _file?.Dispose();
        }
        catch (IOException)
        {
            // Disposing flushes; on a full disk that fails again, and the file is deleted anyway.
        }

        _file = null;
        _copy = null;
        TryDelete();
    }
}
