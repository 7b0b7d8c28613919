using LiverFlow.Dicom.Network.Pdus;

namespace LiverFlow.Dicom.Network.Server;

/// <summary>One SOP class this SCP accepts and the transfer syntaxes it takes for it, most preferred first.</summary>
public sealed record AcceptedSopClass(string SopClassUid, IReadOnlyList<string> TransferSyntaxes);

/// <summary>Per-AE configuration of a <see cref="DicomServer"/>. Defaults suit a hospital LAN.</summary>
public sealed record DicomServerOptions
{
    /// <summary>Our AE title, returned in the A-ASSOCIATE-AC.</summary>
    public string AeTitle { get; init; } = "LIVERFLOW";

    /// <summary>Called AE titles accepted; empty accepts any (reject reason "called AE title not recognized").</summary>
    public IReadOnlyCollection<string> AllowedCalledAeTitles { get; init; } = [];

    /// <summary>Calling AE titles accepted; empty accepts any (reject reason "calling AE title not recognized").</summary>
    public IReadOnlyCollection<string> AllowedCallingAeTitles { get; init; } = [];

    /// <summary>
    /// SOP classes and their transfer syntaxes. Verification is added automatically for
    /// C-ECHO providers, storage classes only for C-STORE providers. JPEG-family syntaxes are
    /// absent on purpose: we cannot decode them yet, so senders must transcode.
    /// </summary>
    public IReadOnlyList<AcceptedSopClass> AcceptedStorageSopClasses { get; init; } =
        DicomNetworkUids.DefaultStorageSopClasses.Select(uid => new AcceptedSopClass(uid, DicomNetworkUids.UncompressedTransferSyntaxes)).ToArray();

    /// <summary>Concurrent associations above which new ones are rejected ("local limit exceeded").</summary>
    public int MaxConcurrentAssociations { get; init; } = 16;

    /// <summary>Largest P-DATA-TF variable field we accept (advertised in the A-ASSOCIATE-AC).</summary>
    public uint MaxPduLength { get; init; } = 256 * 1024;

    /// <summary>Time allowed for the A-ASSOCIATE-RQ after a peer connects (PS3.8 ARTIM).</summary>
    public TimeSpan ArtimTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Time allowed for the next PDU while an association is established.</summary>
    public TimeSpan DimseTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Where received data sets are streamed before the provider moves them.</summary>
    public string TempDirectory { get; init; } = Path.Combine(Path.GetTempPath(), "liverflow-dicom-incoming");

    /// <summary>Largest command set accepted; real ones are a few hundred bytes.</summary>
    public int MaxCommandLength { get; init; } = 64 * 1024;

    /// <summary>Checks the options once at start-up so a bad configuration fails loudly, not per association.</summary>
    public void Validate()
    {
        PduCodec.ValidateAeTitle(AeTitle, nameof(AeTitle));
        foreach (var ae in AllowedCalledAeTitles.Concat(AllowedCallingAeTitles))
        {
            PduCodec.ValidateAeTitle(ae, nameof(AllowedCalledAeTitles));
        }

        if (MaxConcurrentAssociations < 1)
        {
            throw new ArgumentException($"{nameof(MaxConcurrentAssociations)} must be at least 1, not {MaxConcurrentAssociations}.");
        }

        if (MaxPduLength is < 4096 or > 16 * 1024 * 1024)
        {
            throw new ArgumentException($"{nameof(MaxPduLength)} must be between 4096 and 16 MiB, not {MaxPduLength}.");
        }

        if (ArtimTimeout <= TimeSpan.Zero || DimseTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("ARTIM and DIMSE timeouts must be positive.");
        }

        foreach (var sopClass in AcceptedStorageSopClasses)
        {
            if (sopClass.TransferSyntaxes.Count == 0)
            {
                throw new ArgumentException($"SOP class {sopClass.SopClassUid} is accepted with no transfer syntax.");
            }
        }

        if (string.IsNullOrWhiteSpace(TempDirectory))
        {
            throw new ArgumentException($"{nameof(TempDirectory)} must name a folder.");
        }
    }
}
