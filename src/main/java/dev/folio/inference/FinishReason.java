package dev.folio.inference;

/** Why generation ended, in TGI's words. */
public enum FinishReason {
    /** max_new_tokens reached */
    LENGTH("length"),
    /** the text completed its grammar (the virtual end-of-sequence token: a character model has no EOS of its own) */
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
