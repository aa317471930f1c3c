package dev.folio;

import dev.folio.training.EngineCommand;
import dev.folio.training.TrainCommand;
import picocli.CommandLine.Command;

/** Folio's command line: {@code train} and {@code engine}; with no command the jar serves. */
@Command(name = "folio", mixinStandardHelpOptions = true, subcommands = {TrainCommand.class, EngineCommand.class},
        description = "Train and serve a character-level GPT. Without a command, starts the HTTP service.")
public final class FolioCommand {

    static boolean handles(String[] args) {
        return args.length > 0 && (args[0].equals("train") || args[0].equals("engine") || args[0].equals("--help"));
    }
}
