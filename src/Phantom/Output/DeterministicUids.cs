using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace LiverFlow.Phantom.Output;

/// <summary>
/// UIDs under the 2.25 (UUID-derived) root, computed from the study seed and a role, so the same seed
/// always yields the same study, series and instance UIDs (and re-sending a phantom is idempotent downstream).
/// </summary>
public static class DeterministicUids
{
    public static string For(int studySeed, string role)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(FormattableString.Invariant($"liverflow-phantom/{studySeed}/{role}")));
        var bytes = new byte[17];
        Array.Copy(hash, bytes, 16);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40); // UUID version 4 layout, as 2.25 expects a UUID.
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        Array.Reverse(bytes, 0, 16); // BigInteger reads little endian; byte 16 = 0 keeps it positive.
        return "2.25." + new BigInteger(bytes).ToString(CultureInfo.InvariantCulture);
    }
}
