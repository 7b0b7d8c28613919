using System.Buffers.Binary;

namespace LiverFlow.Dicom.Network.Pdus;

/// <summary>
/// Reads whole PDUs from a byte stream with strict bounds: an unknown type or a length beyond
/// what this side accepts is refused before any body byte is buffered, so a peer cannot make us
/// allocate what it likes.
/// </summary>
public sealed class PduReader
{
    /// <summary>Largest association PDU accepted; hundreds of presentation contexts fit well below it.</summary>
    public const int MaxAssociationPduLength = 1024 * 1024;

    private readonly Stream _stream;
    private readonly uint _maxDataPduLength;
    private readonly byte[] _header = new byte[PduCodec.HeaderLength];
    private byte[] _body = new byte[16 * 1024];

    /// <param name="stream">The connection.</param>
    /// <param name="maxDataPduLength">Maximum P-DATA-TF variable-field length this side advertised.</param>
    public PduReader(Stream stream, uint maxDataPduLength)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDataPduLength, 8u);
        _stream = stream;
        _maxDataPduLength = maxDataPduLength;
    }

    /// <summary>
    /// Reads the next PDU; null when the peer closed the connection cleanly between PDUs. The
    /// data of a returned P-DATA-TF is only valid until the next call.
    /// </summary>
    public async ValueTask<Pdu?> ReadAsync(CancellationToken cancellationToken)
    {
        if (!await FillAsync(_header, allowEndOfStream: true, cancellationToken))
        {
            return null;
        }

        var type = _header[0];
        if (!PduCodec.IsKnownType(type))
        {
            throw new DicomPduException(AbortReason.UnrecognizedPdu, $"Unrecognized PDU type 0x{type:X2}.");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(2));
        var limit = (PduType)type switch
        {
            PduType.DataTransfer => _maxDataPduLength,
            PduType.AssociateRequest or PduType.AssociateAccept => (uint)MaxAssociationPduLength,
            _ => 4u,
        };
        if (length > limit)
        {
            throw new DicomPduException(AbortReason.InvalidPduParameterValue, $"{(PduType)type} PDU of {length} bytes exceeds the limit of {limit} bytes.");
        }

        if (_body.Length < length)
        {
            _body = new byte[Math.Max(length, Math.Min(limit, (uint)_body.Length * 2))];
        }

        var body = _body.AsMemory(0, (int)length);
        await FillAsync(body, allowEndOfStream: false, cancellationToken);
        return PduCodec.Decode((PduType)type, body);
    }

    private async ValueTask<bool> FillAsync(Memory<byte> buffer, bool allowEndOfStream, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await _stream.ReadAsync(buffer[read..], cancellationToken);
            if (n == 0)
            {
                if (allowEndOfStream && read == 0)
                {
                    return false;
                }

                throw new DicomNetworkException($"Connection closed by peer in the middle of a PDU ({read} of {buffer.Length} bytes).");
            }

            read += n;
        }

        return true;
    }
}
