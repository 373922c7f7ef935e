package dev.lstmflink;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Which of our packages may import which, checked on the compiled main classes (tests and benchmarks may use
 * anything). A package may depend on the packages of the levels below its own, never on its own level's neighbours
 * or on anything above; every package of {@code dev.lstmflink} must belong to a level, so a new top-level package
 * fails here until it is given one. Each level, lowest first, and why it sits where it does:
 *
 * <ol>
 *   <li>{@code core}: the LSTM library (model, kernels, forward/backward, model files). Imports nothing of ours.</li>
 *   <li>{@code csv}: the one CSV cell and number reader of every job, pure JDK.</li>
 *   <li>{@code anomaly}, {@code train}: scoring and training, each on top of {@code core}.</li>
 *   <li>{@code record}, {@code config}: the events, outputs and detections that sources, operators and sinks pass
 *       around, and the typed settings of the jobs; plain data that everything above may share.</li>
 *   <li>{@code report}, {@code nab}: the HTML report and NAB scoring, usable by any tool.</li>
 *   <li>{@code connect}: record formats, dead letters, Kafka; reads {@code record} and {@code config}.</li>
 *   <li>{@code flink}: the operators; the detection pipeline wires {@code connect}'s parsers and dead letters.</li>
 *   <li>{@code jobs}: the pipelines and runs that put sources, operators and sinks together.</li>
 *   <li>{@code cli}, {@code cluster}: the command-line tools; nothing imports them.</li>
 * </ol>
 *
 * <p>Besides: no cycle between any two packages (sub-packages included, e.g. {@code core.io} and
 * {@code core.io.keras}), and no Flink in the packages that must run without it.
 */
@AnalyzeClasses(packages = "dev.lstmflink", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {

    /** The levels, lowest first; a package of one level may import those of the levels before it. */
    static final List<List<String>> LEVELS = List.of(
            List.of("core"),
            List.of("csv"),
            List.of("anomaly", "train"),
            List.of("record", "config"),
            List.of("report", "nab"),
            List.of("connect"),
            List.of("flink"),
            List.of("jobs"),
            List.of("cli", "cluster"));

    /** Packages that run without Flink: the library, scoring, training, and what they share. */
    static final String[] FLINK_FREE = packages("core", "csv", "anomaly", "train", "record", "report", "nab");

    @ArchTest
    static final ArchRule layers = layers()
            .as("a package of dev.lstmflink imports only packages of lower levels, and every package has a level")
            .because("the levels are, lowest first: " + levels());

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("dev.lstmflink.(**)").should().beFreeOfCycles()
            .because("two packages that import each other are one package in two folders");

    @ArchTest
    static final ArchRule noFlinkBelowTheOperators = noClasses().that().resideInAnyPackage(FLINK_FREE)
            .should().dependOnClassesThat().resideInAPackage("org.apache.flink..")
            .because("the library, scoring and training run without Flink (Flink types belong in flink/ and above)");

    private static LayeredArchitecture layers() {
        LayeredArchitecture a = layeredArchitecture().consideringOnlyDependenciesInLayers()
                .ensureAllClassesAreContainedInArchitecture();
        for (List<String> level : LEVELS) {
            for (String name : level) {
                a = a.layer(name).definedBy(packages(name));
            }
        }
        List<String> below = new ArrayList<>();
        for (List<String> level : LEVELS) {
            for (String name : level) {
                a = below.isEmpty() ? a.whereLayer(name).mayNotAccessAnyLayer()
                        : a.whereLayer(name).mayOnlyAccessLayers(below.toArray(String[]::new));
            }
            below.addAll(level);
        }
        return a;
    }

    private static String[] packages(String... names) {
        return Arrays.stream(names).map(n -> "dev.lstmflink." + n + "..").toArray(String[]::new);
    }

    private static String levels() {
        return LEVELS.stream().map(l -> String.join(" | ", l)).collect(Collectors.joining(" < "));
    }
}
