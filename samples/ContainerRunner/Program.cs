// A worker service that keeps a runner registered that lives in a Docker container: RunnerTokens.Core and
// RunnerTokens.GitHub as any consumer takes them, with a reconfigurer and an expiry source of its own (no systemd, no
// config.sh on this machine). When the container is gone or its runner stopped (the listener exits when GitHub
// deleted its registration), the service fetches a registration token and replaces the container.
//
// The image's entrypoint registers the runner from its environment and runs it, for example:
//   ACTIONS_RUNNER_INPUT_TOKEN="$RUNNER_TOKEN" ./config.sh --unattended --replace --url "$RUNNER_URL" \
//     --name "$RUNNER_NAME" ${RUNNER_LABELS:+--labels "$RUNNER_LABELS"} ... && unset RUNNER_TOKEN && exec ./run.sh
// (RUNNER_GROUP, RUNNER_WORKDIR, RUNNER_NO_DEFAULT_LABELS, RUNNER_EPHEMERAL and RUNNER_DISABLE_UPDATE when set.)
//
// Run it from the repository root, after packing the packages into artifacts/packages (a dry run as configured):
//   dotnet run --project samples/ContainerRunner
using ContainerRunner;
using Microsoft.Extensions.DependencyInjection.Extensions;

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Services.AddOptions<ContainerOptions>().Bind(builder.Configuration.GetSection("Container"))
    .Validate(o => !string.IsNullOrWhiteSpace(o.Image), "Container:Image is empty; set it to the runner image to run").ValidateOnStart();
builder.Services.AddSingleton<DockerCli>();

var refresh = builder.Services.AddRunnerTokenRefresh(builder.Configuration.GetSection("RunnerTokens"));
builder.Services.RemoveAll<IExpirySource>(); // the runner-files source: its .runner is in the container, not here
refresh.AddGitHub(builder.Configuration.GetSection("GitHub")).AddExpirySource<ContainerExpirySource>();
builder.Services.AddSingleton<IRunnerReconfigurer, ContainerReconfigurer>();

// The engine keeps each runner's state (lock, failure count, registration record) in its Directory, which must exist.
builder.Services.PostConfigure<RunnerTokenRefreshOptions>(o => { foreach (var runner in o.Runners) { Directory.CreateDirectory(runner.Directory); } });

builder.Build().Run();
