// The reference for porter's query differential test: Apache Lucene 8's classic QueryParser,
// configured as Elasticsearch's query_string configures it, with a KeywordAnalyzer (Auth0's fields
// are not tokenized). Reads one query per line on stdin, each as the hex of its UTF-8 bytes, and
// prints one line per query: "OK <structure>" or "ERR <message>".
//
// Structure (strings JSON-escaped, non-ASCII as backslash-u and four hex digits per UTF-16 unit):
//   (bool (must X) (should X) (not X) ...)   BooleanQuery; an empty (bool) matches nothing
//   (term "field" "text")                   TermQuery (a quoted phrase is one term: keyword analyzer)
//   (prefix "field" "text")                 PrefixQuery
//   (wild "field" "pattern")                WildcardQuery; the pattern keeps Lucene's escapes
//   (range "field" "low"|nil "high"|nil incLow incHigh)   TermRangeQuery (nil = open end)
//   (all)                                   MatchAllDocsQuery (*:*)
//   (exists "field")                        Elasticsearch's _exists_:field
//   (unsupported "what")                    fuzzy, proximity, boost, regexp: Auth0 rejects these
//
// What is not plain Lucene (each an Elasticsearch query_string rule, see ES QueryStringQueryParser):
//   - setSplitOnWhitespace(false): adjacent terms are analysed together (ES 6+), so with keyword
//     fields `name:(alice smith)` is the single term "alice smith".
//   - setAllowLeadingWildcard(true) (ES default allow_leading_wildcard=true).
//   - getFieldQuery: field `_exists_` means "the field named by the text exists"; an unquoted text
//     starting with `>=`, `>`, `<=`, `<` (longer than one character) is a half-open range.
// The Auth0 rules (default fields, case-insensitive fields, date rounding, pure-negative groups
// meaning "everyone except") are applied by the Swift evaluator of this output, not here.
// It sits in Lucene's package to override the package-private handleQuotedTerm (a phrase with
// `~N` is proximity, which Auth0 rejects; without it the phrase is one keyword term).
package org.apache.lucene.queryparser.classic;

import java.io.*;
import java.nio.charset.StandardCharsets;
import org.apache.lucene.analysis.core.KeywordAnalyzer;
import org.apache.lucene.search.*;

public class LuceneReference {
    static final class Marker extends Query {
        final String kind, field;
        Marker(String kind, String field) { this.kind = kind; this.field = field; }
        @Override public String toString(String f) { return kind + ":" + field; }
        @Override public boolean equals(Object o) { return o instanceof Marker && ((Marker) o).kind.equals(kind) && ((Marker) o).field.equals(field); }
        @Override public int hashCode() { return kind.hashCode() * 31 + field.hashCode(); }
    }

    static final class Parser extends QueryParser {
        Parser() {
            super("_default_", new KeywordAnalyzer());
            setAllowLeadingWildcard(true);
            setSplitOnWhitespace(false);
            setDefaultOperator(QueryParser.Operator.OR);
        }

        @Override protected Query getFieldQuery(String field, String text, boolean quoted) throws ParseException {
            if ("_exists_".equals(field)) return new Marker("exists", text);
            if (!quoted && text.length() > 1) {
                if (text.charAt(0) == '>') {
                    if (text.length() > 2 && text.charAt(1) == '=') return getRangeQuery(field, text.substring(2), null, true, true);
                    return getRangeQuery(field, text.substring(1), null, false, true);
                } else if (text.charAt(0) == '<') {
                    if (text.length() > 2 && text.charAt(1) == '=') return getRangeQuery(field, null, text.substring(2), true, true);
                    return getRangeQuery(field, null, text.substring(1), true, false);
                }
            }
            return super.getFieldQuery(field, text, quoted);
        }

        @Override Query handleQuotedTerm(String field, Token term, Token fuzzySlop) throws ParseException {
            if (fuzzySlop != null) return new Marker("unsupported", "proximity");
            return getFieldQuery(field, discardEscapeChar(term.image.substring(1, term.image.length() - 1)), true);
        }

        @Override protected Query getFuzzyQuery(String field, String text, float similarity) throws ParseException {
            return new Marker("unsupported", "fuzzy");
        }

        @Override protected Query getRegexpQuery(String field, String text) throws ParseException {
            return new Marker("unsupported", "regexp");
        }
    }

    static String str(String s) {
        if (s == null) return "nil";
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20 || c > 0x7E) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    static void print(Query q, StringBuilder out) {
        if (q instanceof BooleanQuery) {
            out.append("(bool");
            for (BooleanClause c : ((BooleanQuery) q).clauses()) {
                String occur;
                switch (c.getOccur()) {
                    case MUST: occur = "must"; break;
                    case MUST_NOT: occur = "not"; break;
                    case SHOULD: occur = "should"; break;
                    default: occur = "filter";
                }
                out.append(" (").append(occur).append(' ');
                print(c.getQuery(), out);
                out.append(')');
            }
            out.append(')');
        } else if (q instanceof TermQuery) {
            TermQuery t = (TermQuery) q;
            out.append("(term ").append(str(t.getTerm().field())).append(' ').append(str(t.getTerm().text())).append(')');
        } else if (q instanceof PrefixQuery) {
            PrefixQuery t = (PrefixQuery) q;
            out.append("(prefix ").append(str(t.getPrefix().field())).append(' ').append(str(t.getPrefix().text())).append(')');
        } else if (q instanceof WildcardQuery) {
            WildcardQuery t = (WildcardQuery) q;
            out.append("(wild ").append(str(t.getTerm().field())).append(' ').append(str(t.getTerm().text())).append(')');
        } else if (q instanceof TermRangeQuery) {
            TermRangeQuery t = (TermRangeQuery) q;
            out.append("(range ").append(str(t.getField())).append(' ')
               .append(str(t.getLowerTerm() == null ? null : t.getLowerTerm().utf8ToString())).append(' ')
               .append(str(t.getUpperTerm() == null ? null : t.getUpperTerm().utf8ToString())).append(' ')
               .append(t.includesLower()).append(' ').append(t.includesUpper()).append(')');
        } else if (q instanceof MatchAllDocsQuery) {
            out.append("(all)");
        } else if (q instanceof Marker) {
            Marker m = (Marker) q;
            out.append('(').append(m.kind).append(' ').append(str(m.field)).append(')');
        } else if (q instanceof BoostQuery) {
            out.append("(unsupported \"boost\")");
        } else {
            out.append("(unsupported ").append(str(q.getClass().getSimpleName())).append(')');
        }
    }

    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        PrintStream out = new PrintStream(new BufferedOutputStream(System.out), false, "US-ASCII");
        String line;
        while ((line = in.readLine()) != null) {
            byte[] bytes = new byte[line.length() / 2];
            for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) Integer.parseInt(line.substring(2 * i, 2 * i + 2), 16);
            String query = new String(bytes, StandardCharsets.UTF_8);
            try {
                Query q = new Parser().parse(query);
                StringBuilder b = new StringBuilder("OK ");
                print(q, b);
                out.println(b);
            } catch (ParseException | RuntimeException | StackOverflowError e) {
                String m = String.valueOf(e.getMessage()).replaceAll("\\s+", " ");
                out.println("ERR " + str(m));
            }
        }
        out.flush();
    }
}
