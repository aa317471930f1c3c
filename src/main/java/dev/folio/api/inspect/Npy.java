package dev.folio.api.inspect;

import dev.folio.inspect.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Collectors;

/** One tensor as a NumPy {@code .npy} file (format 1.0: little-endian float32, C order), for {@code numpy.load}. */
final class Npy {

    static final String MEDIA_TYPE = "application/x-npy";
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};

    private Npy() {}

    static byte[] of(Tensor tensor) {
        String dims = Arrays.stream(tensor.shape()).mapToObj(Integer::toString).collect(Collectors.joining(", "));
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + (tensor.shape().length == 1 ? "," : "") + "), }";
        int unpadded = MAGIC.length + 2 + header.length() + 1; // + the closing newline
        String padded = header + " ".repeat((64 - unpadded % 64) % 64) + "\n"; // the data starts 64-byte aligned
        byte[] head = padded.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer file = ByteBuffer.allocate(MAGIC.length + 2 + head.length + 4 * tensor.size()).order(ByteOrder.LITTLE_ENDIAN);
        file.put(MAGIC).putShort((short) head.length).put(head);
        file.asFloatBuffer().put(tensor.values());
        return file.array();
    }
}
