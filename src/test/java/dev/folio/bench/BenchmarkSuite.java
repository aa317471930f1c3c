package dev.folio.bench;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.folio.engine.AtenCpuCapability;
import dev.folio.engine.DjlOffline;
import dev.folio.engine.GradMode;
import dev.folio.engine.IntraOpThreads;
import dev.folio.engine.OpenMpSpin;
import dev.folio.grammar.GrammarLimits;
import dev.folio.grammar.TokenGrammar;
import dev.folio.inference.DecodeScheduler;
import dev.folio.inference.Generation;
import dev.folio.inference.GenerationListener;
import dev.folio.inference.GenerationRequest;
import dev.folio.inference.DecodingRules;
import dev.folio.inference.Generator;
import dev.folio.inference.LogitAdjustments;
import dev.folio.inference.SamplingParameters;
import dev.folio.model.Gpt;
import dev.folio.model.GptConfig;
import dev.folio.store.LoadedModel;
import dev.folio.store.ModelStore;
import dev.folio.training.TrainingListener;
import dev.folio.training.TrainingRun;
import dev.folio.training.config.TrainingConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Folio's benchmark suite: measures the machine's ceilings in the same run (matrix-product rate, per-op
 * overhead, memory bandwidth), then training, in-process decoding and HTTP serving, each stated against
 * those ceilings. Prints a table and writes target/bench/results.json. A benchmark: it asserts nothing.
 *
 *   bench/run.sh      (packages the jar, then runs this with the test classpath; the HTTP part drives the
 *                      packaged server in another process)
 */
public final class BenchmarkSuite {

    /** Time to first token over HTTP is the first event of a stream this long (a one-token stream's only event is also its last). */
    private static final int TTFT_STREAM_TOKENS = 20;

    private final Map<String, Object> results = new LinkedHashMap<>();
    private double gemmGflops;
    private double bandwidthGbs;

    public static void main(String[] args) throws Exception {
        DjlOffline.apply();
        OpenMpSpin.apply(); // as the server does
        AtenCpuCapability.apply();
        new BenchmarkSuite().run();
    }

    private void run() throws Exception {
        results.put("date", Instant.now().toString());
        results.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(), "os", System.getProperty("os.name") + " "
                + System.getProperty("os.arch"), "java", System.getProperty("java.version"), "engine", Engine.getInstance().getEngineName() + " "
                + Engine.getInstance().getVersion()));
        onItsOwnThread(this::ceilings);
        onItsOwnThread(() -> training("nanogpt_cpu_recipe", new GptConfig(65, 64, 4, 4, 128, 0f, false), 12, 10, 40));
        onItsOwnThread(() -> training("default_model", new GptConfig(65, 256, 4, 4, 256, 0f, false), 16, 3, 12));
        onItsOwnThread(this::decoding);
        http();
        Path out = Path.of("target", "bench", "results.json");
        Files.createDirectories(out.getParent());
        Files.writeString(out, JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build().writeValueAsString(results));
        System.out.println("\nwritten " + out.toAbsolutePath());
    }

    private interface Section {
        void run() throws Exception;
    }

    /**
     * Runs a section on a thread that ends with it: libgomp keeps a thread's OpenMP workers until the thread
     * ends, and with more of them than cores every later parallel region sleeps at its barriers (see
     * ModelRegistry), so one section's workers must not outlive it.
     */
    private static void onItsOwnThread(Section section) throws Exception {
        FutureTask<Void> task = new FutureTask<>(() -> {
            section.run();
            return null;
        });
        Thread thread = new Thread(task, "bench-section");
        thread.start();
        thread.join();
        try {
            task.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[sorted.length / 2];
    }

    private static double percentile(List<Double> values, double p) {
        return StreamLoad.percentile(values, p);
    }

    private void row(String name, String figure, String versus) {
        System.out.printf("%-58s %-26s %s%n", name, figure, versus);
    }

    // ---- ceilings ----

    private void ceilings() {
        System.out.println("== ceilings");
        Floor floor = Floor.measure();
        gemmGflops = floor.gemmGflops();
        bandwidthGbs = floor.bandwidthGbs();
        try (NDManager m = NDManager.newBaseManager(); GradMode ignored = GradMode.disabled()) {
            NDArray x = m.create(new float[] {1f});
            for (int i = 0; i < 5000; i++) {
                x.add(x).close();
            }
            long t = System.nanoTime();
            for (int i = 0; i < 50_000; i++) {
                x.add(x).close();
            }
            double opMicros = (System.nanoTime() - t) / 1e3 / 50_000;
            row("float32 matrix product 1024³", String.format("%.1f GFLOP/s", gemmGflops), "");
            row("one tiny op through JNI (add of one float)", String.format("%.2f µs", opMicros), "");
            row("memory read bandwidth (sum of 256 MB)", String.format("%.1f GB/s", bandwidthGbs), "");
            results.put("ceilings", Map.of("gemm_gflops", gemmGflops, "tiny_op_us", opMicros, "memory_bandwidth_gbs", bandwidthGbs));
        }
    }

    // ---- training ----

    private void training(String name, GptConfig config, int batch, int warmup, int timed) {
        int[] tokens = new Random(1).ints(400_000, 0, config.vocabSize()).toArray();
        TrainingConfig training = TrainingConfig.builder().batchSize(batch).maxSteps(warmup + timed).learningRate(1e-3f)
                .minLearningRate(1e-4f).warmupSteps(0).evalInterval(1_000_000).evalBatches(1).seed(1).build();
        List<Double> stepMillis = new ArrayList<>();
        Engine.getInstance().setRandomSeed(1);
        try (Model model = Model.newInstance(name)) {
            Gpt gpt = new Gpt(config);
            model.setBlock(gpt);
            gpt.initialize(model.getNDManager());
            double[] last = {0};
            new TrainingRun(gpt, model.getNDManager(), tokens, Arrays.copyOf(tokens, 50_000), training).run(new TrainingListener() {
                @Override
                public void onStep(StepReport r) {
                    if (r.step() > warmup) {
                        stepMillis.add((r.elapsedSeconds() - last[0]) * 1000);
                    }
                    last[0] = r.elapsedSeconds();
                }
            });
        }
        double ms = median(stepMillis);
        double tokensPerSecond = batch * config.blockSize() / (ms / 1000);
        // model FLOPs per token: 6·N (forward + backward of every weight) + attention's 12·L·T·C (PaLM's accounting)
        double flopsPerToken = 6.0 * config.parameterCount() + 12.0 * config.nLayer() * config.blockSize() * config.nEmbd();
        double mfu = flopsPerToken * tokensPerSecond / 1e9 / gemmGflops;
        row("training step, " + name.replace('_', ' ') + " (" + config.nLayer() + "L " + config.nEmbd() + "w T" + config.blockSize() + " B" + batch + ")",
                String.format("%.1f ms/step, %.0f tok/s", ms, tokensPerSecond), String.format("MFU %.0f%% of the GEMM ceiling", 100 * mfu));
        results.put("training_" + name, Map.of("ms_per_step_median", ms, "tokens_per_s", tokensPerSecond, "model_flops_per_token", flopsPerToken,
                "mfu_vs_gemm_ceiling", mfu));
    }

    // ---- in-process decoding ----

    private void decoding() throws Exception {
        System.out.println("== decoding (bundled model, in-process)");
        try (LoadedModel model = new ModelStore(Path.of("model-store")).loadCurrent("shakespeare-char");
                DecodeScheduler scheduler = new DecodeScheduler(64, 64, 2)) {
            Map<String, Object> decode = new LinkedHashMap<>();
            long weightBytes = model.metadata().parameterCount() * 4;
            double floorMs = Math.max(weightBytes / (bandwidthGbs * 1e9), 2.0 * model.metadata().parameterCount() / (gemmGflops * 1e9)) * 1000;
            decode.put("floor_ms_per_token_batch1", floorMs);

            Generator generator = new Generator();
            int[] prompt = DecodingRules.encodePrompt(model, "ROMEO:", null);
            SamplingParameters params = new SamplingParameters(200, true, 0.8f, null, null, 1L, List.of());
            for (int i = 0; i < 3; i++) {
                generator.generate(model, GenerationRequest.of(prompt, params), GenerationListener.NONE);
            }
            IntraOpThreads.set(1);
            long t = System.nanoTime();
            int runs = 5;
            for (int i = 0; i < runs; i++) {
                generator.generate(model, GenerationRequest.of(prompt, params), GenerationListener.NONE);
            }
            double generatorTps = runs * 200 / ((System.nanoTime() - t) / 1e9);
            row("decode, batch 1, KV cache (Generator, one request alone)", String.format("%.0f tok/s (%.2f ms/tok)", generatorTps, 1000 / generatorTps),
                    String.format("%.1f× the floor of %.2f ms (weights ÷ bandwidth)", 1000 / generatorTps / floorMs, floorMs));
            decode.put("batch1_generator_tokens_per_s", generatorTps);

            DecodeSpeed.tokensPerSecond(model, scheduler, 8, 100); // warm-up
            for (int batch : new int[] {1, 8, 32}) {
                double tps = median(List.of(DecodeSpeed.tokensPerSecond(model, scheduler, batch, 200), DecodeSpeed.tokensPerSecond(model, scheduler, batch, 200),
                        DecodeSpeed.tokensPerSecond(model, scheduler, batch, 200)));
                double stepMs = 1000.0 * batch / tps;
                row(String.format("decode, batch %d, KV cache (DecodeScheduler)", batch), String.format("%.0f tok/s, %.2f ms/step", tps, stepMs),
                        batch == 1 ? String.format("%.1f× the floor", stepMs / floorMs) : String.format("%.1f× batch 1's step time for %d× the tokens",
                                stepMs * ((Double) decode.get("batch1_scheduler_tokens_per_s")) / 1000, batch));
                decode.put("batch" + batch + "_scheduler_tokens_per_s", tps);
            }
            onItsOwnThread(() -> { // its two-thread forwards would leave this thread a worker beside the scheduler's
                for (int batch : new int[] {1, 8, 32}) {
                    double tps = decodeWithoutCache(model, batch, batch == 1 ? 100 : 40);
                    row(String.format("decode, batch %d, no cache (full forward per token)", batch), String.format("%.0f tok/s", tps), "");
                    decode.put("batch" + batch + "_no_cache_tokens_per_s", tps);
                }
            });

            List<Double> ttft = new ArrayList<>();
            String longPrompt = "ROMEO:\nBut soft, what light through yonder window breaks? It is the east, and Juliet is the sun.\n".repeat(3).substring(0, 256);
            int[] promptIds = DecodingRules.encodePrompt(model, longPrompt, null);
            for (int i = 0; i < 25; i++) {
                long s = System.nanoTime();
                scheduler.submit(model, GenerationRequest.of(promptIds, SamplingParameters.greedy(1)), GenerationListener.NONE).join();
                ttft.add((System.nanoTime() - s) / 1e6);
            }
            double ttftMs = median(ttft.subList(5, ttft.size()));
            row("time to first token, 256-character prompt, in-process", String.format("%.1f ms", ttftMs), "through the scheduler, idle");
            decode.put("ttft_256_chars_in_process_ms", ttftMs);

            int identical = seededIdentity(model, generator, scheduler, 200);
            row("200 seeded requests: same text alone and in a batch", identical + " of 200", "alone: Generator one by one; batch: all 200 submitted "
                    + "at once; a mix of processors (bias, penalties, typical-p, grammars)");
            decode.put("seeded_identical_of_200", identical);
            ProcessorCost.Result cost = ProcessorCost.measure(model, scheduler, 5);
            row("batch 32 with a grammar on every sequence", String.format("%.2f vs %.2f ms/step (%+.1f%%)", cost.grammarMs(), cost.plainMs(),
                    100 * (cost.grammarMs() / cost.plainMs() - 1)), String.format("target ≤ +10%%; bias and penalties %+.1f%%",
                    100 * (cost.penaltiesMs() / cost.plainMs() - 1)));
            decode.put("grammar_step_overhead", cost.grammarMs() / cost.plainMs() - 1);
            decode.put("penalties_step_overhead", cost.penaltiesMs() / cost.plainMs() - 1);
            results.put("decode", decode);
        }
    }

    /** Seeded sampled requests run one by one with the {@link Generator}, then all at once through the scheduler: how many texts match. */
    private static int seededIdentity(LoadedModel model, Generator generator, DecodeScheduler scheduler, int count) {
        String[] prompts = {"ROMEO:", "JULIET:\nO", "First Citizen:\nBefore we proceed", "KING HENRY", "To be, or not", "\n"};
        List<GenerationRequest> requests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            requests.add(GenerationRequest.of(DecodingRules.encodePrompt(model, prompts[i % prompts.length], null),
                    new SamplingParameters(40 + i % 3 * 20, true, 0.7f + 0.1f * (i % 4), i % 5 == 0 ? 20 : null, i % 7 == 0 ? 0.9f : null, 7000L + i,
                            List.of(), i % 6 == 5 ? 1.2f : 1f, processors(model, i))));
        }
        IntraOpThreads.set(1);
        List<String> alone = new ArrayList<>();
        for (GenerationRequest request : requests) {
            alone.add(generator.generate(model, request, GenerationListener.NONE).generatedText());
        }
        List<CompletableFuture<Generation>> batched = new ArrayList<>();
        for (GenerationRequest request : requests) {
            batched.add(scheduler.submit(model, request, GenerationListener.NONE));
        }
        int identical = 0;
        for (int i = 0; i < count; i++) {
            if (batched.get(i).join().generatedText().equals(alone.get(i))) {
                identical++;
            }
        }
        return identical;
    }

    /** A mix of logits processors across the seeded requests: none, bias, both kinds of penalty, typical-p, grammars. */
    private static LogitAdjustments processors(LoadedModel model, int i) {
        String vocabulary = model.tokenizer().vocabulary();
        return switch (i % 6) {
            case 1 -> new LogitAdjustments(Map.of(model.tokenizer().encode("e")[0], -100f), 0.4f, 0.2f, 0f, null, null);
            case 2 -> new LogitAdjustments(Map.of(), 0f, 0f, 1f, 0.9f, null);
            case 3 -> new LogitAdjustments(Map.of(), 0f, 0f, 0f, null,
                    TokenGrammar.regex("(ROMEO|JULIET|NURSE):\\n[A-Z][a-z]+( [a-z]+){2,9}[.!?]", vocabulary, GrammarLimits.DEFAULT));
            case 4 -> new LogitAdjustments(Map.of(), 0f, 0f, 0f, null, TokenGrammar.regex(ProcessorCost.OPEN_REGEX, vocabulary, GrammarLimits.DEFAULT));
            default -> LogitAdjustments.NONE;
        };
    }

    /** Greedy decoding that re-runs the whole sequence for every token (no KV cache), B sequences at once. */
    private static double decodeWithoutCache(LoadedModel model, int batch, int tokens) {
        int promptLength = 6;
        int[][] sequences = new int[batch][promptLength + tokens];
        for (int[] sequence : sequences) {
            Arrays.fill(sequence, 1);
        }
        IntraOpThreads.set(model.inference().stepThreads().threadsFor(batch, 2)); // as the scheduler does
        long t = System.nanoTime();
        try (NDManager m = model.model().getNDManager().newSubManager(); GradMode ignored = GradMode.disabled()) {
            for (int length = promptLength; length < promptLength + tokens; length++) {
                try (NDManager step = m.newSubManager()) {
                    int[] flat = new int[batch * length];
                    for (int b = 0; b < batch; b++) {
                        System.arraycopy(sequences[b], 0, flat, b * length, length);
                    }
                    NDArray logits = model.gpt().logits(new ParameterStore(step, false), step.create(flat, new Shape(batch, length)), false);
                    long[] next = logits.get(":, {}", length - 1).argMax(1).toLongArray();
                    for (int b = 0; b < batch; b++) {
                        sequences[b][length] = (int) next[b];
                    }
                }
            }
        }
        return (double) batch * tokens / ((System.nanoTime() - t) / 1e9);
    }

    // ---- HTTP, against the packaged server in another process ----

    private void http() throws Exception {
        System.out.println("== HTTP (packaged server in its own process; clients here)");
        Path jar = Path.of("target", "folio.jar");
        if (!Files.exists(jar)) {
            row("HTTP", "skipped", "no target/folio.jar: run ./mvnw package first");
            return;
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process server = new ProcessBuilder("java", "-jar", jar.toString(), "--server.port=" + port)
                .redirectErrorStream(true).redirectOutput(Path.of("target", "bench", "server.log").toFile()).start();
        long started = System.nanoTime();
        HttpClient http = HttpClient.newHttpClient();
        try {
            String base = "http://127.0.0.1:" + port;
            double readySeconds = Double.NaN;
            for (int i = 0; i < 600; i++) {
                try {
                    if (http.send(HttpRequest.newBuilder(URI.create(base + "/actuator/health/readiness")).build(), HttpResponse.BodyHandlers.discarding())
                            .statusCode() == 200) {
                        readySeconds = (System.nanoTime() - started) / 1e9;
                        break;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(50);
            }
            row("start to ready (JVM, libtorch, model load, warm-up)", String.format("%.1f s", readySeconds), "");
            for (int i = 0; i < 3; i++) {
                StreamLoad.stream(http, base, 100, i);
            }
            StreamLoad.concurrent(http, base, 32, 100); // warms the batched paths' JIT too
            Map<String, Object> httpResults = new LinkedHashMap<>();
            httpResults.put("start_to_ready_s", readySeconds);
            List<Double> ttft = new ArrayList<>();
            for (int i = 0; i < 15; i++) { // the first event of a 20-token stream: what a client waits for
                ttft.add(StreamLoad.stream(http, base, TTFT_STREAM_TOKENS, i).firstTokenMs());
            }
            double ttftMs = median(ttft);
            row("time to first token over HTTP (SSE), short prompt", String.format("%.1f ms", ttftMs), "");
            httpResults.put("ttft_ms", ttftMs);
            String longPrompt = "ROMEO: But soft, what light through yonder window breaks? It is the east, and Juliet is the sun. ".repeat(3).substring(0, 256);
            List<Double> longTtft = new ArrayList<>();
            for (int i = 0; i < 15; i++) {
                longTtft.add(StreamLoad.stream(http, base, longPrompt, TTFT_STREAM_TOKENS, i).firstTokenMs());
            }
            double longTtftMs = median(longTtft);
            row("time to first token over HTTP (SSE), 256-character prompt", String.format("%.1f ms", longTtftMs), "target ≤ 30 ms");
            httpResults.put("ttft_256_chars_ms", longTtftMs);
            List<Double> chatTtft = new ArrayList<>();
            for (int i = 0; i < 15; i++) {
                double ms = StreamLoad.chatFirstContentMs(http, base, i);
                if (!Double.isNaN(ms)) {
                    chatTtft.add(ms);
                }
            }
            double chatTtftMs = median(chatTtft);
            row("time to first token over HTTP, chat stream (/v1/chat/completions)", String.format("%.1f ms", chatTtftMs),
                    String.format("first chunk with reply text; 4 messages through the chat template; %d of 15 replies non-empty", chatTtft.size()));
            httpResults.put("chat_ttft_ms", chatTtftMs);
            long rssBefore = rssKb(server.pid());
            for (int clients : new int[] {1, 4, 16, 32, 64}) {
                httpResults.put("streams_" + clients, concurrent(http, base, clients, 200));
            }
            long rssAfter = rssKb(server.pid());
            row("server RSS before / after the stream runs", String.format("%d / %d MB", rssBefore / 1024, rssAfter / 1024),
                    String.format("%+.1f%%", 100.0 * (rssAfter - rssBefore) / rssBefore));
            httpResults.put("rss_kb_before", rssBefore);
            httpResults.put("rss_kb_after", rssAfter);
            // the machine's speed drifts from second to second: alternate one stream and in-process decoding, pair by pair
            SideBySide sideBySide = oneStreamBesideInProcess(http, base, 9);
            row("1 SSE stream over HTTP vs in-process batch 1, side by side", String.format("%.0f%%", 100 * sideBySide.medianRatio()),
                    String.format("median of 9 alternating pairs (%.0f–%.0f%%); %.0f vs %.0f tok/s; target ≥ 90%%", 100 * sideBySide.lowestRatio(),
                            100 * sideBySide.highestRatio(), sideBySide.overHttp(), sideBySide.inProcess()));
            httpResults.put("one_stream_vs_in_process", sideBySide.medianRatio());
            double oneStream = (Double) ((Map<?, ?>) httpResults.get("streams_1")).get("aggregate_tokens_per_s");
            double thirtyTwo = (Double) ((Map<?, ?>) httpResults.get("streams_32")).get("aggregate_tokens_per_s");
            row("32 streams vs 1 stream, aggregate", String.format("%.1f×", thirtyTwo / oneStream), "target ≥ 6×");
            httpResults.put("soak", soak(http, base, server.pid(), 64, Double.parseDouble(System.getProperty("bench.soak.minutes", "10")), 10_000));
            results.put("http", httpResults);
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    private Map<String, Object> concurrent(HttpClient http, String base, int clients, int tokens) throws Exception {
        StreamLoad.Result r = StreamLoad.concurrent(http, base, clients, tokens);
        row(String.format("%d concurrent SSE streams × %d tokens", clients, tokens), String.format("%.0f tok/s aggregate", r.aggregateTokensPerSecond()),
                String.format("inter-token p50 %.1f ms, p99 %.1f ms; errors %d, 429s %d", r.p50Ms(), r.p99Ms(), r.errors(), r.rejected()));
        return Map.of("aggregate_tokens_per_s", r.aggregateTokensPerSecond(), "inter_token_p50_ms", r.p50Ms(), "inter_token_p99_ms", r.p99Ms(),
                "errors", r.errors(), "rejected_429", r.rejected());
    }

    /** One stream over HTTP against batch-1 decoding in this process: medians over the pairs, and the pairs' ratios. */
    private record SideBySide(double overHttp, double inProcess, double medianRatio, double lowestRatio, double highestRatio) {}

    /** {@code pairs} times: one 200-token stream from the server, then 200 tokens through a scheduler in this process while the server idles. */
    private static SideBySide oneStreamBesideInProcess(HttpClient http, String base, int pairs) throws Exception {
        try (LoadedModel model = new ModelStore(Path.of("model-store")).loadCurrent("shakespeare-char");
                DecodeScheduler scheduler = new DecodeScheduler(64, 64, 2)) {
            DecodeSpeed.tokensPerSecond(model, scheduler, 1, 100); // warm-up
            List<Double> overHttp = new ArrayList<>();
            List<Double> inProcess = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < pairs; i++) {
                overHttp.add(StreamLoad.concurrent(http, base, 1, 200).aggregateTokensPerSecond());
                inProcess.add(DecodeSpeed.tokensPerSecond(model, scheduler, 1, 200));
                ratios.add(overHttp.get(i) / inProcess.get(i));
            }
            return new SideBySide(median(overHttp), median(inProcess), median(ratios), Collections.min(ratios), Collections.max(ratios));
        }
    }

    /**
     * {@code clients} clients streaming 50-token requests back to back for at least {@code minutes} and at least
     * {@code requests} requests; the server's RSS after the first 1,000 requests, after {@code requests}, and at the end.
     */
    private Map<String, Object> soak(HttpClient http, String base, long pid, int clients, double minutes, int requests) throws Exception {
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger rejected = new AtomicInteger();
        AtomicLong rssAtThousand = new AtomicLong(-1);
        AtomicLong rssAtTarget = new AtomicLong(-1);
        List<Double> gaps = Collections.synchronizedList(new ArrayList<>());
        long deadline = System.nanoTime() + (long) (minutes * 60e9);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            running.add(pool.submit(() -> {
                int seed = client * 1_000_000;
                while (System.nanoTime() < deadline || completed.get() < requests) {
                    try {
                        StreamLoad.StreamTiming t = StreamLoad.stream(http, base, 50, seed++);
                        if (t.status() == 429) {
                            rejected.incrementAndGet();
                        } else if (t.status() != 200 || t.tokens() != 50) { // one event per token; the last carries the text
                            errors.incrementAndGet();
                        }
                        if (seed % 50 == 0) {
                            gaps.addAll(t.gapsMs());
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                    int n = completed.incrementAndGet();
                    if (n == 1000) {
                        rssAtThousand.set(rssKb(pid));
                    } else if (n == requests) {
                        rssAtTarget.set(rssKb(pid));
                    }
                }
                return null;
            }));
        }
        long start = System.nanoTime();
        for (Future<?> f : running) {
            f.get();
        }
        pool.shutdown();
        double seconds = (System.nanoTime() - start) / 1e9;
        long rssEnd = rssKb(pid);
        double growthAtTarget = 100.0 * (rssAtTarget.get() - rssAtThousand.get()) / rssAtThousand.get();
        double growthAtEnd = 100.0 * (rssEnd - rssAtThousand.get()) / rssAtThousand.get();
        row(String.format("soak: %d clients × 50-token streams, %.1f min", clients, seconds / 60), String.format("%d requests, %.0f req/s", completed.get(),
                completed.get() / seconds), String.format("errors %d, 429s %d; inter-token p50 %.1f ms, p99 %.1f ms (sampled)", errors.get(), rejected.get(),
                percentile(gaps, 0.5), percentile(gaps, 0.99)));
        row(String.format("server RSS after 1,000 / %,d requests / at the end", requests), String.format("%d / %d / %d MB", rssAtThousand.get() / 1024,
                rssAtTarget.get() / 1024, rssEnd / 1024), String.format("%+.1f%% / %+.1f%% (target ≤ 5%%)", growthAtTarget, growthAtEnd));
        Map<String, Object> soak = new LinkedHashMap<>();
        soak.put("clients", clients);
        soak.put("seconds", seconds);
        soak.put("requests", completed.get());
        soak.put("errors", errors.get());
        soak.put("rejected_429", rejected.get());
        soak.put("inter_token_p50_ms", percentile(gaps, 0.5));
        soak.put("inter_token_p99_ms", percentile(gaps, 0.99));
        soak.put("rss_kb_after_1000", rssAtThousand.get());
        soak.put("rss_kb_after_" + requests, rssAtTarget.get());
        soak.put("rss_kb_end", rssEnd);
        soak.put("rss_growth_percent_1000_to_" + requests, growthAtTarget);
        soak.put("rss_growth_percent_1000_to_end", growthAtEnd);
        return soak;
    }

    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }
}
