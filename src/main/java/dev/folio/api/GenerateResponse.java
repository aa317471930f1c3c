package dev.folio.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** TGI's GenerateResponse. */
public record GenerateResponse(@JsonProperty("generated_text") String generatedText) {}
