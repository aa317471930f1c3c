package dev.folio.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.folio.interop.PickleWriter.Call;
import dev.folio.interop.PickleWriter.Global;
import dev.folio.interop.PickleWriter.Ordered;
import dev.folio.interop.PickleWriter.TensorEntry;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The allow-listed unpickler: what a state dict and meta.pkl are made of comes back; any other global or opcode is refused. */
class UnpicklerTest {

    @Test
    void readsAStateDictAsTorchSaveWritesIt() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("model", new Ordered(Map.of("transformer.wte.weight", new TensorEntry("0", 12, new long[] {3, 4}))));
        root.put("model_args", Map.of("n_layer", 2, "bias", false));
        root.put("iter_num", 5000);
        root.put("big", 1L << 40);
        root.put("lr", 0.5);
        root.put("betas", List.of(0.9, 0.99));
        root.put("none", null);
        Object loaded = Unpickler.load(PickleWriter.protocol2(root), "ckpt.pt");

        assertThat(loaded).isInstanceOf(Map.class);
        Map<?, ?> top = (Map<?, ?>) loaded;
        assertThat(top.get("iter_num")).isEqualTo(5000L);
        assertThat(top.get("big")).isEqualTo(1L << 40);
        assertThat(top.get("lr")).isEqualTo(0.5);
        assertThat(top.get("betas")).isEqualTo(List.of(0.9, 0.99));
        assertThat(top.containsKey("none")).isTrue();
        assertThat(((Map<?, ?>) top.get("model_args")).get("bias")).isEqualTo(false);
        Unpickler.TensorRef tensor = (Unpickler.TensorRef) ((Map<?, ?>) top.get("model")).get("transformer.wte.weight");
        assertThat(tensor.storage()).isEqualTo(new Unpickler.StorageRef("FloatStorage", "0", 12));
        assertThat(tensor.size()).containsExactly(3, 4);
        assertThat(tensor.stride()).containsExactly(4, 1);
    }

    @Test
    void readsMetaPklAsPickleDumpWritesIt() {
        Map<Object, Object> itos = new LinkedHashMap<>();
        itos.put(0, "\n");
        itos.put(1, "é");
        Object loaded = Unpickler.load(PickleWriter.protocol4(Map.of("vocab_size", 2, "itos", itos)), "meta.pkl");
        assertThat(((Map<?, ?>) loaded).get("itos")).isEqualTo(Map.of(0L, "\n", 1L, "é"));
    }

    @Test
    void aGlobalOutsideTheAllowListIsRefusedByNameBeforeAnythingIsCalled() {
        byte[] osSystem = PickleWriter.protocol2(Map.of("model", new Call(new Global("os", "system"), List.of("touch /tmp/pwned"))));
        assertThatThrownBy(() -> Unpickler.load(osSystem, "ckpt.pt")).isInstanceOf(RefusedFileException.class)
                .hasMessageContaining("ckpt.pt").hasMessageContaining("os.system").hasMessageContaining("allow-list");

        byte[] stackGlobal = PickleWriter.protocol4(new Call(new Global("builtins", "eval"), List.of("1+1")));
        assertThatThrownBy(() -> Unpickler.load(stackGlobal, "meta.pkl")).hasMessageContaining("builtins.eval");
    }

    @Test
    void anAllowedGlobalCannotBeCalledAsSomethingElse() {
        byte[] storageCalled = PickleWriter.protocol2(new Call(new Global("torch", "FloatStorage"), List.of(3)));
        assertThatThrownBy(() -> Unpickler.load(storageCalled, "x.pkl")).hasMessageContaining("only a storage type");
        byte[] ordered = PickleWriter.protocol2(new Call(new Global("collections", "OrderedDict"), List.of("abc")));
        assertThatThrownBy(() -> Unpickler.load(ordered, "x.pkl")).hasMessageContaining("arguments");
    }

    @Test
    void otherOpcodesTruncationAndLyingLengthsAreRefused() {
        byte[] inst = {(byte) 0x80, 2, '(', 'i', 'o', 's', '\n', 's', 'y', 's', 't', 'e', 'm', '\n', '.'}; // INST os system
        assertThatThrownBy(() -> Unpickler.load(inst, "x.pkl")).isInstanceOf(RefusedFileException.class).hasMessageContaining("opcode 0x69");

        byte[] whole = PickleWriter.protocol2(Map.of("key", "value"));
        byte[] truncated = java.util.Arrays.copyOf(whole, whole.length - 4);
        assertThatThrownBy(() -> Unpickler.load(truncated, "x.pkl")).isInstanceOf(RefusedFileException.class);

        byte[] huge = {(byte) 0x80, 2, 'X', (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, 'a', '.'}; // a 2 GB string in 9 bytes
        assertThatThrownBy(() -> Unpickler.load(huge, "x.pkl")).hasMessageContaining("runs past the end");

        byte[] memo = "\u0080\u0002h\u0007.".getBytes(StandardCharsets.ISO_8859_1); // BINGET of nothing stored
        assertThatThrownBy(() -> Unpickler.load(memo, "x.pkl")).hasMessageContaining("memo");
    }
}
