package io.swak.core.config;

import io.swak.api.Option;
import io.swak.support.condition.Condition;
import java.util.List;

/**
 * The options every step after the input takes besides its own, declared here for the documentation; ConfigLoader
 * takes them off a step before binding the plugin's options and compiles them into the step's {@link Condition}.
 */
public record StepConditions(
    @Option("Run the step only for the events this expression (Commons JEXL) is true for, e.g. "
        + "'record.status >= 500 && tag.startsWith(\"web.\")'; it reads record (record.http.status, record[\"a.b\"]), "
        + "tag and time (seconds). The other events pass the step unchanged. An event it cannot be evaluated on "
        + "(a missing field, a type mismatch) is not taken and counted as condition_errors.")
    Condition when,
    @Option("Run the step only for events whose tag matches: \"web.*\" (one part), \"web.**\" (any parts), or a list "
        + "of patterns.")
    List<String> match) { }
