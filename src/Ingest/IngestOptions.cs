using System.ComponentModel.DataAnnotations;

namespace LiverFlow.Ingest;

/// <summary>Ingest's own settings (section <c>Ingest</c>); the phase rules live in <c>Ingest:PhaseRules</c>.</summary>
public sealed class IngestOptions
{
    public const string SectionName = "Ingest";

    /// <summary>Root of the content-addressed file store (instances, volumes, lesion masks).</summary>
    [Required(ErrorMessage = "Ingest:StorageRoot is not set: name a folder on a disk that survives restarts.")]
    public string StorageRoot { get; set; } = "";

    /// <summary>
    /// A study counts as complete when no instance of it arrived for this long, across associations
    /// and the watch folder. Modalities pause between series, so a few seconds is too short in production.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan QuietPeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the completion sweep looks for quiet studies.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan CompletionPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// An assembly claimed longer ago than this is taken over by another sweep: the process that
    /// claimed it died (a claim is a row state, not a lock, so it survives a crash).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "02:00:00")]
    public TimeSpan AssemblyLease { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Key of the keyed hash that turns PatientID into the pseudonym stored in schema <c>ingest</c>.
    /// Without it the pseudonym is a plain SHA-256, which a dictionary of hospital ids can reverse.
    /// </summary>
    public string PseudonymKey { get; set; } = "";

    public DicomListenerOptions Dicom { get; set; } = new();

    public WatchFolderOptions WatchFolder { get; set; } = new();
}

public sealed class DicomListenerOptions
{
    public bool Enabled { get; set; } = true;

    [RegularExpression(@"^[\x20-\x7E]{1,16}$", ErrorMessage = "Ingest:Dicom:AeTitle must be 1–16 printable ASCII characters.")]
    public string AeTitle { get; set; } = "LIVERFLOW";

    /// <summary>Interface to bind; loopback by default so a development machine is not a PACS node for its network.</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    [Range(0, 65535)]
    public int Port { get; set; } = 11112;

    /// <summary>Calling AE titles allowed to store; empty allows any.</summary>
    public List<string> AllowedCallingAeTitles { get; set; } = [];

    [Range(1, 256)]
    public int MaxConcurrentAssociations { get; set; } = 16;
}

public sealed class WatchFolderOptions
{
    /// <summary>Folder polled for Part 10 files and lesion-box sidecars (<c>*.lesions.json</c>); empty turns it off.</summary>
    public string Path { get; set; } = "";

    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A file younger than this may still be being copied in, so it waits for the next pass.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan MinimumFileAge { get; set; } = TimeSpan.FromSeconds(1);
}
