using System.Net.Sockets;
using LiverFlow.Dicom.IO;
using LiverFlow.Dicom.Network.Logging;
using LiverFlow.Dicom.Network.Pdus;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiverFlow.Dicom.Network.Client;

/// <summary>
/// An SCU that queues C-ECHO and C-STORE requests and sends them over one association, proposing
/// for each stored file its own transfer syntax plus Explicit and Implicit VR LE, and transcoding
/// with the core writer when the SCP picks another. A lost, refused or timed-out association is
/// retried (bounded) with the requests that have no response yet; a permanent rejection is not.
/// </summary>
public sealed class DicomClient
{
    /// <summary>PS3.8 §9.3.2.2: at most 128 presentation contexts (odd IDs 1–255) per association.</summary>
    private const int MaxPresentationContexts = 128;

    private readonly List<DicomRequest> _requests = [];
    private readonly ILogger _logger;

    public DicomClient(string host, int port, string callingAeTitle, string calledAeTitle, DicomClientOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        PduCodec.ValidateAeTitle(callingAeTitle, nameof(callingAeTitle));
        PduCodec.ValidateAeTitle(calledAeTitle, nameof(calledAeTitle));
        Options = options ?? new DicomClientOptions();
        Options.Validate();
        Host = host;
        Port = port;
        CallingAeTitle = callingAeTitle.Trim();
        CalledAeTitle = calledAeTitle.Trim();
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<DicomClient>();
    }

    public string Host { get; }

    public int Port { get; }

    public string CallingAeTitle { get; }

    public string CalledAeTitle { get; }

    public DicomClientOptions Options { get; }

    /// <summary>Associations opened by the last <see cref="SendAsync"/>, retries included.</summary>
    public int AssociationAttempts { get; private set; }

    public void AddRequest(DicomRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        _requests.Add(request);
    }

    /// <summary>
    /// Sends every queued request that has no response yet. Each request's <see cref="DicomRequest.Response"/>
    /// is set as its response arrives; files that cannot be read get a local failure status and are not sent.
    /// </summary>
    /// <exception cref="DicomAssociationRejectedException">The SCP rejected the association permanently, or transiently on every attempt.</exception>
    /// <exception cref="DicomAssociationAbortedException">The association was aborted on the last attempt.</exception>
    /// <exception cref="DicomNetworkException">Connection refused, lost or timed out on the last attempt.</exception>
    public async Task SendAsync(CancellationToken cancellationToken = default)
    {
        AssociationAttempts = 0;
        var planned = new List<PlannedRequest>();
        foreach (var request in _requests.Where(r => r.Response is null))
        {
            if (Plan(request) is { } plan)
            {
                planned.Add(plan);
            }
        }

        foreach (var batch in Batches(planned))
        {
            await SendBatchWithRetriesAsync(batch, cancellationToken);
        }
    }

    private sealed record PlannedRequest(DicomRequest Request, string SopClassUid, string TransferSyntaxUid)
    {
        public (string, string) ContextKey => (SopClassUid, TransferSyntaxUid);
    }

    private PlannedRequest? Plan(DicomRequest request)
    {
        if (request is not DicomCStoreRequest store)
        {
            return new PlannedRequest(request, request.SopClassUid, DicomNetworkUids.ExplicitVRLittleEndian);
        }

        try
        {
            var file = DicomFile.Open(store.FilePath);
            var sopClass = file.Dataset.GetString(DicomTag.SOPClassUID).Trim(' ', '\0');
            var sopInstance = file.Dataset.GetString(DicomTag.SOPInstanceUID).Trim(' ', '\0');
            store.Describe(sopClass, sopInstance, file.FileMetaInfo.TransferSyntax.UID.Value);
            return new PlannedRequest(store, sopClass, store.TransferSyntaxUid);
        }
        catch (DicomException ex)
        {
            store.Complete(new DicomResponse(DicomCommandField.CStoreResponse, 0, DicomStatus.StorageCannotUnderstand.WithComment($"Not sent: {ex.Message}"), null, null));
            return null;
        }
    }

    private static List<List<PlannedRequest>> Batches(List<PlannedRequest> planned)
    {
        var batches = new List<List<PlannedRequest>>();
        var current = new List<PlannedRequest>();
        var keys = new HashSet<(string, string)>();
        foreach (var request in planned)
        {
            if (!keys.Contains(request.ContextKey) && keys.Count == MaxPresentationContexts)
            {
                batches.Add(current);
                current = [];
                keys.Clear();
            }

            keys.Add(request.ContextKey);
            current.Add(request);
        }

        if (current.Count > 0)
        {
            batches.Add(current);
        }

        return batches;
    }

    private async Task SendBatchWithRetriesAsync(List<PlannedRequest> batch, CancellationToken cancellationToken)
    {
        var delay = Options.RetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            var remaining = batch.Where(r => r.Request.Response is null).ToList();
            if (remaining.Count == 0)
            {
                return;
            }

            AssociationAttempts++;
            try
            {
                await SendOverOneAssociationAsync(remaining, attempt, cancellationToken);
                return;
            }
            catch (DicomAssociationRejectedException ex) when (ex.RejectResult == AssociateRejectResult.Permanent)
            {
                throw;
            }
            catch (Exception ex) when (IsRetryable(ex) && attempt < Options.MaxAssociationAttempts && !cancellationToken.IsCancellationRequested)
            {
                NetworkLog.ClientAttemptFailed(_logger, attempt, Options.MaxAssociationAttempts, CalledAeTitle, Host, Port, remaining.Count(r => r.Request.Response is null), ex.Message);
                await Task.Delay(delay, cancellationToken);
                delay *= 2;
            }
            catch (TimeoutException ex)
            {
                throw new DicomNetworkException($"DICOM association to {CalledAeTitle} at {Host}:{Port} timed out after {attempt} attempt(s): {ex.Message}", ex);
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
                throw new DicomNetworkException($"DICOM association to {CalledAeTitle} at {Host}:{Port} failed after {attempt} attempt(s): {ex.Message}", ex);
            }
        }
    }

    private static bool IsRetryable(Exception ex) =>
        ex is DicomNetworkException or TimeoutException or IOException or SocketException;

    private async Task SendOverOneAssociationAsync(List<PlannedRequest> requests, int attempt, CancellationToken cancellationToken)
    {
        using var tcp = new TcpClient { NoDelay = true };
        using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            connectTimeout.CancelAfter(Options.ConnectTimeout);
            try
            {
                await tcp.ConnectAsync(Host, Port, connectTimeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"Connecting to {Host}:{Port} took longer than {Options.ConnectTimeout.TotalSeconds:0.###} s.");
            }
        }

        var stream = tcp.GetStream();
        var channel = new AssociationChannel(stream, Options.MaxPduLength);
        var proposals = Propose(requests);
        var contexts = await AssociateAsync(channel, proposals, cancellationToken);
        NetworkLog.ClientAssociated(_logger, CalledAeTitle, Host, Port, attempt);

        ushort messageId = 0;
        try
        {
            foreach (var planned in requests)
            {
                await SendOneAsync(channel, contexts, planned, ++messageId, cancellationToken);
            }

            await ReleaseAsync(channel, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or DicomPduException or OperationCanceledException)
        {
            await channel.TryAbortAsync(AbortSource.ServiceUser, ex is DicomPduException pduError ? pduError.AbortReason : AbortReason.NotSpecified);
            throw;
        }
        catch (IOException ex)
        {
            // Writing failed because the peer went away; an A-ABORT may already be waiting to say why.
            throw await ExplainLostConnectionAsync(channel, ex);
        }
    }

    private static async Task<Exception> ExplainLostConnectionAsync(AssociationChannel channel, IOException lost)
    {
        try
        {
            if (await channel.ReadPduAsync(TimeSpan.FromSeconds(1), CancellationToken.None) is AbortPdu abort)
            {
                return new DicomAssociationAbortedException(abort.Source, abort.Reason, "while sending");
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or TimeoutException or DicomNetworkException or DicomPduException or ObjectDisposedException)
        {
            // Nothing more to learn from a dead connection.
        }

        return new DicomNetworkException($"Connection lost while sending: {lost.Message}", lost);
    }

    private static List<PresentationContextProposal> Propose(List<PlannedRequest> requests)
    {
        var proposals = new List<PresentationContextProposal>();
        byte id = 1;
        foreach (var key in requests.Select(r => r.ContextKey).Distinct())
        {
            var (sopClass, fileSyntax) = key;
            var syntaxes = new List<string> { fileSyntax };
            if (CanTranscode(fileSyntax))
            {
                syntaxes.Add(DicomNetworkUids.ExplicitVRLittleEndian);
                syntaxes.Add(DicomNetworkUids.ImplicitVRLittleEndian);
            }

            proposals.Add(new PresentationContextProposal(id, sopClass, syntaxes.Distinct().ToArray()));
            id += 2;
        }

        return proposals;
    }

    /// <summary>Native-pixel syntaxes can be re-encoded by the core writer; compressed ones cannot yet.</summary>
    private static bool CanTranscode(string transferSyntaxUid) =>
        DicomNetworkUids.UncompressedTransferSyntaxes.Contains(transferSyntaxUid);

    private async Task<Dictionary<byte, (string AbstractSyntax, string TransferSyntax)>> AssociateAsync(
        AssociationChannel channel,
        List<PresentationContextProposal> proposals,
        CancellationToken cancellationToken)
    {
        var request = new AssociateRequestPdu(
            CalledAeTitle,
            CallingAeTitle,
            PduCodec.DicomApplicationContextName,
            proposals,
            new UserInformation
            {
                MaxPduLength = Options.MaxPduLength,
                ImplementationClassUid = DicomNetworkUids.ImplementationClassUid,
                ImplementationVersionName = DicomNetworkUids.ImplementationVersionName,
            });
        await channel.SendPduAsync(request, cancellationToken);
        var answer = await channel.ReadPduAsync(Options.ArtimTimeout, cancellationToken);
        switch (answer)
        {
            case AssociateAcceptPdu accept:
                channel.PeerMaxPduLength = accept.UserInformation.MaxPduLength;
                var contexts = new Dictionary<byte, (string, string)>();
                foreach (var pc in accept.PresentationContexts.Where(pc => pc.Result == PresentationContextResult.Acceptance))
                {
                    var proposal = proposals.FirstOrDefault(p => p.Id == pc.Id)
                        ?? throw new DicomPduException(AbortReason.InvalidPduParameterValue, $"A-ASSOCIATE-AC accepts presentation context {pc.Id}, which was never proposed.");
                    if (!proposal.TransferSyntaxes.Contains(pc.TransferSyntax))
                    {
                        throw new DicomPduException(AbortReason.InvalidPduParameterValue, $"A-ASSOCIATE-AC accepts context {pc.Id} with transfer syntax {pc.TransferSyntax}, which was not proposed.");
                    }

                    contexts[pc.Id] = (proposal.AbstractSyntax, pc.TransferSyntax);
                }

                channel.AcceptedContexts = contexts;
                return contexts;
            case AssociateRejectPdu reject:
                throw new DicomAssociationRejectedException(reject.Result, reject.Source, reject.Reason);
            case AbortPdu abort:
                throw new DicomAssociationAbortedException(abort.Source, abort.Reason, "during negotiation");
            case null:
                throw new DicomNetworkException($"{Host}:{Port} closed the connection instead of answering the A-ASSOCIATE-RQ.");
            default:
                throw new DicomPduException(AbortReason.UnexpectedPdu, $"Expected A-ASSOCIATE-AC or -RJ, received {answer.Type}.");
        }
    }

    private async Task SendOneAsync(
        AssociationChannel channel,
        Dictionary<byte, (string AbstractSyntax, string TransferSyntax)> contexts,
        PlannedRequest planned,
        ushort messageId,
        CancellationToken cancellationToken)
    {
        var request = planned.Request;
        var candidates = contexts.Where(c => c.Value.AbstractSyntax == planned.SopClassUid).ToList();
        if (candidates.Count == 0)
        {
            NetworkLog.ClientNoContext(_logger, planned.SopClassUid, NetworkLog.Hash((request as DicomCStoreRequest)?.SopInstanceUid));
            request.Complete(new DicomResponse(
                (DicomCommandField)((ushort)request.CommandField | 0x8000),
                0,
                DicomStatus.SopClassNotSupported.WithComment("Not sent: the SCP accepted no presentation context for this SOP class"),
                planned.SopClassUid,
                null));
            return;
        }

        // Prefer a context that takes the file as it is; otherwise transcode to what was accepted.
        var context = candidates.FirstOrDefault(c => c.Value.TransferSyntax == planned.TransferSyntaxUid, candidates[0]);
        request.MessageId = messageId;
        var command = new CommandSet()
            .SetString(DicomTag.AffectedSOPClassUID, planned.SopClassUid)
            .SetUInt16(DicomTag.CommandField, (ushort)request.CommandField)
            .SetUInt16(DicomTag.MessageID, messageId);

        Func<Stream, CancellationToken, Task>? writeDataSet = null;
        if (request is DicomCStoreRequest store)
        {
            command.SetUInt16(DicomTag.Priority, (ushort)store.Priority)
                .SetUInt16(DicomTag.CommandDataSetType, CommandDataSetTypes.DataSetPresent)
                .SetString(DicomTag.AffectedSOPInstanceUID, store.SopInstanceUid);
            if (store.MoveOriginatorAeTitle is { } originator)
            {
                command.SetString(DicomTag.MoveOriginatorApplicationEntityTitle, originator);
                command.SetUInt16(DicomTag.MoveOriginatorMessageID, store.MoveOriginatorMessageId ?? 0);
            }

            var targetSyntax = context.Value.TransferSyntax;
            writeDataSet = (stream, ct) => WriteDataSetAsync(store, targetSyntax, stream, ct);
        }
        else
        {
            command.SetUInt16(DicomTag.CommandDataSetType, CommandDataSetTypes.NoDataSet);
        }

        await channel.SendMessageAsync(context.Key, command, writeDataSet, cancellationToken);
        var response = await ReceiveResponseAsync(channel, messageId, cancellationToken);
        NetworkLog.ClientResponse(_logger, request.CommandField.ToString(), NetworkLog.Hash((request as DicomCStoreRequest)?.SopInstanceUid), response.Status.ToString());
        request.Complete(response);
    }

    private static async Task WriteDataSetAsync(DicomCStoreRequest store, string targetSyntax, Stream stream, CancellationToken cancellationToken)
    {
        var bytes = await File.ReadAllBytesAsync(store.FilePath, cancellationToken);
        if (targetSyntax == store.TransferSyntaxUid)
        {
            var offset = Part10Layout.FindDataSetOffset(bytes);
            if (offset >= 0)
            {
                await stream.WriteAsync(bytes.AsMemory((int)offset), cancellationToken);
                return;
            }
        }

        var file = DicomFile.Open(bytes);
        DicomDatasetWriter.Write(stream, file.Dataset, DicomTransferSyntax.Parse(targetSyntax));
    }

    private async Task<DicomResponse> ReceiveResponseAsync(AssociationChannel channel, ushort messageId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var received = await channel.ReceiveAsync((_, _) => DiscardingDataSetSink.Instance, Options.DimseTimeout, cancellationToken);
            switch (received)
            {
                case MessageReceived message when ((ushort)message.Command.CommandField & 0x8000) != 0:
                    DicomResponse response;
                    try
                    {
                        response = DicomResponse.FromCommandSet(message.Command);
                    }
                    catch (DicomNetworkException ex)
                    {
                        throw new DicomPduException(ex.Message, ex);
                    }

                    if (response.MessageIdBeingRespondedTo != messageId)
                    {
                        throw new DicomPduException(AbortReason.InvalidPduParameterValue, $"Response to message {response.MessageIdBeingRespondedTo} while waiting for {messageId}.");
                    }

                    if (response.Status.State == DicomState.Pending)
                    {
                        continue;
                    }

                    return response;
                case PeerAborted aborted:
                    throw new DicomAssociationAbortedException(aborted.Abort.Source, aborted.Abort.Reason, "while waiting for a response");
                case ConnectionClosed:
                    throw new DicomNetworkException("Peer closed the connection while a response was outstanding.");
                default:
                    throw new DicomPduException(AbortReason.UnexpectedPdu, $"Unexpected {received.GetType().Name} while waiting for a response.");
            }
        }
    }

    private async Task ReleaseAsync(AssociationChannel channel, CancellationToken cancellationToken)
    {
        await channel.SendPduAsync(new ReleaseRequestPdu(), cancellationToken);
        var answer = await channel.ReceiveAsync((_, _) => DiscardingDataSetSink.Instance, Options.ArtimTimeout, cancellationToken);
        switch (answer)
        {
            case ReleaseResponded:
            case ConnectionClosed:
                // Some SCPs close right after the release request; every response already arrived.
                return;
            case PeerAborted:
                return;
            default:
                throw new DicomPduException(AbortReason.UnexpectedPdu, $"Expected A-RELEASE-RP, received {answer.GetType().Name}.");
        }
    }
}
