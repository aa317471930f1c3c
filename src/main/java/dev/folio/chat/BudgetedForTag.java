package dev.folio.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.tag.ForTag;
import com.hubspot.jinjava.tree.TagNode;
import java.util.AbstractCollection;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Jinjava's {@code for}, with every iteration spent from the render's {@link RenderBudget}: three nested
 * {@code range(1000)} are 10^9 iterations that no per-range limit catches. The collection is wrapped as
 * Jinjava would iterate it (a collection keeps its size, so {@code loop.length} and {@code loop.last} hold),
 * and its iterator ends as soon as the budget is spent.
 */
final class BudgetedForTag extends ForTag {

    private static final long serialVersionUID = 1L;

    @Override
    public String renderForCollection(TagNode tagNode, JinjavaInterpreter interpreter, List<String> loopVars, Object collection) {
        RenderBudget budget = RenderBudget.current();
        return super.renderForCollection(tagNode, interpreter, loopVars, budget == null ? collection : budgeted(collection, interpreter, budget));
    }

    /** The collection as Jinjava's ObjectIterator would see it, counted; anything else (null, one value) unchanged. */
    private static Object budgeted(Object collection, JinjavaInterpreter interpreter, RenderBudget budget) {
        if (collection instanceof Collection<?> items) {
            return new Counted(items, budget);
        }
        if (collection instanceof Object[] array) {
            return new Counted(Arrays.asList(array), budget);
        }
        if (collection instanceof Map<?, ?> map) {
            return new Counted(interpreter.getConfig().getLegacyOverrides().isIterateOverMapKeys() ? map.keySet() : map.values(), budget);
        }
        if (collection instanceof Iterable<?> iterable) {
            return (Iterable<Object>) () -> new CountingIterator(iterable.iterator(), budget);
        }
        if (collection instanceof Iterator<?> iterator) {
            return new CountingIterator(iterator, budget);
        }
        return collection;
    }

    private static final class Counted extends AbstractCollection<Object> {
        private final Collection<?> items;
        private final RenderBudget budget;

        Counted(Collection<?> items, RenderBudget budget) {
            this.items = items;
            this.budget = budget;
        }

        @Override
        public Iterator<Object> iterator() {
            return new CountingIterator(items.iterator(), budget);
        }

        @Override
        public int size() {
            return items.size();
        }
    }

    private static final class CountingIterator implements Iterator<Object> {
        private final Iterator<?> items;
        private final RenderBudget budget;
        private boolean stopped;

        CountingIterator(Iterator<?> items, RenderBudget budget) {
            this.items = items;
            this.budget = budget;
        }

        @Override
        public boolean hasNext() {
            return !stopped && items.hasNext();
        }

        @Override
        public Object next() {
            if (stopped) {
                throw new NoSuchElementException();
            }
            stopped = !budget.iterate();
            return items.next();
        }
    }
}
