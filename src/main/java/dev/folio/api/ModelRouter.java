package dev.folio.api;

import dev.folio.store.ModelRegistries;
import dev.folio.store.ModelRegistry;
import dev.folio.store.VersionId;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Which served model a request is for: its {@code model} (OpenAI's field; a top-level extension on Folio's and TGI's
 * routes), or the default when it names none. With one model served, any name is served by it (as TGI and llama.cpp's
 * server do: clients send their own defaults, or the endpoint's URL); with several, a name must be one of them
 * ({@code name} or the {@code name:version} a response gives), else 404 listing them.
 */
@Component
public class ModelRouter {

    private final ModelRegistries registries;

    public ModelRouter(ModelRegistries registries) {
        this.registries = registries;
    }

    /**
     * @param requested the client's model name (null or blank: the default)
     * @param field where the client gave it, for errors
     */
    public ModelRegistry resolve(String requested, String field) {
        if (requested == null || requested.isBlank() || registries.all().size() == 1) {
            return registries.defaultRegistry();
        }
        String name = requested.contains(":") ? requested.substring(0, requested.indexOf(':')) : requested; // name:version, as answered
        if (!VersionId.isValidModelName(name)) { // before anything looks it up: ../x, /etc/passwd, NUL, ...
            throw new InvalidRequestException(field + ": invalid model name '" + printable(requested) + "': lower-case letters, digits and '-'",
                    field);
        }
        return registries.get(name).orElseThrow(() -> new ModelNotFoundException(name, registries.names(), field));
    }

    /**
     * As {@link #resolve}, but a name is never stood in for: it must be a served model's, even when only one is served.
     * For the admin routes, which change what they name ({@code ?model=/etc} must not act on the one model served).
     *
     * @param requested the model's name (null or blank: the default)
     * @param field where the client gave it, for errors
     */
    public ModelRegistry resolveExactly(String requested, String field) {
        if (requested == null || requested.isBlank()) {
            return registries.defaultRegistry();
        }
        if (!VersionId.isValidModelName(requested)) { // before anything looks it up: ../x, /etc/passwd, NUL, ...
            throw new InvalidRequestException(field + ": invalid model name '" + printable(requested) + "': lower-case letters, digits and '-'",
                    field);
        }
        return registries.get(requested).orElseThrow(() -> new ModelNotFoundException(requested, registries.names(), field));
    }

    public List<String> served() {
        return registries.names();
    }

    public ModelRegistries registries() {
        return registries;
    }

    private static String printable(String text) {
        String shown = text.length() > 80 ? text.substring(0, 80) + "…" : text;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
