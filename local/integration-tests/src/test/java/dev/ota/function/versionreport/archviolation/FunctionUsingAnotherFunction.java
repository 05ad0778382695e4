package dev.ota.function.versionreport.archviolation;

import dev.ota.function.progressreport.ProgressReportHandler;

/** Breaks the rule on purpose: one function reaching into another. Test code only. */
public final class FunctionUsingAnotherFunction {
    public Class<?> other() {
        return ProgressReportHandler.class;
    }
}
