package dev.folio.api.security;

import dev.folio.FolioProperties;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * The two configured bearer keys and what each grants: {@code folio.admin.key} the admin routes (and, as the
 * operator's key, the inference routes too); {@code folio.api.key} the inference routes. An unset key grants nothing.
 */
public final class BearerKeys {

    public static final String ADMIN = "ADMIN";
    public static final String API = "API";

    private final byte[] adminKey;
    private final byte[] apiKey;

    public BearerKeys(FolioProperties properties) {
        this(properties.admin().key(), properties.api().key());
    }

    BearerKeys(String adminKey, String apiKey) {
        this.adminKey = bytes(adminKey);
        this.apiKey = bytes(apiKey);
    }

    public boolean adminKeyConfigured() {
        return adminKey != null;
    }

    public boolean apiKeyConfigured() {
        return apiKey != null;
    }

    /** What a presented key grants: nothing for an unknown one. Both keys are always compared, each in constant time. */
    public List<GrantedAuthority> authoritiesFor(String presented) {
        byte[] given = presented.getBytes(StandardCharsets.UTF_8);
        boolean admin = adminKey != null && MessageDigest.isEqual(given, adminKey);
        boolean api = apiKey != null && MessageDigest.isEqual(given, apiKey);
        List<GrantedAuthority> authorities = new ArrayList<>(2);
        if (admin) {
            authorities.add(new SimpleGrantedAuthority(ADMIN));
        }
        if (admin || api) {
            authorities.add(new SimpleGrantedAuthority(API));
        }
        return authorities;
    }

    private static byte[] bytes(String key) {
        return key == null || key.isEmpty() ? null : key.getBytes(StandardCharsets.UTF_8);
    }
}
