package dev.folio.inference;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.engine.Engine;
import dev.folio.grammar.GrammarLimits;
import dev.folio.grammar.TokenGrammar;
import dev.folio.model.Gpt;
import dev.folio.model.GptConfig;
import dev.folio.store.LoadedModel;
import dev.folio.store.ModelMetadata;
import dev.folio.store.ModelStore;
import dev.folio.training.Corpus;
import dev.folio.training.TrainingListener;
import dev.folio.training.TrainingRun;
import dev.folio.training.config.TrainingConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Grammar-constrained decoding with a model that knows JSON's characters: a tiny model trained here on JSON lines, then
 * asked for objects matching a schema, alone and through the batched scheduler. Every output parses and validates.
 */
class JsonSchemaDecodingTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SCHEMA = """
            {"type": "object", "properties": {
              "name": {"type": "string", "enum": ["romeo", "juliet", "tybalt"]},
              "age": {"type": "integer"},
              "alive": {"type": "boolean"},
              "lines": {"type": "array", "items": {"type": "string", "maxLength": 8}, "minItems": 1, "maxItems": 3}},
             "required": ["name", "age", "alive", "lines"]}""";

    @TempDir
    static Path root;
    private static LoadedModel model;

    /** JSON lines with the schema's shape, and some noise, so the model has seen every character. */
    static String corpus(int lines, long seed) {
        String[] names = {"romeo", "juliet", "tybalt", "nurse"};
        String[] words = {"ay", "no", "hence", "peace", "o", "fie"};
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            text.append("{\"name\":\"").append(names[random.nextInt(names.length)]).append("\",\"age\":").append(random.nextInt(90))
                    .append(",\"alive\":").append(random.nextBoolean()).append(",\"lines\":[");
            int count = 1 + random.nextInt(3);
            for (int w = 0; w < count; w++) {
                text.append(w > 0 ? "," : "").append('"').append(words[random.nextInt(words.length)]).append('"');
            }
            text.append("]}\n");
        }
        return text.toString() + "-0.5e+1 null 123456789 {}\\/\tbfnrtu ABCDEF\n";
    }

    @BeforeAll
    static void trainATinyJsonModel() throws Exception {
        Corpus corpus = Corpus.of(corpus(1500, 3));
        GptConfig architecture = new GptConfig(corpus.tokenizer().vocabSize(), 64, 2, 2, 48, 0f, false);
        TrainingConfig training = TrainingConfig.builder().batchSize(16).maxSteps(150).learningRate(1e-2f).minLearningRate(1e-3f)
                .warmupSteps(10).evalInterval(1000).evalBatches(2).seed(5).build();
        Engine.getInstance().setRandomSeed(7);
        ModelStore store = new ModelStore(root);
        try (Model trained = Model.newInstance("json-char")) {
            Gpt gpt = new Gpt(architecture);
            trained.setBlock(gpt);
            gpt.initialize(trained.getNDManager());
            new TrainingRun(gpt, trained.getNDManager(), corpus.train(), corpus.validation(), training).run(TrainingListener.NONE);
            store.publish(trained, new ModelMetadata(ModelMetadata.FORMAT, "json-char", null, null, architecture,
                    corpus.tokenizer().vocabulary(), architecture.parameterCount(), "json-char-0000.params", null, null, null));
        }
        model = store.loadCurrent("json-char");
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private SamplingParameters constrained(TokenGrammar grammar, long seed) {
        return new SamplingParameters(200, true, 1f, null, null, seed, List.of(), 1f,
                new LogitAdjustments(Map.of(), 0f, 0f, 0f, null, grammar));
    }

    @Test
    void everyConstrainedOutputParsesAndValidates() {
        TokenGrammar grammar = TokenGrammar.jsonSchema(SCHEMA, model.tokenizer().vocabulary(), GrammarLimits.DEFAULT);
        Generator alone = new Generator();
        try (DecodeScheduler scheduler = new DecodeScheduler(8, 64, 1)) {
            List<java.util.concurrent.CompletableFuture<Generation>> batched = new java.util.ArrayList<>();
            for (long seed = 0; seed < 8; seed++) {
                batched.add(scheduler.submit(model, GenerationRequest.of(DecodingRules.encodePrompt(model, "\n", null), constrained(grammar, seed)),
                        GenerationListener.NONE));
            }
            for (int seed = 0; seed < 8; seed++) {
                Generation generation = alone.generate(model, "\n", constrained(grammar, seed));
                assertThat(batched.get(seed).join().generatedText()).as("seed %d batched", seed).isEqualTo(generation.generatedText());
                assertThat(generation.finishReason()).as(generation.generatedText()).isEqualTo(FinishReason.EOS_TOKEN);
                JsonNode value = JSON.readTree(generation.generatedText());
                assertThat(value.get("name").asString()).isIn("romeo", "juliet", "tybalt");
                assertThat(value.get("age").isIntegralNumber()).isTrue();
                assertThat(value.get("alive").isBoolean()).isTrue();
                assertThat(value.get("lines").size()).isBetween(1, 3);
                value.get("lines").forEach(line -> assertThat(line.asString().length()).isLessThanOrEqualTo(8));
            }
        }
    }

    @Test
    void anyJsonObjectParses() {
        TokenGrammar grammar = TokenGrammar.anyJsonObject(model.tokenizer().vocabulary(), GrammarLimits.DEFAULT);
        for (int seed = 0; seed < 5; seed++) {
            Generation generation = new Generator().generate(model, "\n", constrained(grammar, 100 + seed));
            if (generation.finishReason() == FinishReason.EOS_TOKEN) {
                assertThat(JSON.readTree(generation.generatedText()).isObject()).as(generation.generatedText()).isTrue();
            } else {
                assertThat(generation.generatedText()).as("cut by max tokens: a prefix of an object").startsWith("{");
            }
        }
    }
}
