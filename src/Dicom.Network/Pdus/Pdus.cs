namespace LiverFlow.Dicom.Network.Pdus;

/// <summary>A protocol data unit of the DICOM upper layer.</summary>
public abstract record Pdu
{
    public abstract PduType Type { get; }
}

/// <summary>One proposed presentation context (item 0x20) of an A-ASSOCIATE-RQ.</summary>
public sealed record PresentationContextProposal(byte Id, string AbstractSyntax, IReadOnlyList<string> TransferSyntaxes);

/// <summary>One presentation context answer (item 0x21) of an A-ASSOCIATE-AC.</summary>
public sealed record PresentationContextAnswer(byte Id, PresentationContextResult Result, string TransferSyntax);

/// <summary>User information sub-items (item 0x50) that this implementation understands.</summary>
public sealed record UserInformation
{
    /// <summary>Maximum length of a received P-DATA-TF variable field; 0 means no limit.</summary>
    public uint MaxPduLength { get; init; }

    public string ImplementationClassUid { get; init; } = string.Empty;

    public string? ImplementationVersionName { get; init; }

    /// <summary>Asynchronous operations window (item 0x53), null when not negotiated.</summary>
    public (ushort Invoked, ushort Performed)? AsyncOperationsWindow { get; init; }
}

public sealed record AssociateRequestPdu(
    string CalledAeTitle,
    string CallingAeTitle,
    string ApplicationContextName,
    IReadOnlyList<PresentationContextProposal> PresentationContexts,
    UserInformation UserInformation,
    ushort ProtocolVersion = 1) : Pdu
{
    public override PduType Type => PduType.AssociateRequest;
}

public sealed record AssociateAcceptPdu(
    string CalledAeTitle,
    string CallingAeTitle,
    string ApplicationContextName,
    IReadOnlyList<PresentationContextAnswer> PresentationContexts,
    UserInformation UserInformation,
    ushort ProtocolVersion = 1) : Pdu
{
    public override PduType Type => PduType.AssociateAccept;
}

public sealed record AssociateRejectPdu(AssociateRejectResult Result, AssociateRejectSource Source, byte Reason) : Pdu
{
    public override PduType Type => PduType.AssociateReject;

    public string ReasonText => AssociationTexts.Describe(Source, Reason);
}

/// <summary>
/// One presentation data value: a fragment of a command or data set. <see cref="Data"/> may be a
/// slice of a pooled receive buffer, valid only until the next PDU is read.
/// </summary>
public readonly record struct PresentationDataValue(byte PresentationContextId, bool IsCommand, bool IsLastFragment, ReadOnlyMemory<byte> Data);

public sealed record DataTransferPdu(IReadOnlyList<PresentationDataValue> Values) : Pdu
{
    public override PduType Type => PduType.DataTransfer;
}

public sealed record ReleaseRequestPdu : Pdu
{
    public override PduType Type => PduType.ReleaseRequest;
}

public sealed record ReleaseResponsePdu : Pdu
{
    public override PduType Type => PduType.ReleaseResponse;
}

public sealed record AbortPdu(AbortSource Source, AbortReason Reason) : Pdu
{
    public override PduType Type => PduType.Abort;
}
