namespace LiverFlow.Contracts;

/// <summary>
/// A pointer to bytes in the shared file store. Volumes, crops, saliency maps and reports travel
/// this way, never inside a message: a broker is no place for 100 MB of voxels, and the digest lets
/// the reader prove it got exactly what the writer stored.
/// </summary>
public sealed record StoredObjectRef
{
    public StoredObjectRef(string storageKey, string sha256, long sizeBytes, string mediaType)
    {
        if (string.IsNullOrWhiteSpace(storageKey))
        {
            throw new ArgumentException("A stored object needs a storage key (its path in the file store).", nameof(storageKey));
        }
        if (storageKey.StartsWith('/') || storageKey.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"Storage key '{storageKey}' must be relative to the file store root and must not climb out of it ('..').", nameof(storageKey));
        }
        if (!IsLowerHexSha256(sha256))
        {
            throw new ArgumentException(
                $"SHA-256 of '{storageKey}' must be 64 lower-case hex digits, got '{sha256}'.", nameof(sha256));
        }
        if (sizeBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(sizeBytes), sizeBytes, $"Size of '{storageKey}' cannot be negative.");
        }
        if (string.IsNullOrWhiteSpace(mediaType) || !mediaType.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"Media type of '{storageKey}' must look like 'type/subtype' (e.g. application/dicom), got '{mediaType}'.", nameof(mediaType));
        }
        StorageKey = storageKey;
        Sha256 = sha256;
        SizeBytes = sizeBytes;
        MediaType = mediaType;
    }

    /// <summary>Path relative to the file store root, e.g. <c>studies/{correlationId}/volumes/arterial.npy</c>.</summary>
    public string StorageKey { get; }

    /// <summary>Lower-case hex SHA-256 of the stored bytes.</summary>
    public string Sha256 { get; }

    public long SizeBytes { get; }

    /// <summary>IANA media type, e.g. <c>application/dicom</c>, <c>application/x-npy</c>, <c>application/json</c>.</summary>
    public string MediaType { get; }

    private static bool IsLowerHexSha256(string? value)
    {
        if (value is null || value.Length != 64)
        {
            return false;
        }
        foreach (var c in value)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }
        return true;
    }
}
