using System.Collections.Concurrent;
using System.Diagnostics;
using Crawlscope.Fetching;
using Crawlscope.Vocabulary;
using Microsoft.Playwright;

namespace Crawlscope.Rendering;

/// <summary>
/// Renders pages in one headless Chromium per process, driven by Playwright, a bounded number at a time, each in a
/// fresh context. Safe by construction: the page's document is the body the crawler already fetched, and every
/// other request the page makes is either refused or answered by the crawler's own fetcher through the
/// <see cref="ISubresourceGate"/> (route interception), so the SSRF guard, robots.txt and the body caps apply to it
/// as to a page. Launch flags are a second fence: the browser resolves no name itself and any request that escaped
/// the routes would go to a dead proxy. A page's render is capped in time; a crashed or hung browser costs that page
/// (a render failure with its reason) and is started afresh for the next one.
/// </summary>
internal sealed class BrowserRenderer(RenderOptions options, string userAgent) : IAsyncDisposable
{
    public const int MaxResourcesKept = 100;
    public const int MaxConsoleLines = 20;
    private const int MaxConsoleChars = 300;
    public const int MaxScreenshotBytes = 2 * 1024 * 1024;
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RelaunchAfterFailure = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan SettleInterval = TimeSpan.FromMilliseconds(60);
    // The probe read while the page settles: its visible text length and its links.
    private const string SettleProbe = "() => [document.body ? document.body.innerText.length : 0, document.links.length]";

    private sealed class Instance(IBrowser browser)
    {
        public IBrowser Browser { get; } = browser;
        public int Served, InFlight;
        public bool Retired;
    }

    private readonly SemaphoreSlim _slots = new(Math.Max(1, options.Parallel));
    private readonly SemaphoreSlim _launch = new(1, 1);
    private readonly List<Instance> _instances = [];
    private IPlaywright? _playwright;
    private Instance? _current;
    private DateTimeOffset _failedAt = DateTimeOffset.MinValue;
    private int _launches;
    private bool _disposed;

    /// <summary>Why no browser could be started (null while one can be).</summary>
    public string? Unavailable { get; private set; }

    /// <summary>Browsers started so far (the first, and one after every restart).</summary>
    public int Launches => _launches;

    /// <summary>How long the first render took from its request, the browser's start included (null before one).</summary>
    public TimeSpan? FirstRender { get; private set; }

    /// <summary>Renders <paramref name="url"/>, whose document is <paramref name="document"/>; every other request the
    /// page makes goes through <paramref name="gate"/>. Never throws for the page's sake: a failure is a value.</summary>
    public async Task<RenderResult> RenderAsync(string url, FetchResult document, ISubresourceGate gate, bool screenshot, CancellationToken ct)
    {
        var requested = DateTimeOffset.UtcNow;
        await _slots.WaitAsync(ct);
        Instance? instance = null;
        try
        {
            instance = await AcquireAsync(ct);
            if (instance is null) return RenderResult.WithoutBrowser(Unavailable ?? "it did not start");
            var result = await RenderOnAsync(instance, url, document, gate, screenshot, ct);
            FirstRender ??= DateTimeOffset.UtcNow - requested;
            return result;
        }
        finally
        {
            if (instance is not null) await ReleaseAsync(instance);
            _slots.Release();
        }
    }

    private async Task<RenderResult> RenderOnAsync(Instance instance, string url, FetchResult document, ISubresourceGate gate, bool screenshot, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var requests = new PageRequests(options, gate, document);
        var console = new ConcurrentQueue<ConsoleLine>();
        using var pageStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        IBrowserContext? context = null;
        string? failure = null;
        byte[]? html = null, shot = null;
        try
        {
            context = await instance.Browser.NewContextAsync(new BrowserNewContextOptions
            {
                UserAgent = userAgent, ServiceWorkers = ServiceWorkerPolicy.Block, AcceptDownloads = false,
                ViewportSize = new ViewportSize { Width = 1280, Height = 1024 },
            });
            await context.RouteAsync("**/*", route => requests.HandleAsync(route, pageStop.Token));
            await context.RouteWebSocketAsync("**/*", ws => requests.RefuseWebSocket(ws));
            var page = await context.NewPageAsync();
            requests.MainFrame = page.MainFrame;
            context.Page += (_, other) => { if (other != page) _ = other.CloseAsync().ContinueWith(_ => { }, TaskScheduler.Default); };
            page.Console += (_, m) => Keep(console, m.Type, m.Text);
            page.PageError += (_, e) => Keep(console, "error", e);
            var work = LoadAndReadAsync(page, url, screenshot, clock, requests);
            (html, shot, string? note) = await work.WaitAsync(options.PageTimeout + TimeSpan.FromSeconds(1), ct);
            failure = note;
        }
        catch (TimeoutException)
        {
            failure = $"the page did not yield its DOM within {options.PageTimeout.TotalSeconds:0.#} s";
        }
        catch (PlaywrightException ex)
        {
            failure = "browser: " + FirstLine(ex.Message);
            if (!instance.Browser.IsConnected) instance.Retired = true;
        }
        finally
        {
            await pageStop.CancelAsync();
            // A page whose scripts never yield can hold its context open; the browser is then replaced.
            if (context is not null && !await ClosedAsync(context.CloseAsync())) instance.Retired = true;
        }
        return new RenderResult(html, html is null ? failure ?? "no DOM" : null, clock.Elapsed.TotalMilliseconds, requests.Resources, console.ToArray())
        {
            Screenshot = shot, Fetched = requests.Counts.Fetched, Refused = requests.Counts.Refused,
        };
    }

    /// <summary>Loads the page (to its load event, within most of the time cap), lets its content settle (text and
    /// links unchanged between two probes while none of its requests is being answered), then reads the DOM. No
    /// browser network-idle wait: a page holding a socket open never gets there; the routes know what is in flight.
    /// A page that did not finish loading is still read; the note says so.</summary>
    private async Task<(byte[]? Html, byte[]? Screenshot, string? Note)> LoadAndReadAsync(IPage page, string url, bool screenshot, Stopwatch clock, PageRequests requests)
    {
        TimeSpan Remaining() => options.PageTimeout - clock.Elapsed;
        string? note = null;
        try
        {
            await page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.Load, Timeout = (float)(options.PageTimeout.TotalMilliseconds * 0.6) });
        }
        catch (TimeoutException)
        {
            note = "the load event did not come";
        }
        double[]? last = null;
        while (Remaining() > SettleInterval * 2)
        {
            var probe = await page.EvaluateAsync<double[]>(SettleProbe).WaitAsync(Remaining());
            // Settled: nothing changed since the last probe, and no request was answered since then either (its
            // answer's scripts may not have run yet).
            if (last is not null && probe.SequenceEqual(last) && requests.InFlight == 0
                && Environment.TickCount64 - requests.LastActivity >= SettleInterval.TotalMilliseconds) break;
            last = probe;
            await Task.Delay(SettleInterval);
        }
        string content = await page.ContentAsync().WaitAsync(Remaining() > TimeSpan.Zero ? Remaining() : TimeSpan.FromMilliseconds(500));
        byte[]? png = null;
        if (screenshot && Remaining() > TimeSpan.Zero)
        {
            png = await page.ScreenshotAsync(new PageScreenshotOptions { Type = ScreenshotType.Png }).WaitAsync(Remaining());
            if (png.Length > MaxScreenshotBytes) png = null;
        }
        return (System.Text.Encoding.UTF8.GetBytes(content), png, note);
    }

    private static void Keep(ConcurrentQueue<ConsoleLine> console, string type, string text)
    {
        if (type is not ("error" or "warning") || console.Count >= MaxConsoleLines) return;
        console.Enqueue(new ConsoleLine(type, text.Length > MaxConsoleChars ? text[..MaxConsoleChars] + "…" : text));
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    private static async Task<bool> ClosedAsync(Task closing)
    {
        try
        {
            await closing.WaitAsync(CloseWait);
            return true;
        }
        catch (Exception ex) when (ex is TimeoutException or PlaywrightException)
        {
            return ex is PlaywrightException;
        }
    }

    private async Task<Instance?> AcquireAsync(CancellationToken ct)
    {
        await _launch.WaitAsync(ct);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_current is null || _current.Retired || !_current.Browser.IsConnected)
            {
                if (_current is not null) _current.Retired = true;
                _current = null;
                if (DateTimeOffset.UtcNow - _failedAt < RelaunchAfterFailure) return null;
                _current = await LaunchAsync();
                if (_current is null) return null;
            }
            _current.InFlight++;
            if (++_current.Served >= options.RestartAfterPages) _current.Retired = true;
            return _current;
        }
        finally
        {
            _launch.Release();
        }
    }

    private async Task ReleaseAsync(Instance instance)
    {
        bool close;
        await _launch.WaitAsync();
        try
        {
            instance.InFlight--;
            close = (instance.Retired || !instance.Browser.IsConnected) && instance.InFlight == 0 && _instances.Remove(instance);
        }
        finally
        {
            _launch.Release();
        }
        if (close) await ClosedAsync(instance.Browser.CloseAsync());
    }

    private async Task<Instance?> LaunchAsync()
    {
        string? path = options.FindBrowser();
        if (path is null)
        {
            Unavailable = "neither chromium-headless-shell nor chromium is installed (apt-get install chromium-headless-shell)";
            _failedAt = DateTimeOffset.UtcNow;
            return null;
        }
        try
        {
            _playwright ??= await Playwright.CreateAsync();
            var browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = path, Headless = true, Args = LaunchArgs(), Timeout = 30_000,
                // The crawl stops the browser itself, in order, when it is told to stop.
                HandleSIGINT = false, HandleSIGTERM = false, HandleSIGHUP = false,
            });
            var instance = new Instance(browser);
            _instances.Add(instance);
            _launches++;
            Unavailable = null;
            return instance;
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            Unavailable = $"{path} did not start: {FirstLine(ex.Message)}";
            _failedAt = DateTimeOffset.UtcNow;
            return null;
        }
    }

    /// <summary>The second fence: no name resolution in the browser, a dead proxy for anything not answered by the
    /// routes (loopback included), and a bounded script heap.</summary>
    internal static string[] LaunchArgs()
    {
        var args = new List<string>
        {
            "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
            "--js-flags=--max-old-space-size=256", "--disable-background-networking", "--disable-component-update",
            "--disable-domain-reliability", "--disable-sync", "--no-first-run", "--no-default-browser-check", "--mute-audio",
        };
        // Chromium's sandbox needs user namespaces that a root process may not have.
        if (Environment.UserName == "root") args.Add("--no-sandbox");
        return [.. args];
    }

    public async ValueTask DisposeAsync()
    {
        await _launch.WaitAsync();
        try
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var instance in _instances) await ClosedAsync(instance.Browser.CloseAsync());
            _instances.Clear();
            _playwright?.Dispose();
        }
        finally
        {
            _launch.Release();
        }
    }
}
