package dev.folio.api;

import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;

/**
 * Whether a request's client is still connected, for work that writes nothing until it is done (a non-streaming
 * generation): a stream notices a client that left when its next write fails, a request that only waits would not.
 * {@link #gone()} never blocks, so the decode scheduler can ask before every step.
 */
public interface ClientConnection {

    /** The request attribute under which the server's connector leaves the probe ({@link ClientConnectionValve}). */
    String ATTRIBUTE = ClientConnection.class.getName();

    /** A connection never seen to close: requests that did not come through Tomcat's connector. */
    ClientConnection UNKNOWN = new ClientConnection() {
        @Override
        public boolean gone() {
            return false;
        }

        @Override
        public void release() {}
    };

    /** True once the client has closed or reset the connection. Non-blocking; safe from any thread. */
    boolean gone();

    /** The request is about to answer: probe it no more (its objects are recycled once it has answered). */
    void release();

    /**
     * The probe of this request's connection. Reads what is left of the body first, on the request's own thread, so that
     * afterwards any byte the connection shows is not the body's.
     */
    static ClientConnection of(HttpServletRequest request) {
        if (!(request.getAttribute(ATTRIBUTE) instanceof ClientConnection connection)) {
            return UNKNOWN;
        }
        try {
            ServletInputStream body = request.getInputStream();
            byte[] rest = new byte[1024];
            while (body.read(rest) >= 0) {
                // discard: the body was parsed already; a chunked one may still hold its last, empty chunk
            }
        } catch (IOException | IllegalStateException e) {
            return UNKNOWN; // the body was read as characters, or the read failed: do not probe a connection in an unknown state
        }
        return connection;
    }
}
