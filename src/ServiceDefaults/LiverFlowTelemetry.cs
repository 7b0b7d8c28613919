using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace LiverFlow.ServiceDefaults;

/// <summary>The one activity source and meter LiverFlow's own code reports through.</summary>
public static class LiverFlowTelemetry
{
    public const string ActivitySourceName = "LiverFlow";
    public const string MeterName = "LiverFlow";

    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);
    public static readonly Meter Meter = new(MeterName);
}
