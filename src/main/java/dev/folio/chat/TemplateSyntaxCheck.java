package dev.folio.chat;

import static dev.folio.chat.JinjavaEngine.unprefixed;

import com.hubspot.jinjava.el.ExtendedSyntaxBuilder;
import com.hubspot.jinjava.el.ext.ExtendedParser;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.interpret.TemplateError.ErrorReason;
import com.hubspot.jinjava.interpret.TemplateError.ErrorType;
import com.hubspot.jinjava.tree.ExpressionNode;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import com.hubspot.jinjava.tree.parse.ExpressionToken;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import jinjava.de.odysseus.el.tree.IdentifierNode;
import jinjava.de.odysseus.el.tree.Tree;
import jinjava.de.odysseus.el.tree.TreeBuilderException;
import jinjava.de.odysseus.el.tree.impl.Builder;

/** Finds, before any rendering, the syntax errors Jinjava would only report while rendering. */
final class TemplateSyntaxCheck {

    /** Tags whose helper text is one plain expression. */
    private static final Set<String> CONDITION_TAGS = Set.of("if", "elif", "unless");

    private TemplateSyntaxCheck() {}

    static List<String> problems(Node tree, List<TemplateError> parseErrors) {
        List<String> problems = new ArrayList<>();
        for (TemplateError error : parseErrors) {
            // an unclosed "{{" or a stray end tag is only a warning in Jinjava; Jinja2 refuses both
            if (error.getSeverity() == ErrorType.FATAL || error.getReason() == ErrorReason.SYNTAX_ERROR) {
                problems.add(TemplateProblems.describe(error, error.getLineno()));
            }
        }
        check(tree, problems);
        return problems;
    }

    private static void check(Node node, List<String> problems) {
        if (node instanceof TagNode tag && JinjavaEngine.TEMPLATE_LOADING_TAGS.contains(tag.getName())) {
            problems.add(TemplateProblems.atLine(node.getLineNumber(),
                    "'" + tag.getName() + "' is not allowed: chat templates cannot load other templates or files"));
        }
        String expression = expressionOf(node);
        if (expression != null && expression.isBlank() && node instanceof TagNode tag) {
            problems.add(TemplateProblems.atLine(node.getLineNumber(), "'" + tag.getName() + "' needs a condition"));
        } else if (expression != null && !expression.isBlank()) {
            checkExpression(expression.trim(), node.getLineNumber(), problems);
        }
        node.getChildren().forEach(child -> check(child, problems));
    }

    private static String expressionOf(Node node) {
        if (node instanceof ExpressionNode && node.getMaster() instanceof ExpressionToken token) {
            return token.getExpr();
        }
        if (node instanceof TagNode tag && CONDITION_TAGS.contains(tag.getName())) {
            return tag.getHelpers();
        }
        return null;
    }

    /** Parses as Jinjava's expression factory does (its default profile has these two features). */
    private static void checkExpression(String expression, int line, List<String> problems) {
        String quoted = TemplateProblems.quote(expression);
        try {
            Tree tree = new ExtendedSyntaxBuilder(Builder.Feature.METHOD_INVOCATIONS, Builder.Feature.VARARGS)
                    .build("#{" + expression + "}");
            Context builtIns = JinjavaEngine.builtIns();
            for (IdentifierNode identifier : tree.getIdentifierNodes()) {
                String filter = unprefixed(identifier.getName(), ExtendedParser.FILTER_PREFIX);
                if (filter != null && builtIns.getFilter(filter) == null) {
                    problems.add(TemplateProblems.atLine(line, "unknown filter '" + filter + "' in " + quoted));
                }
                String test = unprefixed(identifier.getName(), ExtendedParser.EXPTEST_PREFIX);
                if (test != null && builtIns.getExpTest(test) == null) {
                    problems.add(TemplateProblems.atLine(line, "unknown test '" + test + "' in " + quoted));
                }
            }
        } catch (TreeBuilderException e) {
            problems.add(TemplateProblems.atLine(line, describe(e, expression, quoted)));
        }
    }

    private static String describe(TreeBuilderException e, String expression, String quoted) {
        String encountered = Objects.toString(e.getEncountered(), "");
        // tokens come quoted ('}') or bracketed (<IDENTIFIER>); anything else names a lexical error
        boolean lexical = !encountered.startsWith("'") && !encountered.startsWith("<");
        // "#{" precedes the expression, so its end is at length + 2
        boolean atEnd = e.getPosition() >= expression.length() + 2;
        // a list of every token that could have come says nothing useful
        String expected = e.getExpected() != null && !e.getExpected().contains("|") ? ", expected " + e.getExpected() : "";
        if (lexical) {
            return encountered + " in expression " + quoted + expected;
        }
        if (atEnd) {
            return "incomplete expression " + quoted + expected;
        }
        return "unexpected " + encountered + " at character " + (e.getPosition() - 1) + " of expression " + quoted
                + expected;
    }
}
