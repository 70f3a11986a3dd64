package io.wanopt.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Link rates as written in settings and on the command line: {@code 64kbit}, {@code 10mbit}, {@code 1.5gbit} (decimal units). */
public final class Rates {

    private static final Pattern RATE = Pattern.compile("(\\d{1,15}(?:\\.\\d{1,9})?)\\s*([A-Za-z]+)");
    private static final Map<String, Long> UNITS =
            Map.of("bit", 1L, "kbit", 1_000L, "mbit", 1_000_000L, "gbit", 1_000_000_000L);
    private static final String UNIT_NAMES = "bit, kbit, mbit, gbit";

    private Rates() {
    }

    /**
     * Bits per second of a rate such as {@code 10mbit}; units are case-insensitive.
     *
     * @throws IllegalArgumentException naming the text and the accepted units when it is not a positive rate
     */
    public static long parse(String text) {
        Matcher matcher = RATE.matcher(text.trim());
        Long unit = matcher.matches() ? UNITS.get(matcher.group(2).toLowerCase(Locale.ROOT)) : null;
        if (unit == null) {
            throw new IllegalArgumentException("expected a rate such as 10mbit or 1.5gbit, got \"" + text
                    + "\" (units: " + UNIT_NAMES + ")");
        }
        BigDecimal bits = new BigDecimal(matcher.group(1)).multiply(BigDecimal.valueOf(unit)).setScale(0, RoundingMode.HALF_UP);
        if (bits.signum() <= 0) {
            throw new IllegalArgumentException("rate \"" + text + "\" must be at least 1bit");
        }
        return bits.longValueExact();
    }
}
