using System.Buffers.Binary;

namespace LiverFlow.Dicom.Network.Pdus;

/// <summary>
/// A write-only stream that cuts one DIMSE command or data set into P-DATA-TF PDUs of at most the
/// peer's maximum length, one PDV each. The last PDU is held back until <see cref="CompleteAsync"/>
/// so that exactly the final PDV carries the last-fragment bit and no empty PDV is ever sent.
/// </summary>
public sealed class PDataWriteStream : Stream
{
    private const int PdvHeaderLength = 6;

    /// <summary>Used when the peer sets no limit (0): large enough for throughput, small enough for memory.</summary>
    public const uint UnlimitedPeerCap = 1024 * 1024;

    private readonly Stream _network;
    private readonly byte _presentationContextId;
    private readonly bool _isCommand;
    private readonly int _capacity;
    private byte[] _buffer;
    private int _filled = PduCodec.HeaderLength + PdvHeaderLength;
    private bool _completed;

    public PDataWriteStream(Stream network, byte presentationContextId, bool isCommand, uint peerMaxPduLength)
    {
        ArgumentNullException.ThrowIfNull(network);
        _network = network;
        _presentationContextId = presentationContextId;
        _isCommand = isCommand;
        var maxPdu = peerMaxPduLength == 0 ? UnlimitedPeerCap : Math.Min(peerMaxPduLength, UnlimitedPeerCap);
        if (maxPdu <= PdvHeaderLength)
        {
            throw new ArgumentOutOfRangeException(nameof(peerMaxPduLength), $"Maximum PDU length {peerMaxPduLength} leaves no room for data.");
        }

        // The full PDU size is only needed for data sets; a command or a small data set must not
        // cost a 1 MiB allocation, so the buffer grows on demand up to one PDU.
        _capacity = PduCodec.HeaderLength + (int)maxPdu;
        _buffer = new byte[Math.Min(_capacity, 4096)];
    }

    public long BytesWritten { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_completed;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => BytesWritten;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        while (!buffer.IsEmpty)
        {
            if (_filled == _capacity)
            {
                var length = Frame(isLast: false);
                _network.Write(_buffer, 0, length);
                _filled = PduCodec.HeaderLength + PdvHeaderLength;
            }

            EnsureRoom(buffer.Length);
            var n = Math.Min(buffer.Length, _buffer.Length - _filled);
            buffer[..n].CopyTo(_buffer.AsSpan(_filled));
            _filled += n;
            BytesWritten += n;
            buffer = buffer[n..];
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        while (!buffer.IsEmpty)
        {
            if (_filled == _capacity)
            {
                var length = Frame(isLast: false);
                await _network.WriteAsync(_buffer.AsMemory(0, length), cancellationToken);
                _filled = PduCodec.HeaderLength + PdvHeaderLength;
            }

            EnsureRoom(buffer.Length);
            var n = Math.Min(buffer.Length, _buffer.Length - _filled);
            buffer[..n].CopyTo(_buffer.AsMemory(_filled));
            _filled += n;
            BytesWritten += n;
            buffer = buffer[n..];
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Sends the held-back final fragment with the last-fragment bit set.</summary>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (BytesWritten == 0)
        {
            throw new InvalidOperationException("A DIMSE command or data set cannot be empty.");
        }

        var length = Frame(isLast: true);
        await _network.WriteAsync(_buffer.AsMemory(0, length), cancellationToken);
        await _network.FlushAsync(cancellationToken);
        _completed = true;
    }

    private void EnsureRoom(int wanted)
    {
        if (_buffer.Length - _filled >= wanted || _buffer.Length == _capacity)
        {
            return;
        }

        var size = Math.Min(_capacity, Math.Max(_buffer.Length * 2, _filled + wanted));
        Array.Resize(ref _buffer, size);
    }

    private int Frame(bool isLast)
    {
        var pduLength = _filled - PduCodec.HeaderLength;
        _buffer[0] = (byte)PduType.DataTransfer;
        _buffer[1] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(2), (uint)pduLength);
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(6), (uint)(pduLength - 4));
        _buffer[10] = _presentationContextId;
        _buffer[11] = PduCodec.MessageControlHeader(_isCommand, isLast);
        return _filled;
    }

    public override void Flush()
    {
        // Fragments go out when full or at completion; flushing a partial fragment early would
        // only add PDUs.
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
