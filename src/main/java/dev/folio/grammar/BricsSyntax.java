package dev.folio.grammar;

import dk.brics.automaton.Automaton;
import dk.brics.automaton.State;
import dk.brics.automaton.Transition;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link RegexNode} written in brics' own syntax, for {@code new RegExp(text, INTERSECTION | AUTOMATON)}
 * and {@code toAutomaton(automata, false)}. Every char is escaped or quoted, so none of brics' reserved
 * chars ({@code "}, {@code &}, {@code <}, ...) is ever read as an operator. A class of several ranges is
 * written as a named automaton ({@code <c0>}) built here with one accepting state: brics would build
 * {@code [a-cx-z]} as a union with an accepting state per range, each of which then gets its own copy of
 * whatever follows. brics parses sequences and alternatives recursively, one stack frame per item, so long
 * ones are written as nested groups of at most {@value #FAN_OUT}: depth grows with the logarithm of the
 * length, and brics flattens such groups again when it builds the automaton.
 *
 * @param text the expression
 * @param automata the named automata it refers to
 */
record BricsSyntax(String text, Map<String, Automaton> automata) {

    private static final int FAN_OUT = 8;

    static BricsSyntax of(RegexNode node) {
        Writer writer = new Writer();
        writer.write(node);
        return new BricsSyntax(writer.out.toString(), writer.automata);
    }

    private static final class Writer {

        private final StringBuilder out = new StringBuilder();
        private final Map<String, Automaton> automata = new HashMap<>();
        private final Map<CharRanges, String> names = new HashMap<>();

        private void write(RegexNode node) {
            if (node instanceof RegexNode.Literal literal) {
                literal(literal.text());
            } else if (node instanceof RegexNode.CharClass c) {
                charClass(c.chars());
            } else if (node instanceof RegexNode.Sequence sequence) {
                items(sequence.items(), 0, sequence.items().size(), "");
            } else if (node instanceof RegexNode.Choice choice) {
                items(choice.alternatives(), 0, choice.alternatives().size(), "|");
            } else if (node instanceof RegexNode.Repeat repeat) {
                grouped(repeat.body());
                int min = repeat.min();
                int max = repeat.max();
                if (min == 0 && max == 1) {
                    out.append('?');
                } else if (min == 0 && max == RegexNode.UNBOUNDED) {
                    out.append('*');
                } else if (max == RegexNode.UNBOUNDED) {
                    out.append('{').append(min).append(",}");
                } else {
                    out.append('{').append(min).append(',').append(max).append('}');
                }
            } else {
                RegexNode.Both both = (RegexNode.Both) node;
                out.append("((");
                write(both.left());
                out.append(")&(");
                write(both.right());
                out.append("))");
            }
        }

        /** Items {@code from..to} joined by {@code separator}, as a balanced tree of groups. */
        private void items(List<RegexNode> items, int from, int to, String separator) {
            int count = to - from;
            if (count <= FAN_OUT) {
                for (int i = from; i < to; i++) {
                    if (i > from) {
                        out.append(separator);
                    }
                    grouped(items.get(i));
                }
                return;
            }
            int chunk = (count + FAN_OUT - 1) / FAN_OUT;
            for (int start = from; start < to; start += chunk) {
                if (start > from) {
                    out.append(separator);
                }
                out.append('(');
                items(items, start, Math.min(to, start + chunk), separator);
                out.append(')');
            }
        }

        /** The node as one atom: parenthesized unless it already is one. */
        private void grouped(RegexNode node) {
            boolean atom = node instanceof RegexNode.CharClass
                    || (node instanceof RegexNode.Literal l && (l.text().length() <= 1 || l.text().indexOf('"') < 0));
            if (atom) {
                write(node);
            } else {
                out.append('(');
                write(node);
                out.append(')');
            }
        }

        private void literal(String text) {
            if (text.isEmpty()) {
                out.append("()");
                return;
            }
            if (text.length() == 1) {
                out.append('\\').append(text.charAt(0));
                return;
            }
            // brics reads "..." verbatim up to the next quote, so a quote itself is written escaped, outside
            int runStart = -1;
            for (int i = 0; i <= text.length(); i++) {
                boolean quote = i == text.length() || text.charAt(i) == '"';
                if (quote) {
                    if (runStart >= 0) {
                        out.append('"').append(text, runStart, i).append('"');
                        runStart = -1;
                    }
                    if (i < text.length()) {
                        out.append("\\\"");
                    }
                } else if (runStart < 0) {
                    runStart = i;
                }
            }
        }

        private void charClass(CharRanges chars) {
            if (chars.rangeCount() == 1) {
                char lo = chars.lo(0);
                char hi = chars.hi(0);
                if (lo == hi) {
                    out.append('\\').append(lo);
                } else {
                    out.append("[\\").append(lo).append("-\\").append(hi).append(']');
                }
                return;
            }
            String name = names.computeIfAbsent(chars, c -> {
                String n = "c" + names.size();
                automata.put(n, oneStep(c));
                return n;
            });
            out.append('<').append(name).append('>');
        }
    }

    /** Two states, one transition per range: the automaton of a class as brics should have built it. */
    private static Automaton oneStep(CharRanges chars) {
        State start = new State();
        State end = new State();
        end.setAccept(true);
        for (int r = 0; r < chars.rangeCount(); r++) {
            start.addTransition(new Transition(chars.lo(r), chars.hi(r), end));
        }
        Automaton automaton = new Automaton();
        automaton.setInitialState(start);
        automaton.setDeterministic(true);
        return automaton;
    }
}
