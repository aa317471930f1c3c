package dev.folio;

import dev.folio.engine.AtenCpuCapability;
import dev.folio.engine.DjlOffline;
import dev.folio.engine.OpenMpSpin;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;
import org.springframework.scheduling.annotation.EnableScheduling;
import sun.misc.Signal;

/** Serves the model (no arguments, Spring Boot's {@code --name=value} ones, or {@code serve}) or runs a command ({@code train ...}, {@code engine}). */
// no user store, so no generated password: bearer keys are the only credentials (dev.folio.api.security)
@SpringBootApplication(exclude = UserDetailsServiceAutoConfiguration.class)
@ConfigurationPropertiesScan
@EnableScheduling
public class FolioApplication {

    public static void main(String[] args) {
        DjlOffline.apply();
        OpenMpSpin.apply();
        AtenCpuCapability.apply();
        if (!FolioCommand.serves(args)) {
            System.exit(FolioCommand.commandLine().execute(args));
        }
        exitCleanlyOnSigterm();
        SpringApplication.run(FolioApplication.class, FolioCommand.springArguments(args));
    }

    /**
     * SIGTERM is the normal way a container or pod is stopped: run the shutdown hooks (Spring's graceful
     * shutdown lets in-flight requests finish) and exit 0 rather than the JVM's default 143.
     */
    private static void exitCleanlyOnSigterm() {
        Signal.handle(new Signal("TERM"), signal -> System.exit(0));
    }
}
