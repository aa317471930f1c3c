package dev.folio.inference;

/** A sampling parameter outside its range, naming the parameter as the wire calls it (the API reports it as the field at fault). */
public final class ParameterRefusedException extends IllegalArgumentException {

    private final String parameter;

    /** "{@code parameter rule}; given {@code given}": typical_p must be in (0, 1); given 1.5. */
    public ParameterRefusedException(String parameter, String rule, Object given) {
        super(parameter + " " + rule + "; given " + given);
        this.parameter = parameter;
    }

    public String parameter() {
        return parameter;
    }
}
