package dev.folio.interop;

import dev.folio.chat.ChatTemplate;
import dev.folio.store.ModelMetadata;
import dev.folio.store.ModelStore;
import dev.folio.store.VersionId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code java -jar folio.jar import --model NAME --from PATH}: a nanoGPT checkpoint or a Hugging Face GPT-2 directory as a new version. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Publish a model trained elsewhere as a new version: a nanoGPT ckpt.pt (with its meta.pkl) or a Hugging Face GPT-2 "
                + "directory (model.safetensors, config.json, a character-level tokenizer.json).",
                "Nothing in the files runs: the checkpoint's pickle is read by an allow-list. Every check runs before the store is "
                        + "touched; then the version is published as training publishes one (checksums, atomic rename, current), "
                        + "and a server serving this store picks it up by itself."})
public final class ImportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--store", defaultValue = "model-store", paramLabel = "DIR", description = "model store root (default: ${DEFAULT-VALUE})")
    Path store;
    @Option(names = "--model", required = true, description = "model name in the store; a new name makes a new model")
    String model;
    @Option(names = "--from", required = true, paramLabel = "PATH",
            description = "a nanoGPT ckpt.pt (or the out_dir holding it), or a Hugging Face GPT-2 directory")
    Path from;
    @Option(names = "--meta", paramLabel = "FILE", description = "nanoGPT's meta.pkl, the vocabulary "
            + "(default: meta.pkl beside the checkpoint, else data/<dataset>/meta.pkl in the nanoGPT checkout holding its out_dir, "
            + "else in the working directory)")
    Path meta;
    @Option(names = "--chat-template", paramLabel = "FILE", description = "Jinja chat template published with the model "
            + "(default: a Hugging Face directory's chat_template, else the play-script template)")
    Path chatTemplate;
    @Option(names = "--chat-stop", paramLabel = "TEXT",
            description = "where a chat reply ends, with Java escapes; repeatable (default with --chat-template: \\n\\n)")
    List<String> chatStop;

    @Override
    public Integer call() throws IOException {
        if (!VersionId.isValidModelName(model)) { // before reading anything
            spec.commandLine().getErr().println("folio import: --model '" + model + "' is not a model name: lower-case letters, digits and '-'");
            return spec.exitCodeOnInvalidInput();
        }
        try {
            ImportedModel imported = ModelImport.read(from, meta);
            ModelMetadata.Chat chat = chat();
            ModelMetadata published = ModelImport.publish(new ModelStore(store), model, imported, chat);
            System.out.printf("imported %s (%s) as %s/%s into %s%n", imported.source(), ImportedModel.describe(imported.config()), model,
                    published.version(), store.toAbsolutePath());
            return 0;
        } catch (RefusedFileException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("folio import: " + e.getMessage() + "; nothing was published");
            return 1;
        }
    }

    /** The --chat-template file, else a Hugging Face directory's template; each checked to compile. Null: the play-script default. */
    private ModelMetadata.Chat chat() throws IOException {
        ModelMetadata.Chat chat = null;
        if (chatTemplate != null) {
            if (!Files.isRegularFile(chatTemplate)) {
                throw new RefusedFileException("--chat-template " + chatTemplate + " does not exist");
            }
            List<String> stops = chatStop == null ? List.of("\n\n") : chatStop.stream().map(String::translateEscapes).toList();
            chat = new ModelMetadata.Chat(Files.readString(chatTemplate), stops);
        } else if (Files.isDirectory(from)) {
            chat = HfDirectory.chat(from).orElse(null);
        }
        if (chat != null) {
            ChatTemplate.of(chat.template()); // a syntax error is refused now, with its line
        }
        return chat;
    }
}
