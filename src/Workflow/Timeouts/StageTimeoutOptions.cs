using System.ComponentModel.DataAnnotations;

namespace LiverFlow.Workflow.Timeouts;

public enum TimeoutScheduler
{
    /// <summary>A Hangfire recurring job (schema <c>hangfire</c>); survives restarts and runs once across replicas.</summary>
    Hangfire,

    /// <summary>An in-process timer; for a single replica or when Hangfire's schema is not wanted.</summary>
    Polling,

    /// <summary>No sweep in this process (another replica runs it).</summary>
    Off,
}

/// <summary>
/// How long each stage may take before the study is flagged. RabbitMQ here has no delayed-message
/// plugin, so the broker cannot schedule a timeout; a sweep over <c>workflow.studies</c> does.
/// </summary>
public sealed class StageTimeoutOptions
{
    public const string SectionName = "Workflow:Timeouts";

    public TimeoutScheduler Scheduler { get; set; } = TimeoutScheduler.Hangfire;

    /// <summary>Cron of the Hangfire job; six fields include seconds.</summary>
    [Required]
    public string SweepCron { get; set; } = "* * * * *";

    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan PollingInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Limit per stage (<c>Ingest</c>, <c>Inference</c>, <c>Interpretation</c>, <c>Reporting</c>, <c>SignOff</c>); a stage without one never times out.</summary>
    public Dictionary<string, TimeSpan> Limits { get; set; } = new(StringComparer.Ordinal)
    {
        ["Ingest"] = TimeSpan.FromMinutes(15),
        ["Inference"] = TimeSpan.FromMinutes(30),
        ["Interpretation"] = TimeSpan.FromMinutes(15),
        ["Reporting"] = TimeSpan.FromMinutes(15),
    };

    [Range(1, 10000)]
    public int MaxStudiesPerSweep { get; set; } = 500;
}
