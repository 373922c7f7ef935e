package dev.lstmflink.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LstmConfigTest {

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("input_size", "0", (Supplier<LstmConfig>) () -> LstmConfig.of(0, 4)),
                Arguments.of("hidden_size", "-3", (Supplier<LstmConfig>) () -> LstmConfig.of(2, -3)),
                Arguments.of("num_layers", "0", (Supplier<LstmConfig>) () -> LstmConfig.of(2, 4).withNumLayers(0)),
                Arguments.of("dropout", "1.0", (Supplier<LstmConfig>) () -> LstmConfig.of(2, 4).withDropout(1.0)),
                Arguments.of("dropout", "-0.1", (Supplier<LstmConfig>) () -> LstmConfig.of(2, 4).withDropout(-0.1)),
                Arguments.of("dropout", "NaN", (Supplier<LstmConfig>) () -> LstmConfig.of(2, 4).withDropout(Double.NaN)),
                Arguments.of("proj_size", "4", (Supplier<LstmConfig>) () -> LstmConfig.of(2, 4).withProjSize(4)),
                Arguments.of("proj_size", "-1", (Supplier<LstmConfig>) () -> LstmConfig.of(2, 4).withProjSize(-1)));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("invalid")
    void invalidArgumentsFailNamingArgumentAndValue(String arg, String value, Supplier<LstmConfig> make) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::get);
        assertTrue(e.getMessage().contains(arg) && e.getMessage().contains(value), e.getMessage());
    }

    @Test
    void pytorchDefaults() {
        LstmConfig c = LstmConfig.of(3, 5);
        assertEquals(new LstmConfig(3, 5, 1, true, false, 0.0, false, 0), c);
        assertEquals(5, c.outputSize());
        assertEquals(1, c.numDirections());
    }

    @Test
    void layerInputSizesStackDirectionsAndProjection() {
        LstmConfig c = LstmConfig.of(3, 6).withNumLayers(3).withBidirectional(true).withProjSize(2);
        assertEquals(3, c.layerInputSize(0));
        assertEquals(4, c.layerInputSize(1));
        assertEquals(4, c.layerInputSize(2));
    }
}
