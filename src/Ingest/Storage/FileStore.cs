using System.Security.Cryptography;
using LiverFlow.Contracts;
using Microsoft.Extensions.Options;

namespace LiverFlow.Ingest.Storage;

/// <summary>
/// The file store under <see cref="IngestOptions.StorageRoot"/>. Received instances are content-addressed
/// (<c>instances/ab/cd/&lt;sha256&gt;.dcm</c>): a re-send lands on the same file, and a file's name proves
/// its content. Derived objects (volumes, masks) are written under a study key and referenced by key
/// and SHA-256. Every write is temp file → fsync → rename → fsync directory, so a crash leaves either
/// the whole object or nothing.
/// </summary>
public sealed class FileStore
{
    public const string IncomingFolder = "incoming";

    public FileStore(IOptions<IngestOptions> options)
        : this(options?.Value.StorageRoot ?? throw new ArgumentNullException(nameof(options)))
    {
    }

    public FileStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(IncomingDirectory);
    }

    public string Root { get; }

    /// <summary>Where the DICOM listener streams data sets: on the store's file system, so keeping one is a rename.</summary>
    public string IncomingDirectory => Path.Combine(Root, IncomingFolder);

    public string PathOf(string storageKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storageKey);
        if (storageKey.StartsWith('/') || storageKey.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Storage key '{storageKey}' must be relative and must not climb out of the store.", nameof(storageKey));
        }
        return Path.Combine(Root, storageKey);
    }

    public static string InstanceKey(string sha256) => $"instances/{sha256[..2]}/{sha256[2..4]}/{sha256}.dcm";

    /// <summary>
    /// Keeps a received file whose bytes and digest are known: it is flushed and renamed to its
    /// content address. When that address exists already (a re-send), the temp file is dropped.
    /// </summary>
    public string KeepInstance(string tempPath, string sha256)
    {
        var key = InstanceKey(sha256);
        var destination = PathOf(key);
        if (File.Exists(destination))
        {
            File.Delete(tempPath);
            return key;
        }
        Durable.FlushFile(tempPath);
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        Durable.MoveIntoPlace(tempPath, destination);
        return key;
    }

    /// <summary>Writes an object durably under <paramref name="storageKey"/> and returns its reference.</summary>
    public StoredObjectRef Write(string storageKey, string mediaType, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var destination = PathOf(storageKey);
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        var temp = Path.Combine(IncomingDirectory, $"{Guid.NewGuid():N}.tmp");
        string sha;
        long size;
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            using (var hashing = new HashingStream(file))
            {
                write(hashing);
                hashing.Flush();
                file.Flush(flushToDisk: true);
                sha = hashing.Sha256Hex();
                size = file.Length;
            }
            Durable.MoveIntoPlace(temp, destination);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
        return new StoredObjectRef(storageKey, sha, size, mediaType);
    }

    /// <summary>Reads an object back and checks it is the one that was stored.</summary>
    public byte[] ReadVerified(StoredObjectRef reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var bytes = File.ReadAllBytes(PathOf(reference.StorageKey));
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (sha != reference.Sha256)
        {
            throw new InvalidDataException($"Stored object '{reference.StorageKey}' has SHA-256 {sha}, not the recorded {reference.Sha256}: the store was altered.");
        }
        return bytes;
    }

    /// <summary>Forwards writes to a stream while hashing them.</summary>
    private sealed class HashingStream(Stream inner) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public string Sha256Hex() => Convert.ToHexStringLower(_hash.GetHashAndReset());

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _hash.AppendData(buffer);
            inner.Write(buffer);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
