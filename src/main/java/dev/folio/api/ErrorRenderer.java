package dev.folio.api;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.ResponseEntity;

/** How one wire protocol writes an error: as a whole response, and as the one event that ends a stream that began. */
public interface ErrorRenderer {

    ResponseEntity<Object> response(ApiError error, HttpServletRequest request);

    Object streamEvent(ApiError error);
}
