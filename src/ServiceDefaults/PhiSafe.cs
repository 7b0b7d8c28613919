using System.Security.Cryptography;
using System.Text;

namespace LiverFlow.ServiceDefaults;

/// <summary>
/// Turns DICOM identifiers into something that can be logged. UIDs are not names, but a
/// StudyInstanceUID or AccessionNumber links straight back to a patient in the PACS, so logs carry
/// a short hash that is stable (greppable across services) and not reversible in practice.
/// </summary>
public static class PhiSafe
{
    /// <summary>First 12 hex digits of SHA-256: enough to tell studies apart in a department's logs.</summary>
    public static string Hash(string? identifier)
    {
        if (string.IsNullOrEmpty(identifier))
        {
            return "(none)";
        }
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(identifier), digest);
        return Convert.ToHexStringLower(digest[..6]);
    }
}
