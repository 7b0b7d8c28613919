using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace LiverFlow.ServiceDefaults;

/// <summary>
/// What every LiverFlow worker host shares: logging, telemetry, health endpoints and validated options.
/// Modelled on the eShop/Aspire "service defaults" so a new stage is wired by one call.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Health checks tagged <c>live</c> answer "is the process running"; <c>ready</c> ones answer "can it do work".</summary>
    public const string LiveTag = "live";
    public const string ReadyTag = "ready";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder, string serviceName)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);

        builder.ConfigureStructuredLogging();
        builder.ConfigureOpenTelemetry(serviceName);

        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);

        builder.Services.AddSingleton(new ServiceIdentity(serviceName, typeof(ServiceDefaultsExtensions).Assembly.GetName().Version?.ToString() ?? "0.0.0"));
        return builder;
    }

    /// <summary>
    /// Console logs as one JSON object per line with scopes, so the study's correlation id that each
    /// unit of work puts in a scope reaches every line. <c>Logging:Format=simple</c> gives human-readable lines.
    /// </summary>
    private static void ConfigureStructuredLogging(this IHostApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        // Request logging of health probes would drown the study log; a site can turn it back on in configuration.
        if (builder.Configuration["Logging:LogLevel:Microsoft.AspNetCore"] is null)
        {
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        }
        var format = builder.Configuration["Logging:Format"] ?? "json";
        if (string.Equals(format, "simple", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.IncludeScopes = true;
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
                o.UseUtcTimestamp = true;
            });
        }
        else
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
    }

    private static void ConfigureOpenTelemetry(this IHostApplicationBuilder builder, string serviceName)
    {
        builder.Logging.AddOpenTelemetry(o =>
        {
            o.IncludeFormattedMessage = true;
            o.IncludeScopes = true;
        });

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName))
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("MassTransit")
                .AddMeter(LiverFlowTelemetry.MeterName))
            .WithTracing(t => t
                .AddAspNetCoreInstrumentation(o => o.Filter = ctx => !ctx.Request.Path.StartsWithSegments("/health"))
                .AddSource("MassTransit")
                .AddSource(LiverFlowTelemetry.ActivitySourceName));

        // Export only where a collector is configured: a site without one gets no connection errors in its logs.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.UseOtlpExporter();
        }
    }

    /// <summary>Maps <c>/health/live</c> and <c>/health/ready</c>; both are safe to expose to an orchestrator (no PHI).</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = r => r.Tags.Contains(LiveTag) });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = r => !r.Tags.Contains(LiveTag) || r.Name == "self" });
        return app;
    }
}

/// <summary>Which service this process is, for logs, health output and audit rows.</summary>
public sealed record ServiceIdentity(string Name, string Version);
