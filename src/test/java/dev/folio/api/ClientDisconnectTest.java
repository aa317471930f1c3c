package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.inference.DecodeScheduler;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * A non-streaming request whose client resets its connection stops decoding within a step, as a stream's does: measured
 * in the scheduler's own steps, never in time.
 */
class ClientDisconnectTest extends TinyModelServerTest {

    /** The step in flight when the reset lands, and the one whose check may just have run before it. */
    private static final long STEPS_TO_NOTICE = 2;

    @Autowired
    DecodeScheduler scheduler;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "/v1/completions | {\"model\":\"tiny-char\",\"prompt\":\"abc\",\"n\":8,\"max_tokens\":2048,\"seed\":1} | 8",
            "/generate | {\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":2048,\"do_sample\":true,\"best_of\":4,\"seed\":1}} | 4",
            "/v1/chat/completions | {\"messages\":[{\"role\":\"user\",\"content\":\"good morrow\"}],\"max_tokens\":2048,\"n\":2,\"seed\":1,\"stop\":[\"zzzzz\"]} | 2",
            "/ | {\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":2048}} | 1"})
    void aResetConnectionFreesEverySlotOfItsRequestWithinAStep(String path, String body, int sequences) throws Exception {
        double cancelledBefore = cancelledCount();
        Socket socket = new Socket("127.0.0.1", port);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
        long decoding = scheduler.steps();
        while (scheduler.running() < sequences || scheduler.steps() < decoding + 3) { // all of them decoding, a few steps in
            Thread.sleep(1);
        }
        socket.setSoLinger(true, 0);
        socket.close(); // a reset: the client is gone at once
        long resetAt = scheduler.steps();
        long stoppedAt = stepsWhenIdle();
        assertThat(stoppedAt - resetAt).as("steps decoded after the reset").isLessThanOrEqualTo(STEPS_TO_NOTICE);
        assertThat(stoppedAt - decoding).as("far from the 2048 tokens asked").isLessThan(1000);
        for (int i = 0; i < 100 && cancelledCount() <= cancelledBefore; i++) {
            Thread.sleep(20); // the request thread records the cancellation after the scheduler let go
        }
        assertThat(cancelledCount()).isEqualTo(cancelledBefore + 1);
        HttpResponse<String> next = api().post("/generate", "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":3}}");
        assertThat(next.statusCode()).as("the server keeps serving").isEqualTo(200);
    }

    @Test
    void aChunkedBodyIsNotMistakenForAClientThatLeft() throws Exception {
        HttpResponse<String> response = api().postChunked("/generate",
                "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":40,\"details\":true}}   ");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(api().json(response.body()).get("details").get("generated_tokens").asInt()).isEqualTo(40);
    }

    /** The scheduler's step count once nothing runs (polled with a generous deadline; the assertion is on steps). */
    private long stepsWhenIdle() throws InterruptedException {
        for (int i = 0; i < 60_000 && scheduler.running() > 0; i++) {
            Thread.sleep(1);
        }
        assertThat(scheduler.running()).isZero();
        return scheduler.steps();
    }

    private double cancelledCount() throws Exception {
        JsonNode metric = api().json(api().get("/actuator/metrics/folio.generations.cancelled").body());
        return metric.get("measurements").get(0).get("value").asDouble();
    }
}
