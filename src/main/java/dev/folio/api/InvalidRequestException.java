package dev.folio.api;

import dev.folio.inference.ParameterRefusedException;
import org.springframework.http.HttpStatus;

/** A request that is well-formed JSON but asks for something Folio will not do; answered with 422. */
public final class InvalidRequestException extends ApiException {

    public InvalidRequestException(String message) {
        this(message, null);
    }

    /** @param param the offending field, reported as OpenAI's {@code param} */
    public InvalidRequestException(String message, String param) {
        super(ErrorKind.INVALID, message, param);
    }

    private InvalidRequestException(HttpStatus status, String title, String message, String param) {
        super(ErrorKind.INVALID, status, title, message, param);
    }

    /** An invalid request HTTP has a more exact status for (413 too large, 415 the wrong media type). */
    public static InvalidRequestException withStatus(HttpStatus status, String title, String message, String param) {
        return new InvalidRequestException(status, title, message, param);
    }

    /**
     * Runs a check that refuses with IllegalArgumentException (the tokenizer, a record's constructor, a template) and
     * answers its refusal as this request's fault: the one place such a refusal turns into a 422, naming the parameter the
     * refusal names ({@link ParameterRefusedException}), else {@code param}.
     *
     * @param prefix put before the check's own message ("prompt: "), or ""
     */
    public static <T, E extends Exception> T whenRefused(String param, String prefix, Check<T, E> check) throws E {
        return whenRefused(param, prefix, "", check);
    }

    /** As {@link #whenRefused(String, String, Check)}, with what to do about it after the check's message. */
    public static <T, E extends Exception> T whenRefused(String param, String prefix, String remedy, Check<T, E> check) throws E {
        try {
            return check.run();
        } catch (ParameterRefusedException e) {
            throw new InvalidRequestException(prefix + e.getMessage() + remedy, e.parameter());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(prefix + e.getMessage() + remedy, param);
        }
    }

    /** A check that may also fail with a checked exception of its own (reading a file), passed on as it is. */
    @FunctionalInterface
    public interface Check<T, E extends Exception> {
        T run() throws E;
    }
}
