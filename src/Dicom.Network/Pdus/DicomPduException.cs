namespace LiverFlow.Dicom.Network.Pdus;

/// <summary>
/// A received PDU broke PS3.8's encoding rules. Carries the A-ABORT reason the association must
/// be aborted with.
/// </summary>
public sealed class DicomPduException : Exception
{
    public DicomPduException(AbortReason abortReason, string message)
        : base(message)
    {
        AbortReason = abortReason;
    }

    public DicomPduException()
        : this(AbortReason.NotSpecified, "Malformed PDU.")
    {
    }

    public DicomPduException(string message)
        : this(AbortReason.InvalidPduParameterValue, message)
    {
    }

    public DicomPduException(string message, Exception innerException)
        : base(message, innerException)
    {
        AbortReason = AbortReason.InvalidPduParameterValue;
    }

    public AbortReason AbortReason { get; }
}
