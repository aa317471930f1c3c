package dev.folio.training;

import dev.folio.FolioProperties;
import dev.folio.chat.ChatTemplate;
import dev.folio.model.GptConfig;
import dev.folio.store.ModelMetadata;
import dev.folio.store.ModelStore;
import dev.folio.store.RunRecord;
import dev.folio.store.TrainingRuns;
import dev.folio.tokenizer.CharTokenizer;
import dev.folio.tokenizer.UnknownCharacterException;
import dev.folio.training.config.TrainingConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a run will train: a {@link RunRequest} over configuration ({@code folio.training.*}), checked against the store
 * (the corpus, the version a fine-tune starts from, the shape it keeps) before anything starts. A model with an
 * interrupted run resumes it with the settings it started with.
 */
final class RunPlanner {

    private static final Logger log = LoggerFactory.getLogger(RunPlanner.class);

    /** The shape of a run from scratch where the request gives none: the bundled model's (its vocabulary comes from the corpus). */
    static final GptConfig DEFAULT_ARCHITECTURE = new GptConfig(65, 256, 4, 4, 256, 0f, false);
    /** Where a reply ends for a chat template given with a run: the blank line that ends a speech. */
    static final List<String> CHAT_STOP = List.of("\n\n");

    /**
     * A run planned.
     *
     * @param request what {@link ManagedTraining} runs
     * @param settings what the response shows
     * @param resumed the interrupted run this one resumes (its id and checkpoint), or null for a new run
     */
    record RunPlan(ManagedTraining.Request request, RunSettings settings, RunRecord resumed) {}

    private final FolioProperties.Training settings;
    private final int keepVersions;
    private final ModelStore store;
    private final TrainingCorpora corpora;

    RunPlanner(FolioProperties.Training settings, int keepVersions, ModelStore store, TrainingCorpora corpora) {
        this.settings = settings;
        this.keepVersions = keepVersions;
        this.store = store;
        this.corpora = corpora;
    }

    /**
     * @param runs the model's runs, where an interrupted one waits to be resumed
     * @throws InvalidRunSettingsException if the settings do not fit the store: no such corpus, nothing to fine-tune, ...
     */
    RunPlan plan(String model, RunRequest asked, TrainingRuns runs) throws IOException {
        Optional<RunRecord> resumable = runs.resumable();
        return resumable.isPresent() ? resume(model, asked, resumable.get()) : fresh(model, asked);
    }

    /** An interrupted run goes on with its own settings; the request's corpus only for a record too old to name its own. */
    private RunPlan resume(String model, RunRequest asked, RunRecord run) throws IOException {
        double margin = asked.improvementMargin() != null ? asked.improvementMargin() : settings.improvementMargin();
        Path corpusFile = run.corpus() != null ? Path.of(run.corpus()) : corpora.file(asked);
        TrainingConfig c = run.config();
        GptConfig a = run.architecture();
        ManagedTraining.Request request = requestFor(corpusFile).fromScratch("scratch".equals(run.mode())).architecture(a).training(c)
                .margin(margin).chat(run.chat()).build();
        RunSettings shown = new RunSettings(model, "scratch".equals(run.mode()) ? RunRequest.FROM_SCRATCH : RunRequest.FINE_TUNE,
                run.baseVersion(), architecture(a), corpora.label(corpusFile), run.corpusSha256(), c.maxSteps(),
                c.maxWallTime() == null ? null : c.maxWallTime().toString(), c.learningRate(), c.batchSize(), c.evalBatches(), margin,
                c.seed(), run.chat() == null ? null : run.chat().template(), run.chat() == null ? null : run.chat().stop());
        return new RunPlan(request, shown, run);
    }

    private RunPlan fresh(String model, RunRequest asked) throws IOException {
        double margin = asked.improvementMargin() != null ? asked.improvementMargin() : settings.improvementMargin();
        int maxSteps = asked.maxSteps() != null ? asked.maxSteps() : settings.maxSteps();
        float learningRate = asked.learningRate() != null ? asked.learningRate() : settings.learningRate();
        int batchSize = asked.batchSize() != null ? asked.batchSize() : settings.batchSize();
        int evalBatches = asked.evalBatches() != null ? asked.evalBatches() : settings.evalBatches();
        long seed = asked.seed() != null ? asked.seed() : settings.seed();
        Duration maxDuration = asked.maxDuration() != null ? asked.duration() : settings.maxDuration();

        Path corpusFile = corpora.file(asked);
        String text = corpora.text(corpusFile);
        boolean fromScratch = asked.mode() != null ? RunRequest.FROM_SCRATCH.equals(asked.mode()) : settings.fromScratch();
        ModelMetadata base = null;
        if (!fromScratch) {
            base = servedMetadata(model);
            if (base == null) {
                if (RunRequest.FINE_TUNE.equals(asked.mode())) {
                    throw new InvalidRunSettingsException("mode", "fine_tune needs a version of " + model
                            + " to start from, and it has none that loads: give \"mode\": \"from_scratch\"");
                }
                log.warn("no servable version of {} to fine-tune; the run trains from scratch", model);
                fromScratch = true; // as scheduled runs always did
            }
        }
        RunRequest.Architecture given = asked.architecture();
        if (!fromScratch && given != null) {
            refuseShape("n_layer", given.nLayer(), base);
            refuseShape("n_head", given.nHead(), base);
            refuseShape("n_embd", given.nEmbd(), base);
            refuseShape("block_size", given.blockSize(), base);
            refuseShape("bias", given.bias(), base);
        }
        GptConfig d = DEFAULT_ARCHITECTURE;
        float dropout = given != null && given.dropout() != null ? given.dropout() : d.dropout();
        GptConfig shape = given == null ? d.withDropout(dropout) : new GptConfig(d.vocabSize(),
                given.blockSize() != null ? given.blockSize() : d.blockSize(), given.nLayer() != null ? given.nLayer() : d.nLayer(),
                given.heads(), given.width(), dropout, given.bias() != null ? given.bias() : d.bias());
        GptConfig trained = fromScratch ? shape : base.architecture().withDropout(dropout);

        CharTokenizer tokenizer = fromScratch ? CharTokenizer.fromCorpus(text) : CharTokenizer.fromVocabulary(base.vocabulary());
        Corpus corpus;
        try {
            corpus = Corpus.of(text, tokenizer);
        } catch (UnknownCharacterException e) {
            throw new InvalidRunSettingsException("corpus", corpora.label(corpusFile) + " has characters the vocabulary of " + model + "/"
                    + base.version() + " lacks (" + e.getMessage() + "); a new vocabulary needs \"mode\": \"from_scratch\"");
        }
        int needed = trained.blockSize() + 1;
        if (corpus.validation().length < needed) {
            throw new InvalidRunSettingsException("corpus", corpora.label(corpusFile) + " is too short for a context of "
                    + trained.blockSize() + ": its validation split (the last 10%) has " + corpus.validation().length
                    + " characters and needs at least " + needed);
        }
        if (asked.chatTemplate() != null) {
            try {
                ChatTemplate.of(asked.chatTemplate());
            } catch (IllegalArgumentException e) {
                throw new InvalidRunSettingsException("chat_template", e.getMessage());
            }
        }
        ModelMetadata.Chat chat = asked.chatTemplate() == null ? null : new ModelMetadata.Chat(asked.chatTemplate(), CHAT_STOP);
        TrainingConfig config;
        try {
            config = TrainingConfig.builder().batchSize(batchSize).maxSteps(maxSteps).learningRate(learningRate)
                    .minLearningRate(learningRate / 10).warmupSteps(Math.min(100, maxSteps / 10)).evalInterval(Math.max(1, maxSteps))
                    .evalBatches(evalBatches).seed(seed).maxWallTime(maxDuration).build();
        } catch (IllegalArgumentException e) {
            throw new InvalidRunSettingsException("max_steps", e.getMessage());
        }
        ManagedTraining.Request request = requestFor(corpusFile).fromScratch(fromScratch).architecture(shape).training(config)
                .margin(margin).chat(chat).build();
        RunSettings shown = new RunSettings(model, fromScratch ? RunRequest.FROM_SCRATCH : RunRequest.FINE_TUNE,
                fromScratch ? null : base.version(), architecture(trained), corpora.label(corpusFile), corpus.sha256(), maxSteps,
                maxDuration == null ? null : maxDuration.toString(), learningRate, batchSize, evalBatches, margin, seed,
                chat == null ? null : chat.template(), chat == null ? null : chat.stop());
        return new RunPlan(request, shown, null);
    }

    /** What every run of the service shares, from configuration: gated, checkpointed, its thread budget and retention. */
    private ManagedTraining.Request.Builder requestFor(Path corpusFile) {
        return ManagedTraining.Request.builder().corpus(corpusFile).gate(true).checkpointInterval(settings.checkpointInterval())
                .threads(settings.threads()).keepVersions(keepVersions).lockStaleAfter(TrainingJob.LOCK_STALE_AFTER);
    }

    private static void refuseShape(String field, Object value, ModelMetadata base) {
        if (value != null) {
            throw new InvalidRunSettingsException("architecture." + field, "a fine-tune keeps the shape of the version it starts from ("
                    + base.version() + "); only architecture.dropout may be given, or \"mode\": \"from_scratch\"");
        }
    }

    /** The current version's metadata, or null if there is none that passes its checks. */
    private ModelMetadata servedMetadata(String model) throws IOException {
        Optional<String> current = store.currentVersion(model);
        if (current.isEmpty()) {
            return null;
        }
        try {
            return store.metadata(model, current.get());
        } catch (IOException | RuntimeException e) {
            log.warn("current version {} of {} fails its checks: {}", current.get(), model, e.getMessage());
            return null;
        }
    }

    private static RunRequest.Architecture architecture(GptConfig a) {
        return new RunRequest.Architecture(a.nLayer(), a.nHead(), a.nEmbd(), a.blockSize(), a.dropout(), a.bias());
    }
}
