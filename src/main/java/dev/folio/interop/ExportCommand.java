package dev.folio.interop;

import dev.folio.store.LoadedModel;
import dev.folio.store.ModelStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code java -jar folio.jar export --model NAME [--version V] --format hf --out DIR}: a version as a Hugging Face GPT-2 directory. */
@Command(name = "export", // no mixinStandardHelpOptions: its --version would take the name of the version option
        
        description = {"Write a version of a model as a Hugging Face GPT-2 directory: model.safetensors, config.json, tokenizer.json, "
                + "tokenizer_config.json (with the chat template), generation_config.json and a README model card.",
                "transformers' GPT2LMHeadModel.from_pretrained(DIR) and AutoTokenizer.from_pretrained(DIR) load it as it stands."})
public final class ExportCommand implements Callable<Integer> {

    /** The formats written. */
    public enum Format { hf }

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;
    @Option(names = "--store", defaultValue = "model-store", paramLabel = "DIR", description = "model store root (default: ${DEFAULT-VALUE})")
    Path store;
    @Option(names = "--model", defaultValue = "shakespeare-char", description = "model name in the store (default: ${DEFAULT-VALUE})")
    String model;
    @Option(names = "--version", paramLabel = "V", description = "version id, e.g. v20261128-191341 (default: the current version)")
    String version;
    @Option(names = "--format", defaultValue = "hf", description = "what to write; hf: Hugging Face GPT-2 (default: ${DEFAULT-VALUE})")
    Format format;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "a new or empty directory to write into")
    Path out;
    @Option(names = "--user-speaker", defaultValue = "ROMEO",
            description = "the chat template's default speaker for user messages, as folio.chat.speakers.user (default: ${DEFAULT-VALUE})")
    String userSpeaker;
    @Option(names = "--assistant-speaker", defaultValue = "JULIET",
            description = "the chat template's default speaker for the model's replies (default: ${DEFAULT-VALUE})")
    String assistantSpeaker;

    @Override
    public Integer call() throws IOException {
        if (Files.exists(out) && (!Files.isDirectory(out) || !isEmpty(out))) {
            spec.commandLine().getErr().println("folio export: --out " + out + " is not a new or empty directory; nothing was written");
            return spec.exitCodeOnInvalidInput();
        }
        ModelStore models = new ModelStore(store);
        try (LoadedModel loaded = version == null ? models.loadCurrent(model) : models.load(model, version)) {
            HfExport.write(loaded, Map.of("user", userSpeaker, "assistant", assistantSpeaker), ExportFiles.directory(out));
            System.out.printf("exported %s/%s as a Hugging Face GPT-2 model into %s%n", model, loaded.version(), out.toAbsolutePath());
            return 0;
        } catch (RuntimeException e) { // an unknown model or version, a version whose checks fail: one line, not a stack trace
            spec.commandLine().getErr().println("folio export: " + e.getMessage());
            return 1;
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }
}
