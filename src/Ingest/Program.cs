using LiverFlow.Ingest;
using LiverFlow.Ingest.Data;
using LiverFlow.Messaging.Database;
using LiverFlow.ServiceDefaults;

if (HealthProbe.IsRequested(args))
{
    return await HealthProbe.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("liverflow-ingest");
builder.AddIngestService();
var app = builder.Build();

if (DatabaseMigrations.IsMigrateCommand(args))
{
    // The explicit migrate step: schema ingest, then exit.
    await DatabaseMigrations.MigrateAsync<IngestDbContext>(app.Services);
    return 0;
}

app.MapDefaultEndpoints();
await app.RunAsync();
return 0;
