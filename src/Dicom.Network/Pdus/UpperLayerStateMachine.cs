namespace LiverFlow.Dicom.Network.Pdus;

/// <summary>States of the DICOM upper layer (PS3.8 §9.2, Table 9-10), the subset a TCP association passes through.</summary>
public enum AssociationState
{
    /// <summary>Sta1: no association and no connection.</summary>
    Idle,

    /// <summary>Sta2: acceptor connected, ARTIM running, waiting for the A-ASSOCIATE-RQ.</summary>
    AwaitingAssociateRequest,

    /// <summary>Sta3: acceptor holds an A-ASSOCIATE-RQ and must answer it.</summary>
    AwaitingLocalAssociateResponse,

    /// <summary>Sta5: requestor sent the A-ASSOCIATE-RQ and waits for AC or RJ.</summary>
    AwaitingAssociateResponse,

    /// <summary>Sta6: association established, P-DATA flows both ways.</summary>
    Established,

    /// <summary>Sta7: requestor sent A-RELEASE-RQ; P-DATA may still arrive until the A-RELEASE-RP.</summary>
    AwaitingReleaseResponse,

    /// <summary>Sta8: acceptor received A-RELEASE-RQ and must answer it.</summary>
    AwaitingLocalReleaseResponse,

    /// <summary>Sta13: answered with RJ or RP (acceptor); waiting for the peer to close, ARTIM running.</summary>
    AwaitingTransportClose,

    /// <summary>Association over: released, rejected or aborted, connection closed or about to be.</summary>
    Closed,
}

/// <summary>What happened on the association: a PDU received or sent, or a transport or timer event.</summary>
public enum UpperLayerEvent
{
    TransportConnected,
    AssociateRequestReceived,
    AssociateRequestSent,
    AssociateAcceptReceived,
    AssociateAcceptSent,
    AssociateRejectReceived,
    AssociateRejectSent,
    DataReceived,
    DataSent,
    ReleaseRequestReceived,
    ReleaseRequestSent,
    ReleaseResponseReceived,
    ReleaseResponseSent,
    AbortReceived,
    AbortSent,
    TransportClosed,
    ArtimExpired,
}

/// <summary>
/// The upper-layer state machine as an explicit transition table with a guard: every PDU received
/// or sent is an event; an event the current state does not allow is refused, which for a received
/// PDU means aborting with "unexpected PDU" (PS3.8 Table 9-10, AA-8). Release collisions are not
/// modelled: we never send A-RELEASE-RQ as acceptor. Pure: no I/O, tested with a table of cases.
/// </summary>
public sealed class UpperLayerStateMachine
{
    private static readonly Dictionary<(AssociationState, UpperLayerEvent), AssociationState> Transitions = new()
    {
        [(AssociationState.Idle, UpperLayerEvent.TransportConnected)] = AssociationState.AwaitingAssociateRequest,
        [(AssociationState.Idle, UpperLayerEvent.AssociateRequestSent)] = AssociationState.AwaitingAssociateResponse,

        [(AssociationState.AwaitingAssociateRequest, UpperLayerEvent.AssociateRequestReceived)] = AssociationState.AwaitingLocalAssociateResponse,
        [(AssociationState.AwaitingLocalAssociateResponse, UpperLayerEvent.AssociateAcceptSent)] = AssociationState.Established,
        [(AssociationState.AwaitingLocalAssociateResponse, UpperLayerEvent.AssociateRejectSent)] = AssociationState.AwaitingTransportClose,

        [(AssociationState.AwaitingAssociateResponse, UpperLayerEvent.AssociateAcceptReceived)] = AssociationState.Established,
        [(AssociationState.AwaitingAssociateResponse, UpperLayerEvent.AssociateRejectReceived)] = AssociationState.Closed,

        [(AssociationState.Established, UpperLayerEvent.DataReceived)] = AssociationState.Established,
        [(AssociationState.Established, UpperLayerEvent.DataSent)] = AssociationState.Established,
        [(AssociationState.Established, UpperLayerEvent.ReleaseRequestSent)] = AssociationState.AwaitingReleaseResponse,
        [(AssociationState.Established, UpperLayerEvent.ReleaseRequestReceived)] = AssociationState.AwaitingLocalReleaseResponse,

        [(AssociationState.AwaitingReleaseResponse, UpperLayerEvent.DataReceived)] = AssociationState.AwaitingReleaseResponse,
        [(AssociationState.AwaitingReleaseResponse, UpperLayerEvent.ReleaseResponseReceived)] = AssociationState.Closed,

        [(AssociationState.AwaitingLocalReleaseResponse, UpperLayerEvent.DataSent)] = AssociationState.AwaitingLocalReleaseResponse,
        [(AssociationState.AwaitingLocalReleaseResponse, UpperLayerEvent.ReleaseResponseSent)] = AssociationState.AwaitingTransportClose,

        [(AssociationState.AwaitingAssociateRequest, UpperLayerEvent.ArtimExpired)] = AssociationState.Closed,
        [(AssociationState.AwaitingTransportClose, UpperLayerEvent.ArtimExpired)] = AssociationState.Closed,
    };

    public AssociationState State { get; private set; } = AssociationState.Idle;

    /// <summary>Where <paramref name="event"/> leads from <paramref name="state"/>, or null when the table forbids it.</summary>
    public static AssociationState? Next(AssociationState state, UpperLayerEvent @event) => @event switch
    {
        // An abort or a lost connection ends the association from anywhere (AA-2, AA-3, AA-4).
        UpperLayerEvent.AbortReceived or UpperLayerEvent.AbortSent or UpperLayerEvent.TransportClosed => AssociationState.Closed,
        _ => Transitions.TryGetValue((state, @event), out var next) ? next : null,
    };

    /// <summary>Applies an event; a received PDU the state does not allow raises the abort the standard prescribes.</summary>
    public void Apply(UpperLayerEvent @event)
    {
        if (Next(State, @event) is not { } next)
        {
            if (IsReceived(@event))
            {
                throw new DicomPduException(AbortReason.UnexpectedPdu, $"{Describe(@event)} is not allowed in state {State}.");
            }

            throw new InvalidOperationException($"{Describe(@event)} is not allowed in state {State}.");
        }

        State = next;
    }

    public static UpperLayerEvent Received(PduType type) => type switch
    {
        PduType.AssociateRequest => UpperLayerEvent.AssociateRequestReceived,
        PduType.AssociateAccept => UpperLayerEvent.AssociateAcceptReceived,
        PduType.AssociateReject => UpperLayerEvent.AssociateRejectReceived,
        PduType.DataTransfer => UpperLayerEvent.DataReceived,
        PduType.ReleaseRequest => UpperLayerEvent.ReleaseRequestReceived,
        PduType.ReleaseResponse => UpperLayerEvent.ReleaseResponseReceived,
        PduType.Abort => UpperLayerEvent.AbortReceived,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown PDU type."),
    };

    public static UpperLayerEvent Sent(PduType type) => type switch
    {
        PduType.AssociateRequest => UpperLayerEvent.AssociateRequestSent,
        PduType.AssociateAccept => UpperLayerEvent.AssociateAcceptSent,
        PduType.AssociateReject => UpperLayerEvent.AssociateRejectSent,
        PduType.DataTransfer => UpperLayerEvent.DataSent,
        PduType.ReleaseRequest => UpperLayerEvent.ReleaseRequestSent,
        PduType.ReleaseResponse => UpperLayerEvent.ReleaseResponseSent,
        PduType.Abort => UpperLayerEvent.AbortSent,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown PDU type."),
    };

    private static bool IsReceived(UpperLayerEvent @event) => @event.ToString().EndsWith("Received", StringComparison.Ordinal);

    private static string Describe(UpperLayerEvent @event) => @event switch
    {
        UpperLayerEvent.AssociateRequestReceived => "A-ASSOCIATE-RQ",
        UpperLayerEvent.AssociateAcceptReceived => "A-ASSOCIATE-AC",
        UpperLayerEvent.AssociateRejectReceived => "A-ASSOCIATE-RJ",
        UpperLayerEvent.DataReceived => "P-DATA-TF",
        UpperLayerEvent.ReleaseRequestReceived => "A-RELEASE-RQ",
        UpperLayerEvent.ReleaseResponseReceived => "A-RELEASE-RP",
        _ => @event.ToString(),
    };
}
