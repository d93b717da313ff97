using Jint;
using Jint.Native;

namespace RunnerTokens.Host.Tests.Deploy;

/// <summary>
/// Runs polkit rules files in Jint with a small stand-in for polkit's JavaScript API (polkit(8), 0.106 and later):
/// <c>polkit.addRule(function (action, subject) …)</c>, the <c>polkit.Result</c> strings, <c>polkit.log</c>; an
/// action is <c>{ id, lookup(name) }</c> (<c>undefined</c> for a detail it lacks), a subject
/// <c>{ user, groups, isInGroup(g), local, active, pid, session }</c>. As polkit does, rules run in the order they
/// were added (files in name order), and the first that returns something other than <c>undefined</c> or
/// <c>null</c> decides; when none does, polkit falls back to the action's defaults, shown here as null.
/// Not modelled: <c>addAdminRule</c> and <c>polkit.spawn</c> (a rule calling it fails the test).
/// </summary>
internal sealed class PolkitRules : IDisposable
{
    private const string Shim = """
        var polkit = {
            _rules: [],
            Result: { NO: "no", YES: "yes", AUTH_SELF: "auth_self", AUTH_SELF_KEEP: "auth_self_keep",
                      AUTH_ADMIN: "auth_admin", AUTH_ADMIN_KEEP: "auth_admin_keep", NOT_HANDLED: "not_handled" },
            addRule: function (rule) { this._rules.push(rule); },
            log: function (message) { __log.push(String(message)); }
        };
        var __log = [];
        function __check(actionId, details, user, groups) {
            var action = { id: actionId, lookup: function (name) { return details.hasOwnProperty(name) ? details[name] : undefined; } };
            var subject = { user: user, groups: groups, pid: 4242, session: "", local: false, active: false,
                            isInGroup: function (group) { return groups.indexOf(group) >= 0; } };
            for (var i = 0; i < polkit._rules.length; i++) {
                var result = polkit._rules[i](action, subject);
                if (result !== undefined && result !== null) {
                    return result;
                }
            }
            return null;
        }
        """;

    private readonly Engine _engine = new(options => options.TimeoutInterval(TimeSpan.FromSeconds(5)));

    /// <summary>Loads the rules files, in the order given.</summary>
    public PolkitRules(params string[] rulesFiles)
    {
        _engine.Execute(Shim);
        foreach (var file in rulesFiles)
        {
            _engine.Execute(File.ReadAllText(file), file);
        }
    }

    /// <summary>Gets how many rules the files added.</summary>
    public int RuleCount => (int)_engine.Evaluate("polkit._rules.length").AsNumber();

    /// <summary>polkit's answer (<c>yes</c>, <c>no</c>, <c>auth_admin</c>, …), or null when no rule has an opinion.</summary>
    public string? Check(string actionId, IReadOnlyDictionary<string, string> details, string user, params string[] groups)
    {
        var detailsObject = new JsObject(_engine);
        foreach (var (name, value) in details)
        {
            detailsObject.Set(name, value);
        }

        var result = _engine.Invoke("__check", actionId, detailsObject, user, new JsArray(_engine, [.. groups.Select(g => (JsValue)g)]));
        return result.IsNull() ? null : result.AsString();
    }

    public void Dispose() => _engine.Dispose();
}
