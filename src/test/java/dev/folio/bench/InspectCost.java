package dev.folio.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What seeing inside costs, against a running server: the time and size of an inspection of 256 characters with every
 * hook in a compact encoding, and decoding throughput with and without inspections running beside it (alternating
 * pairs, medians). A benchmark: prints only.
 *
 *   java -cp ... dev.folio.bench.InspectCost http://127.0.0.1:8080 [pairs]
 */
public final class InspectCost {

    private static final String TEXT = "To be, or not to be, that is the question: Whether 'tis nobler in the mind to suffer The slings and arrows "
            + "of outrageous fortune, Or to take arms against a sea of troubles And by opposing end them. To die, to sleep; No more; and by a "
            + "sleep to say we end The heart-ache and the thousand natural shocks";

    private InspectCost() {}

    public static void main(String[] args) throws Exception {
        String base = args[0];
        int pairs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String text = TEXT.substring(0, 256);
        HttpClient http = HttpClient.newHttpClient();
        for (String encoding : List.of("int8", "float16")) {
            String body = "{\"inputs\":\"" + text + "\",\"hooks\":[\"*\"],\"encoding\":\"" + encoding + "\",\"layout\":\"causal\"}";
            inspect(http, base, body); // warm-up
            List<Double> ms = new ArrayList<>();
            long bytes = 0;
            int status = 0;
            for (int i = 0; i < 2 * pairs + 1; i++) {
                long start = System.nanoTime();
                HttpResponse<byte[]> response = inspect(http, base, body);
                ms.add((System.nanoTime() - start) / 1e6);
                bytes = response.body().length;
                status = response.statusCode();
            }
            System.out.printf("inspection, 256 characters, every hook, %s causal: HTTP %d, median %.0f ms (min %.0f), %.2f MB answered%n", encoding,
                    status, StreamLoad.percentile(ms, 50), ms.stream().mapToDouble(Double::doubleValue).min().orElse(0), bytes / 1e6);
        }

        String everything = "{\"inputs\":\"" + text + "\",\"hooks\":[\"*\"],\"encoding\":\"int8\",\"layout\":\"causal\"}";
        int clients = 4;
        int tokens = 400; // long enough that inspections overlap the decoding
        StreamLoad.concurrent(http, base, clients, tokens); // warm-up
        List<Double> alone = new ArrayList<>();
        List<Double> beside = new ArrayList<>();
        int inspections = 0;
        for (int pair = 0; pair < pairs; pair++) {
            alone.add(StreamLoad.concurrent(http, base, clients, tokens).aggregateTokensPerSecond());
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger done = new AtomicInteger();
            Thread inspector = new Thread(() -> {
                while (running.get()) {
                    try {
                        inspect(http, base, everything);
                        done.incrementAndGet();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            inspector.start();
            beside.add(StreamLoad.concurrent(http, base, clients, tokens).aggregateTokensPerSecond());
            running.set(false);
            inspector.join();
            inspections += done.get();
        }
        double without = StreamLoad.percentile(alone, 50);
        double with = StreamLoad.percentile(beside, 50);
        System.out.printf("decoding, %d streams x %d tokens: %.0f tok/s alone, %.0f tok/s with inspections running back to back (%d done), "
                + "ratio %.2f (medians of %d alternating pairs)%n", clients, tokens, without, with, inspections, with / without, pairs);
    }

    private static HttpResponse<byte[]> inspect(HttpClient http, String base, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/inspect")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
