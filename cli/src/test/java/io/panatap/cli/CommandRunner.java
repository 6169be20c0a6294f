package io.panatap.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real command in a fresh JVM, the way a user does, with the test JVM's class path (the command's
 * classes and core's), and collects standard output, standard error and the exit status.
 */
final class CommandRunner {
    private CommandRunner() {
    }

    record Result(int status, String out, String err, byte[] outBytes) {
        List<String> lines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }

        /** Line-format rows, a -v row's continuation line ("\n    ...") joined to its first line by a space. */
        List<String> rows() {
            return out.isEmpty() ? List.of() : List.of(out.replace("\n    ", " ").split("\n"));
        }
    }

    /** The command line that starts the command: java, native access, class path, main class, args. */
    static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    static ProcessBuilder builder(Map<String, String> env, String... args) {
        ProcessBuilder pb = new ProcessBuilder(command(args));
        pb.environment().put("TZ", "UTC");
        pb.environment().putAll(env);
        return pb;
    }

    static Result run(String... args) throws IOException, InterruptedException {
        return run(Map.of(), args);
    }

    static Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile("panatap-out", ".txt");
        Path err = Files.createTempFile("panatap-err", ".txt");
        try {
            Process p = builder(env, args).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            return finish(p, out, err);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static Result finish(Process p, Path out, Path err) throws IOException, InterruptedException {
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the command did not finish within 60 s");
        }
        byte[] bytes = Files.readAllBytes(out);
        return new Result(p.exitValue(), new String(bytes, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8), bytes);
    }
}
