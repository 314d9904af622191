package dev.nuri.text.chat;

import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaProcessors;
import com.hubspot.jinjava.el.TypeConvertingMapELResolver;
import com.hubspot.jinjava.el.ext.JinjavaBeanELResolver;
import com.hubspot.jinjava.el.ext.JinjavaListELResolver;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.util.ForLoop;
import java.beans.FeatureDescriptor;
import java.time.Duration;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import jinjava.javax.el.CompositeELResolver;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;
import jinjava.javax.el.MethodNotFoundException;

/**
 * What a chat template may do. Templates come from downloaded files, so they are treated as untrusted code:
 * <ul>
 *   <li>no Java: the data a template sees is plain maps, lists, strings, numbers and booleans; the only methods it
 *       can call are the Python ones in {@link PythonMethods}; attributes exist only on {@code loop};</li>
 *   <li>no files: {@code include}, {@code import}, {@code from} and {@code extends} are disabled;</li>
 *   <li>bounded work: output size, string and list sizes, {@code range()} length, macro recursion depth, the
 *       number of template nodes rendered, and wall-clock time are capped; crossing a cap stops the render.</li>
 * </ul>
 */
final class TemplateSandbox {

    /** The caps; {@link #DEFAULT} fits any real chat template with room to spare. */
    record Limits(long maxOutputChars, long maxNodesRendered, Duration timeout, int maxRange, int maxCollectionSize,
                  int maxMacroDepth) {
        Limits {
            if (maxOutputChars <= 0 || maxNodesRendered <= 0 || maxRange <= 0 || maxCollectionSize <= 0
                    || maxMacroDepth <= 0 || timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("chat template limits must all be positive");
            }
        }

        static final Limits DEFAULT = new Limits(32L << 20, 5_000_000, Duration.ofSeconds(20), 100_000, 1_000_000, 50);
    }

    /** Thrown from inside Jinjava when a cap is crossed; Jinjava turns it into an error, the budget keeps the reason. */
    static final class LimitExceeded extends RuntimeException {
        LimitExceeded(String message) {
            super(message, null, false, false);
        }
    }

    /** Per-render counters, bound to the rendering thread for the length of one render. */
    static final class Budget {
        private final Limits limits;
        private final long deadlineNanos;
        private long nodes;
        private String exceeded;
        private String raised;

        Budget(Limits limits) {
            this.limits = limits;
            this.deadlineNanos = System.nanoTime() + limits.timeout().toNanos();
        }

        void onNode() {
            if (exceeded != null) {
                throw new LimitExceeded(exceeded);
            }
            if (++nodes > limits.maxNodesRendered()) {
                exceed("rendered more than " + limits.maxNodesRendered() + " template nodes (a runaway loop?)");
            }
            if ((nodes & 1023) == 0 && System.nanoTime() - deadlineNanos > 0) {
                exceed("took longer than " + limits.timeout().toMillis() + " ms");
            }
        }

        private void exceed(String why) {
            stop(why);
            throw new LimitExceeded(why);
        }

        /** Records that a cap was crossed; every later node then fails at once, ending the render. */
        void stop(String why) {
            if (exceeded == null) {
                exceeded = why;
            }
        }

        Limits limits() {
            return limits;
        }

        /** Why the render was stopped by a cap, or null. */
        String exceeded() {
            return exceeded;
        }

        /** The message of the template's own {@code raise_exception(...)}, or null. */
        String raised() {
            return raised;
        }

        void raise(String message) {
            if (raised == null) {
                raised = message;
            }
        }
    }

    private static final ThreadLocal<Budget> CURRENT = new ThreadLocal<>();

    private TemplateSandbox() {
    }

    static Budget currentBudget() {
        return CURRENT.get();
    }

    static void bind(Budget budget) {
        CURRENT.set(budget);
    }

    static void unbind() {
        CURRENT.remove();
    }

    static JinjavaConfig config(Limits limits) {
        return JinjavaConfig.newBuilder()
                // Hugging Face: jinja2 ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUsePyishObjectMapper(true)          // {{ [1, 'a'] }} prints as Python does
                        .withParseWhitespaceControlStrictly(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withIterateOverMapKeys(true)             // {% for k in dict %} gives keys, as in Python
                        .build())
                .withElResolver(RESOLVER)
                .withNestedInterpretationEnabled(false)          // output is never re-parsed as a template
                .withMaxOutputSize(limits.maxOutputChars())
                .withMaxStringLength(limits.maxOutputChars())
                .withMaxListSize(limits.maxCollectionSize())
                .withMaxMapSize(limits.maxCollectionSize())
                .withRangeLimit(limits.maxRange())
                .withEnableRecursiveMacroCalls(true)
                .withMaxMacroRecursionDepth(limits.maxMacroDepth())
                .withMaxRenderDepth(limits.maxMacroDepth())
                .withDisabled(Map.of(Context.Library.TAG, Set.of("include", "import", "from", "extends")))
                .withProcessors(JinjavaProcessors.newBuilder()
                        .withNodePreProcessor((node, interpreter) -> {
                            Budget budget = CURRENT.get();
                            if (budget != null) {
                                budget.onNode();
                            }
                        })
                        .build())
                .build();
    }

    private static final ELResolver RESOLVER = new CompositeELResolver() {
        {
            add(new JinjavaListELResolver(true));
            add(new TypeConvertingMapELResolver(true));
            add(new PolicyResolver());
        }
    };

    /**
     * Last in the chain, after list and map lookups: decides every method call and every attribute read on
     * anything that is not a map or list.
     */
    private static final class PolicyResolver extends ELResolver {
        private static final Set<String> LOOP_ATTRIBUTES = Set.of("index", "index0", "revindex", "revindex0",
                "first", "last", "length", "depth", "depth0");
        private final JinjavaBeanELResolver jinjavaInternals = new JinjavaBeanELResolver(true);

        @Override
        public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
            if (base == null || method == null) {
                return null;
            }
            String name = method.toString();
            // Jinjava calls its own filters and tests as methods: those stay allowed.
            if ((base instanceof Filter && name.equals("filter"))
                    || (base instanceof ExpTest && (name.equals("evaluate") || name.equals("evaluateNegated")))
                    || (base instanceof ForLoop && name.equals("cycle"))) {
                return jinjavaInternals.invoke(context, base, method, paramTypes, params);
            }
            Object result;
            try {
                result = PythonMethods.call(base, name, params);
            } catch (IllegalArgumentException | ClassCastException e) {
                throw new MethodNotFoundException(PythonCompat.typeName(base) + "." + name + "(): " + e.getMessage());
            }
            if (result == PythonMethods.NO_SUCH_METHOD) {
                throw new MethodNotFoundException("'" + PythonCompat.typeName(base) + "' object has no method '"
                        + name + "' available to chat templates");
            }
            context.setPropertyResolved(true);
            return result;
        }

        @Override
        public Object getValue(ELContext context, Object base, Object property) {
            if (base == null) {
                return null;
            }
            context.setPropertyResolved(true);
            if (base instanceof ForLoop loop && property != null) {
                String name = property.toString();
                if (LOOP_ATTRIBUTES.contains(name)) {
                    return jinjavaInternals.getValue(context, base, property);
                }
                if (name.equals("previtem") || name.equals("nextitem")) {
                    return PythonForTag.neighbour(loop, name.equals("previtem") ? -1 : 1);
                }
                return null;
            }
            if (base instanceof CharSequence s && property != null && property.toString().matches("-?\\d{1,9}")) {
                return PythonMethods.charAt(s.toString(), Long.parseLong(property.toString()));  // Python's s[i]
            }
            return null;  // Python: no such attribute, which Jinja renders as undefined
        }

        @Override
        public Class<?> getType(ELContext context, Object base, Object property) {
            return null;
        }

        @Override
        public void setValue(ELContext context, Object base, Object property, Object value) {
            throw new jinjava.javax.el.PropertyNotWritableException("chat templates cannot modify objects");
        }

        @Override
        public boolean isReadOnly(ELContext context, Object base, Object property) {
            return true;
        }

        @Override
        public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
            return Collections.emptyIterator();
        }

        @Override
        public Class<?> getCommonPropertyType(ELContext context, Object base) {
            return Object.class;
        }
    }
}
