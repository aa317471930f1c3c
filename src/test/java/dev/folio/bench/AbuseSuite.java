package dev.folio.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Issue 28's attacks, each bounded in count and time, against the packaged server (target/folio.jar) started here on
 * 127.0.0.1, a free port, an admin key and a copy of the bundled model store (the attacks publish versions). For each
 * attack: its own answers, another well-behaved client's /generate latency (8 new tokens) before, during and after,
 * and the server's resident memory (VmRSS) before and after; then a Markdown table. A benchmark: it prints, it asserts
 * nothing, and it is not part of {@code ./mvnw test}. Run it with {@code bench/abuse/run.sh}.
 *
 *   java -cp target/test-classes dev.folio.bench.AbuseSuite [target/folio.jar]
 */
public final class AbuseSuite {

    private static final String PROBE_BODY = "{\"inputs\":\"ROMEO:\\n\",\"parameters\":{\"max_new_tokens\":8}}";
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private final String host = "127.0.0.1";
    private final int port;
    private final String base;
    private final String adminKey = UUID.randomUUID().toString();
    private final Path storeRoot;
    private final Path serverLog;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process server;
    private final List<String[]> rows = new ArrayList<>();

    private AbuseSuite(int port, Path work) {
        this.port = port;
        this.base = "http://" + host + ":" + port;
        this.storeRoot = work.resolve("store");
        this.serverLog = work.resolve("server.log");
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args.length > 0 ? args[0] : "target/folio.jar");
        Path work = Path.of("target", "abuse");
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        AbuseSuite suite = new AbuseSuite(port, work);
        suite.prepareStore(Path.of("model-store"));
        long started = System.nanoTime();
        suite.start(jar);
        try {
            suite.runAll();
        } finally {
            suite.stop();
        }
        suite.printTable();
        System.out.printf(Locale.ROOT, "%nwhole suite: %.0f s; server log: %s%n", (System.nanoTime() - started) / 1e9, suite.serverLog);
    }

    // ---- the server ----

    /** A fresh copy of the bundled model: the attacks publish and retain versions, never in the repository's store. */
    private void prepareStore(Path bundled) throws IOException {
        deleteTree(storeRoot);
        try (Stream<Path> files = Files.walk(bundled.resolve("shakespeare-char"))) {
            for (Path source : files.toList()) {
                Path target = storeRoot.resolve(bundled.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }

    private void start(Path jar) throws Exception {
        Files.createDirectories(serverLog.getParent());
        // the image's flags that matter here: a bounded heap that ends the process on OutOfMemoryError, so a memory
        // attack that still works shows as a dead server rather than as a large number
        ProcessBuilder builder = new ProcessBuilder("java", "-Xmx1600m", "-XX:+ExitOnOutOfMemoryError", "-Dai.djl.offline=true",
                "-DOPT_OUT_TRACKING=true", "-jar", jar.toString(), "--server.address=" + host, "--server.port=" + port,
                "--folio.store.path=" + storeRoot, "--folio.admin.key=" + adminKey, "--folio.training.schedule=-")
                .redirectErrorStream(true).redirectOutput(serverLog.toFile());
        builder.environment().put("OPT_OUT_TRACKING", "true");
        builder.environment().remove("FOLIO_API_KEY");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        server = builder.start();
        long t = System.nanoTime();
        while (true) {
            if (!server.isAlive()) {
                throw new IllegalStateException("the server ended while starting; see " + serverLog);
            }
            try {
                if (get("/actuator/health/readiness").statusCode() == 200) {
                    break;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() - t > TimeUnit.SECONDS.toNanos(180)) {
                throw new IllegalStateException("not ready after 180 s; see " + serverLog);
            }
            Thread.sleep(200);
        }
        System.out.printf(Locale.ROOT, "server pid %d on %s ready after %.1f s (store copy %s)%n", server.pid(), base,
                (System.nanoTime() - t) / 1e9, storeRoot);
        for (int i = 0; i < 20; i++) {
            probeOnce(); // warm-up: JIT, the scheduler's first batches
        }
    }

    private void stop() throws InterruptedException {
        if (server != null && server.isAlive()) {
            server.destroy();
            if (!server.waitFor(40, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    private long residentMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(server.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException gone) {
            return -1;
        }
        return -1;
    }

    // ---- the well-behaved client and one attack's frame ----

    private double probeOnce() throws Exception {
        long t = System.nanoTime();
        HttpResponse<String> r = post("/generate", PROBE_BODY, false);
        if (r.statusCode() != 200) {
            throw new IllegalStateException("the well-behaved request answered " + r.statusCode() + ": " + r.body());
        }
        return (System.nanoTime() - t) / 1e6;
    }

    private List<Double> probe(int n) throws Exception {
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ms.add(probeOnce());
        }
        return ms;
    }

    /** What an attack reports about itself. */
    private record Outcome(String answers, String notes) {}

    private void attack(String name, Callable<Outcome> attack) throws Exception {
        String only = System.getProperty("abuse.only", "");
        if (!only.isEmpty() && Stream.of(only.split(",")).noneMatch(prefix -> name.startsWith(prefix.trim() + "."))) {
            return; // -Dabuse.only=1,4a runs those attacks alone (while working on one)
        }
        System.out.printf("%n== %s%n", name);
        if (!server.isAlive()) {
            rows.add(new String[] {name, "not run: the server had ended", "", "", "", "", ""});
            return;
        }
        long rssBefore = residentMb();
        List<Double> before = probe(15);
        // the well-behaved client keeps asking while the attack runs; a failure is counted, not thrown
        ConcurrentLinkedQueue<Double> during = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> probeFailures = new ConcurrentLinkedQueue<>();
        AtomicBoolean attacking = new AtomicBoolean(true);
        Thread prober = new Thread(() -> {
            while (attacking.get()) {
                try {
                    during.add(probeOnce());
                } catch (Exception e) {
                    probeFailures.add(String.valueOf(e.getMessage()));
                    sleepQuietly(100);
                }
            }
        }, "well-behaved-client");
        prober.start();
        long t = System.nanoTime();
        Outcome outcome;
        try {
            outcome = attack.call();
        } catch (Exception e) {
            outcome = new Outcome("the attack failed: " + e, "");
        } finally {
            attacking.set(false);
            prober.join();
        }
        double seconds = (System.nanoTime() - t) / 1e9;
        boolean alive = server.isAlive();
        List<Double> after = alive ? probe(15) : List.of();
        long rssAfter = alive ? residentMb() : -1;
        String duringText = latency(new ArrayList<>(during)) + (probeFailures.isEmpty() ? "" : " (" + probeFailures.size() + " failed)");
        String notes = outcome.notes() + (alive ? "" : " **the server ended**");
        System.out.printf(Locale.ROOT, "answers: %s%nnotes: %s%nwell-behaved /generate (8 tokens) median/p90: before %s, during %s, after %s%n"
                + "resident memory: %d MB before, %d MB after; attack took %.1f s%n", outcome.answers(), notes, latency(before), duringText,
                latency(after), rssBefore, rssAfter, seconds);
        rows.add(new String[] {name, outcome.answers(), latency(before), duringText, latency(after),
                rssBefore + " → " + (alive ? rssAfter : "dead"), String.format(Locale.ROOT, "%.0f s. ", seconds) + notes});
    }

    private void printTable() {
        System.out.println();
        System.out.println("| attack | the attack's answers | well-behaved /generate median / p90, before | during | after | RSS before → after (MB) | notes |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
        for (String[] row : rows) {
            System.out.println("| " + String.join(" | ", Stream.of(row).map(c -> c.replace("|", "\\|")).toList()) + " |");
        }
    }

    // ---- the attacks ----

    private void runAll() throws Exception {
        attack("1. admin-key bypass forms, no key, raw socket", this::bypassForms);
        attack("2a. chat templates with nested loops / huge strings, PUT with the admin key", this::expensiveTemplatePuts);
        attack("2b. 32 chats against a template whose cost grows with the message (legal and over budget)", this::dataDependentTemplate);
        attack("3a. 32 distinct expensive grammars at once ((x?){400+i}, regex)", () -> grammars(32, true));
        attack("3b. 16 identical expensive grammars at once ((x?){460})", () -> grammars(16, false));
        attack("4a. 128 abandoned /v1/completions (n 8, max_tokens 2048), reset within 50 ms", this::abandonedCompletions);
        attack("4b. cancel storm: 256 streams (max_new_tokens 2048) reset after their first event", this::cancelStorm);
        attack("5a. 20 chat-template PUTs in a row (store growth)", this::templatePutsDiskGrowth);
        attack("5b. 32 clients hammering GET /models for 10 s", this::modelsHammer);
        attack("5c. control: 32 clients hammering GET /health for 10 s", this::healthHammer);
        attack("6. 32 bodies with 1,100 unknown JSON fields (8 at a time)", this::unknownFields);
        attack("7. oversized scoring (254 KB echo, 16 KB /logits) and two legal large /logits at once", this::scoring);
        attack("8. slow bodies: 16 clients trickling a body over ~20 s, 1 stalling mid-body", this::slowBodies);
    }

    private Outcome bypassForms() throws Exception {
        int versionsBefore = versionCount();
        String version = currentVersion();
        String template = "{\"template\":\"{% for m in messages %}{{ m.content }}\\n\\n{% endfor %}\"}";
        Map<String, String> forms = new LinkedHashMap<>();
        forms.put("GET /admin;x/corpora", raw("GET", "/admin;x/corpora", null, null));
        forms.put("GET /%61dmin/training/runs", raw("GET", "/%61dmin/training/runs", null, null));
        forms.put("PUT /admin;x/models/{v}/chat-template", raw("PUT", "/admin;x/models/" + version + "/chat-template", template, null));
        forms.put("POST /admin;x/training/runs", raw("POST", "/admin;x/training/runs", "{}", null));
        forms.put("GET //admin/corpora", raw("GET", "//admin/corpora", null, null));
        forms.put("GET /./admin/corpora", raw("GET", "/./admin/corpora", null, null));
        forms.put("GET /models/../admin/corpora", raw("GET", "/models/../admin/corpora", null, null));
        forms.put("GET /models/%2e%2e/admin/corpora", raw("GET", "/models/%2e%2e/admin/corpora", null, null));
        forms.put("GET /admin%2Fcorpora", raw("GET", "/admin%2Fcorpora", null, null));
        forms.put("GET /ADMIN/corpora", raw("GET", "/ADMIN/corpora", null, null));
        forms.put("GET /admin/corpora/", raw("GET", "/admin/corpora/", null, null));
        forms.put("GET /admin/corpora (no key)", raw("GET", "/admin/corpora", null, null));
        forms.put("PUT /admin/models/{v}/chat-template?model=/etc (with the key)",
                raw("PUT", "/admin/models/" + version + "/chat-template?model=/etc", template, adminKey));
        forms.put("GET /admin/corpora (with the key: control)", raw("GET", "/admin/corpora", null, adminKey));
        forms.forEach((form, status) -> System.out.printf("  %-48s %s%n", form, status));
        int versionsAfter = versionCount();
        List<String> compact = new ArrayList<>();
        forms.forEach((form, status) -> compact.add("`" + form + "` " + status));
        return new Outcome(String.join("; ", compact), "store versions " + versionsBefore + " → " + versionsAfter);
    }

    private Outcome expensiveTemplatePuts() throws Exception {
        String version = currentVersion();
        Map<String, String> templates = new LinkedHashMap<>();
        templates.put("3 nested range(1000)", "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}x{% endfor %}{% endfor %}{% endfor %}");
        templates.put("'a'.repeat(10^9)", "{{ 'a'.repeat(1000000000) }}");
        templates.put("center(10^9)", "{{ 'a' | center(1000000000) }}");
        templates.put("doubling a string 30 times", "{% set s = 'aaaaaaaa' %}{% for i in range(30) %}{% set s = s ~ s %}{% endfor %}{{ s }}");
        templates.put("macro recursing twice per call", "{% macro f(n) %}{% if n < 40 %}{{ f(n + 1) }}{{ f(n + 1) }}{% endif %}{% endmacro %}{{ f(0) }}");
        templates.put("include /etc/passwd", "{% include '/etc/passwd' %}");
        Map<Integer, Integer> codes = new TreeMap<>();
        List<String> each = new ArrayList<>();
        for (Map.Entry<String, String> t : templates.entrySet()) {
            long start = System.nanoTime();
            HttpResponse<String> r = send("PUT", "/admin/models/" + version + "/chat-template", "{\"template\":" + json(t.getValue()) + "}", adminKey);
            codes.merge(r.statusCode(), 1, Integer::sum);
            each.add(String.format(Locale.ROOT, "%s %d in %.0f ms", t.getKey(), r.statusCode(), (System.nanoTime() - start) / 1e6));
            System.out.printf(Locale.ROOT, "  %-28s %d %.0f ms %s%n", t.getKey(), r.statusCode(), (System.nanoTime() - start) / 1e6, abbreviate(r.body(), 160));
        }
        // a per-request template? the chat route has no such field: it is ignored and named in X-Folio-Ignored-Fields
        HttpResponse<String> inline = post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}],\"max_tokens\":4,"
                + "\"chat_template\":" + json(templates.get("3 nested range(1000)")) + "}", false);
        String ignored = inline.headers().firstValue("X-Folio-Ignored-Fields").orElse("(none)");
        System.out.printf("  inline chat_template in a chat request: %d, X-Folio-Ignored-Fields: %s%n", inline.statusCode(), ignored);
        return new Outcome("PUT: " + codes(codes) + " (" + String.join("; ", each) + ")",
                "an inline `chat_template` in a chat request: " + inline.statusCode() + ", ignored (X-Folio-Ignored-Fields: " + ignored + ")");
    }

    /**
     * A template that passes the check at PUT (a short sample conversation) but whose loops grow with the square of
     * each message's length: 300 characters is 90,000 iterations (within the 100,000 budget), 1,000 is 10^6 (over).
     */
    private Outcome dataDependentTemplate() throws Exception {
        String template = "{% for m in messages %}{% for i in range(m.content|length) %}{% for j in range(m.content|length) %}{% endfor %}"
                + "{% endfor %}{{ m.content }}\n\n{% endfor %}";
        HttpResponse<String> put = send("PUT", "/admin/models/" + currentVersion() + "/chat-template", "{\"template\":" + json(template) + "}", adminKey);
        System.out.printf("  PUT of the quadratic template: %d %s%n", put.statusCode(), abbreviate(put.body(), 160));
        String legal = "a".repeat(300);
        String over = "a".repeat(1000);
        ExecutorService clients = Executors.newFixedThreadPool(32);
        List<Future<Integer>> legalAnswers = new ArrayList<>();
        List<Future<Integer>> overAnswers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            legalAnswers.add(clients.submit(() -> post("/v1/chat/completions", chat(legal), false).statusCode()));
            overAnswers.add(clients.submit(() -> post("/v1/chat/completions", chat(over), false).statusCode()));
        }
        Map<Integer, Integer> legalCodes = collect(legalAnswers);
        Map<Integer, Integer> overCodes = collect(overAnswers);
        clients.shutdown();
        HttpResponse<String> restore = send("PUT", "/admin/models/" + currentVersion() + "/chat-template",
                "{\"template\":" + json(Files.readString(Path.of("docs", "plain-chat.jinja"))) + "}", adminKey);
        return new Outcome("PUT " + put.statusCode() + "; 16 × 300 chars (90,000 iterations): " + codes(legalCodes) + "; 16 × 1,000 chars (10^6): "
                + codes(overCodes), "docs/plain-chat.jinja put back: " + restore.statusCode());
    }

    private static String chat(String content) {
        return "{\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}],\"max_tokens\":4}";
    }

    private Outcome grammars(int count, boolean distinct) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(count);
        List<Future<Integer>> answers = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            int repeat = distinct ? 400 + i : 460;
            String body = "{\"inputs\":\"a\",\"parameters\":{\"max_new_tokens\":2,\"grammar\":{\"type\":\"regex\",\"value\":\"(x?){" + repeat + "}\"}}}";
            answers.add(clients.submit(() -> post("/generate", body, false).statusCode()));
        }
        // a well-behaved client's own small grammar while the pool is busy: the feature's availability, not the CPU's
        Thread.sleep(1000);
        long small = System.nanoTime();
        int smallStatus = post("/generate", "{\"inputs\":\"ROMEO:\",\"parameters\":{\"max_new_tokens\":4,\"grammar\":{\"type\":\"regex\",\"value\":\"[a-z ]{1,"
                + (distinct ? 7 : 6) + "}\"}}}", false).statusCode();
        double smallMs = (System.nanoTime() - small) / 1e6;
        Map<Integer, Integer> codes = collect(answers);
        double seconds = (System.nanoTime() - start) / 1e9;
        clients.shutdown();
        // compiles whose clients gave up still run: the next attack must not measure this one's leftovers
        double poolFree = waitForGrammarPool(start, 120);
        // the same grammars again: refusals are remembered, so these should answer at once
        long again = System.nanoTime();
        int repeatStatus = post("/generate", "{\"inputs\":\"a\",\"parameters\":{\"max_new_tokens\":2,\"grammar\":{\"type\":\"regex\",\"value\":\"(x?){"
                + (distinct ? 400 : 460) + "}\"}}}", false).statusCode();
        return new Outcome(codes(codes) + String.format(Locale.ROOT, ", all answered within %.1f s", seconds),
                String.format(Locale.ROOT, "a small new grammar sent 1 s in: %d in %.0f ms; the compile pool took a small grammar again %.0f s after the attack began; "
                        + "the first grammar asked again after: %d in %.0f ms", smallStatus, smallMs, poolFree, repeatStatus, (System.nanoTime() - again) / 1e6));
    }

    /** Seconds from {@code start} until a new small grammar is compiled (200), trying again after each 429. */
    private double waitForGrammarPool(long start, int limitSeconds) throws Exception {
        for (int attempt = 0; System.nanoTime() - start < TimeUnit.SECONDS.toNanos(limitSeconds); attempt++) {
            // distinct each time ([a-b], [a-c], ...), so no answer comes from the cache
            String grammar = "[a-" + (char) ('b' + attempt % 24) + "]{1," + (2 + attempt / 24) + "}";
            int status;
            try {
                status = post("/generate", "{\"inputs\":\"ROMEO:\",\"parameters\":{\"max_new_tokens\":2,\"grammar\":{\"type\":\"regex\",\"value\":\""
                        + grammar + "\"}}}", false).statusCode();
            } catch (java.net.http.HttpTimeoutException queuedTooLong) {
                continue;
            }
            if (status == 200) {
                return (System.nanoTime() - start) / 1e9;
            }
            Thread.sleep(1000);
        }
        return Double.POSITIVE_INFINITY;
    }

    private Outcome abandonedCompletions() throws Exception {
        String body = "{\"prompt\":\"ROMEO:\",\"n\":8,\"max_tokens\":2048,\"temperature\":1.0}";
        ExecutorService clients = Executors.newFixedThreadPool(32);
        List<Future<Integer>> resets = new ArrayList<>();
        for (int i = 0; i < 128; i++) {
            resets.add(clients.submit(() -> {
                try (Socket socket = connect()) {
                    writeRequest(socket, "POST", "/v1/completions", body, null);
                    Thread.sleep(ThreadLocalRandom.current().nextInt(51));
                    socket.setSoLinger(true, 0); // close sends a RST: the client is gone, not finishing politely
                }
                return 0;
            }));
        }
        collect(resets);
        clients.shutdown();
        String gauges = gauges();
        double drainedSeconds = waitForIdleScheduler(60);
        return new Outcome("128 sent and reset (no answer read)",
                String.format(Locale.ROOT, "just after the last reset: %s; nothing decoding or waiting %.1f s later", gauges, drainedSeconds));
    }

    private Outcome cancelStorm() throws Exception {
        long logBefore = Files.size(serverLog);
        String body = "{\"inputs\":\"ROMEO:\",\"parameters\":{\"max_new_tokens\":2048,\"do_sample\":true}}";
        ExecutorService clients = Executors.newFixedThreadPool(64);
        List<Future<Integer>> answers = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            answers.add(clients.submit(() -> {
                try (Socket socket = connect()) {
                    writeRequest(socket, "POST", "/generate_stream", body, null);
                    String head = readUntil(socket, "data:", 30_000); // the first event, then gone
                    socket.setSoLinger(true, 0);
                    return statusOf(head);
                }
            }));
        }
        Map<Integer, Integer> codes = collect(answers);
        clients.shutdown();
        String gauges = gauges();
        double drained = waitForIdleScheduler(60);
        String log = Files.readString(serverLog).substring((int) Math.min(logBefore, Files.size(serverLog)));
        long exceptions = log.lines().filter(l -> l.contains("Exception")).count();
        long nonRecycled = log.lines().filter(l -> l.contains("non-recycled")).count();
        return new Outcome(codes(codes) + " (status of each stream before its reset)", String.format(Locale.ROOT,
                "just after: %s; nothing decoding or waiting %.1f s later; log lines naming an exception: %d, \"non-recycled\": %d", gauges,
                drained, exceptions, nonRecycled));
    }

    private Outcome templatePutsDiskGrowth() throws Exception {
        long bytesBefore = distinctBytes(storeRoot);
        int versionsBefore = versionCount();
        Map<Integer, Integer> codes = new TreeMap<>();
        for (int i = 0; i < 20; i++) {
            String template = "{%- for m in messages -%}{{ m.content }}\n\n{%- endfor -%}{# " + i + " #}";
            codes.merge(send("PUT", "/admin/models/" + currentVersion() + "/chat-template", "{\"template\":" + json(template) + "}", adminKey).statusCode(),
                    1, Integer::sum);
        }
        long bytesAfter = distinctBytes(storeRoot);
        return new Outcome(codes(codes), String.format(Locale.ROOT, "store directory %,d → %,d bytes (hard links counted once; %,d apparent), versions %d → %d",
                bytesBefore, bytesAfter, apparentBytes(storeRoot), versionsBefore, versionCount()));
    }

    private Outcome modelsHammer() throws Exception {
        return hammer("/models", versionCount() + " versions");
    }

    /** The same load on a route that does almost nothing: what 32 busy clients cost on 2 cores whatever they ask. */
    private Outcome healthHammer() throws Exception {
        return hammer("/health", "");
    }

    private Outcome hammer(String path, String note) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(32);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
        List<Future<Map<Integer, Integer>>> answers = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            answers.add(clients.submit(() -> {
                Map<Integer, Integer> codes = new TreeMap<>();
                while (System.nanoTime() < end) {
                    long t = System.nanoTime();
                    codes.merge(get(path).statusCode(), 1, Integer::sum);
                    latencies.add((System.nanoTime() - t) / 1e6);
                }
                return codes;
            }));
        }
        Map<Integer, Integer> codes = new TreeMap<>();
        for (Future<Map<Integer, Integer>> f : answers) {
            f.get().forEach((k, v) -> codes.merge(k, v, Integer::sum));
        }
        clients.shutdown();
        return new Outcome(codes(codes), "GET " + path + " under that load: " + latency(new ArrayList<>(latencies)) + " (median / p90)"
                + (note.isEmpty() ? "" : ", " + note));
    }

    private Outcome unknownFields() throws Exception {
        StringBuilder body = new StringBuilder("{\"inputs\":\"ROMEO:\",\"parameters\":{\"max_new_tokens\":8}");
        for (int i = 0; i < 1100; i++) {
            body.append(String.format(Locale.ROOT, ",\"f%04d\":0", i));
        }
        String json = body.append('}').toString();
        long logBefore = Files.size(serverLog);
        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            answers.add(clients.submit(() -> post("/generate", json, false)));
        }
        Map<Integer, Integer> codes = new TreeMap<>();
        String header = "(none)";
        for (Future<HttpResponse<String>> f : answers) {
            HttpResponse<String> r = f.get();
            codes.merge(r.statusCode(), 1, Integer::sum);
            header = r.headers().firstValue("X-Folio-Ignored-Fields").orElse("(none)");
        }
        clients.shutdown();
        return new Outcome(codes(codes) + String.format(Locale.ROOT, " (a %,d-byte body)", json.length()),
                String.format(Locale.ROOT, "X-Folio-Ignored-Fields is %d characters (`%s`); the server log grew %,d bytes", header.length(),
                        abbreviate(header, 60), Files.size(serverLog) - logBefore));
    }

    private Outcome scoring() throws Exception {
        String hugePrompt = "ROMEO: But soft, what light through yonder window breaks? ".repeat(4500).substring(0, 254_000);
        long t = System.nanoTime();
        HttpResponse<String> echo = post("/v1/completions", "{\"prompt\":\"" + hugePrompt + "\",\"echo\":true,\"logprobs\":5,\"max_tokens\":0}", false);
        double echoMs = (System.nanoTime() - t) / 1e6;
        String sixteenK = hugePrompt.substring(0, 16_000);
        t = System.nanoTime();
        HttpResponse<String> logits = post("/logits", "{\"inputs\":\"" + sixteenK + "\",\"positions\":\"all\",\"top_n\":10}", false);
        double logitsMs = (System.nanoTime() - t) / 1e6;
        // the largest answer the default bound allows: 4,000 positions × 10 alternatives is about 3.7 MiB of 4 MiB
        String legal = "{\"inputs\":\"" + hugePrompt.substring(0, 4000) + "\",\"positions\":\"all\",\"top_n\":10}";
        ExecutorService clients = Executors.newFixedThreadPool(2);
        List<Future<String>> large = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            large.add(clients.submit(() -> {
                long s = System.nanoTime();
                HttpResponse<String> r = post("/logits", legal, false);
                return String.format(Locale.ROOT, "%d (%,d bytes in %.1f s)", r.statusCode(), r.body().length(), (System.nanoTime() - s) / 1e9);
            }));
        }
        List<String> largeAnswers = new ArrayList<>();
        for (Future<String> f : large) {
            largeAnswers.add(f.get());
        }
        clients.shutdown();
        System.out.printf("  echo: %s%n  /logits 16 KB: %s%n", abbreviate(echo.body(), 200), abbreviate(logits.body(), 200));
        return new Outcome(String.format(Locale.ROOT, "254 KB echo: %d in %.0f ms (%,d bytes); 16 KB /logits all×10: %d in %.0f ms (%,d bytes); "
                        + "two legal 4,000-character /logits all×10: %s", echo.statusCode(), echoMs, echo.body().length(), logits.statusCode(), logitsMs,
                logits.body().length(), String.join(", ", largeAnswers)), "");
    }

    /**
     * Trickling clients send a valid body a byte at a time; each holds a Tomcat worker (blocked in the JSON read) for as
     * long as it trickles. A stalling client sends part of a body and then nothing: how long until Tomcat lets go.
     */
    private Outcome slowBodies() throws Exception {
        String body = "{\"inputs\":\"ROMEO:\",\"parameters\":{\"max_new_tokens\":1}}";
        long pauseMs = 20_000 / body.length();
        ExecutorService clients = Executors.newFixedThreadPool(17);
        List<Future<String>> trickles = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            trickles.add(clients.submit(() -> {
                try (Socket socket = connect()) {
                    long start = System.nanoTime();
                    OutputStream out = socket.getOutputStream();
                    out.write(("POST /generate HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\nContent-Length: "
                            + body.getBytes(StandardCharsets.UTF_8).length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    for (byte b : body.getBytes(StandardCharsets.UTF_8)) {
                        out.write(b);
                        out.flush();
                        Thread.sleep(pauseMs);
                    }
                    int status = statusOf(readUntil(socket, "\r\n", 30_000));
                    return String.format(Locale.ROOT, "%d after %.1f s", status, (System.nanoTime() - start) / 1e9);
                }
            }));
        }
        Future<String> stall = clients.submit(() -> {
            try (Socket socket = connect()) {
                long start = System.nanoTime();
                OutputStream out = socket.getOutputStream();
                out.write(("POST /generate HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.length() + "\r\nConnection: close\r\n\r\n" + body.substring(0, 10)).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String head = readUntil(socket, "\r\n", 90_000);
                double seconds = (System.nanoTime() - start) / 1e9;
                return head.isEmpty() ? String.format(Locale.ROOT, "still held after %.0f s (the suite gave up)", seconds)
                        : String.format(Locale.ROOT, "answered %s / closed after %.1f s", head.isBlank() ? "nothing" : String.valueOf(statusOf(head)), seconds);
            }
        });
        Map<String, Integer> trickled = new TreeMap<>();
        List<Double> held = new ArrayList<>();
        for (Future<String> f : trickles) {
            String answer = f.get();
            trickled.merge(answer.substring(0, 3), 1, Integer::sum);
            held.add(Double.parseDouble(answer.replaceAll(".* after ([0-9.]+) s", "$1")));
        }
        String stalled = stall.get();
        clients.shutdown();
        Collections.sort(held);
        return new Outcome(String.format(Locale.ROOT, "16 trickling: %s, each worker held %.1f–%.1f s (the whole trickle); the stalled one %s",
                trickled, held.get(0), held.get(held.size() - 1), stalled), "per-client rate and connection limits belong in front of the service");
    }

    // ---- helpers ----

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(READ_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body, boolean admin) throws IOException, InterruptedException {
        return send("POST", path, body, admin ? adminKey : null);
    }

    private HttpResponse<String> send(String method, String path, String body, String key) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(READ_TIMEOUT).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), 5000);
        return socket;
    }

    private void writeRequest(Socket socket, String method, String path, String body, String key) throws IOException {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n");
        if (key != null) {
            head.append("Authorization: Bearer ").append(key).append("\r\n");
        }
        if (body != null) {
            head.append("Content-Type: application/json\r\nContent-Length: ").append(bytes.length).append("\r\n");
        }
        OutputStream out = socket.getOutputStream();
        out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
    }

    /** The request as written, byte for byte (no client normalises the path), and the status line's code. */
    private String raw(String method, String path, String body, String key) throws IOException {
        try (Socket socket = connect()) {
            writeRequest(socket, method, path, body, key);
            String head = readUntil(socket, "\r\n", 10_000);
            return head.isEmpty() ? "no answer" : String.valueOf(statusOf(head));
        }
    }

    /** Reads until the marker is seen, the peer closes or resets, or the time is up; what was read ("" if nothing). */
    private static String readUntil(Socket socket, String marker, int timeoutMs) throws IOException {
        StringBuilder read = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        while (read.indexOf(marker) < 0) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                break;
            }
            socket.setSoTimeout((int) left);
            int n;
            try {
                n = in.read(buffer);
            } catch (SocketTimeoutException | java.net.SocketException closedOrSilent) {
                break;
            }
            if (n < 0) {
                break;
            }
            read.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
        }
        return read.toString();
    }

    private static int statusOf(String head) {
        Matcher m = Pattern.compile("^HTTP/1\\.[01] (\\d{3})").matcher(head);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private String currentVersion() throws Exception {
        Matcher m = Pattern.compile("\"current\"\\s*:\\s*\"([^\"]+)\"").matcher(get("/models").body());
        if (!m.find()) {
            throw new IllegalStateException("GET /models names no current version");
        }
        return m.group(1);
    }

    private int versionCount() throws Exception {
        Matcher m = Pattern.compile("\"version\"\\s*:").matcher(get("/models").body());
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private String gauges() throws Exception {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : get("/actuator/prometheus").body().lines().toList()) {
            for (String name : List.of("folio_generations_in_flight", "folio_scheduler_running", "folio_scheduler_waiting")) {
                if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                    values.merge(name.replace("folio_", ""), line.substring(line.lastIndexOf(' ') + 1).replace(".0", ""), (a, b) -> a + "+" + b);
                }
            }
        }
        return values.toString();
    }

    /** Seconds until nothing is decoding or waiting (or the limit). */
    private double waitForIdleScheduler(int limitSeconds) throws Exception {
        long t = System.nanoTime();
        while (System.nanoTime() - t < TimeUnit.SECONDS.toNanos(limitSeconds)) {
            String g = gauges();
            if (g.contains("scheduler_running=0") && g.contains("scheduler_waiting=0") && g.contains("generations_in_flight=0")) {
                return (System.nanoTime() - t) / 1e9;
            }
            Thread.sleep(100);
        }
        return Double.POSITIVE_INFINITY;
    }

    private static long distinctBytes(Path root) throws IOException {
        Set<Object> inodes = new HashSet<>();
        long bytes = 0;
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                if (inodes.add(Files.getAttribute(file, "unix:ino"))) {
                    bytes += Files.size(file);
                }
            }
        }
        return bytes;
    }

    private static long apparentBytes(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            long bytes = 0;
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                bytes += Files.size(file);
            }
            return bytes;
        }
    }

    private static <T> Map<T, Integer> collect(List<Future<T>> futures) throws Exception {
        Map<T, Integer> counts = new TreeMap<>();
        for (Future<T> f : futures) {
            T value;
            try {
                value = f.get(120, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                @SuppressWarnings("unchecked")
                T failed = (T) (Object) (-1);
                value = failed;
                System.out.println("  a client failed: " + e.getCause());
            }
            counts.merge(value, 1, Integer::sum);
        }
        return counts;
    }

    private static String codes(Map<?, Integer> codes) {
        List<String> parts = new ArrayList<>();
        codes.forEach((code, n) -> parts.add(n + "× " + (Integer.valueOf(-1).equals(code) ? "no answer within 60 s" : code)));
        return String.join(", ", parts);
    }

    private static String latency(List<Double> ms) {
        if (ms.isEmpty()) {
            return "–";
        }
        List<Double> sorted = new ArrayList<>(ms);
        Collections.sort(sorted);
        return String.format(Locale.ROOT, "%.0f / %.0f ms (n=%d)", sorted.get(sorted.size() / 2),
                sorted.get((int) Math.min(sorted.size() - 1, Math.round(0.9 * (sorted.size() - 1)))), sorted.size());
    }

    private static String json(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(c < 0x20 ? String.format(Locale.ROOT, "\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return out.append('"').toString();
    }

    private static String abbreviate(String text, int max) {
        String oneLine = text.replace('\n', ' ');
        return oneLine.length() <= max ? oneLine : oneLine.substring(0, max) + "…";
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Collections.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
