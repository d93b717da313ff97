// A host of your own that keeps runners registered, configured from appsettings.json (or any configuration source).
// Run it from the repository root:  dotnet run --project samples/EmbeddedHost
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// appsettings.json is read from beside the program; relative runner directories from the current folder.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.Services
    .AddRunnerTokenRefresh(builder.Configuration.GetSection("RunnerTokens"))
    .AddGitHub(builder.Configuration.GetSection("GitHub"))
    .AddSystemdReconfigurer(builder.Configuration.GetSection("Systemd"));

// Readiness notification and journal-format logs when systemd runs it; nothing otherwise.
builder.Services.AddSystemd();

await builder.Build().RunAsync();
