package dev.folio.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.engine.Engine;
import dev.folio.model.Gpt;
import dev.folio.model.GptConfig;
import dev.folio.training.config.TrainingConfig;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

public class TrainingRunTest {

    /** Sentences from a tiny grammar: learnable structure, a few bits of entropy per word choice. */
    public static String grammarCorpus(int sentences, long seed) {
        String[] subjects = {"the cat", "a dog", "my king", "the queen"};
        String[] verbs = {"sees", "loves", "fears"};
        String[] objects = {"the moon.", "a rose.", "his crown."};
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < sentences; i++) {
            text.append(subjects[random.nextInt(subjects.length)]).append(' ')
                    .append(verbs[random.nextInt(verbs.length)]).append(' ')
                    .append(objects[random.nextInt(objects.length)]).append('\n');
        }
        return text.toString();
    }

    private static TrainingResult train(Corpus corpus, GptConfig architecture, TrainingConfig training) {
        Engine.getInstance().setRandomSeed(3);
        try (Model model = Model.newInstance("t")) {
            Gpt gpt = new Gpt(architecture);
            model.setBlock(gpt);
            gpt.initialize(model.getNDManager());
            return new TrainingRun(gpt, model.getNDManager(), corpus.train(), corpus.validation(), training).run(TrainingListener.NONE);
        }
    }

    @Test
    void aShortRunLowersValidationLossWellBelowChance() {
        Corpus corpus = Corpus.of(grammarCorpus(3000, 11));
        int vocab = corpus.tokenizer().vocabSize();
        GptConfig architecture = new GptConfig(vocab, 32, 2, 2, 32, 0f, false);
        TrainingConfig training = TrainingConfig.builder().batchSize(16).maxSteps(200).learningRate(1e-2f).minLearningRate(1e-3f)
                .warmupSteps(20).evalInterval(100).evalBatches(10).seed(5).build();
        TrainingResult result = train(corpus, architecture, training);

        double chance = Math.log(vocab); // a uniform guess, ~3.3 nats
        assertThat(result.steps()).isEqualTo(200);
        assertThat(result.evaluations()).extracting(TrainingListener.EvaluationReport::step).containsExactly(100, 200);
        // The grammar's characters are mostly determined by context; 200 steps get far below chance.
        assertThat(result.valLoss()).isLessThan(1.0f).isLessThan((float) (chance / 3));
        assertThat(result.evaluations().get(1).valLoss()).isLessThan(result.evaluations().get(0).valLoss());
    }

    @Test
    void aTinyModelOverfitsOneBatch() {
        // A train split of exactly blockSize+1 tokens has one window: every batch is the same batch.
        Corpus corpus = Corpus.of(grammarCorpus(40, 12));
        int block = 16;
        int[] oneWindow = Arrays.copyOf(corpus.train(), block + 1);
        GptConfig architecture = new GptConfig(corpus.tokenizer().vocabSize(), block, 2, 2, 32, 0f, false);
        TrainingConfig training = TrainingConfig.builder().batchSize(4).maxSteps(150).learningRate(1e-2f).minLearningRate(1e-3f)
                .warmupSteps(10).weightDecay(0f).evalInterval(1000).evalBatches(1).seed(5).build();
        TrainingResult result = train(new Corpus(corpus.tokenizer(), oneWindow, corpus.validation(), corpus.sha256(), 0), architecture, training);
        assertThat(result.trainLoss()).isLessThan(0.1f);
    }

    @Test
    void stopsAtTheWallTimeBudgetAndStillEvaluates() {
        Corpus corpus = Corpus.of(grammarCorpus(500, 13));
        GptConfig architecture = new GptConfig(corpus.tokenizer().vocabSize(), 16, 1, 1, 16, 0f, false);
        TrainingConfig training = TrainingConfig.builder().batchSize(2).maxSteps(1_000_000).learningRate(1e-3f).minLearningRate(1e-4f)
                .warmupSteps(0).weightDecay(0f).evalInterval(1_000_000).evalBatches(1).seed(5).maxWallTime(java.time.Duration.ofMillis(300))
                .build();
        TrainingResult result = train(corpus, architecture, training);
        assertThat(result.steps()).isPositive().isLessThan(1_000_000);
        assertThat(result.evaluations()).hasSize(1);
        assertThat(result.valLoss()).isFinite();
    }
}
