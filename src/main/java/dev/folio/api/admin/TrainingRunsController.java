package dev.folio.api.admin;

import dev.folio.api.ConflictException;
import dev.folio.api.InvalidRequestException;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.folio.store.RunRecord;
import dev.folio.store.TrainingRuns;
import dev.folio.training.RunInProgressException;
import dev.folio.training.TrainingJob;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** Training runs through the admin API: start one now, list them, follow one (status, progress, curves). */
@RestController
@Tag(name = "Models")
public class TrainingRunsController {

    private final TrainingJob job;

    public TrainingRunsController(TrainingJob job) {
        this.job = job;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RunView(@JsonProperty("run") RunRecord run, @JsonProperty("progress") TrainingJob.Progress progress,
            @JsonProperty("curve") List<Map<String, Object>> curve) {}

    /** A finished or running run as the public sees it: outcome, losses, and its loss curve. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PublicRun(@JsonProperty("id") String id, @JsonProperty("status") String status, @JsonProperty("mode") String mode,
            @JsonProperty("started_at") Instant startedAt, @JsonProperty("steps") int steps,
            @JsonProperty("val_loss") Float valLoss, @JsonProperty("baseline_val_loss") Float baselineValLoss,
            @JsonProperty("published_version") String publishedVersion, @JsonProperty("curve") List<Map<String, Object>> curve) {}

    @Operation(summary = "The latest training runs with their loss curves (read-only, public: what the playground charts)")
    @GetMapping("/training/runs")
    public List<PublicRun> publicRuns() throws IOException {
        TrainingRuns runs = job.training().runs();
        List<PublicRun> view = new ArrayList<>();
        for (RunRecord run : runs.list().stream().limit(10).toList()) {
            view.add(new PublicRun(run.id(), run.status(), run.mode(), run.startedAt(), run.step(), run.valLoss(), run.baselineValLoss(),
                    run.publishedVersion(), runs.curve(run.id())));
        }
        return view;
    }

    @Operation(summary = "Start a training run now (admin): 202 with its id, 409 if one is going", security = @SecurityRequirement(name = "bearer"))
    @PostMapping("/admin/training/runs")
    public ResponseEntity<Map<String, String>> start() throws IOException {
        try {
            String id = job.start();
            return ResponseEntity.status(HttpStatus.ACCEPTED).header("Location", "/admin/training/runs/" + id).body(Map.of("run_id", id));
        } catch (RunInProgressException | IllegalStateException e) {
            throw new ConflictException(e.getMessage());
        }
    }

    @Operation(summary = "Training runs, newest first, and the one in progress (admin)", security = @SecurityRequirement(name = "bearer"))
    @GetMapping("/admin/training/runs")
    public Map<String, Object> list() throws IOException {
        return Map.of("active", job.progress().map(Object.class::cast).orElse(Map.of()), "runs", job.training().runs().list());
    }

    @Operation(summary = "One training run: status, progress, loss curve (admin)", security = @SecurityRequirement(name = "bearer"))
    @GetMapping("/admin/training/runs/{id}")
    public RunView get(@PathVariable String id) throws IOException {
        if (!TrainingRuns.isValidRunId(id)) {
            throw new InvalidRequestException("invalid run id '" + id + "'", "id");
        }
        TrainingRuns runs = job.training().runs();
        TrainingJob.Progress progress = job.progress().filter(p -> p.runId().equals(id)).orElse(null);
        RunRecord run = runs.get(id).orElse(null);
        if (run == null && progress == null) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no training run " + id);
        }
        return new RunView(run, progress, runs.curve(id));
    }
}
