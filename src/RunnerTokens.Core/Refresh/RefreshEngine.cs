using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using RunnerTokens.Metrics;
using RunnerTokens.Preflight;
using RunnerTokens.Runners;
using RunnerTokens.State;

namespace RunnerTokens.Refresh;

/// <summary>
/// One check-and-refresh cycle per runner: observe, decide, record, then skip, describe (dry run), postpone
/// (busy) or refresh (token, reconfigure, cache the expiry) with retries. Shared by cron and daemon.
/// </summary>
internal sealed class RefreshEngine : IRunnerTokenRefresher
{
    private readonly IOptionsMonitor<RunnerTokenRefreshOptions> _settings;
    private readonly RunnerContextFactory _runnerFactory;
    private readonly IExpirySource[] _localSources;
    private readonly IRemoteExpirySource[] _remoteSources;
    private readonly IRunnerBusyProbe[] _busyProbes;
    private static readonly ActivitySource ActivitySource = new(RunnerTokenRefreshTelemetry.ActivitySourceName);

    private readonly IMetricsSink[] _sinks;
    private readonly IRunnerCheckSink[] _checkSinks;
    private readonly IRefreshRecovery[] _recoveries;
    private readonly IRunnerPreflightCheck[] _guards;
    private readonly ITokenIssuer? _tokenIssuer;
    private readonly IRunnerReconfigurer? _reconfigurer;
    private readonly RunnerStateStore _stateStore;
    private readonly RegistrationResolver _registrations;
    private readonly RunnerLock _lock;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<RefreshEngine> _logger;

    /// <summary>
    /// How long a runner's decision to do nothing, repeated check after check, stays at Debug once logged at
    /// Information: a daemon of 1,000 runners checking every minute would otherwise write 1.4 million lines a day.
    /// </summary>
    private static readonly TimeSpan QuietDecisionInterval = TimeSpan.FromHours(1);

    // Each runner's decision last logged at Information (DecisionLevel), by runner name.
    private readonly ConcurrentDictionary<string, (string Source, string Action, DateTimeOffset At)> _loggedDecisions = new(StringComparer.Ordinal);

    // The settings and runners each check uses: swapped as a whole when the options change (ApplyChanges).
    private volatile Applied _applied;
    private string? _refused;

    public RefreshEngine(
        IOptionsMonitor<RunnerTokenRefreshOptions> options,
        RunnerContextFactory runnerFactory,
        IEnumerable<IExpirySource> sources,
        IEnumerable<IRunnerBusyProbe> busyProbes,
        IEnumerable<IMetricsSink> sinks,
        IEnumerable<IRefreshRecovery> recoveries,
        RunnerStateStore stateStore,
        RegistrationResolver registrations,
        RunnerLock runnerLock,
        IEnumerable<IRunnerPreflightCheck> checks,
        TimeProvider timeProvider,
        ILogger<RefreshEngine> logger,
        ITokenIssuer? tokenIssuer = null,
        IRunnerReconfigurer? reconfigurer = null)
    {
        _settings = options;
        _runnerFactory = runnerFactory;
        IExpirySource[] all = [.. sources];
        _remoteSources = [.. all.OfType<IRemoteExpirySource>()];

        // A hint for the remote sources changes no decision without one: not asked at all then.
        _localSources = [.. all.Where(s => s is not IRemoteExpirySource && (s is not IExpiryHintSource || _remoteSources.Length > 0))];
        _busyProbes = [.. busyProbes];
        _sinks = [.. sinks];
        _checkSinks = [.. _sinks.OfType<IRunnerCheckSink>()];
        _recoveries = [.. recoveries];
        _guards = [.. checks.Where(check => check.GuardsRefresh)];
        _tokenIssuer = tokenIssuer;
        _reconfigurer = reconfigurer;
        _stateStore = stateStore;
        _registrations = registrations;
        _lock = runnerLock;
        _timeProvider = timeProvider;
        _logger = logger;
        var first = options.CurrentValue;
        _applied = new(this, first, runnerFactory.CreateAll(first));
    }

    /// <summary>Gets the runners the next check checks.</summary>
    public IReadOnlyList<RunnerContext> Runners => _applied.Runners;

    /// <summary>Gets the settings of the check in progress (or of the next one).</summary>
    private RunnerTokenRefreshOptions Settings => _applied.Options;

    public async Task<IReadOnlyList<RunnerRefreshResult>> RunOnceAsync(CancellationToken cancellationToken)
    {
        var runners = ApplyChanges().Runners;
        var results = new List<RunnerRefreshResult>(runners.Count);
        try
        {
            foreach (var runner in runners)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = Log.RunnerScope(_logger, runner.Name);
                try
                {
                    results.Add(await CheckRunnerAsync(runner, cancellationToken).ConfigureAwait(false));
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    // One runner's surprise never stops the others.
                    Log.CheckFailed(_logger, runner.Name, ex.Message, ex);
                    results.Add(new RunnerRefreshResult(runner.Name, RefreshOutcome.Failed, ex.Message));
                }
            }
        }
        finally
        {
            // Also when stopped midway: what the runners checked so far counted is written, not lost with the process.
            await CompleteCheckAsync(runners).ConfigureAwait(false);
        }

        return results;
    }

    /// <summary>
    /// Takes changed options (<see cref="IOptionsMonitor{TOptions}"/>: a reloaded configuration) before a check: the
    /// runners added, removed or changed and every other setting of the engine, as one whole. Options that fail their
    /// validation, or runners that cannot be resolved, change nothing: the runners are checked as before, and the
    /// problem is logged once until it changes.
    /// </summary>
    private Applied ApplyChanges()
    {
        var applied = _applied;
        RunnerTokenRefreshOptions options;
        IReadOnlyList<RunnerContext> runners;
        try
        {
            options = _settings.CurrentValue;
            if (ReferenceEquals(options, applied.Options))
            {
                return applied;
            }

            runners = _runnerFactory.CreateAll(options);
        }
        catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException)
        {
            var problem = ex is OptionsValidationException invalid ? string.Join(" ", invalid.Failures) : ex.Message;
            if (problem != _refused)
            {
                _refused = problem;
                Log.SettingsRefused(_logger, applied.Runners.Count, problem);
            }

            return applied;
        }

        var before = applied.Runners.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var after = runners.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var added = string.Join(", ", runners.Select(r => r.Name).Where(name => !before.Contains(name)));
        var removedNames = applied.Runners.Select(r => r.Name).Where(name => !after.Contains(name)).ToList();
        var removed = string.Join(", ", removedNames);
        Log.SettingsApplied(_logger, runners.Count, added.Length == 0 ? "none" : added, removed.Length == 0 ? "none" : removed);
        foreach (var name in removedNames)
        {
            _loggedDecisions.TryRemove(name, out _);
        }

        // The lock's handles on a state folder no runner is checked in any more (a runner removed, its folder moved).
        var folders = runners.Select(r => r.StateDirectory).ToHashSet(StringComparer.Ordinal);
        foreach (var runner in applied.Runners.Where(r => !folders.Contains(r.StateDirectory)))
        {
            _lock.Forget(runner.StateDirectory);
        }

        _refused = null;
        return _applied = new(this, options, runners);
    }

    /// <summary>Tells the sinks that write every runner at once that this check of every runner has ended.</summary>
    private async Task CompleteCheckAsync(IReadOnlyList<RunnerContext> runners)
    {
        foreach (var sink in _checkSinks)
        {
            try
            {
                // Not cancelled: a stop must not lose what was counted. The write is short and local.
                await sink.CompleteCheckAsync(runners, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.CheckSinkFailed(_logger, sink.GetType().Name, ex.Message);
            }
        }
    }

    /// <summary>Tells the sinks that want them what this runner's check found (<see cref="RunnerCheckFacts"/>).</summary>
    private void RecordCheckFacts(RunnerContext runner, RunnerCheckFacts facts)
    {
        foreach (var sink in _checkSinks)
        {
            try
            {
                sink.RecordCheckFacts(runner, facts);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.SinkFailed(_logger, runner.Name, sink.GetType().Name, ex.Message);
            }
        }
    }

    // The per-runner path returns ValueTask: it nearly always completes at once, and a Task of each would be an
    // allocation per runner per check.
    private async ValueTask<RunnerRefreshResult> CheckRunnerAsync(RunnerContext runner, CancellationToken cancellationToken)
    {
        runner.Stamps.Begin();
        try
        {
            return await CheckRunnerCoreAsync(runner, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            runner.Stamps.End();
        }
    }

    private async ValueTask<RunnerRefreshResult> CheckRunnerCoreAsync(RunnerContext runner, CancellationToken cancellationToken)
    {
        if (Settings.DryRun)
        {
            // A dry run changes nothing, so it takes no lock and repairs nothing.
            return await ObserveAndActAsync(runner, cancellationToken).ConfigureAwait(false);
        }

        // Repair, check and refresh under one lock: another process may be in the middle of this runner's refresh,
        // and its journal must not be "repaired" under its feet. Once we hold the lock we observe afresh, so a
        // refresh the other process just made is seen and not repeated.
        using var held = await _lock.AcquireAsync(runner, Settings.LockTimeout, cancellationToken).ConfigureAwait(false);
        if (held is null)
        {
            Log.Locked(_logger, runner.Name, LogText.Duration(Settings.LockTimeout));
            return new(runner.Name, RefreshOutcome.Postponed, "another process is working on this runner; postponed to the next check");
        }

        foreach (var recovery in _recoveries)
        {
            await recovery.RecoverAsync(runner, cancellationToken).ConfigureAwait(false);
        }

        return await ObserveAndActAsync(runner, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<RunnerRefreshResult> ObserveAndActAsync(RunnerContext runner, CancellationToken cancellationToken)
    {
        var observations = await ObserveAsync(runner, cancellationToken).ConfigureAwait(false);
        var now = _timeProvider.GetUtcNow();
        var decision = RefreshDecider.Decide(observations, now, Settings.RefreshThreshold, Settings.Policy);

        var action = !decision.Refresh ? "none" : Settings.DryRun ? "refresh (dry run)" : "refresh";
        var level = DecisionLevel(runner, decision.Source, action, now);
        if (_logger.IsEnabled(level))
        {
            // The seconds' text only for a line that is written: a repeated "nothing to do" is at debug.
            Log.Decision(
                _logger,
                level,
                runner.Name,
                decision.Source,
                decision.SecondsLeft?.ToString(CultureInfo.InvariantCulture) ?? "n/a",
                action,
                decision.Reason);
        }

        if (Settings.DryRun)
        {
            if (!decision.Refresh)
            {
                return new(runner.Name, RefreshOutcome.NotNeeded, decision.Reason);
            }

            IReadOnlyList<string> plan;
            if (_reconfigurer is null)
            {
                plan = ["no IRunnerReconfigurer is registered: nothing would re-register the runner"];
            }
            else
            {
                var registration = await _registrations.ResolveAsync(runner, cancellationToken).ConfigureAwait(false);
                plan = await _reconfigurer.DescribePlanAsync(runner, registration, cancellationToken).ConfigureAwait(false);
            }

            for (var i = 0; i < plan.Count; i++)
            {
                Log.DryRunStep(_logger, runner.Name, i + 1, plan.Count, plan[i]);
            }

            return new(runner.Name, RefreshOutcome.DryRun, decision.Reason);
        }

        await ForEachSinkAsync(runner, (runner, now, cancellationToken), static (sink, s) => sink.RecordCheckAsync(s.runner, s.now, s.cancellationToken)).ConfigureAwait(false);

        // What .runner (and, hourly, GitHub) says now goes into the registration record, for the day the listener
        // deletes .runner or GitHub deletes the runner.
        await _registrations.RememberAsync(runner, cancellationToken).ConfigureAwait(false);
        DateTimeOffset? expiresAt = decision.SecondsLeft is { } left ? now.AddSeconds(left) : null;
        if (!decision.Refresh)
        {
            RecordCheckFacts(runner, new RunnerCheckFacts(now, expiresAt, RefreshDuration: null));
            return new(runner.Name, RefreshOutcome.NotNeeded, decision.Reason);
        }

        var started = _timeProvider.GetTimestamp();
        var newExpiry = new StrongBox<DateTimeOffset?>();
        RunnerRefreshResult result;
        using (var activity = StartRefreshActivity(runner))
        {
            result = await RefreshAsync(runner, decision, newExpiry, cancellationToken).ConfigureAwait(false);
            activity?.SetTag(RunnerTokenRefreshTelemetry.OutcomeTag, result.Outcome.ToString());
            if (result.Outcome == RefreshOutcome.Failed)
            {
                // The reason is the logged one: masked, never a token.
                activity?.SetStatus(ActivityStatusCode.Error, result.Reason);
            }
        }

        TimeSpan? duration = result.Outcome is RefreshOutcome.Refreshed or RefreshOutcome.Failed ? _timeProvider.GetElapsedTime(started) : null;
        RecordCheckFacts(runner, new RunnerCheckFacts(now, newExpiry.Value ?? expiresAt, duration));
        return result;
    }

    /// <summary>
    /// Information for a decision to refresh, for the first of a runner, for one that differs from the last logged
    /// (another source or action), and for the same again an hour (<see cref="QuietDecisionInterval"/>) after it was
    /// last logged; Debug for a decision to do nothing that repeats the last one within that hour. The journal shows
    /// every change and each runner hourly; <c>--log-level debug</c> shows every check.
    /// </summary>
    private LogLevel DecisionLevel(RunnerContext runner, string source, string action, DateTimeOffset now)
    {
        if (!_logger.IsEnabled(LogLevel.Information))
        {
            return LogLevel.Information;
        }

        if (action == "none"
            && _loggedDecisions.TryGetValue(runner.Name, out var last)
            && last.Source == source
            && last.Action == action
            && now - last.At < QuietDecisionInterval)
        {
            return LogLevel.Debug;
        }

        _loggedDecisions[runner.Name] = (source, action, now);
        return LogLevel.Information;
    }

    /// <summary>The span of one refresh (<see cref="RunnerTokenRefreshTelemetry.RefreshActivity"/>), when anybody listens.</summary>
    private static Activity? StartRefreshActivity(RunnerContext runner)
    {
        var activity = ActivitySource.StartActivity(RunnerTokenRefreshTelemetry.RefreshActivity);
        activity?.SetTag(RunnerTokenRefreshTelemetry.RunnerNameTag, runner.Name);
        activity?.SetTag(RunnerTokenRefreshTelemetry.RunnerScopeTag, runner.Scope.DisplayName);
        return activity;
    }

    private async ValueTask<IReadOnlyList<ExpiryObservation>> ObserveAsync(RunnerContext runner, CancellationToken cancellationToken)
    {
        // The local sources first (files, the listener's log: cheap), then the remote ones with what the local ones saw,
        // so a server is asked only when that can change the decision. A registration a local source already calls
        // invalid is renewed whatever a server says: no request for it.
        var observations = new List<ExpiryObservation>(_localSources.Length + _remoteSources.Length);
        foreach (var source in _localSources)
        {
            observations.Add(await ObserveOneAsync(runner, source, null, cancellationToken).ConfigureAwait(false));
        }

        if (_remoteSources.Length == 0 || observations.Exists(o => o.Kind == ExpiryObservationKind.InvalidNow))
        {
            return observations;
        }

        var local = observations.ToArray();
        foreach (var source in _remoteSources)
        {
            observations.Add(await ObserveOneAsync(runner, source, local, cancellationToken).ConfigureAwait(false));
        }

        return observations;
    }

    /// <summary>One source's observation; a remote source (<paramref name="local"/> given) gets what the local ones saw.</summary>
    private async ValueTask<ExpiryObservation> ObserveOneAsync(RunnerContext runner, IExpirySource source, ExpiryObservation[]? local, CancellationToken cancellationToken)
    {
        try
        {
            return local is not null
                ? await ((IRemoteExpirySource)source).ObserveAsync(runner, local, cancellationToken).ConfigureAwait(false)
                : await source.ObserveAsync(runner, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            var name = source.GetType().Name;
            Log.SourceFailed(_logger, runner.Name, name, ex.Message);
            return ExpiryObservation.Unknown(name, $"failed: {ex.Message}");
        }
    }

    /// <summary>Refreshes the runner; on success <paramref name="newExpiry"/> holds the new registration token's expiry.</summary>
    private async Task<RunnerRefreshResult> RefreshAsync(RunnerContext runner, RefreshDecision decision, StrongBox<DateTimeOffset?> newExpiry, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(RunnerKey, runner);
        Attempt? attempt = null;
        try
        {
            // Before any token is fetched: a refresh this user cannot carry out (sudo refused, say) fetches nothing.
            await GuardAsync(runner, cancellationToken).ConfigureAwait(false);

            // Resolved once, before anything changes: GitHub's listing and .runner still show the runner as it is.
            var registration = await _registrations.ResolveAndRememberAsync(runner, cancellationToken).ConfigureAwait(false);
            Log.RegistrationResolved(_logger, runner.Name, registration.Name, registration.Url, string.Join("; ", registration.Origins));

            attempt = new Attempt(this, runner, registration, decision.Invalid, RefreshAttempt.NewBudgets());
            var result = await _applied.Retry.ExecuteAsync(
                static (ctx, state) => state.Engine.AttemptAsync(state, ctx.CancellationToken),
                context,
                attempt).ConfigureAwait(false);

            if (result.Postponed is { } why)
            {
                Log.Postponed(_logger, runner.Name);
                return new(runner.Name, RefreshOutcome.Postponed, why);
            }

            if (result.Failure is { } failure)
            {
                return await FailedAsync(runner, failure, attempt, cancellationToken).ConfigureAwait(false);
            }

            var token = result.Token!;
            var state = _stateStore.Read(runner, out _);
            state.RegistrationTokenExpiresAt = token.ExpiresAt;
            state.ConsecutiveFailures = 0;
            WriteState(runner, state);
            _registrations.Remember(runner, registration, listedAt: null);
            Log.Refreshed(_logger, runner.Name, LogText.Time(token.ExpiresAt));
            newExpiry.Value = token.ExpiresAt;
            var at = _timeProvider.GetUtcNow();
            await ForEachSinkAsync(runner, (runner, at, cancellationToken), static (sink, s) => sink.RecordRefreshSucceededAsync(s.runner, s.at, s.cancellationToken)).ConfigureAwait(false);
            return new(runner.Name, RefreshOutcome.Refreshed, decision.Reason);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            return await FailedAsync(runner, ex, attempt, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Counts and reports a failed refresh, saying why it stopped where it did: permanent, rate limited, or out of attempts.</summary>
    private async Task<RunnerRefreshResult> FailedAsync(RunnerContext runner, Exception failure, Attempt? attempt, CancellationToken cancellationToken)
    {
        var state = _stateStore.Read(runner, out var problem);
        if (problem is not null)
        {
            Log.StateProblem(_logger, runner.Name, problem);
        }

        // Saturates: a count that wrapped to a negative would read as healthy. A negative (corrupt) count starts over.
        state.ConsecutiveFailures = state.ConsecutiveFailures < 0 ? 1 : state.ConsecutiveFailures == int.MaxValue ? int.MaxValue : state.ConsecutiveFailures + 1;
        WriteState(runner, state);
        var made = attempt?.Number ?? 0;
        Log.RefreshFailed(
            _logger,
            runner.Name,
            made,
            Settings.MaxRetryAttempts,
            WhyStopped(failure, made),
            state.ConsecutiveFailures,
            failure.Message,
            failure);
        if (state.ConsecutiveFailures >= RefreshHealth.CriticalConsecutiveFailures)
        {
            Log.ConsecutiveFailuresAlert(_logger, runner.Name, state.ConsecutiveFailures);
        }

        var at = _timeProvider.GetUtcNow();
        await ForEachSinkAsync(runner, (runner, at, state.ConsecutiveFailures, cancellationToken), static (sink, s) => sink.RecordRefreshFailedAsync(s.runner, s.at, s.ConsecutiveFailures, s.cancellationToken)).ConfigureAwait(false);
        return new(runner.Name, RefreshOutcome.Failed, failure.Message);
    }

    private string WhyStopped(Exception failure, int attempts)
    {
        if (attempts == 0)
        {
            return "before any attempt";
        }

        if (RunnerRefreshException.KindOf(failure) == RefreshFailureKind.Permanent)
        {
            return "a permanent failure, not retried: trying again cannot help until it is fixed";
        }

        if (RetriesWait(failure) is { } until)
        {
            return $"not retried before {LogText.Time(until)}, later than this check's next attempt";
        }

        return attempts >= Settings.MaxRetryAttempts ? "no attempts left" : "not retried";
    }

    /// <summary>The time a transient failure names for trying again, when that is later than the engine's next attempt would be.</summary>
    private DateTimeOffset? RetriesWait(Exception failure) =>
        failure is RunnerRefreshException { RetryAfter: { } until } && until > _timeProvider.GetUtcNow() + Settings.RetryBackoff ? until : null;

    /// <summary>
    /// Runs the checks that guard every refresh (<see cref="IRunnerPreflightCheck.GuardsRefresh"/>); the first failure
    /// fails the refresh with its remedy. A check that cannot tell lets the refresh go on, as before there were checks.
    /// </summary>
    private async Task GuardAsync(RunnerContext runner, CancellationToken cancellationToken)
    {
        if (_guards.Length == 0)
        {
            return;
        }

        var results = await RunnerPreflight.RunChecksAsync(_guards, runner, _logger, cancellationToken).ConfigureAwait(false);
        foreach (var result in results)
        {
            if (result.Status == PreflightStatus.Failed)
            {
                var remedy = result.Remedy is null ? string.Empty : $" ({result.Remedy})";
                throw new RunnerReconfigurationException(
                    $"Runner {runner.Name}: check '{result.Title}' failed: {result.Detail}{remedy}; no registration token was fetched and the runner was not touched",
                    RefreshFailureKind.Permanent);
            }

            if (result.Status == PreflightStatus.Unknown)
            {
                Log.RefreshGuardUnknown(_logger, runner.Name, result.Title, result.Detail ?? "no detail");
            }
        }
    }

    /// <summary>
    /// One attempt, as a result rather than an exception: a token, a postponement (busy), or a failure with its kind.
    /// While it runs, <see cref="RefreshAttempt.Current"/> says which attempt it is, for the retries of what it calls.
    /// </summary>
    private async ValueTask<AttemptResult> AttemptAsync(Attempt attempt, CancellationToken cancellationToken)
    {
        attempt.Number++;
        using var current = RefreshAttempt.Enter(attempt.Runner.Name, attempt.Number, Settings.MaxRetryAttempts, attempt.Budgets);
        try
        {
            return new AttemptResult { Token = await AttemptCoreAsync(attempt, cancellationToken).ConfigureAwait(false) };
        }
        catch (RunnerBusyException busy)
        {
            return new AttemptResult { Postponed = busy.Message };
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            return new AttemptResult { Failure = ex };
        }
    }

    /// <summary>Busy check right before anything that could stop the runner, token, reconfigure.</summary>
    private async Task<RegistrationToken> AttemptCoreAsync(Attempt attempt, CancellationToken cancellationToken)
    {
        var runner = attempt.Runner;
        foreach (var probe in _busyProbes)
        {
            RunnerBusyState busy;
            string why;
            Exception? failed = null;
            try
            {
                busy = await probe.GetBusyStateAsync(runner, cancellationToken).ConfigureAwait(false);
                why = $"{probe.GetType().Name} cannot tell whether the runner is in a job";
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                busy = RunnerBusyState.Unknown;
                why = $"{probe.GetType().Name} failed ({ex.Message})";
                failed = ex;
            }

            if (busy == RunnerBusyState.Busy)
            {
                throw new RunnerBusyException("runner busy with a job; postponed to the next check");
            }

            // A runner whose registration is invalid cannot be in a job; a valid one is never stopped on a guess. Not
            // knowing is a failed attempt (retried, counted, alerted), not a quiet postponement: it may never end.
            // The probe's own failure says whether asking again can help (no credential at all: it cannot).
            if (busy == RunnerBusyState.Unknown && !attempt.RegistrationInvalid)
            {
                throw new RunnerRefreshException(
                    $"Runner {runner.Name}: {why}, and its registration is valid: not stopping it on a guess",
                    failed is null ? RefreshFailureKind.Transient : RunnerRefreshException.KindOf(failed),
                    failed,
                    (failed as RunnerRefreshException)?.RetryAfter);
            }
        }

        var issuer = _tokenIssuer ?? throw new InvalidOperationException(
            "No ITokenIssuer is registered: add one (builder.AddGitHub() from RunnerTokens.GitHub) to fetch registration tokens.");
        var reconfigurer = _reconfigurer ?? throw new InvalidOperationException(
            "No IRunnerReconfigurer is registered: add one (builder.AddSystemdReconfigurer() from RunnerTokens.Systemd) to re-register runners.");

        var token = await issuer.CreateRegistrationTokenAsync(runner.Scope, cancellationToken).ConfigureAwait(false);
        await reconfigurer.ReconfigureAsync(runner, attempt.Registration, token, cancellationToken).ConfigureAwait(false);
        return token;
    }

    private void WriteState(RunnerContext runner, RunnerState state)
    {
        try
        {
            _stateStore.Write(runner, state);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The runner is registered either way; losing the cache only means an earlier refresh next time.
            Log.StateProblem(_logger, runner.Name, $"cannot write {_stateStore.PathFor(runner)}: {ex.Message}");
        }
    }

    /// <summary>
    /// Records something in every sink; one that fails is logged, not thrown. <paramref name="record"/> is a static
    /// lambda given <paramref name="state"/>, so a check of every runner makes no delegate per runner.
    /// </summary>
    private async ValueTask ForEachSinkAsync<TState>(RunnerContext runner, TState state, Func<IMetricsSink, TState, ValueTask> record)
    {
        foreach (var sink in _sinks)
        {
            try
            {
                await record(sink, state).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.SinkFailed(_logger, runner.Name, sink.GetType().Name, ex.Message);
            }
        }
    }

    /// <summary>
    /// Retries a failed attempt only when trying again can help: a transient failure (<see cref="RunnerRefreshException.KindOf"/>),
    /// with attempts left, and no named time to wait for (a rate limit) beyond the backoff. A permanent failure, a
    /// postponement and a success end the refresh at once.
    /// </summary>
    private ResiliencePipeline<AttemptResult> BuildRetryPipeline(RunnerTokenRefreshOptions options)
    {
        var builder = new ResiliencePipelineBuilder<AttemptResult> { TimeProvider = _timeProvider };
        if (options.MaxRetryAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<AttemptResult>
            {
                MaxRetryAttempts = options.MaxRetryAttempts - 1,
                Delay = options.RetryBackoff,
                BackoffType = DelayBackoffType.Constant,
                UseJitter = false,
                ShouldHandle = args => new ValueTask<bool>(
                    args.Outcome.Result is { Failure: { } failure }
                    && RunnerRefreshException.KindOf(failure) == RefreshFailureKind.Transient
                    && RetriesWait(failure) is null),
                OnRetry = args =>
                {
                    var runner = args.Context.Properties.GetValue(RunnerKey, null!);
                    Log.AttemptFailed(
                        _logger,
                        runner.Name,
                        args.AttemptNumber + 1,
                        options.MaxRetryAttempts,
                        LogText.Duration(args.RetryDelay),
                        args.Outcome.Result?.Failure?.Message ?? "no result");
                    return default;
                },
            });
        }

        return builder.Build();
    }

    private static readonly ResiliencePropertyKey<RunnerContext> RunnerKey = new("RunnerTokens.Runner");

    /// <summary>The settings, the runners and the retry pipeline of one version of the options.</summary>
    private sealed class Applied(RefreshEngine engine, RunnerTokenRefreshOptions options, IReadOnlyList<RunnerContext> runners)
    {
        // Built at the first refresh: most checks refresh nothing, and Polly validates the retry options when it builds.
        private readonly Lazy<ResiliencePipeline<AttemptResult>> _retry = new(() => engine.BuildRetryPipeline(options));

        public RunnerTokenRefreshOptions Options => options;

        public IReadOnlyList<RunnerContext> Runners => runners;

        public ResiliencePipeline<AttemptResult> Retry => _retry.Value;
    }

    /// <summary>What one refresh's attempts share: the runner, its registration, the count so far and the retry budgets.</summary>
    private sealed record Attempt(RefreshEngine Engine, RunnerContext Runner, RunnerRegistration Registration, bool RegistrationInvalid, RefreshAttempt.RetryBudgets Budgets)
    {
        public int Number { get; set; }
    }

    /// <summary>How one attempt ended: exactly one of a token, a postponement or a failure.</summary>
    private sealed record AttemptResult
    {
        public RegistrationToken? Token { get; init; }

        public string? Postponed { get; init; }

        public Exception? Failure { get; init; }
    }

    /// <summary>Thrown inside an attempt to end it as postponed: a busy runner is not a failure.</summary>
    private sealed class RunnerBusyException(string message) : Exception(message);
}
