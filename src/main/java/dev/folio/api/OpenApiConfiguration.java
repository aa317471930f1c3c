package dev.folio.api;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.util.List;
import java.util.Map;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.PostMapping;

/** Folio's OpenAPI document: title, the bearer key, and the error responses every POST route can give. */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfiguration {

    private static final Map<String, String> ERRORS = Map.of(
            "400", "Malformed JSON, or a value of the wrong type, named with what it must be (max_tokens must be an integer; "
                    + "given \"ten\")",
            "401", "Missing or wrong API key (only when folio.api.key is set)",
            "413", "Request body too large",
            "415", "Unsupported media type",
            "422", "Input validation error: the field and its bound, or each unsupported character and its position. An unknown "
                    + "field one edit from a known one (two for a long name: max_new_token, temprature) is refused as a likely typo "
                    + "(\"did you mean max_new_tokens?\"); other unknown fields are ignored and named in X-Folio-Ignored-Fields. "
                    + "A chat the model's vocabulary cannot spell (its template or speaker names) names the remedy: train with "
                    + "--chat-template, set a template, or set folio.chat.speakers.*",
            "429", "Model is overloaded: every generation slot is taken; retry after Retry-After seconds");

    @Bean
    OpenAPI folioOpenApi() {
        return new OpenAPI()
                .info(new Info().title("Folio").version("1").description("A character-level GPT trained and served on the JVM. "
                        + "TGI-compatible routes, OpenAI completions, and Folio's own /logits and /detokenize."))
                .components(new Components().addSecuritySchemes("bearer", new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")));
    }

    /** Each POST route's errors in its protocol's shape ({@link Protocol}), as {@link RouteProtocols} answers them. */
    @Bean
    OperationCustomizer errorResponses() {
        ObjectSchema problem = new ObjectSchema();
        problem.addProperty("type", new StringSchema());
        problem.addProperty("title", new StringSchema());
        problem.addProperty("status", new IntegerSchema());
        problem.addProperty("detail", new StringSchema());
        problem.addProperty("instance", new StringSchema());
        problem.addProperty("error", new StringSchema());
        problem.addProperty("error_type", new StringSchema()._enum(List.of("validation", "overloaded", "authentication", "generation")));
        ObjectSchema openAiError = new ObjectSchema();
        openAiError.addProperty("message", new StringSchema());
        openAiError.addProperty("type", new StringSchema()._enum(List.of("invalid_request_error", "server_error")));
        openAiError.addProperty("param", new StringSchema().description("the request field at fault, when one is"));
        openAiError.addProperty("code", new StringSchema().description("rate_limit_exceeded, model_not_found, not_found, or null"));
        ObjectSchema openAi = new ObjectSchema();
        openAi.addProperty("error", openAiError);
        return (operation, handler) -> {
            if (!handler.hasMethodAnnotation(PostMapping.class)) {
                return operation;
            }
            boolean isOpenAi = RouteProtocols.declared(handler) == WireProtocol.OPENAI;
            Content content = new Content().addMediaType(isOpenAi ? "application/json" : "application/problem+json",
                    new MediaType().schema(isOpenAi ? openAi : problem));
            ERRORS.forEach((status, description) -> {
                if (!operation.getResponses().containsKey(status)) {
                    operation.getResponses().addApiResponse(status, new ApiResponse().description(description).content(content));
                }
            });
            return operation;
        };
    }
}
