using LiverFlow.Messaging;
using LiverFlow.ServiceDefaults;

// The Inference stage's host. It joins the bus and reports health; the stage's consumers and its
// schema "inference" arrive with the issue that builds the stage (see docs/architecture.md).
if (HealthProbe.IsRequested(args))
{
    return await HealthProbe.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("inference");
builder.Services.AddLiverFlowMessaging(builder.Configuration, _ => { });

var app = builder.Build();
if (args is ["migrate", ..])
{
    // Nothing to migrate until the stage owns tables; the verb exists so that every worker answers it.
    return 0;
}

app.MapDefaultEndpoints();
await app.RunAsync();
return 0;
