package dev.folio.api;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A real HTTP client against the server under test, on loopback. */
final class ApiClient {

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();
    private final int port;
    private final Map<String, String> headers;

    ApiClient(int port) {
        this(port, Map.of());
    }

    ApiClient(int port, Map<String, String> headers) {
        this.port = port;
        this.headers = headers;
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        headers.forEach(builder::header);
        return builder;
    }

    HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> postRaw(String path, String contentType, String body) throws Exception {
        return http.send(request(path).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A JSON body sent without Content-Length (chunked transfer encoding). */
    HttpResponse<String> postChunked(String path, String body) throws Exception {
        HttpRequest.BodyPublisher unknownLength = HttpRequest.BodyPublishers.ofInputStream(
                () -> new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
        return http.send(request(path).header("Content-Type", "application/json").POST(unknownLength).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> put(String path, String body) throws Exception {
        return http.send(request(path).header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A response whose body is read line by line as it arrives. */
    HttpResponse<Stream<String>> stream(String path, String body) throws Exception {
        return http.send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofLines());
    }

    JsonNode json(String body) {
        return json.readTree(body);
    }

    /** The payloads of an event stream's data lines, in order, as they arrive. */
    static Iterator<String> dataEvents(Stream<String> lines) {
        return lines.filter(line -> line.startsWith("data:"))
                .map(line -> line.substring(5).stripLeading())
                .iterator();
    }
}
