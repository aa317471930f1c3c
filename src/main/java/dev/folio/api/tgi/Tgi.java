package dev.folio.api.tgi;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.folio.inference.Generation;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** Text-generation-inference's wire schemas, field for field (see TGI's OpenAPI document). */
public final class Tgi {

    private Tgi() {}

    /** TGI's GenerateResponse; {@code details} only when asked. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record GenerateResponse(@JsonProperty("generated_text") String generatedText, @JsonProperty("details") Details details) {}

    /** TGI's Details. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Details(
            @JsonProperty("finish_reason") @Schema(allowableValues = {"length", "eos_token", "stop_sequence"}) String finishReason,
            @JsonProperty("generated_tokens") int generatedTokens,
            @JsonProperty("seed") @JsonInclude(JsonInclude.Include.ALWAYS) Long seed, // null when nothing was sampled, as TGI
            @JsonProperty("prefill") List<PrefillToken> prefill,
            @JsonProperty("tokens") List<Token> tokens,
            @JsonProperty("top_tokens") List<List<Token>> topTokens,
            @JsonProperty("best_of_sequences") List<BestOfSequence> bestOfSequences) {}

    /** TGI's BestOfSequence: one of best_of's samples that was not chosen. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BestOfSequence(
            @JsonProperty("generated_text") String generatedText,
            @JsonProperty("finish_reason") String finishReason,
            @JsonProperty("generated_tokens") int generatedTokens,
            @JsonProperty("seed") @JsonInclude(JsonInclude.Include.ALWAYS) Long seed, // null when nothing was sampled, as TGI
            @JsonProperty("prefill") List<PrefillToken> prefill,
            @JsonProperty("tokens") List<Token> tokens,
            @JsonProperty("top_tokens") List<List<Token>> topTokens) {}

    /** TGI's StreamResponse: one per token; the last carries the text and (when asked) the details. */
    public record StreamResponse(
            @JsonProperty("index") int index,
            @JsonProperty("token") Token token,
            @JsonProperty("top_tokens") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Token> topTokens,
            @JsonProperty("generated_text") String generatedText,
            @JsonProperty("details") StreamDetails details) {}

    /** TGI's StreamDetails. */
    public record StreamDetails(
            @JsonProperty("finish_reason") String finishReason,
            @JsonProperty("generated_tokens") int generatedTokens,
            @JsonProperty("seed") Long seed,
            @JsonProperty("input_length") int inputLength) {}

    /** TGI's Token; a character model has no special tokens. */
    public record Token(@JsonProperty("id") int id, @JsonProperty("text") String text, @JsonProperty("logprob") Float logprob,
            @JsonProperty("special") boolean special) {

        static Token of(Generation.GeneratedToken t) {
            return new Token(t.id(), t.text(), t.logprob(), t.special());
        }

        static Token of(Generation.TokenLogprob t) {
            return new Token(t.id(), t.text(), t.logprob(), false);
        }

        static List<Token> of(List<Generation.TokenLogprob> tokens) {
            return tokens.stream().map(Token::of).toList();
        }
    }

    /** TGI's PrefillToken; the first prompt token's logprob is null. */
    public record PrefillToken(@JsonProperty("id") int id, @JsonProperty("text") String text, @JsonProperty("logprob") Float logprob) {}

    /** TGI's SimpleToken, from /tokenize: offsets into the input. */
    public record SimpleToken(@JsonProperty("id") int id, @JsonProperty("text") String text, @JsonProperty("start") int start,
            @JsonProperty("stop") int stop) {}

    /** TGI's ErrorResponse, also carried inside Folio's problem+json bodies. */
    public record ErrorResponse(@JsonProperty("error") String error, @JsonProperty("error_type") String errorType) {}

    /** Details of a finished generation, in TGI's shape; {@code bestOf} the other samples (null without best_of). */
    static Details details(Generation g, boolean withTopTokens, List<BestOfSequence> bestOf) {
        List<PrefillToken> prefill = g.prefill().stream().map(t -> new PrefillToken(t.id(), t.text(), t.logprob())).toList();
        List<Token> tokens = g.tokens().stream().map(Token::of).toList();
        List<List<Token>> top = withTopTokens ? g.tokens().stream().map(t -> Token.of(t.topTokens())).toList() : null;
        return new Details(g.finishReason().wireName(), g.tokens().size(), g.seed(), prefill, tokens, top, bestOf);
    }

    /** A sample best_of did not choose; {@code prefix} is the prompt when return_full_text asks for it. */
    static BestOfSequence bestOfSequence(Generation g, String prefix, boolean withTopTokens) {
        Details d = details(g, withTopTokens, null);
        return new BestOfSequence(prefix + g.generatedText(), d.finishReason(), d.generatedTokens(), d.seed(), d.prefill(), d.tokens(), d.topTokens());
    }
}
