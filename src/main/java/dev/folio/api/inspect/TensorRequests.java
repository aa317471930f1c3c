package dev.folio.api.inspect;

import dev.folio.api.InvalidRequestException;
import dev.folio.inspect.Inspector;
import dev.folio.inspect.Selection;
import dev.folio.inspect.Tensor;
import dev.folio.inspect.TensorEncoding;
import dev.folio.inspect.TensorEncoding.Encoding;
import dev.folio.inspect.TensorEncoding.Layout;
import dev.folio.model.GptConfig;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * The activations part of a request ({@code /inspect}, {@code /inspect/intervene}): which hooks, which part of them,
 * how encoded; refused (422) before anything runs when it names what the model lacks or would answer over the limits.
 */
@Component
public class TensorRequests {

    /** What an answer carries per tensor besides its values (name, axes, shape, encoding), rounded up. */
    static final int TENSOR_BYTES = 256;

    private final InspectProperties limits;

    public TensorRequests(InspectProperties limits) {
        this.limits = limits;
    }

    /**
     * A validated ask.
     *
     * @param encoding null when the answer is one {@code .npy} file
     */
    public record Ask(List<String> hooks, Selection selection, Encoding encoding, Layout layout) {

        boolean npy() {
            return encoding == null;
        }
    }

    /** The fields as the request gave them (null: the default). */
    public record Fields(List<String> hooks, List<Integer> layers, List<Integer> heads, InspectWire.Positions positions, String encoding,
            String layout) {}

    public Ask parse(Inspector inspector, int tokens, Fields fields) {
        GptConfig config = inspector.config();
        List<String> patterns = fields.hooks() == null ? List.of() : fields.hooks();
        List<String> named = InvalidRequestException.whenRefused("hooks", "hooks: ", () -> inspector.names().select(patterns));
        Set<Integer> layers = fields.layers() == null ? null : Set.copyOf(indices("layers", fields.layers(), config.nLayer()));
        int[] heads = fields.heads() == null ? null : indices("heads", fields.heads(), config.nHead()).stream().mapToInt(Integer::intValue).toArray();
        int[] range = range(fields.positions(), tokens);
        Selection selection = new Selection(layers, heads, range[0], range[1]);
        List<String> hooks = named.stream().filter(selection::keeps).toList();
        if (!patterns.isEmpty() && hooks.isEmpty()) {
            throw new InvalidRequestException("hooks: none of " + patterns + " is in layers " + fields.layers(), "layers");
        }
        Layout layout = choose("layout", fields.layout(), Layout.DENSE, Layout.values());
        String encodingName = fields.encoding() == null ? "json" : fields.encoding();
        if (encodingName.equals("npy")) {
            if (hooks.size() != 1 || layout != Layout.DENSE) {
                throw new InvalidRequestException("encoding: npy answers one dense tensor; the request selects " + hooks.size()
                        + " with layout " + layout.wireName() + " (name one hook, or use float32, float16 or int8 for several)", "encoding");
            }
            return new Ask(hooks, selection, null, layout);
        }
        Encoding encoding = choose("encoding", encodingName, Encoding.JSON, Encoding.values());
        Ask ask = new Ask(hooks, selection, encoding, layout);
        checkSize(inspector, ask);
        return ask;
    }

    /** Refuses an answer over {@code max-json-values} or {@code max-response-bytes}, from the shapes alone. */
    private void checkSize(Inspector inspector, Ask ask) {
        long values = 0;
        for (String hook : ask.hooks()) {
            values += ask.selection().valuesSent(inspector.names().axes(hook), inspector.config(), ask.layout());
        }
        if (ask.encoding() == Encoding.JSON && values > limits.maxJsonValues()) {
            throw new InvalidRequestException(String.format(Locale.ROOT, "encoding: %,d values are too many for JSON numbers (at most %,d, "
                    + "folio.inspect.max-json-values); ask for float16 or int8 (base64), layout causal, or fewer hooks, layers, heads or positions",
                    values, limits.maxJsonValues()), "encoding");
        }
        long bytes = Math.round(values * ask.encoding().bytesPerValue()) + (long) TENSOR_BYTES * ask.hooks().size();
        if (bytes > limits.maxResponseBytes()) {
            throw new InvalidRequestException(String.format(Locale.ROOT, "hooks: the answer would be about %.1f MiB (%,d values as %s), over the limit "
                    + "of %.1f MiB (folio.inspect.max-response-bytes); ask for int8, layout causal, or fewer hooks, layers, heads or positions",
                    bytes / 1048576.0, values, ask.encoding().wireName(), limits.maxResponseBytes() / 1048576.0), "hooks");
        }
    }

    /** The captured activations, selected and encoded, in forward order. */
    public Map<String, InspectWire.Tensor> encode(Ask ask, Map<String, Tensor> captured) {
        Map<String, InspectWire.Tensor> tensors = new LinkedHashMap<>();
        for (String hook : ask.hooks()) {
            Tensor selected = ask.selection().apply(captured.get(hook));
            tensors.put(hook, InspectWire.Tensor.of(TensorEncoding.encode(selected, ask.encoding(), ask.layout())));
        }
        return tensors;
    }

    public InspectWire.Selected selected(Ask ask, int layers) {
        List<Integer> kept = java.util.stream.IntStream.range(0, layers).filter(l -> ask.selection().layers() == null
                || ask.selection().layers().contains(l)).boxed().toList();
        return new InspectWire.Selected(kept, ask.selection().heads(), new InspectWire.Positions(ask.selection().start(), ask.selection().end()));
    }

    /** {@code positions} as [start, end), defaulting to the whole text; 422 unless 0 ≤ start < end ≤ tokens. */
    static int[] range(InspectWire.Positions positions, int tokens) {
        int start = positions == null || positions.start() == null ? 0 : positions.start();
        int end = positions == null || positions.end() == null ? tokens : positions.end();
        if (start < 0 || end > tokens || start >= end) {
            throw new InvalidRequestException("positions: start and end must satisfy 0 <= start < end <= " + tokens + " (the text's tokens); given "
                    + start + " and " + end, "positions");
        }
        return new int[] {start, end};
    }

    /** Indices in 0 … bound−1, each once. */
    static List<Integer> indices(String field, List<Integer> given, int bound) {
        Set<Integer> seen = new HashSet<>();
        for (Integer index : given) {
            if (index == null || index < 0 || index >= bound || !seen.add(index)) {
                throw new InvalidRequestException(field + ": each must be one of 0 to " + (bound - 1) + ", once; given " + given, field);
            }
        }
        return given;
    }

    static <E extends Enum<E>> E choose(String field, String given, E fallback, E[] values) {
        if (given == null) {
            return fallback;
        }
        for (E value : values) {
            if (value.name().toLowerCase(Locale.ROOT).equals(given)) {
                return value;
            }
        }
        List<String> names = java.util.Arrays.stream(values).map(v -> v.name().toLowerCase(Locale.ROOT)).toList();
        throw new InvalidRequestException(field + ": must be one of " + names + (field.equals("encoding") ? " or npy" : "") + "; given '" + given + "'",
                field);
    }
}
