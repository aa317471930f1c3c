package dev.folio.store;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.regex.Pattern;

/** Version ids: {@code v} + UTC timestamp, e.g. v20261128-174500. Nothing else ever names a directory. */
public final class VersionId {

    private static final Pattern PATTERN = Pattern.compile("v\\d{8}-\\d{6}");
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("'v'yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final Pattern MODEL_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

    private VersionId() {}

    public static String at(Instant instant) {
        return FORMAT.format(instant);
    }

    /**
     * The instant a new version is named for: the clock's second, or one second after the newest existing version if that
     * is not earlier. A burst of publishes dates versions ahead of the clock; an id that retention freed must not be taken
     * again, or the newest version would sort as the oldest.
     */
    public static Instant next(Clock clock, Optional<String> newestExisting) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        if (newestExisting.isEmpty()) {
            return now;
        }
        Instant newest = instant(newestExisting.get());
        return now.isAfter(newest) ? now : newest.plusSeconds(1);
    }

    /** The instant a valid version id names. */
    public static Instant instant(String version) {
        return java.time.LocalDateTime.parse(require(version), DateTimeFormatter.ofPattern("'v'yyyyMMdd-HHmmss")).toInstant(ZoneOffset.UTC);
    }

    public static boolean isValid(String version) {
        return version != null && PATTERN.matcher(version).matches();
    }

    public static String require(String version) {
        if (!isValid(version)) {
            throw new IllegalArgumentException("invalid version id '" + version + "': expected v + UTC timestamp, like v20261128-174500");
        }
        return version;
    }

    public static boolean isValidModelName(String name) {
        return name != null && MODEL_NAME.matcher(name).matches();
    }

    public static String requireModelName(String name) {
        if (!isValidModelName(name)) {
            throw new IllegalArgumentException("invalid model name '" + name + "': lower-case letters, digits and '-'");
        }
        return name;
    }
}
