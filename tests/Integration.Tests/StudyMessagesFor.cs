using System.Security.Cryptography;
using System.Text;
using LiverFlow.Contracts;

namespace LiverFlow.Integration.Tests;

/// <summary>What each stage would publish for one study, with plausible references into the file store.</summary>
public sealed class StudyMessagesFor(Guid correlationId)
{
    public const string ModelId = "hamm2019-cnn";
    public const string ModelVersion = "sha256:3f1c0a";
    public const string RulesVersion = "lirads-2018.1";

    public Guid Id { get; } = correlationId;

    public static StudyMessagesFor NewStudy()
        => new(StudyIdentity.CorrelationIdFor($"2.25.{(UInt128)BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) * 1_000_003UL}"));

    public StudyReceived Received(string callingAeTitle = "MR_SITE1")
        => new(Id, callingAeTitle, 312, Ref($"studies/{Id}/received.json", "application/json"), Now());

    public StudyIngested Ingested()
        => new(Id,
        [
            new PhaseVolume("PreContrast", Ref($"studies/{Id}/volumes/pre.npy", "application/x-npy")),
            new PhaseVolume("Arterial", Ref($"studies/{Id}/volumes/arterial.npy", "application/x-npy")),
            new PhaseVolume("PortalVenous", Ref($"studies/{Id}/volumes/portal.npy", "application/x-npy")),
        ], Now());

    public LesionsClassified Classified()
        => new(Id, ModelId, ModelVersion,
            [new LesionClassification(1, "HCC", 0.91), new LesionClassification(2, "Cyst", 0.97)],
            Ref($"studies/{Id}/classification.json", "application/json"), Now());

    public LesionsInterpreted Interpreted() => new(Id, RulesVersion, Ref($"studies/{Id}/explanation.json", "application/json"), Now());

    public DraftReportCreated DraftReport() => new(Id, RulesVersion, Ref($"studies/{Id}/report/draft.sr.dcm", "application/dicom"), Now());

    public ReportSignedOff SignedOff() => new(Id, "reader-0042", Now());

    public ReportRejected Rejected(string reason) => new(Id, "reader-0042", reason, Now());

    public StudyNeedsAttention NeedsAttention(string stage, string reason) => new(Id, stage, reason, Now());

    private static DateTimeOffset Now() => DateTimeOffset.UtcNow;

    private static StoredObjectRef Ref(string key, string mediaType)
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        return new StoredObjectRef(key, Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length, mediaType);
    }
}
