using System.Security.Cryptography;
using System.Text;

namespace LiverFlow.Contracts;

/// <summary>
/// The study's correlation id: a name-based UUID (version 5, RFC 9562) of the StudyInstanceUID and
/// the workflow revision. Deterministic, so a modality that re-sends a study lands on the same saga
/// instead of starting a second one; pseudonymous, so messages and logs never carry the UID itself
/// (a UID leads straight back to the patient in the PACS). Bumping the revision deliberately starts
/// a fresh workflow for the same study (e.g. re-processing with a new model).
/// </summary>
public static class StudyIdentity
{
    /// <summary>The namespace UUID for LiverFlow study ids (a fixed random UUID; never change it or every id changes).</summary>
    public static readonly Guid StudyNamespace = new("6f1b7c52-3a0e-4d8e-9a57-2c4d1e0b8f31");

    /// <summary>The first workflow revision of a study.</summary>
    public const int FirstRevision = 1;

    public static Guid CorrelationIdFor(string studyInstanceUid, int workflowRevision = FirstRevision)
    {
        ValidateStudyInstanceUid(studyInstanceUid);
        ArgumentOutOfRangeException.ThrowIfLessThan(workflowRevision, FirstRevision);
        return NameBasedUuidV5(StudyNamespace, $"{studyInstanceUid}|r{workflowRevision}");
    }

    /// <summary>RFC 9562 §5.5: SHA-1 over namespace (network byte order) and name, then version and variant bits.</summary>
    public static Guid NameBasedUuidV5(Guid namespaceId, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[16 + nameBytes.Length];
        namespaceId.TryWriteBytes(input, bigEndian: true, out _);
        nameBytes.CopyTo(input, 16);

        Span<byte> hash = stackalloc byte[20];
#pragma warning disable CA5350 // SHA-1 is what RFC 9562 prescribes for version-5 UUIDs; it is an identifier, not a security control.
        SHA1.HashData(input, hash);
#pragma warning restore CA5350
        var uuid = hash[..16];
        uuid[6] = (byte)((uuid[6] & 0x0F) | 0x50);
        uuid[8] = (byte)((uuid[8] & 0x3F) | 0x80);
        return new Guid(uuid, bigEndian: true);
    }

    /// <summary>DICOM PS3.5 §9.1: digits and dots, components without leading zeros, at most 64 characters.</summary>
    public static void ValidateStudyInstanceUid(string studyInstanceUid)
    {
        if (string.IsNullOrEmpty(studyInstanceUid))
        {
            throw new ArgumentException("StudyInstanceUID is empty.", nameof(studyInstanceUid));
        }
        if (studyInstanceUid.Length > 64)
        {
            throw new ArgumentException($"StudyInstanceUID is {studyInstanceUid.Length} characters; DICOM allows at most 64.", nameof(studyInstanceUid));
        }
        foreach (var component in studyInstanceUid.Split('.'))
        {
            if (component.Length == 0 || !component.All(char.IsAsciiDigit))
            {
                throw new ArgumentException("StudyInstanceUID must be dot-separated decimal components (e.g. 1.2.840.10008...).", nameof(studyInstanceUid));
            }
            if (component.Length > 1 && component[0] == '0')
            {
                throw new ArgumentException("StudyInstanceUID components must not have leading zeros.", nameof(studyInstanceUid));
            }
        }
    }
}
