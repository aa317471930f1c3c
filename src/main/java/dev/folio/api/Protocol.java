package dev.folio.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The wire protocol a controller (or one of its methods) speaks, which picks the shape of its errors
 * ({@link RouteProtocols}); a controller without one speaks Folio's own.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
public @interface Protocol {
    WireProtocol value();
}
