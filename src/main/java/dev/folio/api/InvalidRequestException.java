package dev.folio.api;

/** A request that is well-formed JSON but asks for something Folio will not do; answered with 422. */
public final class InvalidRequestException extends RuntimeException {

    private final String param;

    public InvalidRequestException(String message) {
        this(message, null);
    }

    /** @param param the offending field, reported as OpenAI's {@code param} */
    public InvalidRequestException(String message, String param) {
        super(message);
        this.param = param;
    }

    public String param() {
        return param;
    }
}
