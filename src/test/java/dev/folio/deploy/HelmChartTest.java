package dev.folio.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.folio.store.ModelStore;
import dev.folio.store.TestModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.yaml.snakeyaml.Yaml;

/**
 * The Helm chart through real Helm (helm-java): lint --strict, render with default and production-like
 * values, and check what matters in the manifests; the probes are called on the real application.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class HelmChartTest {

    private static final Path CHART = Path.of("helm/folio");
    private static final Path PRODUCTION = Path.of("src/test/resources/helm/production-values.yaml");

    @DynamicPropertySource
    static void store(DynamicPropertyRegistry registry) throws Exception {
        Path root = Files.createTempDirectory("folio-helm-test");
        TestModels.publish(new ModelStore(root), 23);
        registry.add("folio.store.path", root::toString);
        registry.add("folio.store.model", () -> TestModels.NAME);
    }

    @LocalServerPort
    int port;

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> render(Path valuesFile) {
        var template = new Helm(CHART).template().withName("folio").withNamespace("serving");
        if (valuesFile != null) {
            template = template.withValuesFile(valuesFile);
        }
        List<Map<String, Object>> manifests = new ArrayList<>();
        for (Object document : new Yaml().loadAll(template.call())) {
            if (document != null) {
                manifests.add((Map<String, Object>) document);
            }
        }
        return manifests;
    }

    private static Map<String, Object> kind(List<Map<String, Object>> manifests, String kind) {
        return manifests.stream().filter(m -> kind.equals(m.get("kind"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " rendered"));
    }

    private static boolean has(List<Map<String, Object>> manifests, String kind) {
        return manifests.stream().anyMatch(m -> kind.equals(m.get("kind")));
    }

    /** Walks maps and lists: path("spec", "template", "spec", "containers", 0). */
    @SuppressWarnings("unchecked")
    private static <T> T at(Object node, Object... path) {
        Object current = node;
        for (Object step : path) {
            current = step instanceof Integer i ? ((List<Object>) current).get(i) : ((Map<String, Object>) current).get(step);
            Objects.requireNonNull(current, () -> "nothing at " + List.of(path));
        }
        return (T) current;
    }

    @Test
    void lintStrictPasses() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    }

    @Test
    void defaultValuesRenderASecureDeploymentWhoseProbesTheApplicationAnswers() throws Exception {
        List<Map<String, Object>> manifests = render(null);
        Map<String, Object> deployment = kind(manifests, "Deployment");
        Map<String, Object> container = at(deployment, "spec", "template", "spec", "containers", 0);

        Map<String, Object> security = at(container, "securityContext");
        assertThat(security).containsEntry("readOnlyRootFilesystem", true).containsEntry("allowPrivilegeEscalation", false);
        assertThat(at(security, "capabilities", "drop").toString()).contains("ALL");
        assertThat(at(deployment, "spec", "template", "spec", "securityContext", "runAsNonRoot").toString()).isEqualTo("true");
        assertThat(at(container, "resources", "requests", "memory").toString()).isNotEmpty();
        assertThat(at(container, "volumeMounts").toString()).contains("mountPath=/tmp");

        // the container port is the application's port, and the Service targets it by name
        Map<String, Object> httpPort = at(container, "ports", 0);
        assertThat(httpPort).containsEntry("containerPort", 8080).containsEntry("name", "http");
        assertThat(Files.readString(Path.of("src/main/resources/application.yaml"))).contains("port: 8080");
        assertThat(at(kind(manifests, "Service"), "spec", "ports", 0, "targetPort").toString()).isEqualTo("http");

        // every probe path answers 200 on the running application
        HttpClient http = HttpClient.newHttpClient();
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            String path = at(container, probe, "httpGet", "path");
            assertThat(at(container, probe, "httpGet", "port").toString()).isEqualTo("http");
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(probe + " " + path).isEqualTo(200);
        }

        // one replica: a ReadWriteOnce claim, no HPA, no PDB, no CronJob, no Secret
        assertThat(at(kind(manifests, "PersistentVolumeClaim"), "spec", "accessModes").toString()).contains("ReadWriteOnce");
        assertThat(has(manifests, "HorizontalPodAutoscaler") || has(manifests, "PodDisruptionBudget")
                || has(manifests, "CronJob") || has(manifests, "Secret")).isFalse();
        assertThat(at(kind(manifests, "ConfigMap"), "data", "application.yaml").toString()).contains("path: /data/model-store");
    }

    @Test
    void productionValuesRenderTrainingAutoscalingAndSecretsThatFitTogether() {
        List<Map<String, Object>> manifests = render(PRODUCTION);
        Map<String, Object> deployment = kind(manifests, "Deployment");
        Map<String, Object> serving = at(deployment, "spec", "template", "spec", "containers", 0);
        Map<String, Object> cronJob = kind(manifests, "CronJob");
        Map<String, Object> training = at(cronJob, "spec", "jobTemplate", "spec", "template", "spec", "containers", 0);

        assertThat(at(cronJob, "spec", "concurrencyPolicy").toString()).isEqualTo("Forbid");
        assertThat(training.get("image")).isEqualTo(serving.get("image")).isEqualTo("registry.example.com/folio:0.1.0");
        String claim = at(deployment, "spec", "template", "spec", "volumes", 2, "persistentVolumeClaim", "claimName");
        String trainingClaim = at(cronJob, "spec", "jobTemplate", "spec", "template", "spec", "volumes", 1, "persistentVolumeClaim", "claimName");
        assertThat(trainingClaim).isEqualTo(claim);
        assertThat(at(kind(manifests, "PersistentVolumeClaim"), "metadata", "name").toString()).isEqualTo(claim);
        assertThat(at(kind(manifests, "PersistentVolumeClaim"), "spec", "accessModes").toString()).contains("ReadWriteMany");
        List<String> args = at(training, "args");
        assertThat(args.get(0)).isEqualTo("train");
        assertThat(args.get(args.indexOf("--store") + 1)).isEqualTo(env(serving, "FOLIO_STORE_PATH")).isEqualTo(env(training, "FOLIO_STORE_PATH"));
        assertThat(at(training, "resources", "requests", "cpu").toString()).isEqualTo("2");
        assertThat(at(training, "securityContext", "readOnlyRootFilesystem").toString()).isEqualTo("true");

        Map<String, Object> hpa = kind(manifests, "HorizontalPodAutoscaler");
        assertThat(at(hpa, "spec", "scaleTargetRef", "kind").toString()).isEqualTo("Deployment");
        assertThat(at(hpa, "spec", "scaleTargetRef", "name").toString()).isEqualTo(at(deployment, "metadata", "name"));
        assertThat(at(deployment, "spec").toString()).doesNotContain("replicas=");
        assertThat(has(manifests, "PodDisruptionBudget")).isTrue();
        assertThat(has(manifests, "ServiceMonitor")).isTrue();
        assertThat(has(manifests, "Ingress")).isTrue();

        // keys come from the named Secret by reference; nothing secret is inlined
        assertThat(has(manifests, "Secret")).as("an existing secret is used, not created").isFalse();
        List<Map<String, Object>> env = at(serving, "env");
        Map<String, Object> apiKey = env.stream().filter(e -> "FOLIO_API_KEY".equals(e.get("name"))).findFirst().orElseThrow();
        assertThat(apiKey).doesNotContainKey("value");
        assertThat(at(apiKey, "valueFrom", "secretKeyRef", "name").toString()).isEqualTo("folio-keys");
    }

    @Test
    void keysGivenAsValuesGoIntoASecretThePodsReference() {
        var manifests = new ArrayList<Map<String, Object>>();
        for (Object document : new Yaml().loadAll(new Helm(CHART).template().withName("folio").set("secrets.apiKey", "k1").call())) {
            if (document != null) {
                @SuppressWarnings("unchecked") Map<String, Object> manifest = (Map<String, Object>) document;
                manifests.add(manifest);
            }
        }
        Map<String, Object> secret = kind(manifests, "Secret");
        Map<String, Object> serving = at(kind(manifests, "Deployment"), "spec", "template", "spec", "containers", 0);
        assertThat(at(serving, "env").toString()).doesNotContain("k1");
        assertThat(at(secret, "metadata", "name").toString()).isEqualTo("folio-keys");
    }

    @Test
    void aValuesFileWithAWrongTypeIsRejectedByTheSchema() {
        assertThatThrownBy(() -> render(Path.of("src/test/resources/helm/wrong-type-values.yaml")))
                .hasMessageContaining("replicaCount");
    }

    private static String env(Map<String, Object> container, String name) {
        List<Map<String, Object>> env = at(container, "env");
        return env.stream().filter(e -> name.equals(e.get("name"))).map(e -> String.valueOf(e.get("value"))).findFirst().orElseThrow();
    }
}
