using System.Security.Cryptography;
using LiverFlow.Contracts;

namespace LiverFlow.Inference.Studies;

/// <summary>
/// The file store Ingest writes and every later stage reads by reference (key + SHA-256). Reads prove they got
/// the bytes the writer recorded; writes go to a temporary file, are flushed and renamed into place, so a crash
/// leaves the whole object or none.
/// </summary>
public sealed class SharedFileStore
{
    public SharedFileStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    public string PathOf(string storageKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storageKey);
        if (storageKey.StartsWith('/') || storageKey.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Storage key '{storageKey}' must be relative and must not climb out of the store.", nameof(storageKey));
        }

        return Path.Combine(Root, storageKey);
    }

    /// <summary>The object's bytes, or <see cref="InvalidDataException"/> when they are not the recorded ones.</summary>
    public byte[] ReadVerified(StoredObjectRef reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return ReadVerified(reference.StorageKey, reference.Sha256);
    }

    public byte[] ReadVerified(string storageKey, string? sha256)
    {
        var bytes = File.ReadAllBytes(PathOf(storageKey));
        if (sha256 is not null)
        {
            var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (!string.Equals(actual, sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException($"Stored object '{storageKey}' has SHA-256 {actual}, not the recorded {sha256}: the store was altered.");
            }
        }

        return bytes;
    }

    public byte[] Read(string storageKey) => File.ReadAllBytes(PathOf(storageKey));

    public StoredObjectRef Write(string storageKey, string mediaType, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var destination = PathOf(storageKey);
        var folder = Path.GetDirectoryName(destination)!;
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $".{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                file.Write(bytes);
                file.Flush(flushToDisk: true);
            }

            File.Move(temp, destination, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }

        return new StoredObjectRef(storageKey, Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length, mediaType);
    }
}
