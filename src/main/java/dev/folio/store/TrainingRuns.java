package dev.folio.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import tools.jackson.databind.json.JsonMapper;

/**
 * Training runs of one model in the store: {@code runs/<id>/run.json} (rewritten atomically as the run
 * goes), {@code runs/<id>/curve.jsonl} (one line per logged step: step, losses, lr, tokens/s),
 * {@code runs/<id>/checkpoint/} (the last resumable checkpoint), and {@code runs.jsonl}, one line per
 * finished run.
 */
public final class TrainingRuns {

    private static final Pattern RUN_ID = Pattern.compile("r\\d{8}-\\d{6}-[0-9a-f]{4}");
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("'r'yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    static final String INDEX_FILE = "runs.jsonl";

    private final Path modelDir;
    private final Clock clock;
    private final JsonMapper json = JsonMapper.builder().build();

    public TrainingRuns(ModelStore store, String modelName) {
        this.modelDir = store.root().resolve(VersionId.requireModelName(modelName));
        this.clock = store.clock();
    }

    public Path modelDir() {
        return modelDir;
    }

    /** A new run id, dated by the store's clock; its random suffix tells apart runs started in the same second. */
    public String newRunId() {
        return ID_TIME.format(now()) + "-" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt(1 << 16));
    }

    /** The store's clock's time: when a run starts or ends. */
    public Instant now() {
        return clock.instant();
    }

    public static boolean isValidRunId(String id) {
        return id != null && RUN_ID.matcher(id).matches();
    }

    public Path runDir(String id) {
        if (!isValidRunId(id)) {
            throw new IllegalArgumentException("invalid run id '" + id + "'");
        }
        return modelDir.resolve("runs").resolve(id);
    }

    public Path checkpointDir(String id) {
        return runDir(id).resolve("checkpoint");
    }

    /** Writes run.json atomically. */
    public void save(RunRecord run) throws IOException {
        Path dir = Files.createDirectories(runDir(run.id()));
        Path temp = dir.resolve(".run.json.tmp");
        Files.writeString(temp, json.writeValueAsString(run), StandardCharsets.UTF_8);
        Files.move(temp, dir.resolve("run.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Appends the finished run to runs.jsonl. */
    public void index(RunRecord run) throws IOException {
        Files.createDirectories(modelDir);
        Files.writeString(modelDir.resolve(INDEX_FILE), json.writeValueAsString(run) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Appends one point of the loss curve. */
    public void appendCurve(String id, Map<String, Object> point) throws IOException {
        Files.writeString(Files.createDirectories(runDir(id)).resolve("curve.jsonl"), json.writeValueAsString(point) + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    public Optional<RunRecord> get(String id) throws IOException {
        Path file = runDir(id).resolve("run.json");
        return Files.isRegularFile(file) ? Optional.of(json.readValue(Files.readString(file), RunRecord.class)) : Optional.empty();
    }

    /** The loss curve of a run, in order. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> curve(String id) throws IOException {
        Path file = runDir(id).resolve("curve.jsonl");
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        List<Map<String, Object>> points = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                points.add(json.readValue(line, Map.class));
            }
        }
        return points;
    }

    /** Every run with a run.json, newest first. */
    public List<RunRecord> list() throws IOException {
        Path runs = modelDir.resolve("runs");
        if (!Files.isDirectory(runs)) {
            return List.of();
        }
        List<RunRecord> records = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(runs)) {
            for (Path dir : dirs.filter(d -> isValidRunId(d.getFileName().toString())).toList()) {
                get(dir.getFileName().toString()).ifPresent(records::add);
            }
        }
        records.sort(Comparator.comparing(RunRecord::id).reversed());
        return records;
    }

    /**
     * Every run as it stands, newest first: a run still running in its record is shown {@link RunRecord#INTERRUPTED} unless
     * this process runs it ({@code runningHere}) or a live holder of the model's training lock holds it for that run.
     *
     * @param lockStaleAfter a lock whose file names no stale period counts as live for this long after its last heartbeat
     */
    public List<RunRecord> listAsSeen(Set<String> runningHere, Duration lockStaleAfter) throws IOException {
        List<RunRecord> records = list();
        if (records.stream().noneMatch(RunRecord::running)) {
            return records;
        }
        String liveRun = liveRun(lockStaleAfter);
        return records.stream().map(r -> asSeen(r, runningHere, liveRun)).toList();
    }

    /** One run as it stands (see {@link #listAsSeen}). */
    public Optional<RunRecord> getAsSeen(String id, Set<String> runningHere, Duration lockStaleAfter) throws IOException {
        Optional<RunRecord> run = get(id);
        if (run.isEmpty() || !run.get().running()) {
            return run;
        }
        return Optional.of(asSeen(run.get(), runningHere, liveRun(lockStaleAfter)));
    }

    private String liveRun(Duration lockStaleAfter) throws IOException {
        return TrainingLock.holder(modelDir, lockStaleAfter).filter(TrainingLock.Holder::live).map(TrainingLock.Holder::runId).orElse(null);
    }

    private static RunRecord asSeen(RunRecord run, Set<String> runningHere, String liveRun) {
        return run.running() && !runningHere.contains(run.id()) && !run.id().equals(liveRun) ? run.interrupted() : run;
    }

    /** The newest run left running with a checkpoint (its process died): the next start resumes it. */
    public Optional<RunRecord> resumable() throws IOException {
        for (RunRecord run : list()) {
            if (run.running() && run.checkpointStep() != null && Files.isDirectory(checkpointDir(run.id()))) {
                return Optional.of(run);
            }
        }
        return Optional.empty();
    }
}
