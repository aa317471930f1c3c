package dev.folio.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.objects.SafeString;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One of Jinjava's filters, held to the render's string length limit before and after it runs. Several filters
 * take a size and build a string of it without a check of their own ({@code center(1000000000)},
 * {@code "%0999999999d"|format(1)}, {@code slice(n)}): a number above the limit, as an argument or as a width in a
 * format, is refused before the filter allocates; a string result above the limit is refused after.
 */
final class BoundedFilter implements Filter {

    /** A width or precision in a printf-style format: {@code %10s}, {@code %-5.3f}, {@code %1$08d}. */
    private static final Pattern FORMAT_WIDTH = Pattern.compile("%(?:\\d+\\$)?[-#+ 0,(<]*(\\d+)?(?:\\.(\\d+))?");

    private final Filter filter;

    BoundedFilter(Filter filter) {
        this.filter = filter;
    }

    @Override
    public String getName() {
        return filter.getName();
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
        RenderBudget budget = RenderBudget.current();
        check(budget, var, args);
        return checked(budget, filter.filter(var, interpreter, args));
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        RenderBudget budget = RenderBudget.current();
        check(budget, var, args);
        if (kwargs != null) {
            check(budget, null, kwargs.values().toArray());
        }
        return checked(budget, filter.filter(var, interpreter, args, kwargs));
    }

    @Override
    public Object filter(SafeString var, JinjavaInterpreter interpreter, String... args) {
        RenderBudget budget = RenderBudget.current();
        check(budget, var, args);
        return checked(budget, filter.filter(var, interpreter, args));
    }

    @Override
    public boolean preserveSafeString() {
        return filter.preserveSafeString();
    }

    private void check(RenderBudget budget, Object var, Object[] args) {
        if (budget == null) {
            return;
        }
        long max = budget.limits().maxStringLength();
        if (args != null) {
            for (Object arg : args) {
                if (number(arg) > max) {
                    throw tooLong(budget, "its argument " + arg + " to the filter '" + getName() + "'");
                }
            }
        }
        if ("format".equals(getName()) && var != null) {
            Matcher m = FORMAT_WIDTH.matcher(var.toString());
            while (m.find()) {
                if (number(m.group(1)) > max || number(m.group(2)) > max) {
                    throw tooLong(budget, "a width in its format " + TemplateProblems.quote(m.group()));
                }
            }
        }
    }

    private Object checked(RenderBudget budget, Object result) {
        if (budget != null && result instanceof CharSequence text && text.length() > budget.limits().maxStringLength()) {
            throw tooLong(budget, "a string the filter '" + getName() + "' built");
        }
        return result;
    }

    private static RenderBudget.Exceeded tooLong(RenderBudget budget, String what) {
        return budget.exceed(what + " is over the string length limit (" + budget.limits().maxStringLength()
                + ", folio.chat.max-string-length)");
    }

    /** The value of a number or a numeric string; 0 for anything else. */
    private static double number(Object value) {
        if (value instanceof Number n) {
            return Math.abs(n.doubleValue());
        }
        if (value instanceof CharSequence s && !s.isEmpty() && s.length() < 40) {
            try {
                return Math.abs(Double.parseDouble(s.toString().strip()));
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return 0;
    }
}
