package io.hookshard.db;

import java.util.Comparator;

/**
 * Strings in the order of PostgreSQL's {@code COLLATE "C"} on a UTF-8 database: by their UTF-8 bytes, which is code
 * point order. {@link String#compareTo} orders UTF-16 code units instead, and the two differ once a character
 * outside the BMP (a surrogate pair, e.g. U+1F600) meets one from U+E000 to U+FFFF (e.g. U+FF5E).
 */
final class CollationC {
    static final Comparator<String> ORDER = CollationC::compare;

    private CollationC() {
    }

    static int compare(String a, String b) {
        int length = Math.min(a.length(), b.length());
        for (int i = 0; i < length; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                return codePointRank(x) - codePointRank(y);
            }
        }
        return a.length() - b.length();
    }

    /**
     * Lifts surrogates above U+E000-U+FFFF (and lowers those to make room), so that at the first code unit where two
     * well-formed strings differ, the units compare as the code points they belong to.
     */
    private static int codePointRank(char c) {
        if (c < Character.MIN_SURROGATE) {
            return c;
        }
        return c <= Character.MAX_SURROGATE ? c + 0x2000 : c - 0x800;
    }
}
