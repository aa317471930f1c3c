package dev.folio.api;

/** A request that is well-formed JSON but asks for something Folio will not do; answered with 422. */
public final class InvalidRequestException extends RuntimeException {

    public InvalidRequestException(String message) {
        super(message);
    }
}
