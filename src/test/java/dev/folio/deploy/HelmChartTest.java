package dev.folio.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import dev.folio.store.ModelStore;
import dev.folio.store.TestModels;
import dev.folio.store.VersionId;
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
import java.util.function.UnaryOperator;
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

    private static List<Map<String, Object>> render(Path valuesFile) {
        return render(template -> valuesFile == null ? template : template.withValuesFile(valuesFile));
    }

    /** Renders with values given as YAML text (written to a temporary values file). */
    private static List<Map<String, Object>> render(String valuesYaml) throws Exception {
        Path file = Files.createTempFile("folio-values", ".yaml");
        try {
            Files.writeString(file, valuesYaml);
            return render(file);
        } finally {
            Files.delete(file);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> render(UnaryOperator<TemplateCommand> values) {
        TemplateCommand template = values.apply(new Helm(CHART).template().withName("folio").withNamespace("serving"));
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

    private static List<Map<String, Object>> all(List<Map<String, Object>> manifests, String kind) {
        return manifests.stream().filter(m -> kind.equals(m.get("kind"))).toList();
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
        List<Map<String, Object>> manifests = render((Path) null);
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

        // the default model by name; every model in the store served (no list)
        assertThat(env(container, "FOLIO_STORE_MODEL")).isEqualTo("shakespeare-char");
        assertThat(envNames(container)).doesNotContain("FOLIO_STORE_MODELS");
    }

    @Test
    void productionValuesRenderTrainingAutoscalingAndSecretsThatFitTogether() {
        List<Map<String, Object>> manifests = render(PRODUCTION);
        Map<String, Object> deployment = kind(manifests, "Deployment");
        Map<String, Object> serving = at(deployment, "spec", "template", "spec", "containers", 0);
        String claim = at(deployment, "spec", "template", "spec", "volumes", 2, "persistentVolumeClaim", "claimName");
        assertThat(at(kind(manifests, "PersistentVolumeClaim"), "metadata", "name").toString()).isEqualTo(claim);
        assertThat(at(kind(manifests, "PersistentVolumeClaim"), "spec", "accessModes").toString()).contains("ReadWriteMany");

        // two models served, the default named
        assertThat(env(serving, "FOLIO_STORE_MODEL")).isEqualTo("shakespeare-char");
        assertThat(env(serving, "FOLIO_STORE_MODELS")).isEqualTo("shakespeare-char,sonnets-char");

        // one CronJob per training job, each training its model on its corpus and schedule, on the serving pods' volume
        List<Map<String, Object>> cronJobs = all(manifests, "CronJob");
        assertThat(cronJobs).extracting(c -> at(c, "metadata", "name"))
                .containsExactly("folio-train-shakespeare-char", "folio-train-sonnets-char");
        for (Map<String, Object> cronJob : cronJobs) {
            Map<String, Object> pod = at(cronJob, "spec", "jobTemplate", "spec", "template");
            Map<String, Object> training = at(pod, "spec", "containers", 0);
            assertThat(at(cronJob, "spec", "concurrencyPolicy").toString()).isEqualTo("Forbid");
            assertThat(training.get("image")).isEqualTo(serving.get("image")).isEqualTo("registry.example.com/folio:0.1.0");
            assertThat(at(pod, "spec", "volumes", 1, "persistentVolumeClaim", "claimName").toString()).isEqualTo(claim);
            List<String> args = at(training, "args");
            assertThat(args.get(0)).isEqualTo("train");
            assertThat(args.get(args.indexOf("--store") + 1)).isEqualTo(env(serving, "FOLIO_STORE_PATH")).isEqualTo(env(training, "FOLIO_STORE_PATH"));
            assertThat(at(training, "resources", "requests", "cpu").toString()).isEqualTo("2");
            // the training JVM runs the client compiler only; the server keeps C2
            assertThat(env(training, "JAVA_TOOL_OPTIONS")).contains("-XX:TieredStopAtLevel=1", "-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true");
            assertThat(env(serving, "JAVA_TOOL_OPTIONS")).doesNotContain("TieredStopAtLevel").contains("-Dai.djl.offline=true");
            assertThat(envNames(training)).doesNotHaveDuplicates();
            assertThat(at(training, "securityContext", "readOnlyRootFilesystem").toString()).isEqualTo("true");
            // training pods are not serving pods: neither the Service, nor the Deployment's selector (HPA, PDB) takes them
            Map<String, Object> podLabels = at(pod, "metadata", "labels");
            assertThat(selects(at(kind(manifests, "Service"), "spec", "selector"), podLabels)).isFalse();
            assertThat(selects(at(deployment, "spec", "selector", "matchLabels"), podLabels)).isFalse();
            assertThat(selects(at(deployment, "spec", "selector", "matchLabels"), at(deployment, "spec", "template", "metadata", "labels"))).isTrue();
        }
        Map<String, Object> shakespeare = cronJobs.get(0);
        List<String> shakespeareArgs = at(shakespeare, "spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "args");
        assertThat(at(shakespeare, "spec", "schedule").toString()).isEqualTo("30 2 * * *");
        assertThat(shakespeareArgs).containsSequence("--model", "shakespeare-char").containsSequence("--corpus", "/data/corpus/tinyshakespeare.txt")
                .containsSequence("--fine-tune", "--max-steps", "500", "--max-minutes", "55", "--lr", "3e-4");
        Map<String, Object> sonnets = cronJobs.get(1);
        List<String> sonnetsArgs = at(sonnets, "spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "args");
        assertThat(at(sonnets, "spec", "schedule").toString()).isEqualTo("30 4 * * 0");
        assertThat(at(sonnets, "spec", "jobTemplate", "spec", "activeDeadlineSeconds").toString()).isEqualTo("10800");
        assertThat(at(shakespeare, "spec", "jobTemplate", "spec", "activeDeadlineSeconds").toString()).isEqualTo("7200");
        assertThat(sonnetsArgs).containsExactly("train", "--corpus", "/data/corpus/sonnets.txt", "--store", "/data/model-store",
                "--model", "sonnets-char", "--max-steps", "3200", "--max-minutes", "170");

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
    void theSingleModelValuesOfEarlierChartsStillWork() throws Exception {
        List<Map<String, Object>> manifests = render("""
                config:
                  model: sonnets-char
                training:
                  enabled: true
                  schedule: "30 2 * * *"
                  corpusPath: /data/corpus/sonnets.txt
                  args: ["--max-minutes", "55", "--max-steps", "3200"]
                """);
        Map<String, Object> serving = at(kind(manifests, "Deployment"), "spec", "template", "spec", "containers", 0);
        assertThat(env(serving, "FOLIO_STORE_MODEL")).isEqualTo("sonnets-char");
        assertThat(envNames(serving)).doesNotContain("FOLIO_STORE_MODELS");
        List<Map<String, Object>> cronJobs = all(manifests, "CronJob");
        assertThat(cronJobs).hasSize(1);
        Map<String, Object> cronJob = cronJobs.get(0);
        assertThat(at(cronJob, "metadata", "name").toString()).isEqualTo("folio-train");
        assertThat(at(cronJob, "spec", "schedule").toString()).isEqualTo("30 2 * * *");
        assertThat(at(cronJob, "spec", "concurrencyPolicy").toString()).isEqualTo("Forbid");
        List<String> args = at(cronJob, "spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "args");
        assertThat(args).containsExactly("train", "--corpus", "/data/corpus/sonnets.txt", "--store", "/data/model-store",
                "--model", "sonnets-char", "--max-minutes", "55", "--max-steps", "3200");

        // without config.model the single job trains models.default
        List<Map<String, Object>> defaults = render(t -> t.set("training.enabled", "true").set("models.default", "sonnets-char"));
        List<String> defaultArgs = at(kind(defaults, "CronJob"), "spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "args");
        assertThat(defaultArgs).containsSequence("--model", "sonnets-char").containsSequence("--fine-tune", "--max-steps", "500");
    }

    @Test
    void theSchemaTakesTheModelNamesTheStoreTakesAndNoOthers() {
        List<String> names = List.of("shakespeare-char", "a", "0-9", "sonnets-2", "a".repeat(64), "a".repeat(65), "Shakespeare-char",
                "sonnets_char", "sonnets.char", "-lead", "../etc");
        for (String name : names) {
            boolean storeTakesIt = storeTakes(name);
            if (storeTakesIt) {
                assertThat(env(at(kind(render(t -> t.set("models.default", name)), "Deployment"), "spec", "template", "spec", "containers", 0),
                        "FOLIO_STORE_MODEL")).as(name).isEqualTo(name);
            } else {
                assertThatThrownBy(() -> render(t -> t.set("models.default", name))).as(name)
                        .hasMessageContaining("schema").hasMessageContaining("models.default");
            }
        }
        assertThat(names.stream().filter(HelmChartTest::storeTakes).count()).isEqualTo(5);
    }

    @Test
    void anInvalidModelNameInServedOrTrainingIsRejectedByTheSchema() {
        assertThatThrownBy(() -> render("""
                models:
                  served: [shakespeare-char, Sonnets_Char]
                """)).hasMessageContaining("schema").hasMessageContaining("models.served.1");
        assertThatThrownBy(() -> render("""
                training:
                  enabled: true
                  jobs:
                    - {model: shakespeare-char, schedule: "0 3 * * *", corpusPath: /data/corpus/tinyshakespeare.txt}
                    - {model: ../sonnets, schedule: "0 4 * * *", corpusPath: /data/corpus/sonnets.txt}
                """)).hasMessageContaining("schema").hasMessageContaining("training.jobs.1.model");
        assertThatThrownBy(() -> render("""
                training:
                  enabled: true
                  jobs:
                    - {model: sonnets-char, schedule: "0 4 * * *"}
                """)).hasMessageContaining("schema").hasMessageContaining("corpusPath");
        assertThatThrownBy(() -> render("""
                training:
                  enabled: true
                  jobs:
                    - {model: sonnets-char, schedule: "0 4 * * *", corpusPath: /data/corpus/sonnets.txt, maxStep: 5}
                """)).hasMessageContaining("schema").hasMessageContaining("maxStep");
    }

    @Test
    void valuesThatContradictThemselvesFailWithTheReason() {
        assertThatThrownBy(() -> render("""
                models:
                  default: shakespeare-char
                  served: [sonnets-char]
                """)).hasMessageContaining("does not include the default model shakespeare-char");
        assertThatThrownBy(() -> render(t -> t.set("config.model", "sonnets-char").set("models.default", "haiku-char")))
                .hasMessageContaining("config.model (sonnets-char) is the old name of models.default (haiku-char)");
        assertThatThrownBy(() -> render("""
                training:
                  enabled: true
                  jobs:
                    - {model: sonnets-char, schedule: "0 3 * * *", corpusPath: /data/corpus/sonnets.txt}
                    - {model: sonnets-char, schedule: "0 4 * * *", corpusPath: /data/corpus/sonnets.txt}
                """)).hasMessageContaining("two jobs are named folio-train-sonnets-char");
        // picocli refuses an option given twice: caught when rendering, not at 3 a.m.
        assertThatThrownBy(() -> render("""
                training:
                  enabled: true
                  jobs:
                    - {model: sonnets-char, schedule: "0 3 * * *", corpusPath: /data/corpus/sonnets.txt, maxSteps: 500, args: ["--max-steps=900"]}
                """)).hasMessageContaining("--max-steps=900 repeats an option the chart sets");
        assertThatThrownBy(() -> render("""
                training:
                  enabled: true
                  args: ["--model", "sonnets-char"]
                """)).hasMessageContaining("--model repeats an option the chart sets");
    }

    @Test
    void cronJobNamesStayValidAndDistinctForLongModelNames() throws Exception {
        String model = "a-model-name-long-enough-to-overflow-the-cronjob-name-limit";
        List<Map<String, Object>> manifests = render("""
                fullnameOverride: folio-in-a-long-release-name
                training:
                  enabled: true
                  jobs:
                    - {model: %1$s-1, schedule: "0 3 * * *", corpusPath: /data/corpus/one.txt}
                    - {model: %1$s-2, schedule: "0 4 * * *", corpusPath: /data/corpus/two.txt}
                    - {model: short, schedule: "0 5 * * *", corpusPath: /data/corpus/three.txt}
                """.formatted(model));
        List<String> names = all(manifests, "CronJob").stream().map(c -> HelmChartTest.<String>at(c, "metadata", "name")).toList();
        assertThat(names).hasSize(3).doesNotHaveDuplicates().contains("folio-in-a-long-release-name-train-short")
                .allSatisfy(name -> assertThat(name).hasSizeLessThanOrEqualTo(52).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?"));
        assertThat(all(manifests, "CronJob")).extracting(c -> at(c, "metadata", "annotations", "folio.dev/model"))
                .containsExactly(model + "-1", model + "-2", "short");
    }

    @Test
    void aValuesFileWithAWrongTypeIsRejectedByTheSchema() {
        assertThatThrownBy(() -> render(Path.of("src/test/resources/helm/wrong-type-values.yaml")))
                .hasMessageContaining("replicaCount");
    }

    private static boolean storeTakes(String modelName) {
        try {
            VersionId.requireModelName(modelName);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Whether a matchLabels-style selector selects a pod with these labels. */
    private static boolean selects(Map<String, Object> selector, Map<String, Object> labels) {
        return labels.entrySet().containsAll(selector.entrySet());
    }

    private static List<String> envNames(Map<String, Object> container) {
        List<Map<String, Object>> env = at(container, "env");
        return env.stream().map(e -> String.valueOf(e.get("name"))).toList();
    }

    private static String env(Map<String, Object> container, String name) {
        List<Map<String, Object>> env = at(container, "env");
        return env.stream().filter(e -> name.equals(e.get("name"))).map(e -> String.valueOf(e.get("value"))).findFirst().orElseThrow();
    }
}
