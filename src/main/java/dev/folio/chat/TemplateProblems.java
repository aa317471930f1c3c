package dev.folio.chat;

import static dev.folio.chat.JinjavaEngine.unprefixed;

import com.hubspot.jinjava.el.ext.ExtendedParser;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.OutputTooBigException;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.interpret.TemplateError.ErrorReason;
import com.hubspot.jinjava.interpret.TemplateError.ErrorType;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/** Jinjava's errors in plain words. */
final class TemplateProblems {

    private static final int MAX_LISTED = 5;
    private static final int MAX_QUOTED = 80;
    private static final int MAX_MESSAGE = 300;

    private TemplateProblems() {}

    static List<String> ofRender(RenderResult result, SourceLines lines) {
        List<String> problems = new ArrayList<>();
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == ErrorType.FATAL) {
                problems.add(describe(error, lines.sourceLine(error.getLineno(), error.getFieldName()).orElse(0)));
            }
        }
        // Jinjava applies an unknown filter or test as a silent no-op, only recording that it looked for it
        Context context = result.getContext();
        if (context != null) {
            for (String value : context.getResolvedValues()) {
                String filter = unprefixed(value, ExtendedParser.FILTER_PREFIX);
                if (filter != null && context.getFilter(filter) == null) {
                    problems.add("unknown filter '" + filter + "'");
                }
                String test = unprefixed(value, ExtendedParser.EXPTEST_PREFIX);
                if (test != null && context.getExpTest(test) == null) {
                    problems.add("unknown test '" + test + "'");
                }
            }
        }
        return problems;
    }

    /** The first of Jinjava's own limits the render crossed (output size, string length, collection size), named. */
    static Optional<String> overLimit(RenderResult result, TemplateLimits limits) {
        for (TemplateError error : result.getErrors()) {
            if (error.getReason() == ErrorReason.OUTPUT_TOO_BIG) {
                return Optional.of(outputTooBig(limits));
            }
            if (isStringTooLong(error)) {
                return Optional.of("it builds a string longer than " + limits.maxStringLength()
                        + " characters (the string length limit, folio.chat.max-string-length)");
            }
            if (error.getReason() == ErrorReason.COLLECTION_TOO_BIG) {
                return Optional.of("it builds a list or dict too large: " + plain(error.getMessage()));
            }
        }
        return Optional.empty();
    }

    static String outputTooBig(TemplateLimits limits) {
        return "the rendered prompt is larger than " + limits.maxOutputBytes() + " bytes (the output size limit, folio.chat.max-output-bytes)";
    }

    /** Jinjava reports a string over its length limit as an exception from the operator or filter that built it. */
    private static boolean isStringTooLong(TemplateError error) {
        for (Throwable cause = error.getException(); cause != null; cause = cause.getCause()) {
            if (cause instanceof OutputTooBigException) {
                return true;
            }
        }
        return false;
    }

    static String summarize(String summary, List<String> problems) {
        List<String> distinct = problems.stream().distinct().toList();
        String listed = distinct.stream().limit(MAX_LISTED).collect(Collectors.joining("; "));
        int more = distinct.size() - MAX_LISTED;
        return summary + ": " + listed + (more > 0 ? "; and " + more + " more" : "");
    }

    /** One error: its line (if known), message and the expression it is about, without exception names. */
    static String describe(TemplateError error, int line) {
        String message = switch (Objects.toString(error.getMessage(), "")) {
            case "Unclosed token" -> "a '{{' or '{%' is never closed";
            case "Unclosed comment" -> "a '{#' comment is never closed";
            case "Missing start tag" -> "'" + error.getFieldName() + "' has no matching start tag";
            default -> plain(error.getMessage());
        };
        String field = Objects.toString(error.getFieldName(), "").strip();
        if (!field.isEmpty() && !message.contains(field) && !field.startsWith("{") && !field.equals("token")
                && !field.equals("comment")) {
            message += " in " + quote(field);
        }
        return atLine(line, message);
    }

    static String atLine(int line, String message) {
        return line > 0 ? "line " + line + ": " + message : message;
    }

    static String quote(String expression) {
        return "'" + (expression.length() > MAX_QUOTED ? expression.substring(0, MAX_QUOTED) + "..." : expression) + "'";
    }

    private static String plain(String message) {
        if (message == null || message.isBlank()) {
            return "unknown error";
        }
        String plain = message.strip()
                .replaceFirst("^(\\w+\\.)*\\w+(Exception|Error): ", "")
                .replaceAll("\\s*\\R\\s*", " ")
                // JUEL lists every token that could have come, which says nothing useful
                .replaceAll(", expected [^,;\\s]*\\|[^,;\\s]*", "");
        return plain.length() > MAX_MESSAGE ? plain.substring(0, MAX_MESSAGE) + "..." : plain;
    }
}
