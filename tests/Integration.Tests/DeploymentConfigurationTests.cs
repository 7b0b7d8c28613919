using System.Diagnostics;

namespace LiverFlow.Integration.Tests;

/// <summary>
/// docker-compose.yml as Debian's docker-compose resolves it (no Docker engine runs here, but the client
/// validates and interpolates the file offline): it is valid, it has no default secrets, and each worker
/// gets the settings its options validation demands, so that `docker compose up` starts every service.
/// </summary>
public sealed class DeploymentConfigurationTests
{
    private static readonly string[] Workers = ["workflow", "ingest", "inference", "interpretation", "reporting"];

    [Fact]
    public async Task The_compose_file_is_valid_and_refuses_to_start_without_its_secrets()
    {
        var (ok, _) = await ComposeAsync(["config", "-q"], Secrets);
        Assert.Equal(0, ok);

        var (refused, output) = await ComposeAsync(["config", "-q"], new() { ["LIVERFLOW_RABBITMQ_PASSWORD"] = "broker-secret" });
        Assert.NotEqual(0, refused);
        Assert.Contains("LIVERFLOW_DB_PASSWORD", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_worker_gets_what_its_options_require_and_shares_the_file_store()
    {
        var (code, output) = await ComposeAsync(["config"], Secrets);
        Assert.True(code == 0, output);
        var services = ResolvedServices(output);
        var dockerfile = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root(), "deploy", "Dockerfile"));

        foreach (var worker in Workers)
        {
            Assert.True(services.ContainsKey(worker), $"docker-compose.yml has no '{worker}' service");
            var service = services[worker];
            var project = service.Get("build.args.SERVICE");
            Assert.True(File.Exists(Path.Combine(RepositoryPaths.Root(), "src", project, $"LiverFlow.{project}.csproj")), $"{worker}: build arg SERVICE={project} names no project");
            Assert.Contains("Password=database-secret", service.Get("environment.ConnectionStrings__liverflow"), StringComparison.Ordinal);
            Assert.Equal("rabbitmq", service.Get("environment.RabbitMq__Host"));
            Assert.Equal("broker-secret", service.Get("environment.RabbitMq__Password"));
        }

        var ingest = services["ingest"];
        var store = ingest.Get("environment.Ingest__StorageRoot");
        // In a container, a listener on the image's default loopback address would never see the published port.
        Assert.Equal("0.0.0.0", ingest.Get("environment.Ingest__Dicom__BindAddress"));
        Assert.Contains(ingest.Values, kv => kv.Key.StartsWith("ports.", StringComparison.Ordinal) && kv.Value.Contains("11112", StringComparison.Ordinal));

        // Inference reads the volumes Ingest wrote: the same root (its own key, or Ingest's as the documented fallback) on the same volume.
        var inference = services["inference"];
        var inferenceStore = inference.Values.GetValueOrDefault("environment.Inference__StorageRoot") ?? inference.Get("environment.Ingest__StorageRoot");
        Assert.Equal(store, inferenceStore);
        Assert.Contains(ingest.Values, kv => kv.Key.StartsWith("volumes.", StringComparison.Ordinal) && kv.Value.StartsWith($"store:{store}:", StringComparison.Ordinal));
        Assert.Contains(inference.Values, kv => kv.Key.StartsWith("volumes.", StringComparison.Ordinal) && kv.Value.StartsWith($"store:{store}:", StringComparison.Ordinal));
        var models = inference.Get("environment.Inference__ModelsDirectory");
        Assert.Contains($"COPY models/ {models.TrimEnd('/')}/", dockerfile, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Secrets => new()
    {
        ["LIVERFLOW_DB_PASSWORD"] = "database-secret",
        ["LIVERFLOW_RABBITMQ_PASSWORD"] = "broker-secret",
    };

    private static async Task<(int ExitCode, string Output)> ComposeAsync(string[] arguments, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("docker-compose")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root(),
        };
        start.ArgumentList.Add("-f");
        start.ArgumentList.Add("docker-compose.yml");
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        // Only what the test sets: a developer's own .env or shell must not make the file look complete.
        foreach (var name in new[] { "LIVERFLOW_DB_PASSWORD", "LIVERFLOW_RABBITMQ_PASSWORD", "LIVERFLOW_BIND", "LIVERFLOW_INFERENCE_PROVIDER" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (k, v) in environment)
        {
            start.Environment[k] = v;
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("docker-compose did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("docker-compose is not installed: apt-get install docker-compose (it validates the file offline; no Docker engine is needed).", ex);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await stdout + await stderr);
        }
    }

    /// <summary>
    /// The services of docker-compose's resolved output (block YAML, two spaces an indent) as flat
    /// "section.key" paths, list items numbered: enough for these assertions, no YAML library needed.
    /// </summary>
    private static Dictionary<string, ResolvedService> ResolvedServices(string yaml)
    {
        var services = new Dictionary<string, ResolvedService>(StringComparer.Ordinal);
        ResolvedService? current = null;
        var path = new List<(int Indent, string Key)>();
        var inServices = false;
        var items = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var raw in yaml.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0)
            {
                continue;
            }

            var indent = line.Length - line.TrimStart().Length;
            var text = line.Trim();
            if (indent == 0)
            {
                inServices = text == "services:";
                current = null;
                continue;
            }

            if (!inServices)
            {
                continue;
            }

            if (indent == 2)
            {
                current = new ResolvedService();
                services[text.TrimEnd(':')] = current;
                path.Clear();
                items.Clear();
                continue;
            }

            if (current is null)
            {
                continue;
            }

            // A list's items sit at its key's indent; anything else nests deeper than its parent.
            var item = text.StartsWith("- ", StringComparison.Ordinal);
            path.RemoveAll(p => item ? p.Indent > indent : p.Indent >= indent);
            var prefix = string.Join('.', path.Select(p => p.Key));
            if (item)
            {
                var n = items[prefix] = items.GetValueOrDefault(prefix) + 1;
                current.Values[$"{prefix}.{n}"] = Unquote(text[2..]);
                continue;
            }

            var colon = text.IndexOf(": ", StringComparison.Ordinal);
            if (colon < 0)
            {
                path.Add((indent, text.TrimEnd(':')));
                continue;
            }

            current.Values[(prefix.Length > 0 ? prefix + "." : "") + text[..colon]] = Unquote(text[(colon + 2)..]);
        }

        return services;
    }

    private static string Unquote(string value) => value.Length >= 2 && value[0] is '"' or '\'' && value[^1] == value[0] ? value[1..^1] : value;

    private sealed class ResolvedService
    {
        public Dictionary<string, string> Values { get; } = new(StringComparer.Ordinal);

        public string Get(string path) => Values.TryGetValue(path, out var v) ? v : throw new Xunit.Sdk.XunitException($"not set: {path} (have {string.Join(", ", Values.Keys)})");
    }
}
