package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.store.BundledStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A real server on a random port serving the repository's bundled, trained model (model-store/shakespeare-char), copied
 * once into a temporary store so the tests never write into the repository. Real LLM clients (Spring AI, LangChain4j,
 * OpenAI's Java SDK) talk to it as they would to OpenAI. Subclasses share one application context (this class's
 * configuration and nothing else), so the server starts once for all of them.
 *
 * <p>Every client is built inside a test, after {@link #guardLoopback()} installed a JVM-wide {@link ProxySelector}: OkHttp
 * (Spring AI, the OpenAI SDK) and the JDK's HttpClient (LangChain4j) ask it where each connection goes. Loopback goes
 * direct and is recorded; anything else is sent to a dead local port, so no request can leave the machine, and the test
 * fails on it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class BundledModelServerTest {

    static final String BUNDLED = "shakespeare-char";
    static final String SCENE = "A street in Verona.";
    static final String GREETING = "Good morrow, fair maid. What news?";

    private static ProxySelector previous;
    private static final LoopbackOnly LOOPBACK = new LoopbackOnly();

    @DynamicPropertySource
    static void bundledStore(DynamicPropertyRegistry registry) {
        registry.add("folio.store.path", () -> store().toString());
        registry.add("folio.store.model", () -> BUNDLED);
    }

    /** A temporary copy of the bundled model's directory, made once per JVM and removed when it exits. */
    static Path store() {
        return BundledStore.copy();
    }

    @LocalServerPort
    int port;

    /** OpenAI's base URL convention, on loopback: clients append /chat/completions and /completions. */
    String baseUrl() {
        return "http://127.0.0.1:" + port + "/v1";
    }

    @BeforeAll
    static void guardLoopback() {
        synchronized (LOOPBACK) {
            if (ProxySelector.getDefault() != LOOPBACK) {
                previous = ProxySelector.getDefault();
                ProxySelector.setDefault(LOOPBACK);
            }
        }
    }

    @AfterAll
    static void restoreProxySelector() {
        synchronized (LOOPBACK) {
            if (ProxySelector.getDefault() == LOOPBACK) {
                ProxySelector.setDefault(previous);
            }
        }
    }

    /** A test that builds no client sets this false. */
    boolean connects = true;

    @BeforeEach
    void forgetConnections() {
        LOOPBACK.asked.clear();
    }

    /** Each test's client connected, and only ever to this server on loopback. */
    @AfterEach
    void onlyLoopbackWasContacted() {
        if (connects) {
            assertThat(LOOPBACK.asked).as("where the clients connected (every client is built in its test)").isNotEmpty();
        }
        assertThat(LOOPBACK.asked).as("where the clients connected").allSatisfy(uri -> {
            // OkHttp asks for http://host:port/, its socket then for socket://host:port; the JDK's client for the request's URI
            assertThat(uri.getScheme()).isIn("http", "socket");
            assertThat(uri.getHost()).isEqualTo("127.0.0.1");
            assertThat(uri.getPort()).isEqualTo(port);
        });
    }

    /** Direct for loopback (recorded), a dead local proxy for anything else (also recorded, and failed by the check). */
    private static final class LoopbackOnly extends ProxySelector {
        private static final InetSocketAddress NOWHERE = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9); // nothing listens

        final List<URI> asked = new CopyOnWriteArrayList<>();

        @Override
        public List<Proxy> select(URI uri) {
            asked.add(uri);
            if (isLoopback(uri.getHost())) {
                return List.of(Proxy.NO_PROXY);
            }
            // a plain socket only honours a SOCKS proxy (it would connect directly through an HTTP one)
            return List.of(new Proxy("socket".equals(uri.getScheme()) ? Proxy.Type.SOCKS : Proxy.Type.HTTP, NOWHERE));
        }

        @Override
        public void connectFailed(URI uri, SocketAddress address, IOException e) {}

        private static boolean isLoopback(String host) {
            if (host == null) {
                return false;
            }
            if (host.equalsIgnoreCase("localhost")) {
                return true;
            }
            String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            if (!literal.matches("[0-9.]+|[0-9A-Fa-f]*:[0-9A-Fa-f:.]*")) {
                return false; // a name other than localhost: never looked up, never reached
            }
            try {
                return InetAddress.getByName(literal).isLoopbackAddress(); // an IP literal is parsed, not looked up
            } catch (UnknownHostException e) {
                return false;
            }
        }
    }
}
