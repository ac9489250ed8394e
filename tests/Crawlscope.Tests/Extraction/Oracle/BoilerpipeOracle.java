// Runs the original boilerpipe 1.2.0 (Debian's libboilerpipe-java) over gzipped HTML files, so the test suite
// can compare our C# implementation with it. Usage: java BoilerpipeOracle article|default OUT FILE.html.gz...
// Output: one line per file, "name<TAB>base64(UTF-8 text)" or "name<TAB>!error message".
import de.l3s.boilerpipe.extractors.ArticleExtractor;
import de.l3s.boilerpipe.extractors.DefaultExtractor;
import de.l3s.boilerpipe.extractors.ExtractorBase;
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.Base64;
import java.util.zip.GZIPInputStream;

public class BoilerpipeOracle {
    public static void main(String[] args) throws Exception {
        ExtractorBase extractor = args[0].equals("default") ? DefaultExtractor.INSTANCE : ArticleExtractor.INSTANCE;
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(Paths.get(args[1]), StandardCharsets.UTF_8))) {
            for (int i = 2; i < args.length; i++) {
                Path p = Paths.get(args[i]);
                String name = p.getFileName().toString();
                try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
                    String html = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    String text = extractor.getText(html);
                    out.println(name + "\t" + Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)));
                } catch (Exception e) {
                    out.println(name + "\t!" + String.valueOf(e.getMessage()).replace('\n', ' '));
                }
            }
        }
    }
}
