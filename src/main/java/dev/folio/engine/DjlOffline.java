package dev.folio.engine;

/**
 * DJL's engine start otherwise looks up a cloud metadata address and reports usage; Folio never
 * lets it. Applied before anything touches DJL (the build and image set the same flags too).
 */
public final class DjlOffline {

    private DjlOffline() {}

    public static void apply() {
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("OPT_OUT_TRACKING", "true");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
