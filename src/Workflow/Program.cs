using LiverFlow.Messaging.Database;
using LiverFlow.ServiceDefaults;
using LiverFlow.Workflow;

if (HealthProbe.IsRequested(args))
{
    return await HealthProbe.RunAsync(args);
}

// Content root is the binary's folder, so appsettings.json is found whatever directory the host is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddServiceDefaults("liverflow-workflow");
builder.AddWorkflowService();
var app = builder.Build();

if (DatabaseMigrations.IsMigrateCommand(args))
{
    // The explicit migrate step: schema workflow (EF migrations) and Hangfire's schema, then exit.
    await WorkflowMigrations.MigrateAsync(app.Services, app.Configuration);
    return 0;
}

app.MapDefaultEndpoints();
await app.RunAsync();
return 0;
