package dev.folio.inference;

/** A sampling parameter outside its range, naming the parameter as the wire calls it (the API reports it as the field at fault). */
public final class ParameterRefusedException extends IllegalArgumentException {

    private final String parameter;

    public ParameterRefusedException(String parameter, String message) {
        super(message);
        this.parameter = parameter;
    }

    public String parameter() {
        return parameter;
    }
}
