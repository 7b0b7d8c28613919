using LiverFlow.ServiceDefaults;

if (HealthProbe.IsRequested(args))
{
    return await HealthProbe.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("liverflow-ingest");

var app = builder.Build();
app.MapDefaultEndpoints();
await app.RunAsync();
return 0;
