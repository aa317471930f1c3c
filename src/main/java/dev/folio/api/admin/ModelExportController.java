package dev.folio.api.admin;

import dev.folio.FolioProperties;
import dev.folio.api.InvalidRequestException;
import dev.folio.interop.ExportFiles;
import dev.folio.interop.HfExport;
import dev.folio.store.LoadedModel;
import dev.folio.store.ModelStore;
import dev.folio.store.VersionId;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.IOException;
import java.util.Map;
import java.util.zip.ZipOutputStream;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/** A version of any model in the store as a Hugging Face GPT-2 directory, zipped and streamed (admins only). */
@RestController
@Tag(name = "Models")
public class ModelExportController {

    private final ModelStore store;
    private final Map<String, String> speakers;

    public ModelExportController(ModelStore store, FolioProperties properties) {
        this.store = store;
        this.speakers = properties.chat().speakers().byRole();
    }

    @Operation(summary = "Download a version as a Hugging Face GPT-2 model, zipped (admin)", security = @SecurityRequirement(name = "bearer"),
            description = "A zip of one folder, <name>-<version>/, holding model.safetensors, config.json, tokenizer.json, tokenizer_config.json "
                    + "(the version's chat template), generation_config.json and README.md: what `java -jar folio.jar export --format hf` writes. "
                    + "transformers' GPT2LMHeadModel.from_pretrained and AutoTokenizer.from_pretrained load the folder as it stands. The "
                    + "version is checked (checksums) before anything is sent.",
            responses = {@ApiResponse(responseCode = "200", description = "the zip, streamed",
                    content = @Content(mediaType = "application/zip", schema = @Schema(type = "string", format = "binary"))),
                    @ApiResponse(responseCode = "404", description = "no such model or version"),
                    @ApiResponse(responseCode = "409", description = "the version fails its checks")})
    @GetMapping("/admin/models/{name}/versions/{version}/export")
    public ResponseEntity<StreamingResponseBody> export(
            @Parameter(description = "model name in the store", example = "shakespeare-char") @PathVariable String name,
            @Parameter(description = "version id", example = "v20261128-191341") @PathVariable String version) throws IOException {
        if (!VersionId.isValidModelName(name)) {
            throw new InvalidRequestException("invalid model name '" + name + "': lower-case letters, digits and '-'", "name");
        }
        if (!VersionId.isValid(version)) {
            throw new InvalidRequestException("invalid version id '" + version + "': expected v + UTC timestamp, like v20261128-174500", "version");
        }
        LoadedModel loaded = store.load(name, version); // verified and loaded before the first byte: a failure is still a problem+json answer
        String folder = name + "-" + version;
        StreamingResponseBody body = out -> {
            try (loaded; ZipOutputStream zip = new ZipOutputStream(out)) {
                HfExport.write(loaded, speakers, ExportFiles.zip(zip, folder));
            }
        };
        return ResponseEntity.ok().contentType(MediaType.parseMediaType("application/zip"))
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(folder + ".zip").build().toString())
                .body(body);
    }
}
