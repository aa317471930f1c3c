package dev.folio;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The command line, run in-process as the jar runs it: what it refuses, and what its help says. */
class FolioCommandTest {

    @TempDir
    Path root;

    private record Run(int exitCode, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = FolioCommand.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void aMisspelledCommandIsNamedWithTheNearestOneAndNeverStartsTheServer() {
        String[] typo = {"trian", "--corpus", "input.txt", "--max-steps", "10"};
        assertThat(FolioCommand.serves(typo)).isFalse();
        Run run = run(typo);
        assertThat(run.exitCode()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(run.err()).contains("unknown command 'trian'").contains("Did you mean").contains("train").contains("folio --help");
        assertThat(run.err()).doesNotContain("Exception");

        Run engine = run("engin");
        assertThat(engine.exitCode()).isNotZero();
        assertThat(engine.err()).contains("'engin'").contains("engine");
    }

    @Test
    void theServerStartsOnlyWithNoCommandServeOrSpringArguments() {
        assertThat(FolioCommand.serves(new String[0])).isTrue();
        assertThat(FolioCommand.serves(new String[] {"serve"})).isTrue();
        assertThat(FolioCommand.serves(new String[] {"--server.port=8081", "--server.address=127.0.0.1"})).isTrue();
        assertThat(FolioCommand.serves(new String[] {"serve", "--server.port=8081"})).isTrue();
        assertThat(FolioCommand.springArguments(new String[] {"serve", "--server.port=8081"})).containsExactly("--server.port=8081");
        assertThat(FolioCommand.springArguments(new String[] {"--server.port=8081"})).containsExactly("--server.port=8081");

        for (String[] refused : List.of(new String[] {"train"}, new String[] {"--help"}, new String[] {"serve", "--help"},
                new String[] {"serve", "now"}, new String[] {"--server.port=8081", "train"}, new String[] {"-h"}, new String[] {"--"})) {
            assertThat(FolioCommand.serves(refused)).as(String.join(" ", refused)).isFalse();
        }
        Run serveWord = run("serve", "now");
        assertThat(serveWord.exitCode()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(serveWord.err()).contains("now");
    }

    @Test
    void helpOnEveryCommandShowsEachOptionsMeaningAndDefault() {
        Run top = run("--help");
        assertThat(top.exitCode()).isZero();
        assertThat(top.out()).contains("serve").contains("train").contains("engine").contains("--server.port");

        CommandLine cli = FolioCommand.commandLine();
        for (CommandLine command : cli.getSubcommands().values()) {
            String name = command.getCommandName();
            Run help = run(name, "--help");
            assertThat(help.exitCode()).as(name).isZero();
            String usage = help.out().replaceAll("\\s+", " ");
            for (OptionSpec option : command.getCommandSpec().options()) {
                if (option.usageHelp() || option.versionHelp()) {
                    continue;
                }
                assertThat(String.join(" ", option.description())).as(name + " " + option.longestName() + " has a meaning").isNotBlank();
                assertThat(usage).as(name + " " + option.longestName()).contains(option.longestName());
                if (option.defaultValue() != null) {
                    assertThat(usage).as(name + " " + option.longestName() + " shows its default")
                            .contains("(default: " + option.defaultValue() + ")");
                }
            }
        }
        String train = run("train", "--help").out().replaceAll("\\s+", " ");
        assertThat(train).contains("--max-steps=<maxSteps> optimizer steps").contains("(default: 3000)")
                .contains("--block-size=<blockSize> context length in characters (default: 256)");
    }

    @Test
    void aMissingOrUnreadableCorpusIsOneLineAndANonZeroExit() throws Exception {
        Path store = root.resolve("store");
        Run missing = run("train", "--corpus", root.resolve("no-such.txt").toString(), "--store", store.toString());
        assertThat(missing.exitCode()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(missing.err().lines()).singleElement().asString().contains("--corpus").contains("no-such.txt").contains("does not exist");
        assertThat(missing.out()).isEmpty();

        Path directory = Files.createDirectories(root.resolve("texts"));
        Run notAFile = run("train", "--corpus", directory.toString(), "--store", store.toString());
        assertThat(notAFile.exitCode()).isNotZero();
        assertThat(notAFile.err().lines()).singleElement().asString().contains("is a directory");

        Path corpus = Files.writeString(root.resolve("corpus.txt"), "some text\n");
        Run template = run("train", "--corpus", corpus.toString(), "--store", store.toString(), "--chat-template", "nope.jinja");
        assertThat(template.exitCode()).isNotZero();
        assertThat(template.err().lines()).singleElement().asString().contains("--chat-template nope.jinja does not exist");
        assertThat(store).as("nothing was started").doesNotExist();
    }
}
