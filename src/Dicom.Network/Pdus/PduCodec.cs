using System.Buffers.Binary;
using System.Text;

namespace LiverFlow.Dicom.Network.Pdus;

/// <summary>
/// Encodes and decodes PDU bodies (everything after the 6-byte PDU header) per PS3.8 §9.3.
/// Pure functions over bytes: every length field is checked against what is really there, so a
/// hostile peer gets a <see cref="DicomPduException"/> and never an out-of-range read.
/// </summary>
public static class PduCodec
{
    public const int HeaderLength = 6;
    public const string DicomApplicationContextName = "1.2.840.10008.3.1.1.1";

    private const int AssociateFixedFieldsLength = 68;
    private const int MaxUidLength = 64;
    private const int AeTitleLength = 16;

    public static byte[] Encode(Pdu pdu)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        var body = pdu switch
        {
            AssociateRequestPdu rq => EncodeAssociate(rq.ProtocolVersion, rq.CalledAeTitle, rq.CallingAeTitle, rq.ApplicationContextName, w =>
            {
                foreach (var pc in rq.PresentationContexts)
                {
                    ValidatePresentationContextId(pc.Id);
                    if (pc.TransferSyntaxes.Count == 0)
                    {
                        throw new ArgumentException($"Presentation context {pc.Id} proposes no transfer syntax.", nameof(pdu));
                    }

                    var item = new ItemWriter();
                    item.Byte(pc.Id).Byte(0).Byte(0).Byte(0);
                    item.Item(0x30, Ascii(pc.AbstractSyntax));
                    foreach (var ts in pc.TransferSyntaxes)
                    {
                        item.Item(0x40, Ascii(ts));
                    }

                    w.Item(0x20, item.ToArray());
                }
            }, rq.UserInformation),
            AssociateAcceptPdu ac => EncodeAssociate(ac.ProtocolVersion, ac.CalledAeTitle, ac.CallingAeTitle, ac.ApplicationContextName, w =>
            {
                foreach (var pc in ac.PresentationContexts)
                {
                    ValidatePresentationContextId(pc.Id);
                    var item = new ItemWriter();
                    item.Byte(pc.Id).Byte(0).Byte((byte)pc.Result).Byte(0);
                    item.Item(0x40, Ascii(pc.TransferSyntax));
                    w.Item(0x21, item.ToArray());
                }
            }, ac.UserInformation),
            AssociateRejectPdu rj => [0, (byte)rj.Result, (byte)rj.Source, rj.Reason],
            ReleaseRequestPdu or ReleaseResponsePdu => new byte[4],
            AbortPdu ab => [0, 0, (byte)ab.Source, (byte)ab.Reason],
            DataTransferPdu data => EncodeDataTransfer(data),
            _ => throw new ArgumentException($"Unknown PDU {pdu.GetType().Name}.", nameof(pdu)),
        };

        var result = new byte[HeaderLength + body.Length];
        result[0] = (byte)pdu.Type;
        BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(2), (uint)body.Length);
        body.CopyTo(result, HeaderLength);
        return result;
    }

    /// <summary>Decodes a PDU body whose type and length came from an already validated header.</summary>
    public static Pdu Decode(PduType type, ReadOnlyMemory<byte> body) => type switch
    {
        PduType.AssociateRequest => DecodeAssociateRequest(body.Span),
        PduType.AssociateAccept => DecodeAssociateAccept(body.Span),
        PduType.AssociateReject => DecodeReject(body.Span),
        PduType.DataTransfer => DecodeDataTransfer(body),
        PduType.ReleaseRequest => DecodeFixed(body.Span, "A-RELEASE-RQ", new ReleaseRequestPdu()),
        PduType.ReleaseResponse => DecodeFixed(body.Span, "A-RELEASE-RP", new ReleaseResponsePdu()),
        PduType.Abort => DecodeAbort(body.Span),
        _ => throw new DicomPduException(AbortReason.UnrecognizedPdu, $"Unrecognized PDU type 0x{(byte)type:X2}."),
    };

    public static bool IsKnownType(byte type) => type is >= 0x01 and <= 0x07;

    /// <summary>
    /// Writes a trimmed AE title as the 16-byte space-padded field; rejects titles that could not
    /// be represented (PS3.5 AE: at most 16 characters of the default repertoire, no backslash).
    /// </summary>
    public static void ValidateAeTitle(string aeTitle, string paramName)
    {
        ArgumentNullException.ThrowIfNull(aeTitle, paramName);
        var trimmed = aeTitle.Trim(' ');
        if (trimmed.Length is 0 or > AeTitleLength)
        {
            throw new ArgumentException($"AE title '{aeTitle}' must have 1 to 16 significant characters.", paramName);
        }

        foreach (var c in trimmed)
        {
            if (c is < ' ' or > '~' or '\\')
            {
                throw new ArgumentException($"AE title '{aeTitle}' contains a character not allowed in an AE title.", paramName);
            }
        }
    }

    private static byte[] EncodeAssociate(ushort version, string called, string calling, string applicationContext, Action<ItemWriter> writeContexts, UserInformation userInfo)
    {
        ValidateAeTitle(called, nameof(called));
        ValidateAeTitle(calling, nameof(calling));
        var w = new ItemWriter();
        w.UInt16(version).UInt16(0);
        w.Bytes(AeField(called)).Bytes(AeField(calling));
        w.Bytes(new byte[32]);
        w.Item(0x10, Ascii(applicationContext));
        writeContexts(w);

        var ui = new ItemWriter();
        var maxLength = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(maxLength, userInfo.MaxPduLength);
        ui.Item(0x51, maxLength);
        ui.Item(0x52, Ascii(userInfo.ImplementationClassUid));
        if (userInfo.AsyncOperationsWindow is { } window)
        {
            var value = new byte[4];
            BinaryPrimitives.WriteUInt16BigEndian(value, window.Invoked);
            BinaryPrimitives.WriteUInt16BigEndian(value.AsSpan(2), window.Performed);
            ui.Item(0x53, value);
        }

        if (!string.IsNullOrEmpty(userInfo.ImplementationVersionName))
        {
            ui.Item(0x55, Ascii(userInfo.ImplementationVersionName));
        }

        w.Item(0x50, ui.ToArray());
        return w.ToArray();
    }

    private static byte[] EncodeDataTransfer(DataTransferPdu data)
    {
        if (data.Values.Count == 0)
        {
            throw new ArgumentException("A P-DATA-TF PDU needs at least one presentation data value.", nameof(data));
        }

        var w = new ItemWriter();
        foreach (var pdv in data.Values)
        {
            ValidatePresentationContextId(pdv.PresentationContextId);
            w.UInt32((uint)(pdv.Data.Length + 2));
            w.Byte(pdv.PresentationContextId);
            w.Byte(MessageControlHeader(pdv.IsCommand, pdv.IsLastFragment));
            w.Bytes(pdv.Data.Span);
        }

        return w.ToArray();
    }

    /// <summary>Bit 0: command (1) or data set (0); bit 1: last fragment (PS3.8 Annex E.2).</summary>
    public static byte MessageControlHeader(bool isCommand, bool isLastFragment) =>
        (byte)((isCommand ? 1 : 0) | (isLastFragment ? 2 : 0));

    private static void ValidatePresentationContextId(byte id)
    {
        if (id % 2 == 0)
        {
            throw new ArgumentException($"Presentation context ID {id} must be odd (PS3.8 §9.3.2.2).", nameof(id));
        }
    }

    private static byte[] AeField(string aeTitle)
    {
        var field = new byte[AeTitleLength];
        field.AsSpan().Fill((byte)' ');
        Encoding.ASCII.GetBytes(aeTitle.Trim(' '), field);
        return field;
    }

    private static byte[] Ascii(string value) => Encoding.ASCII.GetBytes(value);

    private static AssociateRequestPdu DecodeAssociateRequest(ReadOnlySpan<byte> body)
    {
        var (version, called, calling) = DecodeAssociateFixedFields(body, "A-ASSOCIATE-RQ");
        string? applicationContext = null;
        UserInformation? userInfo = null;
        var contexts = new List<PresentationContextProposal>();
        foreach (var (type, value) in Items(body[AssociateFixedFieldsLength..], "A-ASSOCIATE-RQ"))
        {
            switch (type)
            {
                case 0x10:
                    applicationContext = applicationContext is null
                        ? Uid(value, "application context name")
                        : throw new DicomPduException(AbortReason.UnexpectedPduParameter, "A-ASSOCIATE-RQ carries two application context items.");
                    break;
                case 0x20:
                    contexts.Add(DecodeProposal(value));
                    break;
                case 0x50:
                    userInfo = userInfo is null
                        ? DecodeUserInformation(value)
                        : throw new DicomPduException(AbortReason.UnexpectedPduParameter, "A-ASSOCIATE-RQ carries two user information items.");
                    break;
                default:
                    throw new DicomPduException(AbortReason.UnrecognizedPduParameter, $"A-ASSOCIATE-RQ carries unrecognized item type 0x{type:X2}.");
            }
        }

        if (applicationContext is null)
        {
            throw new DicomPduException(AbortReason.InvalidPduParameterValue, "A-ASSOCIATE-RQ has no application context item.");
        }

        if (contexts.Count == 0)
        {
            throw new DicomPduException(AbortReason.InvalidPduParameterValue, "A-ASSOCIATE-RQ proposes no presentation context.");
        }

        if (contexts.Select(c => c.Id).Distinct().Count() != contexts.Count)
        {
            throw new DicomPduException(AbortReason.InvalidPduParameterValue, "A-ASSOCIATE-RQ proposes the same presentation context ID twice.");
        }

        return new AssociateRequestPdu(called, calling, applicationContext, contexts, userInfo ?? new UserInformation(), version);
    }

    private static AssociateAcceptPdu DecodeAssociateAccept(ReadOnlySpan<byte> body)
    {
        var (version, called, calling) = DecodeAssociateFixedFields(body, "A-ASSOCIATE-AC");
        string? applicationContext = null;
        UserInformation? userInfo = null;
        var contexts = new List<PresentationContextAnswer>();
        foreach (var (type, value) in Items(body[AssociateFixedFieldsLength..], "A-ASSOCIATE-AC"))
        {
            switch (type)
            {
                case 0x10:
                    applicationContext = Uid(value, "application context name");
                    break;
                case 0x21:
                    contexts.Add(DecodeAnswer(value));
                    break;
                case 0x50:
                    userInfo = DecodeUserInformation(value);
                    break;
                default:
                    throw new DicomPduException(AbortReason.UnrecognizedPduParameter, $"A-ASSOCIATE-AC carries unrecognized item type 0x{type:X2}.");
            }
        }

        return new AssociateAcceptPdu(
            called,
            calling,
            applicationContext ?? throw new DicomPduException(AbortReason.InvalidPduParameterValue, "A-ASSOCIATE-AC has no application context item."),
            contexts,
            userInfo ?? new UserInformation(),
            version);
    }

    private static (ushort Version, string Called, string Calling) DecodeAssociateFixedFields(ReadOnlySpan<byte> body, string name)
    {
        if (body.Length < AssociateFixedFieldsLength)
        {
            throw new DicomPduException(AbortReason.InvalidPduParameterValue, $"{name} is {body.Length} bytes, shorter than its {AssociateFixedFieldsLength}-byte fixed fields.");
        }

        var version = BinaryPrimitives.ReadUInt16BigEndian(body);
        return (version, AeTitle(body.Slice(4, AeTitleLength)), AeTitle(body.Slice(20, AeTitleLength)));
    }

    private static string AeTitle(ReadOnlySpan<byte> field)
    {
        foreach (var b in field)
        {
            if (b is < 0x20 and not 0 or > 0x7E)
            {
                throw new DicomPduException(AbortReason.InvalidPduParameterValue, "AE title field contains a non-printable byte.");
            }
        }

        return Encoding.ASCII.GetString(field).TrimEnd('\0').Trim(' ');
    }

    private static PresentationContextProposal DecodeProposal(ReadOnlySpan<byte> value)
    {
        if (value.Length < 4)
        {
            throw new DicomPduException(AbortReason.InvalidPduParameterValue, "Presentation context item is shorter than 4 bytes.");
        }

        var id = value[0];
        if (id % 2 == 0)
        {
            throw new DicomPduException(AbortReason.InvalidPduParameterValue, $"Presentation context ID {id} is even.");
        }

        string? abstractSyntax = null;
        var transferSyntaxes = new List<string>();
        foreach (var (type, sub) in Items(value[4..], "presentation context item"))
        {
            switch (type)
            {
                case 0x30 when abstractSyntax is null:
                    abstractSyntax = Uid(sub, "abstract syntax");
                    break;
                case 0x40:
                    transferSyntaxes.Add(Uid(sub, "transfer syntax"));
                    break;
                default:
                    throw new DicomPduException(AbortReason.UnexpectedPduParameter, $"Presentation context {id} carries unexpected sub-item 0x{type:X2}.");
            }
        }

        if (abstractSyntax is null || transferSyntaxes.Count == 0)
        {
            throw new DicomPduException(AbortReason.InvalidPduParameterValue, $"Presentation context {id} needs one abstract syntax and at least one transfer syntax.");
        }

        return new PresentationContextProposal(id, abstractSyntax, transferSyntaxes);
    }

    private static PresentationContextAnswer DecodeAnswer(ReadOnlySpan<byte> value)
    {
        if (value.Length < 4)
        {
            throw new DicomPduException(AbortReason.InvalidPduParameterValue, "Presentation context answer is shorter than 4 bytes.");
        }

        var id = value[0];
        var result = value[2];
        if (result > 4)
        {
            throw new DicomPduException(AbortReason.InvalidPduParameterValue, $"Presentation context {id} has undefined result {result}.");
        }

        var transferSyntax = string.Empty;
        foreach (var (type, sub) in Items(value[4..], "presentation context answer"))
        {
            if (type == 0x40)
            {
                // The transfer syntax of a rejected context "shall not be tested" (PS3.8 §9.3.3.2).
                transferSyntax = result == 0 ? Uid(sub, "transfer syntax") : Encoding.ASCII.GetString(sub).TrimEnd('\0', ' ');
            }
        }

        if (result == 0 && transferSyntax.Length == 0)
        {
            throw new DicomPduException(AbortReason.InvalidPduParameterValue, $"Accepted presentation context {id} names no transfer syntax.");
        }

        return new PresentationContextAnswer(id, (PresentationContextResult)result, transferSyntax);
    }

    private static UserInformation DecodeUserInformation(ReadOnlySpan<byte> value)
    {
        var info = new UserInformation();
        foreach (var (type, sub) in Items(value, "user information item"))
        {
            switch (type)
            {
                case 0x51:
                    if (sub.Length != 4)
                    {
                        throw new DicomPduException(AbortReason.InvalidPduParameterValue, $"Maximum length sub-item is {sub.Length} bytes, not 4.");
                    }

                    var max = BinaryPrimitives.ReadUInt32BigEndian(sub);
                    if (max is > 0 and < 8)
                    {
                        throw new DicomPduException(AbortReason.InvalidPduParameterValue, $"Maximum PDU length {max} leaves no room for data.");
                    }

                    info = info with { MaxPduLength = max };
                    break;
                case 0x52:
                    info = info with { ImplementationClassUid = Uid(sub, "implementation class UID") };
                    break;
                case 0x53:
                    if (sub.Length != 4)
                    {
                        throw new DicomPduException(AbortReason.InvalidPduParameterValue, $"Asynchronous operations window sub-item is {sub.Length} bytes, not 4.");
                    }

                    info = info with { AsyncOperationsWindow = (BinaryPrimitives.ReadUInt16BigEndian(sub), BinaryPrimitives.ReadUInt16BigEndian(sub[2..])) };
                    break;
                case 0x55:
                    if (sub.Length > 16)
                    {
                        throw new DicomPduException(AbortReason.InvalidPduParameterValue, "Implementation version name is longer than 16 characters.");
                    }

                    info = info with { ImplementationVersionName = Encoding.ASCII.GetString(sub).TrimEnd('\0', ' ') };
                    break;
                default:
                    // Role selection, extended negotiation and user identity are optional; a
                    // requestor must cope with us not answering them (PS3.7 Annex D.3.3).
                    break;
            }
        }

        return info;
    }

    private static AssociateRejectPdu DecodeReject(ReadOnlySpan<byte> body)
    {
        RequireLength(body, 4, "A-ASSOCIATE-RJ");
        if (body[1] is < 1 or > 2 || body[2] is < 1 or > 3)
        {
            throw new DicomPduException(AbortReason.InvalidPduParameterValue, $"A-ASSOCIATE-RJ has undefined result {body[1]} or source {body[2]}.");
        }

        return new AssociateRejectPdu((AssociateRejectResult)body[1], (AssociateRejectSource)body[2], body[3]);
    }

    private static AbortPdu DecodeAbort(ReadOnlySpan<byte> body)
    {
        RequireLength(body, 4, "A-ABORT");
        return new AbortPdu((AbortSource)body[2], (AbortReason)body[3]);
    }

    private static T DecodeFixed<T>(ReadOnlySpan<byte> body, string name, T pdu)
        where T : Pdu
    {
        RequireLength(body, 4, name);
        return pdu;
    }

    private static void RequireLength(ReadOnlySpan<byte> body, int expected, string name)
    {
        if (body.Length != expected)
        {
            throw new DicomPduException(AbortReason.InvalidPduParameterValue, $"{name} is {body.Length} bytes long; PS3.8 fixes it at {expected}.");
        }
    }

    private static DataTransferPdu DecodeDataTransfer(ReadOnlyMemory<byte> body)
    {
        var values = new List<PresentationDataValue>(1);
        var span = body.Span;
        var offset = 0;
        while (offset < span.Length)
        {
            if (span.Length - offset < 6)
            {
                throw new DicomPduException(AbortReason.InvalidPduParameterValue, "P-DATA-TF ends inside a PDV item header.");
            }

            var itemLength = BinaryPrimitives.ReadUInt32BigEndian(span[offset..]);
            if (itemLength < 2 || itemLength > (uint)(span.Length - offset - 4))
            {
                throw new DicomPduException(AbortReason.InvalidPduParameterValue, $"PDV item length {itemLength} does not fit the {span.Length - offset - 4} bytes left in the P-DATA-TF.");
            }

            var pcId = span[offset + 4];
            if (pcId % 2 == 0)
            {
                throw new DicomPduException(AbortReason.InvalidPduParameterValue, $"PDV names even presentation context ID {pcId}.");
            }

            var control = span[offset + 5];
            if ((control & 0xFC) != 0)
            {
                throw new DicomPduException(AbortReason.InvalidPduParameterValue, $"PDV message control header 0x{control:X2} sets reserved bits.");
            }

            values.Add(new PresentationDataValue(pcId, (control & 1) != 0, (control & 2) != 0, body.Slice(offset + 6, (int)itemLength - 2)));
            offset += 4 + (int)itemLength;
        }

        if (values.Count == 0)
        {
            throw new DicomPduException(AbortReason.InvalidPduParameterValue, "P-DATA-TF carries no presentation data value.");
        }

        return new DataTransferPdu(values);
    }

    private static string Uid(ReadOnlySpan<byte> value, string what)
    {
        // UIDs in items may be padded with a trailing NUL (PS3.8 §9.3.2.2.1 allows the DICOM UID encoding).
        var trimmed = value;
        while (trimmed.Length > 0 && trimmed[^1] is 0 or (byte)' ')
        {
            trimmed = trimmed[..^1];
        }

        if (trimmed.Length is 0 or > MaxUidLength)
        {
            throw new DicomPduException(AbortReason.InvalidPduParameterValue, $"The {what} has {trimmed.Length} characters; a UID has 1 to 64.");
        }

        foreach (var b in trimmed)
        {
            if (b is not ((>= (byte)'0' and <= (byte)'9') or (byte)'.'))
            {
                throw new DicomPduException(AbortReason.InvalidPduParameterValue, $"The {what} contains a character that is not a digit or a dot.");
            }
        }

        return Encoding.ASCII.GetString(trimmed);
    }

    private static List<(byte Type, byte[] Value)> Items(ReadOnlySpan<byte> data, string container)
    {
        var items = new List<(byte, byte[])>();
        var offset = 0;
        while (offset < data.Length)
        {
            if (data.Length - offset < 4)
            {
                throw new DicomPduException(AbortReason.InvalidPduParameterValue, $"The {container} ends inside an item header.");
            }

            var type = data[offset];
            var length = BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 2)..]);
            if (length > data.Length - offset - 4)
            {
                throw new DicomPduException(AbortReason.InvalidPduParameterValue, $"Item 0x{type:X2} claims {length} bytes but only {data.Length - offset - 4} remain in the {container}.");
            }

            items.Add((type, data.Slice(offset + 4, length).ToArray()));
            offset += 4 + length;
        }

        return items;
    }

    /// <summary>A growable big-endian byte buffer for building items.</summary>
    private sealed class ItemWriter
    {
        private readonly MemoryStream _stream = new();

        public ItemWriter Byte(byte value)
        {
            _stream.WriteByte(value);
            return this;
        }

        public ItemWriter UInt16(ushort value)
        {
            Span<byte> buffer = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(buffer, value);
            _stream.Write(buffer);
            return this;
        }

        public ItemWriter UInt32(uint value)
        {
            Span<byte> buffer = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(buffer, value);
            _stream.Write(buffer);
            return this;
        }

        public ItemWriter Bytes(ReadOnlySpan<byte> value)
        {
            _stream.Write(value);
            return this;
        }

        public ItemWriter Item(byte type, ReadOnlySpan<byte> value)
        {
            if (value.Length > ushort.MaxValue)
            {
                throw new ArgumentException($"Item 0x{type:X2} of {value.Length} bytes exceeds the 16-bit item length.", nameof(value));
            }

            Byte(type).Byte(0).UInt16((ushort)value.Length);
            return Bytes(value);
        }

        public byte[] ToArray() => _stream.ToArray();
    }
}
