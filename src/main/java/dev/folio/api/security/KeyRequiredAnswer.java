package dev.folio.api.security;

import dev.folio.api.ApiError;
import dev.folio.api.ErrorKind;
import dev.folio.api.ProblemWriter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;

/**
 * The answer to a request its route refuses, whether it came with no key (entry point) or with one that does not
 * open this route (access denied): 403 on an admin route when no admin key is configured (closed, never open),
 * otherwise 401 with {@code WWW-Authenticate: Bearer} naming the key the route needs.
 */
record KeyRequiredAnswer(BearerKeys keys, ProblemWriter problems) implements AuthenticationEntryPoint, AccessDeniedHandler {

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e) throws IOException {
        answer(request, response);
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e) throws IOException {
        answer(request, response);
    }

    private void answer(HttpServletRequest request, HttpServletResponse response) throws IOException {
        boolean admin = Routes.ADMIN.matches(request);
        if (admin && !keys.adminKeyConfigured()) {
            problems.write(request, response, ApiError.of(HttpStatus.FORBIDDEN, "Forbidden",
                    "admin routes are closed: no folio.admin.key is configured", ErrorKind.INVALID));
            return;
        }
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        problems.write(request, response, ApiError.of(ErrorKind.UNAUTHENTICATED,
                admin ? "admin routes need Authorization: Bearer <admin key>" : "this route needs Authorization: Bearer <api key>", null));
    }
}
