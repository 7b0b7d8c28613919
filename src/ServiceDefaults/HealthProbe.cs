namespace LiverFlow.ServiceDefaults;

/// <summary>
/// <c>dotnet LiverFlow.X.dll probe</c>: asks the running worker's readiness endpoint and exits 0 or 1.
/// Container images carry no curl, so the health check of docker-compose calls the worker itself.
/// </summary>
public static class HealthProbe
{
    public const string Verb = "probe";

    public static bool IsRequested(string[] args) => args is [Verb, ..];

    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var url = args.Length > 1
            ? args[1]
            : (Environment.GetEnvironmentVariable("LIVERFLOW_HEALTH_URL") ?? "http://127.0.0.1:8080/health/ready");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.GetAsync(new Uri(url));
            await Console.Out.WriteLineAsync($"{url}: {(int)response.StatusCode}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"{url}: {ex.Message}");
            return 1;
        }
    }
}
