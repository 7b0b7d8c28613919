namespace LiverFlow.Dicom.Network.Client;

/// <summary>Timeouts, limits and retry policy of a <see cref="DicomClient"/>.</summary>
public sealed record DicomClientOptions
{
    /// <summary>Largest P-DATA-TF we accept (advertised in the A-ASSOCIATE-RQ).</summary>
    public uint MaxPduLength { get; init; } = 256 * 1024;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Time allowed for the A-ASSOCIATE-AC/RJ and for the A-RELEASE-RP (PS3.8 ARTIM).</summary>
    public TimeSpan ArtimTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Time allowed for each response; on expiry the association is aborted.</summary>
    public TimeSpan DimseTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Associations tried in all before giving up: refusals, aborts and timeouts are retried, permanent rejections never.</summary>
    public int MaxAssociationAttempts { get; init; } = 3;

    /// <summary>Wait before the next attempt, doubled on each further one.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public void Validate()
    {
        if (MaxPduLength is < 4096 or > 16 * 1024 * 1024)
        {
            throw new ArgumentException($"{nameof(MaxPduLength)} must be between 4096 and 16 MiB, not {MaxPduLength}.");
        }

        if (MaxAssociationAttempts < 1)
        {
            throw new ArgumentException($"{nameof(MaxAssociationAttempts)} must be at least 1, not {MaxAssociationAttempts}.");
        }

        if (ConnectTimeout <= TimeSpan.Zero || ArtimTimeout <= TimeSpan.Zero || DimseTimeout <= TimeSpan.Zero || RetryDelay < TimeSpan.Zero)
        {
            throw new ArgumentException("Timeouts must be positive and the retry delay not negative.");
        }
    }
}
