using LiverFlow.Dicom.Network.Pdus;

namespace LiverFlow.Dicom.Network.Tests;

public sealed class UpperLayerStateMachineTests
{
    public static TheoryData<AssociationState, UpperLayerEvent, AssociationState?> Table() => new()
    {
        // Acceptor path: connect, RQ, AC, data, release.
        { AssociationState.Idle, UpperLayerEvent.TransportConnected, AssociationState.AwaitingAssociateRequest },
        { AssociationState.AwaitingAssociateRequest, UpperLayerEvent.AssociateRequestReceived, AssociationState.AwaitingLocalAssociateResponse },
        { AssociationState.AwaitingLocalAssociateResponse, UpperLayerEvent.AssociateAcceptSent, AssociationState.Established },
        { AssociationState.AwaitingLocalAssociateResponse, UpperLayerEvent.AssociateRejectSent, AssociationState.AwaitingTransportClose },
        { AssociationState.Established, UpperLayerEvent.ReleaseRequestReceived, AssociationState.AwaitingLocalReleaseResponse },
        { AssociationState.AwaitingLocalReleaseResponse, UpperLayerEvent.ReleaseResponseSent, AssociationState.AwaitingTransportClose },
        { AssociationState.AwaitingAssociateRequest, UpperLayerEvent.ArtimExpired, AssociationState.Closed },

        // Requestor path: RQ, AC, data, release; P-DATA may still arrive after our A-RELEASE-RQ.
        { AssociationState.Idle, UpperLayerEvent.AssociateRequestSent, AssociationState.AwaitingAssociateResponse },
        { AssociationState.AwaitingAssociateResponse, UpperLayerEvent.AssociateAcceptReceived, AssociationState.Established },
        { AssociationState.AwaitingAssociateResponse, UpperLayerEvent.AssociateRejectReceived, AssociationState.Closed },
        { AssociationState.Established, UpperLayerEvent.DataSent, AssociationState.Established },
        { AssociationState.Established, UpperLayerEvent.ReleaseRequestSent, AssociationState.AwaitingReleaseResponse },
        { AssociationState.AwaitingReleaseResponse, UpperLayerEvent.DataReceived, AssociationState.AwaitingReleaseResponse },
        { AssociationState.AwaitingReleaseResponse, UpperLayerEvent.ReleaseResponseReceived, AssociationState.Closed },

        // Aborts and lost connections end everything.
        { AssociationState.Established, UpperLayerEvent.AbortReceived, AssociationState.Closed },
        { AssociationState.AwaitingAssociateRequest, UpperLayerEvent.TransportClosed, AssociationState.Closed },
        { AssociationState.AwaitingLocalReleaseResponse, UpperLayerEvent.AbortSent, AssociationState.Closed },

        // Forbidden: what a hostile or confused peer might send.
        { AssociationState.AwaitingAssociateRequest, UpperLayerEvent.DataReceived, null },
        { AssociationState.AwaitingAssociateRequest, UpperLayerEvent.ReleaseRequestReceived, null },
        { AssociationState.Established, UpperLayerEvent.AssociateRequestReceived, null },
        { AssociationState.Established, UpperLayerEvent.AssociateAcceptReceived, null },
        { AssociationState.Established, UpperLayerEvent.ReleaseResponseReceived, null },
        { AssociationState.AwaitingAssociateResponse, UpperLayerEvent.DataReceived, null },
        { AssociationState.AwaitingTransportClose, UpperLayerEvent.DataReceived, null },
        { AssociationState.AwaitingLocalReleaseResponse, UpperLayerEvent.DataReceived, null },
        { AssociationState.Closed, UpperLayerEvent.DataReceived, null },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Each_event_leads_where_ps3_8_says_or_is_refused(AssociationState from, UpperLayerEvent @event, AssociationState? expected)
    {
        Assert.Equal(expected, UpperLayerStateMachine.Next(from, @event));
    }

    [Fact]
    public void A_received_pdu_the_state_forbids_is_an_unexpected_pdu_abort()
    {
        var machine = new UpperLayerStateMachine();
        machine.Apply(UpperLayerEvent.TransportConnected);

        var ex = Assert.Throws<DicomPduException>(() => machine.Apply(UpperLayerEvent.DataReceived));

        Assert.Equal(AbortReason.UnexpectedPdu, ex.AbortReason);
        Assert.Contains("P-DATA-TF is not allowed in state AwaitingAssociateRequest", ex.Message, StringComparison.Ordinal);
        Assert.Equal(AssociationState.AwaitingAssociateRequest, machine.State);
    }

    [Fact]
    public void Sending_out_of_turn_is_a_programming_error_not_a_peer_fault()
    {
        var machine = new UpperLayerStateMachine();
        Assert.Throws<InvalidOperationException>(() => machine.Apply(UpperLayerEvent.ReleaseRequestSent));
    }
}
