package dev.folio.api;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Keeps the headers the application sets within what Tomcat can write ({@code server.tomcat.max-http-response-header-size},
 * less a reserve for the container's own). Headers that do not fit when the response is committed make Tomcat answer a
 * bare 500 with no body, after the work is done; a header that would go over the budget is dropped instead (and logged,
 * without a stack trace), so the response is still written.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class ResponseHeaderBudgetFilter extends OncePerRequestFilter {

    /** Status line, Date, Content-Type, Content-Length or Transfer-Encoding, Connection, Keep-Alive, Vary, with room (half a small limit). */
    static final int CONTAINER_RESERVE = 1024;
    private static final Logger log = LoggerFactory.getLogger(ResponseHeaderBudgetFilter.class);

    private final int budget;

    public ResponseHeaderBudgetFilter(@Value("${server.tomcat.max-http-response-header-size:8KB}") DataSize limit) {
        this.budget = (int) (limit.toBytes() - Math.min(CONTAINER_RESERVE, limit.toBytes() / 2));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        chain.doFilter(request, new Budgeted(response, budget));
    }

    /** Counts each header's bytes as {@code name: value\r\n}; refuses one that would take the total past the budget. */
    private static final class Budgeted extends HttpServletResponseWrapper {

        private final int budget;
        private final Map<String, Integer> sizes = new HashMap<>();
        private int total;

        Budgeted(HttpServletResponse response, int budget) {
            super(response);
            this.budget = budget;
        }

        @Override
        public void setHeader(String name, String value) {
            if (fits(name, value, true)) {
                super.setHeader(name, value);
            }
        }

        @Override
        public void addHeader(String name, String value) {
            if (fits(name, value, false)) {
                super.addHeader(name, value);
            }
        }

        private boolean fits(String name, String value, boolean replaces) {
            if (name == null) {
                return true; // the container refuses it its own way
            }
            String key = name.toLowerCase(Locale.ROOT);
            int size = name.length() + (value == null ? 0 : value.length()) + 4;
            int before = replaces ? sizes.getOrDefault(key, 0) : 0;
            if (total - before + size > budget) {
                log.warn("response header {} dropped: {} bytes would take the headers past {} bytes", name, size, budget);
                return false;
            }
            total += size - before;
            sizes.merge(key, size, replaces ? (old, now) -> now : Integer::sum);
            return true;
        }
    }
}
