using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace LiverFlow.Integration.Tests;

/// <summary>The broker's HTTP API, for what AMQP does not tell a client: queue contents and clean-up.</summary>
public sealed class RabbitMqManagement : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _vhost;

    public RabbitMqManagement(TestEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        _http = new HttpClient { BaseAddress = environment.RabbitApi, Timeout = TimeSpan.FromSeconds(10) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{environment.RabbitUser}:{environment.RabbitPassword}")));
        _vhost = Uri.EscapeDataString(environment.RabbitVirtualHost);
    }

    /// <summary>Reads up to <paramref name="count"/> messages and puts them back (the queue is unchanged).</summary>
    public async Task<IReadOnlyList<JsonElement>> PeekAsync(string queue, int count = 50)
    {
        using var response = await _http.PostAsJsonAsync($"api/queues/{_vhost}/{Uri.EscapeDataString(queue)}/get",
            new { count, ackmode = "ack_requeue_true", encoding = "auto", truncate = 50000 });
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<List<JsonElement>>() ?? [];
    }

    /// <summary>Takes messages and rejects them back onto the queue: each counts as one delivery.</summary>
    public async Task<IReadOnlyList<JsonElement>> GetAsync(string queue, bool requeue, int count = 50)
    {
        using var response = await _http.PostAsJsonAsync($"api/queues/{_vhost}/{Uri.EscapeDataString(queue)}/get",
            new { count, ackmode = requeue ? "reject_requeue_true" : "ack_requeue_false", encoding = "auto", truncate = 50000 });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<List<JsonElement>>() ?? [];
    }

    public async Task<IReadOnlyList<string>> QueueNamesAsync(string prefix)
    {
        var queues = await _http.GetFromJsonAsync<List<JsonElement>>($"api/queues/{_vhost}?columns=name") ?? [];
        return queues.Select(q => q.GetProperty("name").GetString()!).Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToList();
    }

    public async Task<IReadOnlyList<string>> ExchangeNamesAsync(string prefix)
    {
        var exchanges = await _http.GetFromJsonAsync<List<JsonElement>>($"api/exchanges/{_vhost}?columns=name") ?? [];
        return exchanges.Select(q => q.GetProperty("name").GetString()!).Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToList();
    }

    /// <summary>Removes this run's queues and exchanges so reruns start clean and the vhost does not fill up.</summary>
    public async Task DeleteByPrefixAsync(string prefix)
    {
        foreach (var queue in await QueueNamesAsync(prefix))
        {
            using var _ = await _http.DeleteAsync($"api/queues/{_vhost}/{Uri.EscapeDataString(queue)}");
        }
        foreach (var exchange in await ExchangeNamesAsync(prefix))
        {
            using var _ = await _http.DeleteAsync($"api/exchanges/{_vhost}/{Uri.EscapeDataString(exchange)}");
        }
    }

    public void Dispose() => _http.Dispose();
}
