package dev.folio.api.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.folio.api.ConflictException;
import dev.folio.api.InvalidRequestException;
import dev.folio.api.NotFoundException;
import dev.folio.store.CorpusStore;
import dev.folio.store.RunRecord;
import dev.folio.store.TrainingRuns;
import dev.folio.store.VersionId;
import dev.folio.training.InvalidRunSettingsException;
import dev.folio.training.RunInProgressException;
import dev.folio.training.RunRequest;
import dev.folio.training.TrainingJob;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Training runs through the admin API: start one now (with settings of its own), list them, follow one (status,
 * progress, curves); and the corpora runs train on, uploaded by name.
 */
@RestController
@Tag(name = "Models")
public class TrainingRunsController {

    private final TrainingJob job;

    public TrainingRunsController(TrainingJob job) {
        this.job = job;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RunView(@JsonProperty("model") String model, @JsonProperty("run") RunRecord run,
            @JsonProperty("progress") TrainingJob.Progress progress, @JsonProperty("curve") List<Map<String, Object>> curve) {}

    /** A finished, running or interrupted run as the public sees it: outcome, losses, and its loss curve. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PublicRun(@JsonProperty("id") String id, @JsonProperty("status") String status, @JsonProperty("mode") String mode,
            @JsonProperty("started_at") Instant startedAt, @JsonProperty("steps") int steps,
            @JsonProperty("resume_from_step") Integer resumeFromStep,
            @JsonProperty("val_loss") Float valLoss, @JsonProperty("baseline_val_loss") Float baselineValLoss,
            @JsonProperty("published_version") String publishedVersion, @JsonProperty("curve") List<Map<String, Object>> curve) {}

    @Operation(summary = "The latest training runs of a model with their loss curves (read-only, public: what the playground charts); "
            + "a run whose process died is \"interrupted\", with the step the next run resumes it from")
    @GetMapping("/training/runs")
    public List<PublicRun> publicRuns(@Parameter(description = "the model (default folio.store.model)") @RequestParam(required = false) String model)
            throws IOException {
        String name = model(model);
        List<PublicRun> view = new ArrayList<>();
        for (RunRecord run : job.runs(name).stream().limit(10).toList()) {
            view.add(new PublicRun(run.id(), run.status(), run.mode(), run.startedAt(), run.step(), run.resumeFromStep(), run.valLoss(),
                    run.baselineValLoss(), run.publishedVersion(), job.curve(name, run.id())));
        }
        return view;
    }

    @Operation(summary = "Start a training run (admin): 202 with its id and effective settings; 409 if one of that model is queued or "
            + "going; 422 naming the field a setting fails",
            description = "Every field is optional; the rest come from folio.training.* (the model from folio.store.model). Runs of "
                    + "different models go one after another (status \"queued\" behind another model's run). A model with an "
                    + "interrupted run resumes it, with that run's settings.",
            security = @SecurityRequirement(name = "bearer"))
    @PostMapping("/admin/training/runs")
    public ResponseEntity<TrainingJob.Started> start(@Valid @RequestBody(required = false) RunRequest request) throws IOException {
        try {
            TrainingJob.Started started = job.start(request == null ? RunRequest.DEFAULTS : request);
            return ResponseEntity.status(HttpStatus.ACCEPTED)
                    .header("Location", "/admin/training/runs/" + started.runId() + "?model=" + started.model()).body(started);
        } catch (InvalidRunSettingsException e) {
            throw new InvalidRequestException(e.field() + ": " + e.getMessage(), e.field());
        } catch (RunInProgressException e) {
            throw new ConflictException(e.getMessage());
        }
    }

    @Operation(summary = "A model's training runs, newest first (a run whose process died shows as \"interrupted\"), the run in "
            + "progress and the runs queued behind it (admin)", security = @SecurityRequirement(name = "bearer"))
    @GetMapping("/admin/training/runs")
    public Map<String, Object> list(@Parameter(description = "the model (default folio.store.model)") @RequestParam(required = false) String model)
            throws IOException {
        String name = model(model);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("model", name);
        view.put("active", job.progress().map(Object.class::cast).orElse(Map.of()));
        view.put("queued", job.queued());
        view.put("runs", job.runs(name).stream().map(job::asShown).toList());
        return view;
    }

    @Operation(summary = "One training run: status, progress, loss curve (admin)", security = @SecurityRequirement(name = "bearer"))
    @GetMapping("/admin/training/runs/{id}")
    public RunView get(@PathVariable String id,
            @Parameter(description = "the run's model (default: found among the store's models)") @RequestParam(required = false) String model)
            throws IOException {
        if (!TrainingRuns.isValidRunId(id)) {
            throw new InvalidRequestException("invalid run id '" + id + "'", "id");
        }
        String name = model != null ? model(model) : job.modelOf(id).orElse(null);
        if (name == null) {
            throw new NotFoundException("no training run " + id, "id");
        }
        TrainingJob.Progress progress = job.progress().filter(p -> p.runId().equals(id) && p.model().equals(name)).orElse(null);
        RunRecord run = job.run(name, id).map(job::asShown).orElse(null);
        if (run == null && progress == null) {
            throw new NotFoundException("no training run " + id + " of " + name, "id");
        }
        return new RunView(name, run, progress, job.curve(name, id));
    }

    /** A corpus as listed. */
    public record CorpusView(@JsonProperty("name") String name, @JsonProperty("size_bytes") long sizeBytes,
            @JsonProperty("sha256") String sha256, @JsonProperty("modified_at") Instant modifiedAt) {}

    /** An upload, written. */
    public record CorpusWritten(@JsonProperty("name") String name, @JsonProperty("size_bytes") long sizeBytes,
            @JsonProperty("sha256") String sha256, @JsonProperty("characters") long characters) {}

    @Operation(summary = "The corpora runs may name (admin)", security = @SecurityRequirement(name = "bearer"))
    @GetMapping("/admin/corpora")
    public Map<String, Object> corpora() throws IOException {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("max_bytes", job.maxCorpusBytes());
        view.put("default", job.defaultCorpus().map(job::corpusLabel).orElse(null));
        view.put("corpora", job.corpora().list().stream().map(c -> new CorpusView(c.name(), c.sizeBytes(), c.sha256(), c.modifiedAt())).toList());
        return view;
    }

    @Operation(summary = "Upload a corpus by name (admin): a text/plain UTF-8 body, written atomically; 201 (or 200 replacing one) with "
            + "its sha256 and character count; 413 over folio.training.max-corpus-bytes, 422 if not UTF-8",
            security = @SecurityRequirement(name = "bearer"))
    @PutMapping("/admin/corpora/{name}")
    public ResponseEntity<CorpusWritten> upload(@PathVariable String name, HttpServletRequest request) throws IOException {
        if (!CorpusStore.isValidName(name)) {
            throw new InvalidRequestException("invalid corpus name: letters, digits, '.', '_' and '-', at most 64, starting with a letter "
                    + "or digit", "name");
        }
        requirePlainUtf8(request.getContentType());
        long limit = job.maxCorpusBytes();
        if (request.getContentLengthLong() > limit) {
            throw tooLarge(request.getContentLengthLong() + " bytes", limit);
        }
        byte[] body = read(request, limit);
        // a malformed text (CorpusStore.MalformedTextException) is one such refusal
        CorpusStore.Written written = InvalidRequestException.whenRefused("body", "", () -> job.corpora().write(name, body));
        return ResponseEntity.status(written.created() ? HttpStatus.CREATED : HttpStatus.OK)
                .body(new CorpusWritten(written.name(), written.sizeBytes(), written.sha256(), written.characters()));
    }

    /** Reads the body, refusing it once it passes the limit (so a chunked body with no length never fills the heap). */
    private static byte[] read(HttpServletRequest request, long limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Math.max(request.getContentLengthLong(), 1024), limit + 1));
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = request.getInputStream()) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
                if (out.size() > limit) {
                    throw tooLarge("more than " + limit + " bytes", limit);
                }
            }
        } catch (IOException e) {
            // the request-size guard's own limit (a chunked body past it) is answered as it answers everywhere: 413
            throw new HttpMessageNotReadableException("could not read the corpus: " + e.getMessage(), e, new ServletServerHttpRequest(request));
        }
        return out.toByteArray();
    }

    private static InvalidRequestException tooLarge(String size, long limit) {
        return InvalidRequestException.withStatus(HttpStatus.CONTENT_TOO_LARGE, "Payload too large",
                "the corpus (" + size + ") exceeds folio.training.max-corpus-bytes, " + limit + " bytes", "body");
    }

    private static void requirePlainUtf8(String contentType) {
        MediaType type = null;
        Charset charset = null;
        try {
            type = contentType == null ? null : MediaType.parseMediaType(contentType);
            charset = type == null ? null : type.getCharset();
        } catch (IllegalArgumentException e) { // a malformed type, or an unknown charset
            type = null;
        }
        if (type == null || !MediaType.TEXT_PLAIN.equalsTypeAndSubtype(type) || (charset != null && !charset.equals(StandardCharsets.UTF_8))) {
            throw InvalidRequestException.withStatus(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported Media Type",
                    "send the corpus as Content-Type: text/plain (UTF-8); Content-Type was " + (contentType == null ? "missing" : contentType), null);
        }
    }

    /** A model named in a query, or the default; refused unless it is a store name (never a path). */
    private String model(String model) {
        if (model == null) {
            return job.defaultModel();
        }
        if (!VersionId.isValidModelName(model)) {
            throw new InvalidRequestException("invalid model name: lower-case letters, digits and '-', at most 64, starting with a letter "
                    + "or digit", "model");
        }
        return model;
    }
}
