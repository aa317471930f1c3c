package dev.folio.api.security;

import org.springframework.http.HttpMethod;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * The route groups access rules are written for, as path patterns matched against the decoded, parsed path (the
 * way Spring MVC picks a controller), never as prefixes of the raw request URI: {@code /%61dmin/corpora} is
 * {@code /admin/corpora} here as it is to the dispatcher. What the firewall lets through is already free of
 * {@code ;}, encoded {@code /}, dot segments and the like.
 */
public final class Routes {

    /** Publishing, promoting, deleting versions, training runs, corpora: the admin key only. */
    public static final RequestMatcher ADMIN = PathPatternRequestMatcher.pathPattern("/admin/**");

    /** A corpus upload: its body is a text far larger than any API request, bounded by its route. */
    public static final RequestMatcher CORPUS_UPLOAD = PathPatternRequestMatcher.pathPattern(HttpMethod.PUT, "/admin/corpora/*");

    /** What the API key guards when one is set: every POST (generation, scoring, tokenizing), OpenAI's routes, the model's insides. */
    public static final RequestMatcher INFERENCE = new OrRequestMatcher(
            PathPatternRequestMatcher.pathPattern(HttpMethod.POST, "/**"),
            PathPatternRequestMatcher.pathPattern("/v1/**"),
            PathPatternRequestMatcher.pathPattern("/inspect/**"));

    private Routes() {}
}
