using Crawlscope.Classification;
using Crawlscope.Extraction;
using Crawlscope.Urls;

namespace Crawlscope.Tests.Extraction;

/// <summary>Structured data adds to the readable text only what a real page would (attack 7 of the third hardening
/// round: a JSON-LD product description of one spam phrase repeated 27,000 times became 972,565 characters of readable
/// Markdown with a spam score of 0).</summary>
public sealed class StructuredDescriptionTests
{
    private static ExtractedPage Product(string name, string h1, string description) =>
        new PageExtractor().Extract("<!DOCTYPE html><html><head><title>" + h1 + " | Shop</title>" +
            "<script type='application/ld+json'>" + System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["@context"] = "https://schema.org", ["@type"] = "Product", ["name"] = name, ["description"] = description,
                ["offers"] = new Dictionary<string, object> { ["@type"] = "Offer", ["price"] = "249" },
            }) + "</script></head><body><main><div class='product'><h1>" + h1 + "</h1><span class='price'>£249</span>" +
            "<button class='add-to-cart'>Add to basket</button><p>In stock, ships in two days from our warehouse in Leeds.</p>" +
            "<p>Free returns within thirty days of delivery, no questions asked, on every order we send.</p></div></main></body></html>",
            WebUrl.Parse("https://shop.example/product/waxed-jacket"));

    [Fact]
    public void HugeRepeatedDescription_IsNotAdded_AndRaisesTheSpamScore()
    {
        // 23,000 repeats: just under the 1 MB a JSON-LD script may have to be read at all, as in the attack.
        string spam = string.Concat(Enumerable.Repeat("BUY CHEAP PILLS NOW best online pharmacy ", 23_000));
        var page = Product("Waxed jacket", "Waxed jacket", spam);
        Assert.True(page.ReadableMarkdown.Length < 5_000, $"{page.ReadableMarkdown.Length} characters of readable Markdown");
        Assert.False(page.Readable!.WithStructuredDescription);
        Assert.True(SpamClassifier.Classify(page).Level > 0);
    }

    [Fact]
    public void DescriptionOfAnotherProduct_IsNotAdded()
    {
        var page = Product("Casino bonus codes", "Waxed jacket", "Claim free spins and casino bonus codes today at our partner site.");
        Assert.DoesNotContain("free spins", page.ReadableMarkdown);
    }

    [Fact]
    public void DescriptionOfTheProductShown_IsAdded()
    {
        var page = Product("Waxed jacket", "Waxed jacket", "A waxed cotton jacket with a tartan lining, cut for the field and the town alike.");
        Assert.True(page.Readable!.WithStructuredDescription);
        Assert.Contains("tartan lining", page.ReadableMarkdown);
    }
}
