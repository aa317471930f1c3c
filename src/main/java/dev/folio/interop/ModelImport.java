package dev.folio.interop;

import ai.djl.Model;
import dev.folio.model.Gpt;
import dev.folio.store.ModelMetadata;
import dev.folio.store.ModelStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a model in another format ({@link HfDirectory}, {@link NanoGptCheckpoint}) and publishes it as a new version through
 * the store's one publish path, as training does: written aside, checksummed, renamed into place, made current (a server
 * watching the store reloads it). Every check runs before the store is touched.
 */
public final class ModelImport {

    private ModelImport() {}

    /** A Hugging Face GPT-2 directory (config.json) or a nanoGPT checkpoint ({@code ckpt.pt}, with {@code meta.pkl} beside it or given). */
    public static ImportedModel read(Path from, Path meta) throws IOException {
        if (Files.isDirectory(from)) {
            if (Files.isRegularFile(from.resolve(HfDirectory.CONFIG))) {
                return HfDirectory.read(from);
            }
            Path checkpoint = from.resolve(NanoGptCheckpoint.FILE_NAME);
            if (Files.isRegularFile(checkpoint)) {
                return NanoGptCheckpoint.read(checkpoint, meta);
            }
            throw new RefusedFileException(from + " holds neither a Hugging Face config.json nor a nanoGPT ckpt.pt");
        }
        if (!Files.isRegularFile(from)) {
            throw new RefusedFileException(from + " does not exist");
        }
        return NanoGptCheckpoint.read(from, meta);
    }

    /** Publishes a checked model as the newest version of {@code modelName}; null chat: the play-script default. */
    public static ModelMetadata publish(ModelStore store, String modelName, ImportedModel imported, ModelMetadata.Chat chat) throws IOException {
        try (Model model = Model.newInstance(modelName)) {
            Gpt gpt = new Gpt(imported.config());
            model.setBlock(gpt);
            gpt.initialize(model.getNDManager());
            ModelTensors.write(gpt, imported.tensors());
            ModelMetadata metadata = new ModelMetadata(ModelMetadata.FORMAT, modelName, null, null, imported.config(), imported.vocabulary(),
                    imported.config().parameterCount(), modelName + "-0000.params", null, null, chat);
            return store.publish(model, metadata);
        }
    }
}
