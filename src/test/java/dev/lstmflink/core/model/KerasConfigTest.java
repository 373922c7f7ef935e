package dev.lstmflink.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.core.io.LstmConfigJson;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The Keras options of {@link LstmConfig} and their JSON form in {@link LstmConfigJson}: defaults that leave every
 * PyTorch config and file as it was, and round trips of the others.
 */
class KerasConfigTest {

    @Test
    void defaultsArePytorchsCell() {
        LstmConfig c = LstmConfig.of(3, 5);
        assertEquals(Activation.TANH, c.activation());
        assertEquals(Activation.SIGMOID, c.recurrentActivation());
        assertFalse(c.goBackwards());
        assertTrue(c.hasDefaultActivations());
        assertTrue(c.useBias());
        assertFalse(c.withBias(false).useBias());
        assertEquals(new LstmConfig(3, 5, 1, true, false, 0.0, false, 0, null, null, false), c,
                "null activations read as the defaults");
        assertFalse(c.withActivation(Activation.RELU).hasDefaultActivations());
        assertFalse(c.withRecurrentActivation(Activation.HARD_SIGMOID).hasDefaultActivations());
    }

    @Test
    void withersKeepTheKerasOptions() {
        LstmConfig c = LstmConfig.of(3, 5).withActivation(Activation.LINEAR)
                .withRecurrentActivation(Activation.HARD_SIGMOID).withGoBackwards(true)
                .withNumLayers(2).withProjSize(2).withBatchFirst(true).withDropout(0.1).withBias(false);
        assertEquals(Activation.LINEAR, c.activation());
        assertEquals(Activation.HARD_SIGMOID, c.recurrentActivation());
        assertTrue(c.goBackwards());
    }

    @Test
    void goBackwardsAndBidirectionalAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LstmConfig.of(2, 4).withGoBackwards(true).withBidirectional(true));
        assertTrue(e.getMessage().contains("go_backwards=true") && e.getMessage().contains("bidirectional=true"),
                e.getMessage());
    }

    @Test
    void defaultJsonIsExactlyThePytorchKeywordArguments() {
        LstmConfig c = LstmConfig.of(3, 5).withNumLayers(2);
        assertEquals("{\"input_size\":3,\"hidden_size\":5,\"num_layers\":2,\"bias\":true,\"batch_first\":false,"
                + "\"dropout\":0.0,\"bidirectional\":false,\"proj_size\":0}", LstmConfigJson.toJson(c));
    }

    @Test
    void kerasOptionsAreWrittenOnlyWhenNotDefaultAndReadBack() {
        LstmConfig c = LstmConfig.of(3, 5).withActivation(Activation.RELU)
                .withRecurrentActivation(Activation.HARD_SIGMOID).withGoBackwards(true);
        String json = LstmConfigJson.toJson(c);
        assertTrue(json.contains("\"activation\":\"relu\"") && json.contains("\"recurrent_activation\":"
                + "\"hard_sigmoid\"") && json.contains("\"go_backwards\":true"), json);
        assertEquals(c, LstmConfigJson.fromJson(json, LstmConfig.of(1, 1)));
        LstmConfig onlyGate = LstmConfig.of(3, 5).withRecurrentActivation(Activation.LINEAR);
        String j2 = LstmConfigJson.toJson(onlyGate);
        assertFalse(j2.contains("\"activation\"") || j2.contains("go_backwards"), j2);
        assertEquals(onlyGate, LstmConfigJson.fromJson(j2, LstmConfig.of(1, 1)));
    }

    @Test
    void zeroOutputForMaskIsWrittenOnlyWhenSetAndReadBack() {
        assertFalse(LstmConfig.of(3, 5).zeroOutputForMask(), "Keras' default");
        assertEquals(LstmConfig.of(3, 5), new LstmConfig(3, 5, 1, true, false, 0.0, false, 0, null, null, false,
                false));
        LstmConfig c = LstmConfig.of(3, 5).withZeroOutputForMask(true).withGoBackwards(true).withNumLayers(2);
        assertTrue(c.zeroOutputForMask() && c.withProjSize(2).withActivation(Activation.RELU).zeroOutputForMask(),
                "the withers keep it");
        String json = LstmConfigJson.toJson(c);
        assertTrue(json.contains("\"zero_output_for_mask\":true"), json);
        assertEquals(c, LstmConfigJson.fromJson(json, LstmConfig.of(1, 1)));
        assertFalse(LstmConfigJson.toJson(LstmConfig.of(3, 5)).contains("zero_output_for_mask"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LstmConfigJson.fromJson("{\"zero_output_for_mask\":1}", LstmConfig.of(1, 1)));
        assertTrue(e.getMessage().contains("zero_output_for_mask"), e.getMessage());
    }

    @Test
    void oldJsonWithoutKerasKeysReadsAsDefaults() {
        String old = "{\"input_size\":3,\"hidden_size\":5,\"num_layers\":1,\"bias\":true,\"batch_first\":false,"
                + "\"dropout\":0.0,\"bidirectional\":false,\"proj_size\":0}";
        assertEquals(LstmConfig.of(3, 5), LstmConfigJson.fromJson(old, LstmConfig.of(1, 1)));
    }

    @Test
    void badActivationInJsonNamesKeyAndValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LstmConfigJson.fromJson("{\"activation\":\"softsign\"}", LstmConfig.of(1, 1)));
        assertTrue(e.getMessage().contains("'activation'") && e.getMessage().contains("softsign"), e.getMessage());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> LstmConfigJson.fromJson("{\"recurrent_activation\":3}", LstmConfig.of(1, 1)));
        assertTrue(e2.getMessage().contains("recurrent_activation"), e2.getMessage());
    }

    @Test
    void javaSerializationKeepsTheOptions() throws Exception {
        LstmConfig c = LstmConfig.of(2, 3).withActivation(Activation.LINEAR).withGoBackwards(true)
                .withZeroOutputForMask(true);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(c);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(c, in.readObject());
        }
    }
}
