package dev.folio;

import dev.folio.interop.ExportCommand;
import dev.folio.interop.ImportCommand;
import dev.folio.training.EngineCommand;
import dev.folio.training.TrainCommand;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Folio's command line: {@code train}, {@code export}, {@code import}, {@code engine} and {@code serve}; with no command the jar serves. Anything else is
 * refused with the nearest command named, so a typo never starts the server with its flags ignored.
 */
@Command(name = "folio", mixinStandardHelpOptions = true, subcommands = {ServeCommand.class, TrainCommand.class, ExportCommand.class, ImportCommand.class,
        EngineCommand.class},
        description = {"Train and serve a character-level GPT.",
                "Without a command (or with serve), starts the HTTP service; Spring Boot's --name=value arguments pass through, "
                        + "e.g. --server.port=8081 --server.address=127.0.0.1."})
public final class FolioCommand implements Runnable {

    private static final Set<String> HELP = Set.of("-h", "--help", "-V", "--version");

    /**
     * Whether the arguments start the HTTP service: none, or only Spring Boot's {@code --name[=value]} arguments, optionally
     * after {@code serve}. A help request or any other word goes to the command line, which refuses what it does not know.
     */
    static boolean serves(String[] args) {
        List<String> rest = Arrays.asList(args).subList(args.length > 0 && args[0].equals(ServeCommand.NAME) ? 1 : 0, args.length);
        return rest.stream().allMatch(a -> a.startsWith("--") && a.length() > 2 && !HELP.contains(a));
    }

    /** What Spring gets: the arguments without the {@code serve} word. */
    static String[] springArguments(String[] args) {
        return args.length > 0 && args[0].equals(ServeCommand.NAME) ? Arrays.copyOfRange(args, 1, args.length) : args;
    }

    /** The command line with its refusals: one line naming the unknown word, the nearest command, and where help is. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new FolioCommand());
        cli.setParameterExceptionHandler(FolioCommand::refuse);
        return cli;
    }

    private static int refuse(ParameterException e, String[] args) {
        CommandLine cli = e.getCommandLine();
        PrintWriter err = cli.getErr();
        err.println(cli.getCommandSpec().qualifiedName() + ": " + message(e, cli));
        if (e instanceof UnmatchedArgumentException unmatched) {
            UnmatchedArgumentException.printSuggestions(unmatched, err);
        }
        err.println("See '" + cli.getCommandSpec().qualifiedName() + " --help'.");
        err.flush();
        return cli.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** picocli's message, except a word where a command goes is called what it is: an unknown command. */
    private static String message(ParameterException e, CommandLine cli) {
        if (e instanceof UnmatchedArgumentException unmatched && !cli.getSubcommands().isEmpty() && !unmatched.getUnmatched().isEmpty()
                && !unmatched.getUnmatched().get(0).startsWith("-")) {
            return "unknown command '" + unmatched.getUnmatched().get(0) + "'";
        }
        return e.getMessage();
    }

    /** {@code folio} alone on the command line only happens with an option it refused; usage, then. */
    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
