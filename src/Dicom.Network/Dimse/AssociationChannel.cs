using LiverFlow.Dicom.Network.Pdus;

namespace LiverFlow.Dicom.Network;

/// <summary>What the next read on an established association produced.</summary>
internal abstract record ChannelEvent;

internal sealed record MessageReceived(byte PresentationContextId, CommandSet Command, IDataSetSink? DataSet) : ChannelEvent;

internal sealed record ReleaseRequested : ChannelEvent;

internal sealed record ReleaseResponded : ChannelEvent;

internal sealed record PeerAborted(AbortPdu Abort) : ChannelEvent;

internal sealed record ConnectionClosed : ChannelEvent;

/// <summary>
/// One side of an association on a connected stream: reads PDUs under a timeout, reassembles
/// DIMSE messages from PDVs (command first, then its data set, on one presentation context), and
/// sends commands and data sets fragmented to the peer's maximum PDU length.
/// </summary>
internal sealed class AssociationChannel
{
    private readonly Stream _stream;
    private readonly PduReader _reader;
    private readonly int _maxCommandLength;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly MemoryStream _command = new();
    private IReadOnlyList<PresentationDataValue>? _pending;
    private int _pendingIndex;

    public AssociationChannel(Stream stream, uint ourMaxPduLength, int maxCommandLength = 64 * 1024)
    {
        _stream = stream;
        // Read-ahead coalesces a PDU header with the tail of the previous PDU in one socket read;
        // writes bypass it and go straight to the connection.
        _reader = new PduReader(new BufferedStream(stream, 64 * 1024), ourMaxPduLength);
        _maxCommandLength = maxCommandLength;
    }

    /// <summary>The upper-layer state; every PDU read or written passes its guard.</summary>
    public UpperLayerStateMachine State { get; } = new();

    /// <summary>Maximum PDU length the peer accepts; set once the association is negotiated.</summary>
    public uint PeerMaxPduLength { get; set; } = 16384;

    /// <summary>Presentation contexts accepted on this association, by ID.</summary>
    public IReadOnlyDictionary<byte, (string AbstractSyntax, string TransferSyntax)> AcceptedContexts { get; set; } =
        new Dictionary<byte, (string, string)>();

    /// <summary>Reads one PDU, turning a lapsed <paramref name="timeout"/> into a <see cref="TimeoutException"/>.</summary>
    public async Task<Pdu?> ReadPduAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        Pdu? pdu;
        try
        {
            pdu = await _reader.ReadAsync(timer.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No PDU arrived within {timeout.TotalSeconds:0.###} s (state {State.State}).");
        }

        State.Apply(pdu is null ? UpperLayerEvent.TransportClosed : UpperLayerStateMachine.Received(pdu.Type));
        return pdu;
    }

    public async Task SendPduAsync(Pdu pdu, CancellationToken cancellationToken)
    {
        var bytes = PduCodec.Encode(pdu);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            State.Apply(UpperLayerStateMachine.Sent(pdu.Type));
            await _stream.WriteAsync(bytes, cancellationToken);
            await _stream.FlushAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Sends an A-ABORT if the connection still takes it; failure to do so changes nothing for us.</summary>
    public async Task TryAbortAsync(AbortSource source, AbortReason reason)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await SendPduAsync(new AbortPdu(source, reason), timeout.Token);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // The peer is gone or stuck; the connection is closed right after anyway.
        }
    }

    /// <summary>Sends a command set and, when given, its data set written by <paramref name="writeDataSet"/>.</summary>
    public async Task SendMessageAsync(byte presentationContextId, CommandSet command, Func<Stream, CancellationToken, Task>? writeDataSet, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            State.Apply(UpperLayerEvent.DataSent);
            var commandStream = new PDataWriteStream(_stream, presentationContextId, isCommand: true, PeerMaxPduLength);
            await commandStream.WriteAsync(command.Encode(), cancellationToken);
            await commandStream.CompleteAsync(cancellationToken);
            if (writeDataSet is not null)
            {
                var dataStream = new PDataWriteStream(_stream, presentationContextId, isCommand: false, PeerMaxPduLength);
                await writeDataSet(dataStream, cancellationToken);
                await dataStream.CompleteAsync(cancellationToken);
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Reads until a whole DIMSE message, a release, an abort or the end of the connection.
    /// <paramref name="openDataSetSink"/> is asked where a data set goes once its command is known.
    /// </summary>
    public async Task<ChannelEvent> ReceiveAsync(
        Func<byte, CommandSet, IDataSetSink> openDataSetSink,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        CommandSet? command = null;
        byte commandContext = 0;
        IDataSetSink? sink = null;
        _command.SetLength(0);

        while (true)
        {
            if (_pending is null || _pendingIndex >= _pending.Count)
            {
                _pending = null;
                var pdu = await ReadPduAsync(timeout, cancellationToken);
                var inMessage = _command.Length > 0 || command is not null;
                switch (pdu)
                {
                    case DataTransferPdu data:
                        _pending = data.Values;
                        _pendingIndex = 0;
                        break;
                    case ReleaseRequestPdu when !inMessage:
                        return new ReleaseRequested();
                    case ReleaseResponsePdu when !inMessage:
                        return new ReleaseResponded();
                    case AbortPdu abort:
                        return new PeerAborted(abort);
                    case null when !inMessage:
                        return new ConnectionClosed();
                    case null:
                        throw new DicomNetworkException("Connection closed by peer in the middle of a DIMSE message.");
                    default:
                        throw new DicomPduException(AbortReason.UnexpectedPdu, $"Unexpected {pdu.Type} PDU {(inMessage ? "in the middle of a DIMSE message" : "on an established association")}.");
                }

                continue;
            }

            var pdv = _pending[_pendingIndex++];
            if (!AcceptedContexts.ContainsKey(pdv.PresentationContextId))
            {
                throw new DicomPduException(AbortReason.InvalidPduParameterValue, $"PDV on presentation context {pdv.PresentationContextId}, which was not accepted.");
            }

            if (pdv.IsCommand)
            {
                if (command is not null)
                {
                    throw new DicomPduException(AbortReason.UnexpectedPduParameter, "Command fragment arrived while the previous command's data set was still expected.");
                }

                if (_command.Length > 0 && pdv.PresentationContextId != commandContext)
                {
                    throw new DicomPduException(AbortReason.UnexpectedPduParameter, "Command fragments switched presentation context mid-command.");
                }

                commandContext = pdv.PresentationContextId;
                if (_command.Length + pdv.Data.Length > _maxCommandLength)
                {
                    throw new DicomPduException(AbortReason.InvalidPduParameterValue, $"Command set exceeds {_maxCommandLength} bytes.");
                }

                _command.Write(pdv.Data.Span);
                if (!pdv.IsLastFragment)
                {
                    continue;
                }

                try
                {
                    command = CommandSet.Decode(_command.GetBuffer().AsMemory(0, (int)_command.Length));
                }
                catch (DicomNetworkException ex)
                {
                    throw new DicomPduException(ex.Message, ex);
                }

                _command.SetLength(0);
                if (!command.HasDataSet)
                {
                    return new MessageReceived(commandContext, command, null);
                }

                sink = openDataSetSink(commandContext, command);
                continue;
            }

            if (command is null || sink is null)
            {
                throw new DicomPduException(AbortReason.UnexpectedPduParameter, "Data set fragment arrived before its command.");
            }

            if (pdv.PresentationContextId != commandContext)
            {
                throw new DicomPduException(AbortReason.UnexpectedPduParameter, $"Data set fragment on presentation context {pdv.PresentationContextId}; its command came on {commandContext}.");
            }

            await sink.WriteAsync(pdv.Data, cancellationToken);
            if (pdv.IsLastFragment)
            {
                await sink.CompleteAsync(cancellationToken);
                return new MessageReceived(commandContext, command, sink);
            }
        }
    }
}
