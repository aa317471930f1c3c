package dev.folio.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;

/** The slot cache grows by doubling, keeps what it holds as it grows, stays within its length limit, and gives memory back. */
class SlotKvCacheTest {

    private static final GptConfig CONFIG = new GptConfig(11, 100, 2, 2, 8, 0f, false);

    @Test
    void growsByDoublingKeepingWhatItHolds() {
        try (NDManager manager = NDManager.newBaseManager(); SlotKvCache cache = new SlotKvCache(manager, CONFIG, 6)) {
            assertThat(cache.bytes()).as("nothing until asked").isZero();
            cache.ensure(1, 3);
            assertThat(cache.rows()).isEqualTo(1);
            assertThat(cache.length()).as("at least a few positions").isEqualTo(SlotKvCache.MIN_LENGTH);
            NDArray marks = manager.arange(0f, (float) (2 * 2 * 3 * 4)).reshape(2, 2, 3, 4); // (H, 2, positions, hd)
            NDIndex slot0 = new NDIndex("0, :, :, :3");
            for (int layer = 0; layer < CONFIG.nLayer(); layer++) {
                cache.keysAndValues(layer).set(slot0, marks.add(layer));
            }
            cache.ensure(3, 17);
            assertThat(cache.rows()).as("3 rows: the next power of two").isEqualTo(4);
            assertThat(cache.length()).isEqualTo(32);
            cache.ensure(5, 70);
            assertThat(cache.rows()).as("never past the slots").isEqualTo(6);
            assertThat(cache.length()).as("never past the window").isEqualTo(100);
            assertThat(cache.bytes()).isEqualTo(SlotKvCache.bytes(CONFIG, 6, 100)).isEqualTo(6L * 100 * 2 * 2 * 8 * Float.BYTES);
            for (int layer = 0; layer < CONFIG.nLayer(); layer++) {
                NDArray kept = cache.keysAndValues(layer).get(slot0);
                assertThat(kept.toFloatArray()).as("layer %d after two growths", layer).containsExactly(marks.add(layer).toFloatArray());
                assertThat(cache.keysAndValues(layer).get("1:, :, :, :").sum().getFloat()).as("new rows start empty").isZero();
            }
            assertThatThrownBy(() -> cache.ensure(7, 1)).isInstanceOf(IllegalArgumentException.class);
            cache.release();
            assertThat(cache.bytes()).isZero();
        }
    }

    @Test
    void positionsStopAtTheLimitTheBatchReserved() {
        try (NDManager manager = NDManager.newBaseManager(); SlotKvCache cache = new SlotKvCache(manager, CONFIG, 4)) {
            cache.limitLength(40);
            cache.ensure(1, 33);
            assertThat(cache.length()).as("64 would pass what the batch reserved").isEqualTo(40);
            cache.ensure(1, 41); // asked for more than the limit: what is asked, no more
            assertThat(cache.length()).isEqualTo(41);
            assertThat(cache.keysAndValues(0).getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(SlotKvCache.rowsFor(3, 4)).isEqualTo(4);
            assertThat(SlotKvCache.rowsFor(5, 6)).isEqualTo(6);
            assertThat(SlotKvCache.rowsFor(1, 64)).isEqualTo(1);
        }
    }
}
