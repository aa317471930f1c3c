package dev.folio.bench;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.folio.DjlOffline;
import dev.folio.inference.GenerationListener;
import dev.folio.inference.GenerationRequest;
import dev.folio.inference.Generator;
import dev.folio.inference.SamplingParameters;
import dev.folio.model.GradMode;
import dev.folio.model.Gpt;
import dev.folio.model.GptConfig;
import dev.folio.store.LoadedModel;
import dev.folio.store.ModelStore;
import dev.folio.training.TrainingConfig;
import dev.folio.training.TrainingListener;
import dev.folio.training.TrainingRun;
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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
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

    private final Map<String, Object> results = new LinkedHashMap<>();
    private double gemmGflops;
    private double bandwidthGbs;

    public static void main(String[] args) throws Exception {
        DjlOffline.apply();
        new BenchmarkSuite().run();
    }

    private void run() throws Exception {
        results.put("date", Instant.now().toString());
        results.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(), "os", System.getProperty("os.name") + " "
                + System.getProperty("os.arch"), "java", System.getProperty("java.version"), "engine", Engine.getInstance().getEngineName() + " "
                + Engine.getInstance().getVersion()));
        ceilings();
        training("nanogpt_cpu_recipe", new GptConfig(65, 64, 4, 4, 128, 0f, false), 12, 10, 40);
        training("default_model", new GptConfig(65, 256, 4, 4, 256, 0f, false), 16, 3, 12);
        decoding();
        http();
        Path out = Path.of("target", "bench", "results.json");
        Files.createDirectories(out.getParent());
        Files.writeString(out, JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build().writeValueAsString(results));
        System.out.println("\nwritten " + out.toAbsolutePath());
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[sorted.length / 2];
    }

    private static double percentile(List<Double> values, double p) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private void row(String name, String figure, String versus) {
        System.out.printf("%-58s %-26s %s%n", name, figure, versus);
    }

    // ---- ceilings ----

    private void ceilings() {
        System.out.println("== ceilings");
        try (NDManager m = NDManager.newBaseManager(); GradMode ignored = GradMode.disabled()) {
            NDArray a = m.randomNormal(new Shape(1024, 1024));
            NDArray b = m.randomNormal(new Shape(1024, 1024));
            List<Double> gemm = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                long t = System.nanoTime();
                a.matMul(b).close();
                gemm.add(2.0 * 1024 * 1024 * 1024 / ((System.nanoTime() - t) / 1e9) / 1e9);
            }
            gemmGflops = median(gemm.subList(2, gemm.size()));
            NDArray x = m.create(new float[] {1f});
            for (int i = 0; i < 5000; i++) {
                x.add(x).close();
            }
            long t = System.nanoTime();
            for (int i = 0; i < 50_000; i++) {
                x.add(x).close();
            }
            double opMicros = (System.nanoTime() - t) / 1e3 / 50_000;
            NDArray big = m.randomNormal(new Shape(16 * 1024 * 1024)); // 64 MB
            List<Double> copies = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                long c = System.nanoTime();
                big.mul(1f).close(); // reads 64 MB, writes 64 MB
                copies.add(2.0 * 64 * 1024 * 1024 / ((System.nanoTime() - c) / 1e9) / 1e9);
            }
            bandwidthGbs = median(copies.subList(2, copies.size()));
            row("float32 matrix product 1024³", String.format("%.1f GFLOP/s", gemmGflops), "");
            row("one tiny op through JNI (add of one float)", String.format("%.2f µs", opMicros), "");
            row("memory bandwidth (64 MB scaled copy, read+write)", String.format("%.1f GB/s", bandwidthGbs), "");
            results.put("ceilings", Map.of("gemm_gflops", gemmGflops, "tiny_op_us", opMicros, "memory_bandwidth_gbs", bandwidthGbs));
        }
    }

    // ---- training ----

    private void training(String name, GptConfig config, int batch, int warmup, int timed) {
        int[] tokens = new Random(1).ints(400_000, 0, config.vocabSize()).toArray();
        TrainingConfig training = new TrainingConfig(batch, warmup + timed, 1e-3f, 1e-4f, 0, 0.1f, 0.9f, 0.99f, 1f, 1_000_000, 1, 1, null);
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

    private void decoding() throws IOException {
        System.out.println("== decoding (bundled model, in-process)");
        try (LoadedModel model = new ModelStore(Path.of("model-store")).loadCurrent("shakespeare-char")) {
            Generator generator = new Generator();
            int[] prompt = Generator.encodePrompt(model, "ROMEO:", null);
            SamplingParameters params = new SamplingParameters(200, true, 0.8f, null, null, 1L, List.of());
            for (int i = 0; i < 3; i++) {
                generator.generate(model, GenerationRequest.of(prompt, params), GenerationListener.NONE);
            }
            long t = System.nanoTime();
            int runs = 5;
            for (int i = 0; i < runs; i++) {
                generator.generate(model, GenerationRequest.of(prompt, params), GenerationListener.NONE);
            }
            double cachedTps = runs * 200 / ((System.nanoTime() - t) / 1e9);
            double noCacheTps = decodeWithoutCache(model, 100);
            long weightBytes = model.metadata().parameterCount() * 4;
            double floorMs = Math.max(weightBytes / (bandwidthGbs * 1e9), 2.0 * model.metadata().parameterCount() / (gemmGflops * 1e9)) * 1000;
            row("decode, batch 1, KV cache", String.format("%.0f tok/s (%.2f ms/tok)", cachedTps, 1000 / cachedTps),
                    String.format("floor %.2f ms/tok → %.1f× the floor", floorMs, 1000 / cachedTps / floorMs));
            row("decode, batch 1, no cache (full forward per token)", String.format("%.0f tok/s", noCacheTps), "");
            row("decode, batch 8 / 32", "n/a", "no batched decoder yet (continuous batching is open)");
            List<Double> ttft = new ArrayList<>();
            String longPrompt = "ROMEO:\nBut soft, what light through yonder window breaks? It is the east, and Juliet is the sun.\n".repeat(3).substring(0, 256);
            int[] promptIds = Generator.encodePrompt(model, longPrompt, null);
            for (int i = 0; i < 25; i++) {
                long s = System.nanoTime();
                generator.generate(model, GenerationRequest.of(promptIds, SamplingParameters.greedy(1)), GenerationListener.NONE);
                ttft.add((System.nanoTime() - s) / 1e6);
            }
            double ttftMs = median(ttft.subList(5, ttft.size()));
            row("time to first token, 256-character prompt, in-process", String.format("%.1f ms", ttftMs), "");
            results.put("decode", Map.of("batch1_kv_tokens_per_s", cachedTps, "batch1_no_cache_tokens_per_s", noCacheTps, "floor_ms_per_token", floorMs,
                    "ratio_to_floor", 1000 / cachedTps / floorMs, "ttft_256_chars_in_process_ms", ttftMs));
        }
    }

    private static double decodeWithoutCache(LoadedModel model, int tokens) {
        int[] sequence = new int[6 + tokens];
        Arrays.fill(sequence, 1);
        long t = System.nanoTime();
        try (NDManager m = model.model().getNDManager().newSubManager(); GradMode ignored = GradMode.disabled()) {
            for (int length = 6; length < sequence.length; length++) {
                try (NDManager step = m.newSubManager()) {
                    NDArray logits = model.gpt().logits(new ParameterStore(step, false), step.create(Arrays.copyOf(sequence, length), new Shape(1, length)), false);
                    sequence[length] = (int) logits.get(0, length - 1).argMax().getLong();
                }
            }
        }
        return tokens / ((System.nanoTime() - t) / 1e9);
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
        Process server = new ProcessBuilder("java", "-jar", jar.toString(), "--server.port=" + port, "--folio.generation.max-concurrent-requests=64")
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
                stream(http, base, 100, i);
            }
            Map<String, Object> httpResults = new LinkedHashMap<>();
            httpResults.put("start_to_ready_s", readySeconds);
            List<Double> ttft = new ArrayList<>();
            for (int i = 0; i < 15; i++) {
                ttft.add(stream(http, base, 1, i).firstTokenMs());
            }
            double ttftMs = median(ttft);
            row("time to first token over HTTP (SSE), short prompt", String.format("%.1f ms", ttftMs), "");
            httpResults.put("ttft_ms", ttftMs);
            long rssBefore = rssKb(server.pid());
            for (int clients : new int[] {1, 4, 16, 32, 64}) {
                httpResults.put("streams_" + clients, concurrent(http, base, clients, 200));
            }
            long rssAfter = rssKb(server.pid());
            row("server RSS before / after the stream runs", String.format("%d / %d MB", rssBefore / 1024, rssAfter / 1024),
                    String.format("%+.1f%%", 100.0 * (rssAfter - rssBefore) / rssBefore));
            httpResults.put("rss_kb_before", rssBefore);
            httpResults.put("rss_kb_after", rssAfter);
            results.put("http", httpResults);
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    private record StreamTiming(double firstTokenMs, List<Double> gapsMs, int tokens, int status) {}

    private static StreamTiming stream(HttpClient http, String base, int tokens, int seed) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/generate_stream")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":\"ROMEO:\",\"parameters\":{\"max_new_tokens\":" + tokens
                        + ",\"do_sample\":true,\"seed\":" + seed + "}}")).build();
        long start = System.nanoTime();
        HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
        if (response.statusCode() != 200) {
            response.body().close();
            return new StreamTiming(Double.NaN, List.of(), 0, response.statusCode());
        }
        double first = Double.NaN;
        long last = start;
        List<Double> gaps = new ArrayList<>();
        int count = 0;
        Iterator<String> lines = response.body().iterator();
        while (lines.hasNext()) {
            if (!lines.next().startsWith("data:")) {
                continue;
            }
            long now = System.nanoTime();
            if (count == 0) {
                first = (now - start) / 1e6;
            } else {
                gaps.add((now - last) / 1e6);
            }
            last = now;
            count++;
        }
        return new StreamTiming(first, gaps, count, 200);
    }

    private Map<String, Object> concurrent(HttpClient http, String base, int clients, int tokens) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        List<Future<StreamTiming>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int seed = c;
            futures.add(pool.submit(() -> stream(http, base, tokens, seed)));
        }
        List<Double> gaps = new ArrayList<>();
        int generated = 0;
        int rejected = 0;
        int errors = 0;
        for (Future<StreamTiming> future : futures) {
            try {
                StreamTiming t = future.get();
                if (t.status() == 429) {
                    rejected++;
                } else if (t.status() != 200) {
                    errors++;
                }
                gaps.addAll(t.gapsMs());
                generated += t.tokens();
            } catch (Exception e) {
                errors++;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        double aggregate = generated / seconds;
        row(String.format("%d concurrent SSE streams × %d tokens", clients, tokens), String.format("%.0f tok/s aggregate", aggregate),
                String.format("inter-token p50 %.1f ms, p99 %.1f ms; errors %d, 429s %d", percentile(gaps, 0.5), percentile(gaps, 0.99), errors, rejected));
        return Map.of("aggregate_tokens_per_s", aggregate, "inter_token_p50_ms", percentile(gaps, 0.5), "inter_token_p99_ms", percentile(gaps, 0.99),
                "errors", errors, "rejected_429", rejected);
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
