package dev.folio.api;

import java.util.concurrent.locks.ReentrantLock;
import org.apache.coyote.ActionCode;
import org.apache.coyote.Request;

/**
 * Probes a Tomcat connection with a non-blocking read. Tomcat does not watch a connection while its request is being
 * served (not even in async mode, where no error callback fires for a reset socket), so nothing tells a waiting request
 * that its client left; but once the body has been read, Tomcat's {@code AVAILABLE} action with a read reports bytes
 * only when the socket shows an end of stream or an error, which is how a closed or reset connection looks.
 *
 * <p>One false positive: a client that pipelines its next request behind this one (HTTP/1.1 pipelining, which no
 * mainstream client does) looks gone too.
 */
final class TomcatClientConnection implements ClientConnection {

    private final Request request;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile boolean gone;
    private boolean released;

    TomcatClientConnection(Request request) {
        this.request = request;
    }

    @Override
    public boolean gone() {
        if (gone || !lock.tryLock()) { // held only while the request releases it: the answer is on its way
            return gone;
        }
        try {
            if (!released && !gone) {
                request.action(ActionCode.AVAILABLE, Boolean.TRUE);
                gone = request.getAvailable() > 0;
            }
            return gone;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void release() {
        lock.lock(); // waits out a probe in progress (a non-blocking read)
        try {
            released = true;
        } finally {
            lock.unlock();
        }
    }
}
