package io.hookshard.security;

import java.time.Clock;
import java.time.Duration;

/** The replay window shared by every signature scheme. */
final class Timestamps {
    private Timestamps() {
    }

    static void checkWithin(long epochSeconds, Clock clock, Duration tolerance, String header)
            throws SignatureException {
        long away;
        try {
            away = Math.abs(Math.subtractExact(clock.instant().getEpochSecond(), epochSeconds));
        } catch (ArithmeticException e) {
            // A timestamp near the other end of the long range: the plain difference would wrap round to a small one.
            away = Long.MAX_VALUE;
        }
        if (away > tolerance.toSeconds()) {
            throw new SignatureException("timestamp_out_of_tolerance",
                    header + " is more than " + tolerance.toSeconds() + " s away from the server's clock");
        }
    }
}
