package io.panatap.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A missing corpus or tool skips a test with the reason, and fails it under CI=true. */
class PrerequisitesTest {
    @TempDir
    Path dir;

    /** What a missing prerequisite must do in this JVM: fail under CI=true, skip otherwise. */
    private static Class<? extends Throwable> expectedOutcome() {
        return Privileges.isCi() ? AssertionError.class : TestAbortedException.class;
    }

    @Test
    void aMissingToolSkipsOrFailsNamingTheToolAndItsPackage() {
        assertThatThrownBy(() -> Prerequisites.requireTool("panatap-no-such-tool"))
                .isInstanceOf(expectedOutcome())
                .hasMessageContaining("panatap-no-such-tool is not installed")
                .hasMessageContaining("apt-get install panatap-no-such-tool");
    }

    @Test
    void anOptionalToolThatIsMissingIsNullOutsideCiAndAFailureUnderCi() {
        if (Privileges.isCi()) {
            assertThatThrownBy(() -> Prerequisites.optionalTool("panatap-no-such-tool"))
                    .isInstanceOf(AssertionError.class).hasMessageContaining("CI=true but panatap-no-such-tool");
        } else {
            assertThat(Prerequisites.optionalTool("panatap-no-such-tool")).isNull();
        }
    }

    @Test
    void anInstalledToolIsFound() {
        Path sh = Prerequisites.requireTool("sh");
        assertThat(Files.isExecutable(sh)).isTrue();
    }

    @Test
    void aCorpusPropertyNamingNoCorpusSkipsOrFailsWithThePathItTried() {
        String before = System.getProperty(Prerequisites.CORPUS_PROPERTY);
        System.setProperty(Prerequisites.CORPUS_PROPERTY, dir.resolve("absent").toString());
        try {
            assertThat(Prerequisites.corpus()).isNull();
            assertThatThrownBy(Prerequisites::requireCorpus)
                    .isInstanceOf(expectedOutcome())
                    .hasMessageContaining("no capture corpus")
                    .hasMessageContaining(dir.resolve("absent").toString());
        } finally {
            restore(before);
        }
    }

    @Test
    void aFactoryWithoutItsCorpusReturnsOneTestThatSkipsOrFails() {
        String before = System.getProperty(Prerequisites.CORPUS_PROPERTY);
        System.setProperty(Prerequisites.CORPUS_PROPERTY, dir.resolve("absent").toString());
        try {
            var tests = Prerequisites.missingCorpusTest().toList();
            assertThat(tests).hasSize(1);
            assertThatThrownBy(() -> tests.get(0).getExecutable().execute())
                    .isInstanceOf(expectedOutcome()).hasMessageContaining("no capture corpus");
        } finally {
            restore(before);
        }
    }

    @Test
    void aCorpusPropertyNamingADirectoryWithAManifestIsUsed() throws Exception {
        Files.writeString(dir.resolve("MANIFEST.txt"), "capture\n");
        String before = System.getProperty(Prerequisites.CORPUS_PROPERTY);
        System.setProperty(Prerequisites.CORPUS_PROPERTY, dir.toString());
        try {
            assertThat(Prerequisites.requireCorpus()).isEqualTo(dir);
        } finally {
            restore(before);
        }
    }

    private static void restore(String value) {
        if (value == null) {
            System.clearProperty(Prerequisites.CORPUS_PROPERTY);
        } else {
            System.setProperty(Prerequisites.CORPUS_PROPERTY, value);
        }
    }
}
