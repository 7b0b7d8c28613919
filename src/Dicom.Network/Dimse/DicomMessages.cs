namespace LiverFlow.Dicom.Network;

/// <summary>A DIMSE request queued on a <see cref="Client.DicomClient"/> or received by a server.</summary>
public abstract class DicomRequest
{
    protected DicomRequest(string sopClassUid)
    {
        SopClassUid = sopClassUid;
    }

    /// <summary>Affected SOP Class UID (0000,0002).</summary>
    public string SopClassUid { get; protected set; }

    public ushort MessageId { get; internal set; }

    public abstract DicomCommandField CommandField { get; }

    /// <summary>The response once it arrived; null while pending or when the request was never sent.</summary>
    public DicomResponse? Response { get; private set; }

    /// <summary>Called on the client once the response to this request arrives.</summary>
    public Action<DicomRequest, DicomResponse>? OnResponseReceived { get; set; }

    internal void Complete(DicomResponse response)
    {
        Response = response;
        OnResponseReceived?.Invoke(this, response);
    }
}

/// <summary>C-ECHO-RQ: a Verification of the association (PS3.7 §9.1.5).</summary>
public sealed class DicomCEchoRequest : DicomRequest
{
    public DicomCEchoRequest()
        : base(DicomNetworkUids.Verification)
    {
    }

    public override DicomCommandField CommandField => DicomCommandField.CEchoRequest;
}

/// <summary>
/// C-STORE-RQ. On the client it names a Part 10 file to send. On the server the received data set
/// is already on disk as a Part 10 file at <see cref="FilePath"/>: the provider moves it where it
/// wants; whatever is left there is deleted after the response.
/// </summary>
public sealed class DicomCStoreRequest : DicomRequest
{
    /// <summary>Queues the Part 10 file at <paramref name="filePath"/> for sending.</summary>
    public DicomCStoreRequest(string filePath)
        : base(string.Empty)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        FilePath = filePath;
    }

    internal DicomCStoreRequest(string sopClassUid, string sopInstanceUid, string transferSyntaxUid, string filePath)
        : base(sopClassUid)
    {
        SopInstanceUid = sopInstanceUid;
        TransferSyntaxUid = transferSyntaxUid;
        FilePath = filePath;
    }

    /// <summary>Affected SOP Instance UID (0000,1000).</summary>
    public string SopInstanceUid { get; private set; } = string.Empty;

    /// <summary>Transfer syntax of the file (client) or the one the data set arrived in (server).</summary>
    public string TransferSyntaxUid { get; private set; } = string.Empty;

    public string FilePath { get; }

    public DicomPriority Priority { get; set; } = DicomPriority.Medium;

    /// <summary>Move Originator AE Title (0000,1030) when this store is a C-MOVE sub-operation.</summary>
    public string? MoveOriginatorAeTitle { get; init; }

    public ushort? MoveOriginatorMessageId { get; init; }

    /// <summary>Calling AE title of the association it arrived on (server side).</summary>
    public string? CallingAeTitle { get; internal set; }

    public override DicomCommandField CommandField => DicomCommandField.CStoreRequest;

    internal void Describe(string sopClassUid, string sopInstanceUid, string transferSyntaxUid)
    {
        SopClassUid = sopClassUid;
        SopInstanceUid = sopInstanceUid;
        TransferSyntaxUid = transferSyntaxUid;
    }
}

/// <summary>A DIMSE response: the status of one request.</summary>
public sealed class DicomResponse
{
    public DicomResponse(DicomCommandField commandField, ushort messageIdBeingRespondedTo, DicomStatus status, string? sopClassUid, string? sopInstanceUid)
    {
        ArgumentNullException.ThrowIfNull(status);
        CommandField = commandField;
        MessageIdBeingRespondedTo = messageIdBeingRespondedTo;
        Status = status;
        SopClassUid = sopClassUid;
        SopInstanceUid = sopInstanceUid;
    }

    public DicomCommandField CommandField { get; }

    public ushort MessageIdBeingRespondedTo { get; }

    public DicomStatus Status { get; }

    public string? SopClassUid { get; }

    public string? SopInstanceUid { get; }

    public override string ToString() => $"{CommandField} to message {MessageIdBeingRespondedTo}: {Status}";

    internal CommandSet ToCommandSet()
    {
        var command = new CommandSet()
            .SetUInt16(DicomTag.CommandField, (ushort)CommandField)
            .SetUInt16(DicomTag.MessageIDBeingRespondedTo, MessageIdBeingRespondedTo)
            .SetUInt16(DicomTag.CommandDataSetType, CommandDataSetTypes.NoDataSet)
            .SetUInt16(DicomTag.Status, Status.Code);
        if (!string.IsNullOrEmpty(SopClassUid))
        {
            command.SetString(DicomTag.AffectedSOPClassUID, SopClassUid);
        }

        if (!string.IsNullOrEmpty(SopInstanceUid))
        {
            command.SetString(DicomTag.AffectedSOPInstanceUID, SopInstanceUid);
        }

        if (!string.IsNullOrEmpty(Status.ErrorComment))
        {
            // LO holds at most 64 characters; control characters would break the peer's log line.
            var comment = new string(Status.ErrorComment.Select(c => c is < ' ' or > '~' or '\\' ? ' ' : c).Take(64).ToArray());
            command.SetString(DicomTag.ErrorComment, comment);
        }

        return command;
    }

    internal static DicomResponse FromCommandSet(CommandSet command) => new(
        command.CommandField,
        command.GetRequiredUInt16(DicomTag.MessageIDBeingRespondedTo),
        DicomStatus.FromCode(command.GetRequiredUInt16(DicomTag.Status), command.GetString(DicomTag.ErrorComment)),
        command.GetString(DicomTag.AffectedSOPClassUID),
        command.GetString(DicomTag.AffectedSOPInstanceUID));
}
