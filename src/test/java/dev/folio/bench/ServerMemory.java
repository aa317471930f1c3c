package dev.folio.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resident memory of a packaged server holding one model: idle once ready, and the peak while N clients each stream one
 * generation at once, with the KV memory the scheduler held at that peak (the {@code folio_kv_cache_bytes} gauge). A
 * benchmark: it prints. Memory figures hold on a shared machine; the speed it prints does not.
 *
 *   java -cp ... dev.folio.bench.ServerMemory JAR STORE MODEL [tokens] [streams...] [-- server arguments...]
 */
public final class ServerMemory {

    private static final Pattern KV_GAUGE = Pattern.compile("(?m)^folio_kv_cache_bytes(?:\\{[^}]*})? ([0-9.E+]+)");
    private static final Pattern HEAP_USED = Pattern.compile("(?m)^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*} ([0-9.E+]+)");
    private static final Pattern HEAP_COMMITTED = Pattern.compile("(?m)^jvm_memory_committed_bytes\\{[^}]*area=\"heap\"[^}]*} ([0-9.E+]+)");

    private ServerMemory() {}

    public static void main(String[] args) throws Exception {
        List<String> own = new ArrayList<>(Arrays.asList(args));
        List<String> serverArgs = new ArrayList<>();
        int split = own.indexOf("--");
        if (split >= 0) {
            serverArgs.addAll(own.subList(split + 1, own.size()));
            own = new ArrayList<>(own.subList(0, split));
        }
        Path jar = Path.of(own.get(0));
        String store = own.get(1);
        String model = own.get(2);
        int tokens = own.size() > 3 ? Integer.parseInt(own.get(3)) : 300;
        List<Integer> streams = new ArrayList<>();
        for (int i = 4; i < own.size(); i++) {
            streams.add(Integer.parseInt(own.get(i)));
        }
        if (streams.isEmpty()) {
            streams = List.of(32, 64);
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of("java", "-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true"));
        command.addAll(serverArgs.stream().filter(a -> a.startsWith("-D") || a.startsWith("-X")).toList());
        command.addAll(List.of("-jar", jar.toString(), "--server.port=" + port, "--server.address=127.0.0.1", "--folio.store.path=" + store,
                "--folio.store.model=" + model, "--folio.store.models=" + model));
        command.addAll(serverArgs.stream().filter(a -> a.startsWith("--")).toList());
        Path log = Files.createTempFile("folio-server-memory", ".log");
        Process server = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + port;
        try {
            long started = System.nanoTime();
            while (!ready(http, base)) {
                if (!server.isAlive() || System.nanoTime() - started > 1_200_000_000_000L) {
                    throw new IllegalStateException("the server did not become ready; its log: " + log);
                }
                Thread.sleep(200);
            }
            Thread.sleep(3000); // what the warm-up left to settle
            System.out.printf("%s (%s), ready in %.0f s; idle: RSS %d MB, KV held %d MB, Java heap committed %d MB%n", model, jar,
                    (System.nanoTime() - started) / 1e9, rssKb(server.pid()) / 1024, kvBytes(http, base) / (1 << 20), sum(http, base, HEAP_COMMITTED) >> 20);
            for (int clients : streams) {
                CompletableFuture<StreamLoad.Result> load = CompletableFuture.supplyAsync(() -> {
                    try {
                        return StreamLoad.concurrent(http, base, clients, tokens);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                long peakRss = 0;
                long kvAtPeak = 0;
                long peakKv = 0;
                long heapAtPeak = 0;
                while (!load.isDone()) {
                    long rss = rssKb(server.pid());
                    long kv = kvBytes(http, base);
                    if (rss > peakRss) {
                        peakRss = rss;
                        kvAtPeak = kv;
                        heapAtPeak = sum(http, base, HEAP_COMMITTED);
                    }
                    peakKv = Math.max(peakKv, kv);
                    Thread.sleep(100);
                }
                StreamLoad.Result result = load.join();
                Thread.sleep(1000);
                System.out.printf("%2d streams × %d tokens: peak RSS %d MB (KV held then %d MB; most KV held %d MB; Java heap committed then %d MB); "
                                + "after: RSS %d MB, KV %d MB, heap used %d MB; %.0f tok/s aggregate (shared machine), errors %d, 429s %d%n", clients, tokens,
                        peakRss / 1024, kvAtPeak >> 20, peakKv >> 20, heapAtPeak >> 20, rssKb(server.pid()) / 1024, kvBytes(http, base) >> 20,
                        sum(http, base, HEAP_USED) >> 20, result.aggregateTokensPerSecond(), result.errors(), result.rejected());
            }
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    private static boolean ready(HttpClient http, String base) throws InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(base + "/actuator/health/readiness")).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode() == 200;
        } catch (IOException notYet) {
            return false;
        }
    }

    /** The scheduler's KV gauge, or -1 when the metrics route does not publish it. */
    private static long kvBytes(HttpClient http, String base) throws InterruptedException {
        return sum(http, base, KV_GAUGE);
    }

    /** The sum of every Prometheus sample {@code metric} matches (e.g. the heap's pools), or -1 when there is none. */
    private static long sum(HttpClient http, String base, Pattern metric) throws InterruptedException {
        try {
            String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus")).build(), HttpResponse.BodyHandlers.ofString())
                    .body();
            Matcher m = metric.matcher(metrics);
            double total = 0;
            boolean found = false;
            while (m.find()) {
                total += Double.parseDouble(m.group(1));
                found = true;
            }
            return found ? (long) total : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }
}
