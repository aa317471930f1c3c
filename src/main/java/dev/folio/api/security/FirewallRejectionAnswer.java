package dev.folio.api.security;

import dev.folio.api.ApiError;
import dev.folio.api.ErrorKind;
import dev.folio.api.ProblemWriter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.RequestRejectedHandler;

/**
 * The strict firewall's refusal (a {@code ;}, an encoded {@code /} or {@code .}, a {@code //}, a dot segment, a
 * backslash, a control character, ...) as a 400 in the API's error shape, before any routing: a path the firewall
 * cannot vouch for is never matched against the access rules at all.
 */
final class FirewallRejectionAnswer implements RequestRejectedHandler {

    private static final Logger log = LoggerFactory.getLogger(FirewallRejectionAnswer.class);

    private final ProblemWriter problems;

    FirewallRejectionAnswer(ProblemWriter problems) {
        this.problems = problems;
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, RequestRejectedException e) throws IOException {
        log.debug("request refused by the firewall: {}", e.getMessage());
        problems.write(request, response, ApiError.of(HttpStatus.BAD_REQUEST, "Bad Request",
                "the request was refused before routing: " + e.getMessage(), ErrorKind.INVALID));
    }
}
