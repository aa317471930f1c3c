package dev.folio.api;

import dev.folio.store.LoadedModel;
import dev.folio.store.ModelRegistry;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The lease a request took when it was validated, kept until it has run: the request decodes on the version it was
 * validated against, whatever is swapped in meanwhile. Copies (a request's samples) share the one lease, which closes
 * with the last of them. A hold dropped without being closed (a request refused after validation, before it ran) is
 * released when it is collected, so an abandoned request delays an old version's release but never pins it.
 */
public final class VersionHold implements AutoCloseable {

    private static final Cleaner CLEANER = Cleaner.create();

    private final Shared shared;
    private final Cleaner.Cleanable release;

    private VersionHold(Shared shared) {
        this.shared = shared;
        this.release = CLEANER.register(this, shared::release); // the action holds the shared lease, never this hold
    }

    static VersionHold of(ModelRegistry.Lease lease) {
        return new VersionHold(new Shared(lease));
    }

    /** Another holder of the same version (call while this one is open). */
    VersionHold share() {
        shared.holders.incrementAndGet();
        return new VersionHold(shared);
    }

    LoadedModel model() {
        return shared.lease.model();
    }

    /** Lets the version go (once; later calls do nothing). */
    @Override
    public void close() {
        release.clean();
    }

    private static final class Shared {
        private final ModelRegistry.Lease lease;
        private final AtomicInteger holders = new AtomicInteger(1);

        Shared(ModelRegistry.Lease lease) {
            this.lease = lease;
        }

        void release() {
            if (holders.decrementAndGet() == 0) {
                lease.close();
            }
        }
    }
}
