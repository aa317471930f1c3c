package dev.folio;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code folio serve}: documents the HTTP service's start in {@code --help}. {@link FolioApplication} starts the service
 * itself when the arguments are Spring Boot's; this command only runs for arguments that are not, and refuses them.
 */
@Command(name = ServeCommand.NAME, mixinStandardHelpOptions = true,
        description = {"Start the HTTP service (also what the jar does with no command).",
                "Spring Boot's --name=value arguments set any property, e.g.:",
                "  --server.port=8081 (or SERVER_PORT=8081)   --server.address=127.0.0.1 (loopback only; the default is every interface)",
                "  --folio.store.path=DIR (the model store to serve; default: model-store)"})
final class ServeCommand implements Callable<Integer> {

    static final String NAME = "serve";

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "--name=value", arity = "0..*", description = "Spring Boot arguments, passed to the service")
    List<String> springArguments;

    @Override
    public Integer call() {
        String given = springArguments == null ? "" : String.join(" ", springArguments);
        spec.commandLine().getErr().println("folio serve: takes only Spring Boot arguments of the form --name=value; given: " + given);
        return spec.exitCodeOnInvalidInput();
    }
}
