using LiverFlow.Inference;
using LiverFlow.Inference.Data;
using LiverFlow.Messaging.Database;
using LiverFlow.ServiceDefaults;

if (HealthProbe.IsRequested(args))
{
    return await HealthProbe.RunAsync(args);
}

// Content root is the binary's folder, so appsettings.json is found whatever directory the host is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddServiceDefaults("liverflow-inference");
builder.AddInferenceService();
var app = builder.Build();

if (DatabaseMigrations.IsMigrateCommand(args))
{
    await DatabaseMigrations.MigrateAsync<InferenceDbContext>(app.Services);
    return 0;
}

app.MapDefaultEndpoints();
await app.RunAsync();
return 0;
