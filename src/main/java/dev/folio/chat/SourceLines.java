package dev.folio.chat;

import com.hubspot.jinjava.tree.ExpressionNode;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * The source line of a render error. Jinjava 2.8.2 does not count the newline trim_blocks removes
 * after a block tag, so while rendering its line numbers drift low. This matches each tag and
 * expression of the rendered (trimmed) parse to the same one in an untrimmed parse, whose lines are right.
 */
final class SourceLines {

    private record Located(int reportedLine, int sourceLine, List<String> texts) {}

    private final List<Located> located;

    private SourceLines(List<Located> located) {
        this.located = located;
    }

    static SourceLines of(Node trimmedTree, Node untrimmedTree) {
        List<Node> trimmed = codeNodes(trimmedTree, new ArrayList<>());
        List<Node> untrimmed = codeNodes(untrimmedTree, new ArrayList<>());
        List<Located> located = new ArrayList<>();
        // both parses hold the same tags and expressions in the same order; if not, give no lines
        if (trimmed.size() == untrimmed.size()) {
            for (int i = 0; i < trimmed.size(); i++) {
                Node node = untrimmed.get(i);
                located.add(new Located(trimmed.get(i).getLineNumber(), node.getLineNumber(), texts(node)));
            }
        }
        return new SourceLines(located);
    }

    /**
     * The true line of an error Jinjava reported on {@code reportedLine} about {@code field} (the
     * expression or tag it names), or empty if that is ambiguous.
     */
    OptionalInt sourceLine(int reportedLine, String field) {
        List<Located> candidates = located.stream().filter(l -> l.reportedLine() == reportedLine).toList();
        String code = field == null ? "" : field.strip().replaceAll("^\\[\\s*(.*?)\\s*]$", "$1");
        if (distinctLines(candidates) > 1 && !code.isEmpty()) {
            candidates = candidates.stream().filter(l -> l.texts().stream().anyMatch(t -> t.contains(code))).toList();
        }
        return distinctLines(candidates) == 1 ? OptionalInt.of(candidates.get(0).sourceLine()) : OptionalInt.empty();
    }

    private static long distinctLines(List<Located> candidates) {
        return candidates.stream().mapToInt(Located::sourceLine).distinct().count();
    }

    private static List<Node> codeNodes(Node node, List<Node> found) {
        if (node instanceof TagNode || node instanceof ExpressionNode) {
            found.add(node);
        }
        node.getChildren().forEach(child -> codeNodes(child, found));
        return found;
    }

    private static List<String> texts(Node node) {
        List<String> texts = new ArrayList<>();
        if (node.getMaster() != null) {
            texts.add(node.getMaster().getImage());
        }
        if (node instanceof TagNode tag && tag.getHelpers() != null) {
            texts.add(tag.getHelpers());
        }
        return texts;
    }
}
