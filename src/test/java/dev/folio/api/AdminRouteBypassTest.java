package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.store.AdjustableClock;
import dev.folio.store.Checksums;
import dev.folio.store.ModelMetadata;
import dev.folio.store.TestModels;
import dev.folio.training.TrainingRunTest;
import dev.folio.store.TestStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The admin routes cannot be reached around their key: every spelling of a path that a decoder, a normaliser or the
 * dispatcher might read as an admin route is refused (400 by the firewall or Tomcat, 401 by the matched-route rules,
 * 404 where no route matches) and nothing in the store changes. Requests go out over a raw socket, as written.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"folio.admin.key=adm1n", "folio.api.key=s3cret", "folio.store.watch-interval=200ms", "folio.training.max-steps=2"})
class AdminRouteBypassTest {

    private static final Map<String, String> NO_KEY = Map.of();
    private static final Map<String, String> ADMIN_KEY = Map.of("Authorization", "Bearer adm1n");
    private static final Map<String, String> API_KEY = Map.of("Authorization", "Bearer s3cret");
    private static final String TEMPLATE_BODY = "{\"template\":\"{% for m in messages %}{{ m.content }}{% endfor %}\"}";

    private static Path root;
    private static ModelMetadata previous;
    private static ModelMetadata current;

    @DynamicPropertySource
    static void store(DynamicPropertyRegistry registry) throws Exception {
        AdjustableClock clock = new AdjustableClock();
        TestStore test = TestStore.create("bypass-test", clock);
        root = test.dir();
        previous = test.publish(51);
        clock.advance(Duration.ofSeconds(1)); // version ids are per second
        current = test.publish(52);
        Path corpus = Files.writeString(root.resolve("corpus.txt"), TrainingRunTest.grammarCorpus(300, 3));
        ApiTestSupport.serve(registry, test);
        registry.add("folio.training.corpus", corpus::toString); // a run that got through would really start
    }

    /** An admin route as a client would call it, and the state it would change. */
    private record Route(String method, String path, String contentType, String body) {}

    private static List<Route> adminRoutes() {
        return List.of(
                new Route("GET", "/admin/corpora", null, null),
                new Route("GET", "/admin/training/runs", null, null),
                new Route("GET", "/admin/models/" + TestModels.NAME + "/versions/" + current.version() + "/export", null, null),
                new Route("POST", "/admin/training/runs", "application/json", "{\"max_steps\":1}"),
                new Route("PUT", "/admin/models/" + current.version() + "/chat-template", "application/json", TEMPLATE_BODY),
                new Route("PUT", "/admin/corpora/sneaked.txt", "text/plain", "the cat sat.\n"),
                new Route("POST", "/admin/models/rollback", "application/json", ""));
    }

    /** Who refuses a spelling, and so with what. */
    private enum RefusedBy {
        /** Spring Security's strict firewall, before any route is matched: 400 in the API's problem+json. */
        FIREWALL(400),
        /** Tomcat itself (an encoded slash, backslash or NUL), before the application sees it: 400, Tomcat's page. */
        TOMCAT(400),
        /** The matched-route rule: the path is an admin route and no admin key came: 401 problem+json. */
        KEY(401),
        /** No route matches (Spring MVC matches case-sensitively): 404; a POST needs the API key before that: 401. */
        NO_ROUTE(404);

        final int status;

        RefusedBy(int status) {
            this.status = status;
        }
    }

    /** A spelling of an admin path and who refuses it. */
    private record Spelling(String name, String target, RefusedBy refusedBy) {}

    /** Every way around a prefix check we know of; {@code path} starts with {@code /admin/}. */
    private static List<Spelling> spellings(String path) {
        String rest = path.substring("/admin".length()); // "/corpora", ...
        return List.of(
                new Spelling("path parameter on the first segment", "/admin;x" + rest, RefusedBy.FIREWALL),
                new Spelling("path parameter on the last segment", path + ";jsessionid=1", RefusedBy.FIREWALL),
                new Spelling("percent-encoded letter", "/%61dmin" + rest, RefusedBy.KEY),
                new Spelling("double-encoded letter", "/%2561dmin" + rest, RefusedBy.FIREWALL),
                new Spelling("encoded slash", "/admin%2F" + rest.substring(1), RefusedBy.TOMCAT),
                new Spelling("encoded slash, lower case", "/admin%2f" + rest.substring(1), RefusedBy.TOMCAT),
                new Spelling("encoded backslash", "/admin%5C" + rest.substring(1), RefusedBy.TOMCAT),
                new Spelling("encoded NUL", "/admin%00" + rest, RefusedBy.TOMCAT),
                new Spelling("double slash", "/" + path, RefusedBy.FIREWALL),
                new Spelling("dot segment", "/." + path, RefusedBy.FIREWALL),
                new Spelling("dot-dot back into admin", "/admin/.." + path, RefusedBy.FIREWALL),
                new Spelling("dot-dot from elsewhere", "/x/.." + path, RefusedBy.FIREWALL),
                new Spelling("encoded dot-dot", "/x/%2e%2e" + path, RefusedBy.FIREWALL),
                new Spelling("encoded dot", "/%2e" + path, RefusedBy.FIREWALL),
                new Spelling("upper case", "/ADMIN" + rest, RefusedBy.NO_ROUTE),
                new Spelling("mixed case", "/Admin" + rest, RefusedBy.NO_ROUTE),
                new Spelling("trailing slash", path + "/", RefusedBy.KEY),
                new Spelling("model outside the store", path + "?model=/etc", RefusedBy.KEY),
                new Spelling("model climbing out", path + "?model=..%2F..%2Fetc", RefusedBy.KEY));
    }

    @LocalServerPort
    int port;

    @Autowired
    ApplicationContext context;

    private final JsonMapper json = JsonMapper.builder().build();
    private Map<String, String> before;

    @BeforeEach
    void snapshot() {
        before = storeContents();
    }

    private RawHttp.Response send(Route route, String target, Map<String, String> keys) throws IOException {
        Map<String, String> headers = new TreeMap<>(keys);
        if (route.contentType() != null) {
            headers.put("Content-Type", route.contentType());
        }
        return new RawHttp(port).send(route.method(), target, headers, route.body());
    }

    @Test
    void noSpellingOfAnAdminPathGetsPastTheKey() throws Exception {
        int tried = 0;
        for (Route route : adminRoutes()) {
            for (Spelling spelling : spellings(route.path())) {
                RawHttp.Response response = send(route, spelling.target(), NO_KEY);
                String what = route.method() + " " + spelling.target() + " (" + spelling.name() + "): " + response.body();
                int expected = spelling.refusedBy() == RefusedBy.NO_ROUTE && route.method().equals("POST") ? 401 : spelling.refusedBy().status;
                assertThat(response.status()).as(what).isEqualTo(expected);
                if (expected == 401) {
                    assertThat(response.header("WWW-Authenticate")).as(what).isEqualTo("Bearer");
                    assertProblem(response, 401, "authentication");
                } else if (spelling.refusedBy() == RefusedBy.FIREWALL) {
                    assertProblem(response, 400, "validation");
                }
                tried++;
            }
        }
        assertThat(tried).isEqualTo(adminRoutes().size() * spellings("/admin/x").size());
        assertThat(storeContents()).as("no run, version, pointer or corpus written").isEqualTo(before);
    }

    @Test
    void theFirewallsRefusalIsProblemJsonInTheApisShape() throws Exception {
        RawHttp.Response refused = new RawHttp(port).send("GET", "/admin;x/corpora", NO_KEY, null);
        assertProblem(refused, 400, "validation");
        JsonNode problem = json.readTree(refused.body());
        assertThat(problem.get("title").asString()).isEqualTo("Bad Request");
        assertThat(problem.get("detail").asString()).startsWith("the request was refused before routing");
        // the same refusal for a path that is not an admin one: the firewall runs before any route is matched
        assertProblem(new RawHttp(port).send("GET", "/health;x", NO_KEY, null), 400, "validation");
    }

    @Test
    void withTheAdminKeyOnlyTheRealPathReachesAController() throws Exception {
        Route corpora = adminRoutes().get(0);
        assertThat(send(corpora, "/admin/corpora", ADMIN_KEY).status()).isEqualTo(200);
        assertThat(send(corpora, "/%61dmin/corpora", ADMIN_KEY).status()).as("the same route, decoded").isEqualTo(200);
        for (String target : List.of("/ADMIN/corpora", "/Admin/corpora", "/admin/corpora/", "/admin;x/corpora", "//admin/corpora")) {
            RawHttp.Response response = send(corpora, target, ADMIN_KEY);
            assertThat(response.status()).as(target + ": " + response.body()).isIn(400, 404);
        }
        for (Route route : adminRoutes()) {
            for (String target : List.of(route.path().toUpperCase(), route.path() + "/")) {
                RawHttp.Response response = send(route, target, ADMIN_KEY);
                assertThat(response.status()).as(route.method() + " " + target + ": " + response.body()).isEqualTo(404);
            }
        }
        assertThat(storeContents()).isEqualTo(before);
    }

    @Test
    void anAdminRouteNeverStandsInTheServedModelForAnotherName() throws Exception {
        String chatTemplate = "/admin/models/" + current.version() + "/chat-template";
        Route put = new Route("PUT", chatTemplate, "application/json", TEMPLATE_BODY);
        Route rollback = new Route("POST", "/admin/models/rollback", "application/json", "");
        Route promote = new Route("POST", "/admin/models/" + previous.version() + "/promote", "application/json", "");
        Route delete = new Route("DELETE", "/admin/models/" + previous.version(), null, null);
        Route runs = new Route("GET", "/admin/training/runs", null, null);
        for (Route route : List.of(put, rollback, promote, delete, runs)) {
            for (String model : List.of("/etc", "..%2Fetc", "tiny-char%2F..", "TINY-CHAR", "tiny-char:" + current.version(), "%2e%2e")) {
                RawHttp.Response response = send(route, route.path() + "?model=" + model, ADMIN_KEY);
                assertThat(response.status()).as(route.method() + " ?model=" + model + ": " + response.body()).isIn(400, 422);
                assertThat(response.header("Content-Type")).startsWith("application/problem+json");
            }
            if (route != runs) { // a training run may name a model the store does not have yet
                RawHttp.Response unknown = send(route, route.path() + "?model=other-char", ADMIN_KEY);
                assertThat(unknown.status()).as(route.method() + " ?model=other-char: " + unknown.body()).isEqualTo(404);
                assertProblem(unknown, 404, "validation");
            }
        }
        assertThat(storeContents()).as("nothing published, promoted, rolled back or deleted").isEqualTo(before);
        // the served model by its own name still works
        RawHttp.Response listed = send(runs, "/admin/training/runs?model=" + TestModels.NAME, ADMIN_KEY);
        assertThat(listed.status()).isEqualTo(200);
        assertThat(json.readTree(listed.body()).get("model").asString()).isEqualTo(TestModels.NAME);
    }

    @Test
    void theApiKeyOpensInferenceButNeverAdmin() throws Exception {
        RawHttp http = new RawHttp(port);
        Map<String, String> jsonBody = Map.of("Content-Type", "application/json");
        String tokenize = "{\"inputs\":\"ab\"}";
        assertThat(http.send("POST", "/tokenize", jsonBody, tokenize).status()).isEqualTo(401);
        assertThat(http.send("POST", "/tokenize", merge(jsonBody, API_KEY), tokenize).status()).isEqualTo(200);
        assertThat(http.send("POST", "/tokenize", merge(jsonBody, Map.of("Authorization", "bearer s3cret")), tokenize).status())
                .as("the scheme is case-insensitive").isEqualTo(200);
        assertThat(http.send("POST", "/tokenize", merge(jsonBody, ADMIN_KEY), tokenize).status()).as("the operator's key too").isEqualTo(200);
        assertThat(http.send("POST", "/tokenize", merge(jsonBody, Map.of("Authorization", "Bearer s3cret-not")), tokenize).status()).isEqualTo(401);
        assertThat(http.send("GET", "/v1/models", NO_KEY, null).status()).isEqualTo(401);
        assertThat(http.send("GET", "/v1/models", API_KEY, null).status()).isEqualTo(200);
        RawHttp.Response apiKeyOnAdmin = http.send("GET", "/admin/corpora", API_KEY, null);
        assertThat(apiKeyOnAdmin.status()).isEqualTo(401);
        assertThat(apiKeyOnAdmin.body()).contains("admin key");
        assertThat(http.send("GET", "/health", Map.of("Authorization", "Bearer wrong"), null).status()).as("open routes stay open").isEqualTo(200);
        assertThat(http.send("GET", "/info", NO_KEY, null).status()).isEqualTo(200);
        assertThat(http.send("GET", "/", NO_KEY, null).status()).as("the playground").isEqualTo(200);
        assertThat(http.send("POST", "/logout", NO_KEY, "").status()).as("no login or logout machinery").isEqualTo(401);
        assertThat(http.send("GET", "/login", NO_KEY, null).status()).isEqualTo(404);
    }

    @Test
    void thereIsNoUserStoreAndSoNoGeneratedPassword() {
        assertThat(context.getBeanNamesForType(UserDetailsService.class)).isEmpty();
    }

    private void assertProblem(RawHttp.Response response, int status, String errorType) {
        assertThat(response.status()).isEqualTo(status);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        JsonNode problem = json.readTree(response.body());
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("detail").asString()).isNotBlank();
        assertThat(problem.get("error").asString()).isEqualTo(problem.get("detail").asString());
        assertThat(problem.get("error_type").asString()).isEqualTo(errorType);
    }

    private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        Map<String, String> merged = new TreeMap<>(a);
        merged.putAll(b);
        return merged;
    }

    /** Every file under the store and the corpus directory, by relative path, with its checksum. */
    private static Map<String, String> storeContents() {
        Map<String, String> contents = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                contents.put(root.relativize(file).toString(), Checksums.sha256(Files.readAllBytes(file)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return contents;
    }
}
