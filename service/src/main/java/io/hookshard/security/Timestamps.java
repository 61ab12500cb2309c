package io.hookshard.security;

import java.time.Clock;
import java.time.Duration;

/** The replay window shared by every signature scheme. */
final class Timestamps {
    private Timestamps() {
    }

    static void checkWithin(long epochSeconds, Clock clock, Duration tolerance, String header)
            throws SignatureException {
        if (Math.abs(clock.instant().getEpochSecond() - epochSeconds) > tolerance.toSeconds()) {
            throw new SignatureException("timestamp_out_of_tolerance",
                    header + " is more than " + tolerance.toSeconds() + " s away from the server's clock");
        }
    }
}
