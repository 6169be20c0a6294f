package io.panatap.capture;

import io.panatap.internal.linux.Libc;

/**
 * Checks, before the first native call, that this code may call native functions at all. A JVM run with
 * {@code --illegal-native-access=deny} (the coming default) refuses the restricted FFM methods of a module
 * without {@code --enable-native-access}; the refusal would otherwise surface as an
 * {@link ExceptionInInitializerError} from the C library bindings' static initialiser (and as a
 * {@link NoClassDefFoundError} on every later attempt).
 */
final class NativeAccess {
    private NativeAccess() {
    }

    /**
     * Returns if native calls work (access enabled, or refused only with a warning, as JDK 22 to 25 do by
     * default).
     *
     * @throws CaptureException {@link CaptureException.Reason#NATIVE_ACCESS_DENIED} naming the flag to add
     */
    static void require() throws CaptureException {
        if (enabled()) {
            return;
        }
        Module module = NativeAccess.class.getModule();
        try {
            Libc.getpagesize(); // initialises the bindings: the first restricted method calls
        } catch (IllegalCallerException | LinkageError e) {
            if (!refused(e)) {
                throw e;
            }
            String how = module.isNamed()
                    ? "add --enable-native-access=" + module.getName() + " to the java command line"
                    : "add --enable-native-access=ALL-UNNAMED to the java command line (or the manifest attribute"
                            + " Enable-Native-Access: ALL-UNNAMED to an executable jar)";
            throw new CaptureException(CaptureException.Reason.NATIVE_ACCESS_DENIED,
                    "the JVM denies native access, which AF_PACKET capture needs: " + how, e);
        }
    }

    /**
     * Whether native access is enabled for this code outright: native calls then neither fail nor bring the
     * JVM's warning. False also where they would work with only a warning.
     */
    static boolean enabled() {
        return NativeAccess.class.getModule().isNativeAccessEnabled();
    }

    /**
     * The refusal itself, or its trace: a class whose initialiser failed reports the original exception
     * only by name in the {@link NoClassDefFoundError} of later attempts.
     */
    private static boolean refused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IllegalCallerException
                    || t.getMessage() != null && t.getMessage().contains(IllegalCallerException.class.getName())) {
                return true;
            }
        }
        return false;
    }
}
