package dev.folio.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the chat route adds to time to first token: alternating pairs of a chat stream and a /generate_stream of the very
 * prompt the chat template renders for it (from /chat_tokenize), against a running server.
 *
 *   java -cp ... dev.folio.bench.ChatLatency http://127.0.0.1:8080 [pairs]
 */
public final class ChatLatency {

    private ChatLatency() {}

    public static void main(String[] args) throws Exception {
        String base = args[0];
        int pairs = args.length > 1 ? Integer.parseInt(args[1]) : 21;
        HttpClient http = HttpClient.newHttpClient();
        JsonMapper json = JsonMapper.builder().build();
        String rendered = json.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/chat_tokenize"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"messages\":" + StreamLoad.CHAT_MESSAGES + "}")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).get("templated_text").asString();
        String escaped = json.writeValueAsString(rendered);
        escaped = escaped.substring(1, escaped.length() - 1); // StreamLoad puts the prompt between quotes itself
        for (int i = 0; i < 5; i++) { // warm-up
            StreamLoad.chatFirstContentMs(http, base, i);
            StreamLoad.stream(http, base, escaped, 20, i);
        }
        List<Double> chat = new ArrayList<>();
        List<Double> plain = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < pairs; i++) { // which goes first alternates, so neither always runs after the idle gap
            double c;
            double g;
            if (i % 2 == 0) {
                c = StreamLoad.chatFirstContentMs(http, base, 100 + i);
                g = StreamLoad.stream(http, base, escaped, 20, 100 + i).firstTokenMs();
            } else {
                g = StreamLoad.stream(http, base, escaped, 20, 100 + i).firstTokenMs();
                c = StreamLoad.chatFirstContentMs(http, base, 100 + i);
            }
            if (!Double.isNaN(c)) {
                chat.add(c);
                plain.add(g);
                ratios.add(c / g);
            }
        }
        System.out.printf("prompt %d characters; %d pairs with a non-empty reply%n", rendered.length(), chat.size());
        System.out.printf("chat stream, first reply text: median %.1f ms (p90 %.1f)%n", StreamLoad.percentile(chat, 0.5), StreamLoad.percentile(chat, 0.9));
        System.out.printf("/generate_stream of the rendered prompt, first event: median %.1f ms (p90 %.1f)%n", StreamLoad.percentile(plain, 0.5),
                StreamLoad.percentile(plain, 0.9));
        System.out.printf("chat / generate, median of the pairs' ratios: %.2f%n", StreamLoad.percentile(ratios, 0.5));
    }
}
