namespace LiverFlow.Phantom.Generation;

public enum PulseSequence
{
    T1FatSuppressed,
    T2,
}

/// <summary>Reference signals of one series, computed once per series, that lesion appearance is expressed against.</summary>
public readonly record struct PhaseSignals(
    PulseSequence Sequence,
    double SecondsAfterInjection,
    double LiverPre,
    double LiverReference,
    double BloodPool)
{
    /// <summary>0 pre-contrast, 1 arterial, 2 portal venous, 3 delayed: where a step pattern (hemangioma filling) is.</summary>
    public int PhaseIndex => SecondsAfterInjection <= 0 ? 0 : SecondsAfterInjection < 50 ? 1 : SecondsAfterInjection < 130 ? 2 : 3;
}
