package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.folio.GenerationThreads;
import dev.folio.inference.ConcurrencyLimiter;
import dev.folio.inference.DecodeScheduler;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;

/** Many streams whose clients reset at once: every generation stops, and nothing escapes into the generation pool or the log. */
class StreamCancelStormTest extends TinyModelServerTest {

    private static final int STREAMS = 48;
    private static final int WAVES = 4;

    @Autowired
    DecodeScheduler scheduler;

    @Autowired
    ConcurrencyLimiter limiter;

    @Autowired
    GenerationThreads threads;

    @Autowired
    ExecutorService generationExecutor;

    @Test
    void aCancelStormThrowsNothingIntoThePool() throws Exception {
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        logged.start();
        root.addAppender(logged);
        long uncaughtBefore = threads.uncaught();
        int threadsBefore = threads.created();
        try {
            for (int wave = 0; wave < WAVES; wave++) {
                boolean waitForFirstEvent = wave % 2 == 0; // reset mid-stream, or before the stream's first byte
                boolean reset = wave < 2; // a reset, or an orderly close
                List<Socket> clients = new ArrayList<>();
                for (int i = 0; i < STREAMS; i++) {
                    clients.add(openStream(wave * STREAMS + i, waitForFirstEvent));
                }
                for (Socket client : clients) {
                    if (reset) {
                        client.setSoLinger(true, 0);
                    }
                    client.close();
                }
                ThreadPoolExecutor pool = (ThreadPoolExecutor) generationExecutor;
                for (int i = 0; i < 30_000 && (scheduler.running() > 0 || limiter.inFlight() > 0 || pool.getActiveCount() > 0); i++) {
                    Thread.sleep(1); // a generous deadline; what is asserted is what happened, not how fast
                }
                assertThat(scheduler.running()).isZero();
                assertThat(limiter.inFlight()).isZero();
                assertThat(pool.getActiveCount()).isZero();
            }
        } finally {
            root.detachAppender(logged);
        }
        assertThat(threads.uncaught() - uncaughtBefore).as("exceptions that escaped a generation thread").isZero();
        assertThat(threads.created() - threadsBefore).as("threads started for %d x %d streams: none replaced a dead one", WAVES, STREAMS)
                .isLessThanOrEqualTo(WAVES * STREAMS);
        List<String> problems = logged.list.stream()
                .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN) || e.getThrowableProxy() != null)
                .map(e -> e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage())
                .toList();
        assertThat(problems).as("nothing logged as a problem: a client leaving is an ordinary end").isEmpty();
    }

    /** A stream of 2048 tokens, read until its first event (so it is decoding) if asked, else until its status line. */
    private Socket openStream(int seed, boolean waitForFirstEvent) throws Exception {
        Socket socket = new Socket("127.0.0.1", port);
        byte[] body = ("{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":2048,\"do_sample\":true,\"seed\":" + seed + "}}")
                .getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /generate_stream HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        if (!waitForFirstEvent) {
            // the status line: the stream has been admitted (its headers go out before its first event), so the wait
            // below cannot see an idle server before the request has even been read
            in.readLine();
            return socket;
        }
        for (String line = in.readLine(); line != null && !line.startsWith("data:"); line = in.readLine()) {
            // status line and headers
        }
        return socket;
    }
}
