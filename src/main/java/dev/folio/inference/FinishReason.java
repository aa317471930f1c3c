package dev.folio.inference;

/** Why generation ended, in TGI's words. */
public enum FinishReason {
    /** max_new_tokens reached */
    LENGTH("length"),
    /** the model produced its end-of-sequence token (a character model has none; kept for the contract) */
    EOS_TOKEN("eos_token"),
    /** the text ended with one of the stop sequences */
    STOP_SEQUENCE("stop_sequence");

    private final String wireName;

    FinishReason(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
