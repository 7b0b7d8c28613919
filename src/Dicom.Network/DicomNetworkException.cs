using LiverFlow.Dicom.Network.Pdus;

namespace LiverFlow.Dicom.Network;

/// <summary>A DICOM network operation failed: connection refused or lost, timeout, protocol error.</summary>
public class DicomNetworkException : Exception
{
    public DicomNetworkException()
    {
    }

    public DicomNetworkException(string message)
        : base(message)
    {
    }

    public DicomNetworkException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The called application refused the association with an A-ASSOCIATE-RJ.</summary>
public sealed class DicomAssociationRejectedException : DicomNetworkException
{
    public DicomAssociationRejectedException(AssociateRejectResult result, AssociateRejectSource source, byte reason)
        : base($"Association rejected ({(result == AssociateRejectResult.Permanent ? "permanent" : "transient")}, source {source}): {AssociationTexts.Describe(source, reason)}.")
    {
        RejectResult = result;
        RejectSource = source;
        RejectReason = reason;
    }

    public DicomAssociationRejectedException()
        : this(AssociateRejectResult.Permanent, AssociateRejectSource.ServiceUser, AssociateRejectReasons.ServiceUserNoReasonGiven)
    {
    }

    public DicomAssociationRejectedException(string message)
        : base(message)
    {
    }

    public DicomAssociationRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AssociateRejectResult RejectResult { get; }

    public AssociateRejectSource RejectSource { get; }

    public byte RejectReason { get; }

    public string ReasonText => AssociationTexts.Describe(RejectSource, RejectReason);
}

/// <summary>The association was aborted, by the peer (A-ABORT) or by us after a protocol error.</summary>
public sealed class DicomAssociationAbortedException : DicomNetworkException
{
    public DicomAssociationAbortedException(AbortSource source, AbortReason reason, string? detail = null)
        : base($"Association aborted by {(source == AbortSource.ServiceUser ? "service user" : "service provider")}: {AssociationTexts.Describe(reason)}{(detail is null ? "" : $" ({detail})")}.")
    {
        AbortSource = source;
        AbortReason = reason;
    }

    public DicomAssociationAbortedException()
        : this(AbortSource.ServiceUser, AbortReason.NotSpecified)
    {
    }

    public DicomAssociationAbortedException(string message)
        : base(message)
    {
    }

    public DicomAssociationAbortedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AbortSource AbortSource { get; }

    public AbortReason AbortReason { get; }
}
