using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace LiverFlow.Dicom.Network.Logging;

/// <summary>
/// Source-generated log messages of the network layer; event IDs 3100–3199 are reserved for it.
/// No PHI: SOP instance UIDs appear only as a hash prefix, patient attributes never.
/// </summary>
internal static partial class NetworkLog
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "DICOM server {AeTitle} listening on {EndPoint}")]
    public static partial void ServerListening(ILogger logger, string aeTitle, EndPoint endPoint);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Association from {CallingAe} to {CalledAe} at {RemoteEndPoint} accepted with {AcceptedContexts} of {ProposedContexts} presentation contexts")]
    public static partial void AssociationAccepted(ILogger logger, string callingAe, string calledAe, EndPoint? remoteEndPoint, int acceptedContexts, int proposedContexts);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Association from {CallingAe} to {CalledAe} at {RemoteEndPoint} rejected: {Reason}")]
    public static partial void AssociationRejected(ILogger logger, string callingAe, string calledAe, EndPoint? remoteEndPoint, string reason);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information, Message = "Association with {CallingAe} released after {Messages} messages")]
    public static partial void AssociationReleased(ILogger logger, string callingAe, int messages);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Warning, Message = "Association with {CallingAe} aborted by peer: {Reason}")]
    public static partial void AssociationAbortedByPeer(ILogger logger, string callingAe, string reason);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Warning, Message = "Aborting association with {RemoteEndPoint}: {Reason}")]
    public static partial void AbortingAssociation(ILogger logger, EndPoint? remoteEndPoint, string reason);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Warning, Message = "Connection from {RemoteEndPoint} closed without release")]
    public static partial void ConnectionLost(ILogger logger, EndPoint? remoteEndPoint);

    [LoggerMessage(EventId = 3107, Level = LogLevel.Debug, Message = "C-STORE of instance #{InstanceHash} ({Bytes} bytes) answered {Status}")]
    public static partial void StoreAnswered(ILogger logger, string instanceHash, long bytes, string status);

    [LoggerMessage(EventId = 3108, Level = LogLevel.Warning, Message = "C-STORE of instance #{InstanceHash} failed: {Status}")]
    public static partial void StoreFailed(ILogger logger, string instanceHash, string status);

    [LoggerMessage(EventId = 3109, Level = LogLevel.Error, Message = "Association handler failed unexpectedly")]
    public static partial void HandlerCrashed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3110, Level = LogLevel.Debug, Message = "C-ECHO from {CallingAe} answered {Status}")]
    public static partial void EchoAnswered(ILogger logger, string callingAe, string status);

    [LoggerMessage(EventId = 3120, Level = LogLevel.Information, Message = "Association to {CalledAe} at {Host}:{Port} established (attempt {Attempt})")]
    public static partial void ClientAssociated(ILogger logger, string calledAe, string host, int port, int attempt);

    [LoggerMessage(EventId = 3121, Level = LogLevel.Warning, Message = "Association attempt {Attempt} of {MaxAttempts} to {CalledAe} at {Host}:{Port} failed; {Remaining} requests left: {Reason}")]
    public static partial void ClientAttemptFailed(ILogger logger, int attempt, int maxAttempts, string calledAe, string host, int port, int remaining, string reason);

    [LoggerMessage(EventId = 3122, Level = LogLevel.Debug, Message = "Sent {Command} #{InstanceHash}: {Status}")]
    public static partial void ClientResponse(ILogger logger, string command, string instanceHash, string status);

    [LoggerMessage(EventId = 3123, Level = LogLevel.Warning, Message = "No accepted presentation context for SOP class {SopClassUid}; instance #{InstanceHash} not sent")]
    public static partial void ClientNoContext(ILogger logger, string sopClassUid, string instanceHash);

    /// <summary>First 8 hex digits of SHA-256: enough to correlate log lines, useless to re-identify.</summary>
    public static string Hash(string? uid)
    {
        if (string.IsNullOrEmpty(uid))
        {
            return "none";
        }

        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.ASCII.GetBytes(uid), digest);
        return Convert.ToHexStringLower(digest[..4]);
    }
}
