package dev.folio.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.FolioCommand;
import dev.folio.interop.PickleWriter.Call;
import dev.folio.interop.PickleWriter.Global;
import dev.folio.store.ModelMetadata;
import dev.folio.store.ModelStore;
import dev.folio.store.TestModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code folio export} and {@code folio import}, run in-process as the jar runs them. */
class InteropCommandTest {

    @TempDir
    Path root;

    private record Run(int exitCode, String err) {}

    private static Run run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cli = FolioCommand.commandLine();
        cli.setErr(new PrintWriter(err, true));
        return new Run(cli.execute(args), err.toString());
    }

    @Test
    void exportThenImportThroughTheCommandLine() throws Exception {
        Path storeDir = root.resolve("store");
        ModelStore store = new ModelStore(storeDir);
        ModelMetadata published = TestModels.publish(store, 5);
        Path out = root.resolve("hf");

        Run export = run("export", "--store", storeDir.toString(), "--model", TestModels.NAME, "--version", published.version(), "--format", "hf",
                "--out", out.toString());
        assertThat(export.exitCode()).as(export.err()).isZero();
        assertThat(out).isDirectoryContaining("glob:**/model.safetensors").isDirectoryContaining("glob:**/config.json")
                .isDirectoryContaining("glob:**/tokenizer.json").isDirectoryContaining("glob:**/tokenizer_config.json")
                .isDirectoryContaining("glob:**/generation_config.json").isDirectoryContaining("glob:**/README.md");

        Run again = run("export", "--store", storeDir.toString(), "--model", TestModels.NAME, "--out", out.toString());
        assertThat(again.exitCode()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(again.err()).contains("not a new or empty directory");
        Run noVersion = run("export", "--store", storeDir.toString(), "--model", TestModels.NAME, "--version", "v20000101-000000",
                "--out", root.resolve("elsewhere").toString());
        assertThat(noVersion.exitCode()).isEqualTo(1);
        assertThat(noVersion.err().lines()).singleElement().asString().contains("no version v20000101-000000");
        Run badFormat = run("export", "--model", TestModels.NAME, "--format", "onnx", "--out", root.resolve("x").toString());
        assertThat(badFormat.exitCode()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(badFormat.err()).contains("onnx").contains("hf");

        Run imported = run("import", "--store", storeDir.toString(), "--model", "copy", "--from", out.toString());
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        assertThat(store.versions("copy")).hasSize(1);
        assertThat(store.currentVersion("copy")).isPresent();
        ModelMetadata copy = store.metadata("copy", store.versions("copy").get(0));
        assertThat(copy.vocabulary()).isEqualTo(published.vocabulary());
        assertThat(copy.chat()).isEqualTo(TestModels.CHAT);
    }

    @Test
    void aRefusedImportIsOneLineANonZeroExitAndNothingPublished() throws Exception {
        Path storeDir = root.resolve("store");
        Path checkpoint = new TorchZip(PickleWriter.protocol2(Map.of("model", new Call(new Global("subprocess", "Popen"), List.of("sh")))))
                .writeTo(root.resolve("ckpt.pt"));
        Run refused = run("import", "--store", storeDir.toString(), "--model", "evil", "--from", checkpoint.toString());
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err().lines()).singleElement().asString().contains("subprocess.Popen").contains("nothing was published");
        assertThat(storeDir.resolve("evil")).doesNotExist();

        Run missing = run("import", "--store", storeDir.toString(), "--model", "evil", "--from", root.resolve("nope.pt").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("does not exist");

        Run badName = run("import", "--store", storeDir.toString(), "--model", "Evil Model", "--from", checkpoint.toString());
        assertThat(badName.exitCode()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(badName.err()).contains("'Evil Model' is not a model name");

        Run noModel = run("import", "--from", checkpoint.toString());
        assertThat(noModel.exitCode()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(noModel.err()).contains("--model");
        assertThat(Files.exists(storeDir)).isFalse();
    }
}
