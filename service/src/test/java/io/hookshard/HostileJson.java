package io.hookshard;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * JSON text for {@link HostileCorpus}: strings with every character raw or escaped at random, odd numbers, member
 * names that look like the schema's or hold NUL and emoji, whitespace of every kind between tokens.
 */
final class HostileJson {
    private static final String[] NAMES = {"", "\u0000", "\u00e9t\u00e9", "\u20ac", "\ud83d\ude00", "meta",
            "__proto__", "constructor", "$ref", "PROVIDER_EVENT_ID", "provider_event_id ", "user_id\u0000", "data",
            "\\", "\"", "a/b", "\u2028", "\ufeff"};

    private final Random random;

    HostileJson(Random random) {
        this.random = random;
    }

    /** A member name for an extra field: a notable one, or random text with control characters and emoji. */
    String extraName() {
        return random.nextBoolean() ? NAMES[random.nextInt(NAMES.length)] : text(1 + random.nextInt(12), true);
    }

    /** Random JSON text: odd numbers, strings with escapes, nested values. */
    String value(int depth) {
        int kind = random.nextInt(depth > 4 ? 6 : 9);
        return switch (kind) {
            case 0 -> List.of("0", "-0", "-0.0", "1e400", "-1E-400", "123456789012345678901234567890.123456789e-7",
                    "9007199254740993", "1.0", "1E+2", "0.1").get(random.nextInt(10));
            case 1, 2 -> string(text(random.nextInt(60), true));
            case 3 -> List.of("true", "false", "null").get(random.nextInt(3));
            case 4 -> "{}";
            case 5 -> "[]";
            case 6 -> {
                List<String> items = new ArrayList<>();
                for (int i = random.nextInt(5); i > 0; i--) {
                    items.add(value(depth + 1));
                }
                yield "[" + ws() + String.join(ws() + "," + ws(), items) + ws() + "]";
            }
            default -> {
                List<String> members = new ArrayList<>();
                Set<String> names = new HashSet<>();
                for (int i = random.nextInt(5); i > 0; i--) {
                    String name = extraName();
                    if (names.add(name)) {
                        members.add(name(name) + ws() + ":" + ws() + value(depth + 1));
                    }
                }
                yield "{" + ws() + String.join(ws() + "," + ws(), members) + ws() + "}";
            }
        };
    }

    /**
     * Text of {@code length} code points without lone surrogates: ASCII punctuation, letters with accents, the euro
     * sign, emoji, line and paragraph separators; with {@code controls}, also control characters and U+0000.
     */
    String text(int length, boolean controls) {
        int[] odd = {'"', '\\', '/', '%', '_', '\'', 0xE9, 0x20AC, 0x1F600, 0x1F4A9, 0x2028, 0x2029, 0xFEFF, 0xFFFD,
                0x7F, 0x85, 0xA0};
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            int kind = random.nextInt(10);
            if (kind < 2) {
                text.appendCodePoint(odd[random.nextInt(odd.length)]);
            } else if (kind == 2 && controls) {
                text.appendCodePoint(random.nextInt(0x20));
            } else if (kind == 3) {
                int cp = random.nextInt(0x10FFFF);
                text.appendCodePoint(cp >= 0xD800 && cp <= 0xDFFF ? 0xE000 : cp < 0x20 && !controls ? 'x' : cp);
            } else {
                text.append((char) (0x20 + random.nextInt(0x5F)));
            }
        }
        return text.toString();
    }

    /** A JSON string of {@code decoded}, each character raw or escaped at random (a pair escaped as two escapes). */
    String string(String decoded) {
        return string(decoded, true);
    }

    /**
     * A member name: as {@link #string(String)}, but characters beyond U+FFFF stay raw, since jackson-core 2.21.0's
     * UTF-8 parser refuses a surrogate pair escaped in a member name (jackson-core#1541); see {@link HostileCorpus}.
     */
    String name(String decoded) {
        return string(decoded, false);
    }

    private String string(String decoded, boolean escapePairs) {
        StringBuilder out = new StringBuilder(decoded.length() + 8).append('"');
        boolean escapeMuch = random.nextInt(8) == 0;
        for (int i = 0; i < decoded.length(); ) {
            int cp = decoded.codePointAt(i);
            i += Character.charCount(cp);
            boolean escape = random.nextInt(escapeMuch ? 2 : 12) == 0;
            switch (cp) {
                case '"' -> out.append(escape ? unicode('"') : "\\\"");
                case '\\' -> out.append(escape ? unicode('\\') : "\\\\");
                case '/' -> out.append(escape ? "\\/" : "/");
                case '\n' -> out.append(escape ? unicode('\n') : "\\n");
                case '\r' -> out.append(escape ? unicode('\r') : "\\r");
                case '\t' -> out.append(escape ? unicode('\t') : "\\t");
                case '\b' -> out.append(escape ? unicode('\b') : "\\b");
                case '\f' -> out.append(escape ? unicode('\f') : "\\f");
                default -> {
                    if (cp < 0x20 || escape && (escapePairs || cp <= 0xFFFF)) {
                        for (char unit : Character.toChars(cp)) {
                            out.append(unicode(unit));
                        }
                    } else {
                        out.appendCodePoint(cp);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    String unicode(char unit) {
        String hex = String.format(Locale.ROOT, "%04x", (int) unit);
        return "\\u" + (random.nextBoolean() ? hex : hex.toUpperCase(Locale.ROOT));
    }

    /** JSON whitespace between tokens: mostly none, sometimes spaces, tabs, CR LF. */
    String ws() {
        return switch (random.nextInt(12)) {
            case 0 -> " ";
            case 1 -> "\n";
            case 2 -> "\r\n\t";
            case 3 -> "  \t \n ";
            default -> "";
        };
    }
}
