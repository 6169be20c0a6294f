package io.panatap.cli;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Makes SIGINT stop a capture even when the process started with SIGINT ignored, as a background job of a
 * shell script does ({@code panatap -w x.pcap & ... kill -INT $!}). The JVM leaves an ignored SIGINT
 * ignored, so such a capture could only be killed; tcpdump catches SIGINT in every case, and so does this.
 */
final class Interrupts {
    private static final int SIGINT = 2;
    private static final long SIG_DFL = 0;
    private static final long SIG_IGN = 1;

    private Interrupts() {
    }

    /**
     * If SIGINT is ignored, routes it to the JVM's normal shutdown (the hooks run; exit status 130).
     * {@code sun.misc.Signal} (module jdk.unsupported) is the only way to install a handler the JVM skipped.
     */
    @SuppressWarnings("restricted")
    static void catchEvenIfIgnored() {
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle signal = linker.downcallHandle(linker.defaultLookup().find("signal").orElseThrow(),
                    FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS));
            // signal() swaps handlers: put the default in to read the current one, then decide.
            MemorySegment previous = (MemorySegment) signal.invokeExact(SIGINT, MemorySegment.ofAddress(SIG_DFL));
            if (previous.address() != SIG_IGN) {
                MemorySegment ignored = (MemorySegment) signal.invokeExact(SIGINT, previous); // the JVM's own
                return;
            }
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> System.exit(128 + SIGINT));
        } catch (Throwable e) {
            // Without native access or on an unusual libc: SIGINT stays as the JVM set it up.
        }
    }
}
