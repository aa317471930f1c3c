package dev.folio.api;

/** The request names something the server does not have (a model, a version, a training run); 404. */
public class NotFoundException extends ApiException {

    public NotFoundException(String message, String param) {
        super(ErrorKind.NOT_FOUND, message, param);
    }

    protected NotFoundException(String title, String message, String param) {
        super(ErrorKind.NOT_FOUND, ErrorKind.NOT_FOUND.status(), title, message, param);
    }
}
