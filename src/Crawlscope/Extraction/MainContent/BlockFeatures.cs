namespace Crawlscope.Extraction.MainContent;

/// <summary>
/// What the block scorer sees of each text block: its text (length, link share, words, punctuation), its tag, what
/// its own and its ancestors' class, id and role words say, where it sits (depth, position, share of its parent and
/// of the page), siblings built alike, its neighbours, the page type and what the hand-written rules decided for it.
/// All read from the one DOM walk (<see cref="DomBlocks"/>); nothing here touches the DOM again.
/// </summary>
internal static class BlockFeatures
{
    /// <summary>The features' names in the order of a row; the model file lists them and is refused if they differ.</summary>
    public static readonly string[] Names =
    [
        "type_article", "type_forum", "type_product", "type_collection", "type_listing", "type_documentation", "type_service",
        "type_confidence", "page_chars_log", "page_link_density", "page_blocks_log",
        "chars_log", "link_density", "words_log", "mean_word_length", "sentence_marks_per_word", "commas_per_word", "digit_share",
        "capitalised_share", "ends_sentence", "separators", "copyright",
        "tag_p", "tag_div", "tag_li", "tag_cell", "tag_h1", "tag_h2_h3", "tag_h4_h6", "tag_pre", "tag_dd_dt", "tag_blockquote",
        "tag_figure", "tag_section", "tag_control", "tag_other",
        "chrome", "comments", "content", "contents", "code", "shop", "post", "overlay", "price",
        "anc_chrome", "anc_comments", "anc_content", "anc_contents", "anc_code", "anc_shop", "anc_post", "anc_overlay", "anc_price",
        "in_list", "in_table", "in_form", "in_link", "in_card",
        "depth", "position", "text_position", "subtree_chars_log", "subtree_link_density", "subtree_paragraphs_log", "subtree_links_log", "share_of_page",
        "parent_chars_log", "parent_link_density", "share_of_parent", "parent_paragraphs_log", "parent_children_log",
        "alike_siblings_log", "parent_alike_siblings_log",
        "rule_kept", "in_rule_root", "before_rule_root", "rule_root_share",
        "prev_chars_log", "prev_link_density", "prev_rule_kept", "prev_heading", "next_chars_log", "next_link_density", "next_rule_kept", "next_heading",
    ];

    public static int Count => Names.Length;

    private static readonly BlockRole[] RoleFeatures =
    [
        BlockRole.Chrome, BlockRole.Comments, BlockRole.Content, BlockRole.Contents, BlockRole.Code, BlockRole.Shop, BlockRole.Post,
        BlockRole.Overlay, BlockRole.Price,
    ];

    private enum TagGroup { P, Div, Li, Cell, H1, H2H3, H4H6, Pre, DdDt, Blockquote, Figure, Section, Control, Other }

    private static TagGroup GroupOf(string tag) => tag switch
    {
        "p" => TagGroup.P,
        "div" => TagGroup.Div,
        "li" => TagGroup.Li,
        "td" or "th" => TagGroup.Cell,
        "h1" => TagGroup.H1,
        "h2" or "h3" => TagGroup.H2H3,
        "h4" or "h5" or "h6" => TagGroup.H4H6,
        "pre" => TagGroup.Pre,
        "dd" or "dt" or "dl" => TagGroup.DdDt,
        "blockquote" => TagGroup.Blockquote,
        "figure" or "figcaption" => TagGroup.Figure,
        "section" or "article" or "main" or "header" or "footer" or "aside" or "nav" => TagGroup.Section,
        "button" or "select" or "option" or "input" or "form" or "textarea" or "fieldset" or "legend" or "optgroup" => TagGroup.Control,
        _ => TagGroup.Other,
    };

    private static bool IsHeading(string tag) => tag is "h1" or "h2" or "h3" or "h4" or "h5" or "h6";

    /// <summary>Whether each element is in what the rules kept: inside their chosen root and not inside anything
    /// they left out.</summary>
    public static bool[] RuleKept(DomBlocks blocks, int ruleRoot, bool[] ruleLeft)
    {
        var kept = new bool[blocks.Count];
        kept[ruleRoot] = true;
        for (int i = ruleRoot + 1; i < blocks.End[ruleRoot]; i++)
            kept[i] = kept[blocks.Parent[i]] && !ruleLeft[i];
        return kept;
    }

    /// <summary>One row of <see cref="Count"/> features per text block, rows one after another.</summary>
    public static float[] Compute(DomBlocks blocks, TextBlocks text, PageTypeGuess guess, int ruleRoot, bool[] ruleKept, bool[] inCard)
    {
        int n = blocks.Count, width = Count;
        var rows = new float[text.Count * width];
        if (text.Count == 0) return rows;

        var ancestors = new BlockRole[n];
        var inList = new bool[n];
        var inTable = new bool[n];
        var inForm = new bool[n];
        var children = new int[n];
        var alike = new Dictionary<ulong, int>();
        for (int i = 1; i < n; i++)
        {
            int p = blocks.Parent[i];
            ancestors[i] = ancestors[p] | blocks.Roles[p];
            string parentTag = blocks.Elements[p].LocalName;
            inList[i] = inList[p] || parentTag is "ul" or "ol" or "li";
            inTable[i] = inTable[p] || parentTag is "table";
            inForm[i] = inForm[p] || parentTag is "form";
            children[p]++;
            ref int count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(alike, AlikeKey(p, blocks.TagAndClass[i]), out _);
            count++;
        }
        int Alike(int i) => i <= 0 ? 1 : alike.GetValueOrDefault(AlikeKey(blocks.Parent[i], blocks.TagAndClass[i]), 1);

        int pageChars = Math.Max(1, blocks.Text[0]);
        double typeConfidence = guess.Confidence;
        int before = 0;
        for (int b = 0; b < text.Count; b++)
        {
            var row = rows.AsSpan(b * width, width);
            int i = text.Element[b];
            int f = 0;
            for (int t = 0; t < 7; t++) row[f++] = (int)guess.Type == t ? 1 : 0;
            row[f++] = (float)typeConfidence;
            row[f++] = Log(blocks.Text[0]);
            row[f++] = Share(blocks.LinkText[0], blocks.Text[0]);
            row[f++] = Log(text.Count);

            int chars = text.Chars[b];
            row[f++] = Log(chars);
            row[f++] = Share(text.LinkChars[b], chars);
            var words = text.Words[b];
            row[f++] = Log(words.Words);
            row[f++] = words.Words == 0 ? 0 : (float)words.WordChars / words.Words;
            row[f++] = Share(words.SentenceMarks, words.Words);
            row[f++] = Share(words.Commas, words.Words);
            row[f++] = Share(words.Digits, chars);
            row[f++] = Share(words.Capitalised, words.Words);
            row[f++] = words.EndsSentence ? 1 : 0;
            row[f++] = words.Separators;
            row[f++] = words.Copyright ? 1 : 0;

            string tag = blocks.Elements[i].LocalName;
            var group = GroupOf(tag);
            for (int g = 0; g <= (int)TagGroup.Other; g++) row[f++] = (int)group == g ? 1 : 0;
            foreach (var role in RoleFeatures) row[f++] = (blocks.Roles[i] & role) != 0 ? 1 : 0;
            foreach (var role in RoleFeatures) row[f++] = (ancestors[i] & role) != 0 ? 1 : 0;
            row[f++] = inList[i] ? 1 : 0;
            row[f++] = inTable[i] ? 1 : 0;
            row[f++] = inForm[i] ? 1 : 0;
            row[f++] = blocks.InLink[i] ? 1 : 0;
            row[f++] = inCard[i] ? 1 : 0;

            row[f++] = blocks.Depth[i];
            row[f++] = (float)i / n;
            row[f++] = (float)before / pageChars;
            row[f++] = Log(blocks.Text[i]);
            row[f++] = Share(blocks.LinkText[i], blocks.Text[i]);
            row[f++] = Log(blocks.Paragraphs[i]);
            row[f++] = Log(blocks.Links[i]);
            row[f++] = (float)blocks.Text[i] / pageChars;

            int p = Math.Max(0, blocks.Parent[i]);
            row[f++] = Log(blocks.Text[p]);
            row[f++] = Share(blocks.LinkText[p], blocks.Text[p]);
            row[f++] = Share(blocks.Text[i], blocks.Text[p]);
            row[f++] = Log(blocks.Paragraphs[p]);
            row[f++] = Log(children[p]);
            row[f++] = Log(Alike(i) - 1);
            row[f++] = Log(Alike(p) - 1);

            row[f++] = ruleKept[i] ? 1 : 0;
            row[f++] = i >= ruleRoot && i < blocks.End[ruleRoot] ? 1 : 0;
            row[f++] = i < ruleRoot ? 1 : 0;
            row[f++] = (float)blocks.Text[ruleRoot] / pageChars;

            f = Neighbour(blocks, text, ruleKept, b - 1, row, f);
            f = Neighbour(blocks, text, ruleKept, b + 1, row, f);
            before += chars;
        }
        return rows;
    }

    private static int Neighbour(DomBlocks blocks, TextBlocks text, bool[] ruleKept, int b, Span<float> row, int f)
    {
        if (b < 0 || b >= text.Count)
        {
            row[f++] = 0;
            row[f++] = 0;
            row[f++] = 0;
            row[f++] = 0;
            return f;
        }
        int i = text.Element[b];
        row[f++] = Log(text.Chars[b]);
        row[f++] = Share(text.LinkChars[b], text.Chars[b]);
        row[f++] = ruleKept[i] ? 1 : 0;
        row[f++] = IsHeading(blocks.Elements[i].LocalName) ? 1 : 0;
        return f;
    }

    /// <summary>Siblings under one parent with one tag and class.</summary>
    private static ulong AlikeKey(int parent, ulong tagAndClass) => FingerprintHash.Combine(tagAndClass, (ulong)parent);

    private static float Log(int value) => MathF.Log(1 + Math.Max(0, value));

    private static float Share(int part, int whole) => whole <= 0 ? 0 : (float)part / whole;
}
