package dev.folio.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * A load generator for Folio's SSE route, run from its own process: N clients each stream one generation
 * at once; aggregate tokens/s, inter-token latency percentiles, errors and 429s. A benchmark: prints only.
 *
 *   java -cp ... dev.folio.bench.StreamLoad http://127.0.0.1:8080 [tokens] [clients...]
 */
public final class StreamLoad {

    private StreamLoad() {}

    public static void main(String[] args) throws Exception {
        String base = args[0];
        int tokens = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 3; i++) {
            stream(http, base, 50, i); // warm-up
        }
        for (int a = 2; a < Math.max(3, args.length); a++) {
            int clients = args.length > 2 ? Integer.parseInt(args[a]) : 1;
            Result r = concurrent(http, base, clients, tokens);
            System.out.printf("%2d streams × %d tokens: %5.0f tok/s aggregate, inter-token p50 %.1f ms, p99 %.1f ms, errors %d, 429s %d%n", clients, tokens,
                    r.aggregateTokensPerSecond(), r.p50Ms(), r.p99Ms(), r.errors(), r.rejected());
        }
    }

    /** One stream's timing: first event, gaps between events, events, HTTP status. */
    record StreamTiming(double firstTokenMs, List<Double> gapsMs, int tokens, int status) {}

    /** Several streams at once. */
    record Result(double aggregateTokensPerSecond, double p50Ms, double p99Ms, int errors, int rejected) {}

    static StreamTiming stream(HttpClient http, String base, int tokens, int seed) throws Exception {
        return stream(http, base, "ROMEO:", tokens, seed);
    }

    /** @param prompt plain text without quotes, backslashes or control characters (it goes into the JSON as is) */
    static StreamTiming stream(HttpClient http, String base, String prompt, int tokens, int seed) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/generate_stream")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":\"" + prompt + "\",\"parameters\":{\"max_new_tokens\":" + tokens
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

    /** A three-message conversation, rendered by the model's chat template (about 150 characters of prompt). */
    static final String CHAT_MESSAGES = "[{\"role\":\"system\",\"content\":\"A street in Verona.\"},"
            + "{\"role\":\"user\",\"content\":\"Good morrow, fair maid. Whither away so early?\"},"
            + "{\"role\":\"assistant\",\"content\":\"To church, good sir, to pray.\"},"
            + "{\"role\":\"user\",\"content\":\"Then let me walk with thee.\"}]";

    /**
     * Time to the first chunk of a chat stream that carries reply text, as a chat client shows it: the role chunk, sent before
     * decoding starts, does not count. NaN if the reply was empty.
     */
    static double chatFirstContentMs(HttpClient http, String base, int seed) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"messages\":" + CHAT_MESSAGES + ",\"max_tokens\":20,\"temperature\":0.8,"
                        + "\"seed\":" + seed + ",\"stream\":true}")).build();
        long start = System.nanoTime();
        HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
        double first = Double.NaN;
        Iterator<String> lines = response.body().iterator();
        while (lines.hasNext()) {
            String line = lines.next();
            if (Double.isNaN(first) && line.startsWith("data:") && line.contains("\"content\":\"") && !line.contains("\"content\":\"\"")) {
                first = (System.nanoTime() - start) / 1e6;
            }
        }
        return first;
    }

    static Result concurrent(HttpClient http, String base, int clients, int tokens) throws Exception {
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
        return new Result(generated / seconds, percentile(gaps, 0.5), percentile(gaps, 0.99), errors, rejected);
    }

    static double percentile(List<Double> values, double p) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }
}
