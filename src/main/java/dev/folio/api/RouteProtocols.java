package dev.folio.api;

import jakarta.servlet.http.HttpServletRequest;
import java.util.HashMap;
import java.util.Map;
import org.springframework.context.ApplicationContext;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.stereotype.Component;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Which protocol a request speaks, for the shape of its error: the one its handler declares ({@link Protocol}). A
 * request no handler took (no such route, a method the route does not answer, a refusal in a filter before routing)
 * speaks the protocol whose routes share its first path segment ({@code /v1/edits} is OpenAI's, as every
 * {@code /v1/...} route is), else Folio's.
 */
@Component
public class RouteProtocols {

    private final ApplicationContext context;
    private volatile Map<String, WireProtocol> bySegment;

    public RouteProtocols(ApplicationContext context) {
        this.context = context;
    }

    public WireProtocol of(HttpServletRequest request) {
        if (request == null) {
            return WireProtocol.FOLIO;
        }
        if (request.getAttribute(HandlerMapping.BEST_MATCHING_HANDLER_ATTRIBUTE) instanceof HandlerMethod handler) {
            return declared(handler);
        }
        return bySegment().getOrDefault(firstSegment(request.getRequestURI()), WireProtocol.FOLIO);
    }

    public ErrorRenderer errors(HttpServletRequest request) {
        return of(request).errors();
    }

    static WireProtocol declared(HandlerMethod handler) {
        Protocol protocol = handler.getMethodAnnotation(Protocol.class);
        if (protocol == null) {
            protocol = AnnotatedElementUtils.findMergedAnnotation(handler.getBeanType(), Protocol.class);
        }
        return protocol == null ? WireProtocol.FOLIO : protocol.value();
    }

    /** First segments that only one protocol's routes use (read once, after the routes are mapped). */
    private Map<String, WireProtocol> bySegment() {
        Map<String, WireProtocol> known = bySegment;
        if (known == null) {
            Map<String, WireProtocol> segments = new HashMap<>();
            Map<String, Boolean> shared = new HashMap<>();
            context.getBean("requestMappingHandlerMapping", RequestMappingHandlerMapping.class).getHandlerMethods().forEach((info, handler) -> {
                WireProtocol protocol = declared(handler);
                for (String pattern : info.getPatternValues()) {
                    String segment = firstSegment(pattern);
                    WireProtocol before = segments.putIfAbsent(segment, protocol);
                    if (before != null && before != protocol) {
                        shared.put(segment, true);
                    }
                }
            });
            shared.keySet().forEach(segments::remove);
            segments.remove(""); // "/" is shared by every protocol's meaning of a bare path
            known = Map.copyOf(segments);
            bySegment = known;
        }
        return known;
    }

    private static String firstSegment(String path) {
        if (path == null) {
            return "";
        }
        int start = path.startsWith("/") ? 1 : 0;
        int end = path.indexOf('/', start);
        return end < 0 ? "" : path.substring(start, end); // a one-segment path ("/generate") names a route, not a family
    }
}
