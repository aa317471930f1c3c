package dev.folio.api.openai;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.folio.inference.Generation;
import java.util.List;

/** OpenAI's (and TGI's) usage: tokens read and written, for completions and chat alike. */
public record Usage(@JsonProperty("prompt_tokens") int promptTokens, @JsonProperty("completion_tokens") int completionTokens,
        @JsonProperty("total_tokens") int totalTokens) {

    /**
     * The usage of generations listed prompt by prompt, {@code perPrompt} of each (a chat's n replies are n of one
     * conversation): each prompt counts once, every generated token does.
     */
    public static Usage of(List<Generation> generations, int perPrompt) {
        int prompt = 0;
        int completion = 0;
        for (int i = 0; i < generations.size(); i++) {
            prompt += i % perPrompt == 0 ? generations.get(i).promptTokens() : 0;
            completion += generations.get(i).tokens().size();
        }
        return new Usage(prompt, completion, prompt + completion);
    }
}
