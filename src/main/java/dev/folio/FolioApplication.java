package dev.folio;

import dev.folio.training.TrainCommand;
import java.util.Arrays;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import picocli.CommandLine;

/** Serves the model (no arguments) or trains one ({@code train --corpus FILE ...}). */
@SpringBootApplication
@ConfigurationPropertiesScan
public class FolioApplication {

    public static void main(String[] args) {
        DjlOffline.apply();
        if (args.length > 0 && args[0].equals("train")) {
            System.exit(new CommandLine(new TrainCommand()).execute(Arrays.copyOfRange(args, 1, args.length)));
        }
        SpringApplication.run(FolioApplication.class, args);
    }
}
