package dev.folio.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Does compiling expensive grammars move another client's latency? One client sends small greedy /generate requests
 * (8 tokens) in a loop and its latency is measured alone, then while 32 clients each send a distinct expensive grammar
 * ({@code (x?){400+i}}) at once, then alone again. Against a running server; a benchmark: prints only.
 *
 *   java -cp ... dev.folio.bench.GrammarIsolation http://127.0.0.1:8080 [grammars]
 */
public final class GrammarIsolation {

    private GrammarIsolation() {}

    public static void main(String[] args) throws Exception {
        String base = args[0];
        int grammars = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 10; i++) {
            small(http, base);
        }
        report("alone, before", measure(http, base, 40));

        ExecutorService attackers = Executors.newFixedThreadPool(grammars);
        long start = System.nanoTime();
        List<Future<Integer>> statuses = new ArrayList<>();
        for (int i = 0; i < grammars; i++) {
            String body = "{\"inputs\":\"a\",\"parameters\":{\"max_new_tokens\":2,\"grammar\":{\"type\":\"regex\",\"value\":\"(x?){" + (400 + i) + "}\"}}}";
            statuses.add(attackers.submit(() -> post(http, base, body).statusCode()));
        }
        List<Double> during = new ArrayList<>();
        while (statuses.stream().anyMatch(f -> !f.isDone())) {
            during.add(small(http, base));
        }
        double attackSeconds = (System.nanoTime() - start) / 1e9;
        List<Integer> codes = new ArrayList<>();
        for (Future<Integer> status : statuses) {
            codes.add(status.get());
        }
        attackers.shutdown();
        report("during " + grammars + " distinct grammars", during);
        System.out.printf("  the grammars' answers: %s, all answered after %.1f s%n", summary(codes), attackSeconds);
        report("alone, after", measure(http, base, 40));
        System.out.printf("resident memory of the server: see ps -o rss= -p <pid>%n");
    }

    private static List<Double> measure(HttpClient http, String base, int n) throws Exception {
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ms.add(small(http, base));
        }
        return ms;
    }

    private static double small(HttpClient http, String base) throws Exception {
        long t = System.nanoTime();
        HttpResponse<String> r = post(http, base, "{\"inputs\":\"ROMEO:\\n\",\"parameters\":{\"max_new_tokens\":8}}");
        if (r.statusCode() != 200) {
            throw new IllegalStateException("the small request answered " + r.statusCode() + ": " + r.body());
        }
        return (System.nanoTime() - t) / 1e6;
    }

    private static HttpResponse<String> post(HttpClient http, String base, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/generate")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void report(String phase, List<Double> ms) {
        List<Double> sorted = new ArrayList<>(ms);
        Collections.sort(sorted);
        System.out.printf("%-34s n=%3d  median %7.1f ms  p90 %7.1f ms  max %7.1f ms%n", phase, sorted.size(),
                sorted.get(sorted.size() / 2), sorted.get((int) Math.min(sorted.size() - 1, Math.round(0.9 * (sorted.size() - 1)))),
                sorted.get(sorted.size() - 1));
    }

    private static String summary(List<Integer> codes) {
        return codes.stream().distinct().sorted().map(c -> Collections.frequency(codes, c) + "x " + c).toList().toString();
    }
}
