using System.Text;
using Crawlscope.Robots;
using FsCheck.Xunit;

namespace Crawlscope.Tests.Robots;

/// <summary>No input makes the robots.txt parser or matcher throw, and huge inputs finish quickly.</summary>
public class RobotsRobustnessTests
{
    [Property(MaxTest = 5000)]
    public bool AnyTextAndUrl_NeverThrows(string body, string url, string agent)
    {
        var rules = RobotsParser.Parse(body ?? "");
        rules.Check(agent ?? "", url ?? "");
        return true;
    }

    [Property(MaxTest = 3000)]
    public bool AnyBytes_NeverThrows(byte[] body, string url)
    {
        RobotsParser.Parse(body ?? []).Check("Crawlscope", url ?? "/");
        return true;
    }

    [Fact]
    public void StructuredRandomFiles_NeverThrow()
    {
        var random = new Random(9309);
        string[] keys = ["User-agent", "Allow", "Disallow", "Sitemap", "Crawl-delay", "useragent", "disalow", "foo", "", "#"];
        string[] values = ["*", "/", "", "/a*b$", "$", "*$", "/ツ", "%zz", "%aa", "Crawlscope", "1e308", "-1", "NaN", "/" + new string('*', 300)];
        for (int i = 0; i < 3000; i++)
        {
            var sb = new StringBuilder();
            int lines = random.Next(0, 40);
            for (int l = 0; l < lines; l++)
            {
                sb.Append(keys[random.Next(keys.Length)]).Append(random.Next(3) == 0 ? " " : ":").Append(values[random.Next(values.Length)]);
                sb.Append(random.Next(4) switch { 0 => "\r\n", 1 => "\r", _ => "\n" });
            }
            var rules = RobotsParser.Parse(sb.ToString());
            rules.Check("Crawlscope", "/a" + new string('b', random.Next(500)));
            _ = rules.ForAgent("Crawlscope").CrawlDelaySeconds;
        }
    }

    [Fact]
    public void TenMegabyteLine_IsCutAndParsed()
    {
        byte[] body = Encoding.ASCII.GetBytes("User-agent: *\nDisallow: /" + new string('a', 10_000_000) + "\nDisallow: /b\n");
        var rules = RobotsParser.Parse(body);
        Assert.True(rules.Truncated);
        Assert.False(rules.Check("x", "/" + new string('a', 20_000)).Allowed); // the cut rule still matches its prefix
    }

    [Fact]
    public void RandomBytes_NeverThrow()
    {
        var random = new Random(1);
        for (int i = 0; i < 2000; i++)
        {
            var body = new byte[random.Next(0, 4096)];
            random.NextBytes(body);
            RobotsParser.Parse(body).Check("Crawlscope", "/x");
        }
    }
}
