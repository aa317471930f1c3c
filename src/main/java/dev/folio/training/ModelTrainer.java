package dev.folio.training;

import ai.djl.Model;
import ai.djl.engine.Engine;
import dev.folio.model.Gpt;
import dev.folio.model.GptConfig;
import dev.folio.store.ModelMetadata;
import dev.folio.store.ModelStore;
import java.io.IOException;

/** Trains a model from scratch on a corpus and (optionally) publishes it into a model store. */
public final class ModelTrainer {

    private ModelTrainer() {}

    /** The outcome: the run's figures and, when published, the stored metadata. */
    public record Outcome(TrainingResult result, ModelMetadata published) {}

    /**
     * @param architecture the model's shape; its vocabSize is replaced by the corpus's
     * @param store where to publish, or null to train and discard
     */
    public static Outcome trainFromScratch(Corpus corpus, GptConfig architecture, TrainingConfig training,
            String modelName, ModelStore store, TrainingListener listener) throws IOException {
        GptConfig config = new GptConfig(corpus.tokenizer().vocabSize(), architecture.blockSize(), architecture.nLayer(),
                architecture.nHead(), architecture.nEmbd(), architecture.dropout(), architecture.bias());
        Engine.getInstance().setRandomSeed((int) training.seed()); // weight init and dropout
        try (Model model = Model.newInstance(modelName)) {
            Gpt gpt = new Gpt(config);
            model.setBlock(gpt);
            gpt.initialize(model.getNDManager());
            TrainingResult result = new TrainingRun(gpt, model.getNDManager(), corpus.train(), corpus.validation(), training).run(listener);
            if (store == null) {
                return new Outcome(result, null);
            }
            ModelMetadata metadata = new ModelMetadata(ModelMetadata.FORMAT, modelName, null, null, config,
                    corpus.tokenizer().vocabulary(), config.parameterCount(), modelName + "-0000.params",
                    new ModelMetadata.TrainingSummary(training, result.steps(), result.tokensSeen(), result.wallSeconds(),
                            result.trainLoss(), result.valLoss(), training.evalBatches()),
                    new ModelMetadata.CorpusSummary(corpus.sha256(), corpus.characters(), corpus.train().length, corpus.validation().length));
            return new Outcome(result, store.publish(model, metadata));
        }
    }
}
