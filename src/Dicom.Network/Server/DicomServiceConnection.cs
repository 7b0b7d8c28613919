using System.Net;
using System.Net.Sockets;
using LiverFlow.Dicom.Network.Logging;
using LiverFlow.Dicom.Network.Pdus;
using Microsoft.Extensions.Logging;

namespace LiverFlow.Dicom.Network.Server;

/// <summary>
/// Serves one TCP connection through the acceptor side of the upper-layer state machine
/// (PS3.8 §9.2): Sta2 waits under ARTIM for the A-ASSOCIATE-RQ, Sta6 serves DIMSE messages one
/// at a time under the DIMSE timeout until release or abort. Every failure ends this association
/// only; nothing escapes to the listener.
/// </summary>
internal sealed class DicomServiceConnection
{
    private readonly DicomServer _server;
    private readonly TcpClient _client;
    private readonly DicomServerOptions _options;
    private readonly ILogger _logger;
    private readonly EndPoint? _remote;
    private readonly int _connectionId;
    private object? _provider;
    private AssociationChannel? _channel;
    private DicomAssociation? _association;
    private readonly MemoryStream _dataSetCopy = new();
    private TempFileDataSetSink? _openSink;
    private int _messages;

    public DicomServiceConnection(DicomServer server, TcpClient client, ILogger logger, int connectionId)
    {
        _connectionId = connectionId;
        _server = server;
        _client = client;
        _options = server.Options;
        _logger = logger;
        _remote = client.Client.RemoteEndPoint;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // Every line this association logs carries its id and peer, so interleaved associations stay readable.
        using var scope = _logger.BeginScope(new Dictionary<string, object?> { ["DicomAssociationId"] = _connectionId, ["DicomPeer"] = _remote?.ToString() });
        try
        {
            _client.NoDelay = true;
            var stream = _client.GetStream();
            _channel = new AssociationChannel(stream, _options.MaxPduLength, _options.MaxCommandLength);
            _channel.State.Apply(UpperLayerEvent.TransportConnected);
            _provider = _server.CreateProvider();
            if (!await NegotiateAsync(_channel, cancellationToken))
            {
                return;
            }

            await ServeAsync(_channel, cancellationToken);
        }
        catch (DicomPduException ex)
        {
            NetworkLog.AbortingAssociation(_logger, _remote, ex.Message);
            await TryAbortAsync(ex.AbortReason);
        }
        catch (TimeoutException ex)
        {
            NetworkLog.AbortingAssociation(_logger, _remote, ex.Message);
            await TryAbortAsync(AbortReason.NotSpecified);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Server shutdown: tell the peer rather than let it wait for a timeout.
            await TryAbortAsync(AbortReason.NotSpecified);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or DicomNetworkException)
        {
            NetworkLog.ConnectionLost(_logger, _remote);
        }
        catch (Exception ex)
        {
            // A bug here must cost one association, never the server.
            NetworkLog.HandlerCrashed(_logger, ex);
            await TryAbortAsync(AbortReason.NotSpecified);
        }
        finally
        {
            if (_openSink is not null)
            {
                await _openSink.DisposeAsync();
            }

            switch (_provider)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }

            _client.Dispose();
        }
    }

    private async Task TryAbortAsync(AbortReason reason)
    {
        if (_channel is not null)
        {
            await _channel.TryAbortAsync(AbortSource.ServiceProvider, reason);
        }
    }

    private async Task<bool> NegotiateAsync(AssociationChannel channel, CancellationToken cancellationToken)
    {
        var first = await channel.ReadPduAsync(_options.ArtimTimeout, cancellationToken);
        if (first is null)
        {
            return false;
        }

        // The state machine already refused anything but an A-ASSOCIATE-RQ in this state.
        var request = (AssociateRequestPdu)first;

        var decision = AssociationNegotiator.Decide(request, _options, AcceptedSopClasses(), _server.ActiveAssociations - 1);
        if (decision.Reject is { } reject)
        {
            await RejectAsync(channel, request, reject, cancellationToken);
            return false;
        }

        var accept = decision.Accept!;
        _association = new DicomAssociation(
            request.CallingAeTitle,
            request.CalledAeTitle,
            _remote,
            request.UserInformation.MaxPduLength,
            request.UserInformation.ImplementationClassUid,
            request.UserInformation.ImplementationVersionName,
            request.PresentationContexts,
            accept.PresentationContexts);

        if (_provider is IDicomAssociationRequestHandler handler
            && await handler.OnReceiveAssociationRequestAsync(_association, cancellationToken) is { } rejection)
        {
            await RejectAsync(channel, request, new AssociateRejectPdu(rejection.Result, rejection.Source, rejection.Reason), cancellationToken);
            return false;
        }

        await channel.SendPduAsync(accept, cancellationToken);
        channel.PeerMaxPduLength = request.UserInformation.MaxPduLength;
        channel.AcceptedContexts = accept.PresentationContexts
            .Where(a => a.Result == PresentationContextResult.Acceptance)
            .ToDictionary(a => a.Id, a => (request.PresentationContexts.First(p => p.Id == a.Id).AbstractSyntax, a.TransferSyntax));
        NetworkLog.AssociationAccepted(_logger, request.CallingAeTitle, request.CalledAeTitle, _remote, channel.AcceptedContexts.Count, request.PresentationContexts.Count);
        return true;
    }

    private async Task RejectAsync(AssociationChannel channel, AssociateRequestPdu request, AssociateRejectPdu reject, CancellationToken cancellationToken)
    {
        NetworkLog.AssociationRejected(_logger, request.CallingAeTitle, request.CalledAeTitle, _remote, reject.ReasonText);
        await channel.SendPduAsync(reject, cancellationToken);

        // Give the requestor a moment to read the A-ASSOCIATE-RJ and close first (PS3.8 Sta13).
        try
        {
            await channel.ReadPduAsync(TimeSpan.FromSeconds(1), cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or IOException or DicomNetworkException or DicomPduException)
        {
            // Whatever it did, we are closing.
        }
    }

    private List<AcceptedSopClass> AcceptedSopClasses()
    {
        var accepted = new List<AcceptedSopClass>();
        if (_provider is IDicomCEchoProvider)
        {
            accepted.Add(new AcceptedSopClass(DicomNetworkUids.Verification, [DicomNetworkUids.ExplicitVRLittleEndian, DicomNetworkUids.ImplicitVRLittleEndian, DicomNetworkUids.ExplicitVRBigEndian]));
        }

        if (_provider is IDicomCStoreProvider)
        {
            accepted.AddRange(_options.AcceptedStorageSopClasses);
        }

        return accepted;
    }

    private async Task ServeAsync(AssociationChannel channel, CancellationToken cancellationToken)
    {
        var callingAe = _association!.CallingAeTitle;
        while (true)
        {
            var received = await channel.ReceiveAsync(OpenDataSetSink, _options.DimseTimeout, cancellationToken);
            switch (received)
            {
                case MessageReceived message:
                    _messages++;
                    await HandleMessageAsync(channel, message, cancellationToken);
                    break;
                case ReleaseRequested:
                    await channel.SendPduAsync(new ReleaseResponsePdu(), cancellationToken);
                    NetworkLog.AssociationReleased(_logger, callingAe, _messages);
                    return;
                case PeerAborted aborted:
                    NetworkLog.AssociationAbortedByPeer(_logger, callingAe, AssociationTexts.Describe(aborted.Abort.Reason));
                    return;
                case ConnectionClosed:
                    NetworkLog.ConnectionLost(_logger, _remote);
                    return;
                default:
                    throw new DicomPduException(AbortReason.UnexpectedPdu, $"Unexpected {received.GetType().Name} on an established association.");
            }
        }
    }

    private IDataSetSink OpenDataSetSink(byte presentationContextId, CommandSet command)
    {
        if (command.CommandField != DicomCommandField.CStoreRequest || _provider is not IDicomCStoreProvider)
        {
            return DiscardingDataSetSink.Instance;
        }

        var transferSyntax = _channel!.AcceptedContexts[presentationContextId].TransferSyntax;
        var meta = FileMetaInformationWriter.Build(
            command.GetString(DicomTag.AffectedSOPClassUID) ?? string.Empty,
            command.GetString(DicomTag.AffectedSOPInstanceUID) ?? string.Empty,
            transferSyntax,
            _association!.CallingAeTitle);
        _openSink = new TempFileDataSetSink(_options.TempDirectory, meta, _dataSetCopy);
        return _openSink;
    }

    private async Task HandleMessageAsync(AssociationChannel channel, MessageReceived message, CancellationToken cancellationToken)
    {
        var command = message.Command;
        var field = command.CommandField;
        if (((ushort)field & 0x8000) != 0 || field == DicomCommandField.CCancelRequest)
        {
            // Responses and C-CANCEL have nothing to answer on an SCP that runs one operation at a time.
            return;
        }

        var messageId = command.GetUInt16(DicomTag.MessageID)
            ?? throw new DicomPduException(AbortReason.InvalidPduParameterValue, $"{field} request has no Message ID (0000,0110).");
        DicomResponse response;
        switch (field)
        {
            case DicomCommandField.CEchoRequest:
                var echoStatus = _provider is IDicomCEchoProvider echo
                    ? await echo.OnCEchoRequestAsync(new DicomCEchoRequest { MessageId = messageId }, cancellationToken)
                    : DicomStatus.UnrecognizedOperation;
                response = new DicomResponse(DicomCommandField.CEchoResponse, messageId, echoStatus, DicomNetworkUids.Verification, null);
                NetworkLog.EchoAnswered(_logger, _association!.CallingAeTitle, echoStatus.ToString());
                break;
            case DicomCommandField.CStoreRequest:
                response = await HandleStoreAsync(channel, message, messageId, cancellationToken);
                break;
            default:
                response = new DicomResponse((DicomCommandField)((ushort)field | 0x8000), messageId, DicomStatus.UnrecognizedOperation.WithComment($"{field} is not supported"), command.GetString(DicomTag.AffectedSOPClassUID), null);
                break;
        }

        await channel.SendMessageAsync(message.PresentationContextId, response.ToCommandSet(), null, cancellationToken);
    }

    private async Task<DicomResponse> HandleStoreAsync(AssociationChannel channel, MessageReceived message, ushort messageId, CancellationToken cancellationToken)
    {
        var command = message.Command;
        var sopClass = command.GetString(DicomTag.AffectedSOPClassUID);
        var sopInstance = command.GetString(DicomTag.AffectedSOPInstanceUID);
        var sink = message.DataSet as TempFileDataSetSink;
        _openSink = null;
        DicomStatus status;
        try
        {
            status = await DecideStoreAsync(channel, message, sink, sopClass, sopInstance, messageId, cancellationToken);
        }
        finally
        {
            if (sink is not null)
            {
                await sink.DisposeAsync();
            }
        }

        if (status.State == DicomState.Failure)
        {
            NetworkLog.StoreFailed(_logger, NetworkLog.Hash(sopInstance), status.ToString());
        }
        else if (_logger.IsEnabled(LogLevel.Debug))
        {
            NetworkLog.StoreAnswered(_logger, NetworkLog.Hash(sopInstance), sink?.BytesReceived ?? 0, status.ToString());
        }

        return new DicomResponse(DicomCommandField.CStoreResponse, messageId, status, sopClass, sopInstance);
    }

    private async Task<DicomStatus> DecideStoreAsync(
        AssociationChannel channel,
        MessageReceived message,
        TempFileDataSetSink? sink,
        string? sopClass,
        string? sopInstance,
        ushort messageId,
        CancellationToken cancellationToken)
    {
        if (_provider is not IDicomCStoreProvider storeProvider)
        {
            return DicomStatus.SopClassNotSupported.WithComment("This AE does not store instances");
        }

        if (sink is null)
        {
            return DicomStatus.StorageCannotUnderstand.WithComment("C-STORE-RQ carried no data set");
        }

        if (sink.WriteError is { } writeError)
        {
            return DicomStatus.StorageOutOfResources.WithComment($"Cannot write received data set: {writeError.Message}");
        }

        if (string.IsNullOrEmpty(sopClass) || string.IsNullOrEmpty(sopInstance))
        {
            return DicomStatus.StorageCannotUnderstand.WithComment("Command lacks Affected SOP Class or Instance UID");
        }

        var (abstractSyntax, transferSyntax) = channel.AcceptedContexts[message.PresentationContextId];
        if (abstractSyntax != sopClass)
        {
            return DicomStatus.StorageDataSetDoesNotMatchSopClass.WithComment("Affected SOP Class differs from the presentation context");
        }

        var inspection = ReceivedInstanceInspector.Inspect(sink.Path, sink.DataSetInMemory, transferSyntax);
        if (inspection.Problem is { } problem)
        {
            return problem;
        }

        if (inspection.SopClassUid != sopClass)
        {
            return DicomStatus.StorageDataSetDoesNotMatchSopClass.WithComment("SOP Class UID (0008,0016) differs from the command");
        }

        if (inspection.SopInstanceUid != sopInstance)
        {
            return DicomStatus.StorageDataSetDoesNotMatchSopClass.WithComment("SOP Instance UID (0008,0018) differs from the command");
        }

        var request = new DicomCStoreRequest(sopClass, sopInstance, transferSyntax, sink.Path)
        {
            MessageId = messageId,
            Priority = (DicomPriority)(message.Command.GetUInt16(DicomTag.Priority) ?? 0),
            CallingAeTitle = _association!.CallingAeTitle,
            MoveOriginatorAeTitle = message.Command.GetString(DicomTag.MoveOriginatorApplicationEntityTitle),
            MoveOriginatorMessageId = message.Command.GetUInt16(DicomTag.MoveOriginatorMessageID),
        };
        try
        {
            return await storeProvider.OnCStoreRequestAsync(request, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return DicomStatus.StorageOutOfResources.WithComment(ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            NetworkLog.HandlerCrashed(_logger, ex);
            return DicomStatus.ProcessingFailure.WithComment($"Provider failed: {ex.GetType().Name}");
        }
    }
}
