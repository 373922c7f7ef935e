package dev.lstmflink.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.core.nn.DropoutConfig;
import org.junit.jupiter.api.Test;

/** The dropout keys of {@code config/train.yaml}; the rest of the file is covered by {@link TrainCliTest}. */
class TrainConfigTest {

    @Test
    void dropoutKindsReachTheTrainingOptions() throws Exception {
        TrainConfig c = TrainConfig.parse("""
                model:
                  layers: 2
                  dropout: 0.1
                  input_dropout: 0.2
                  recurrent_dropout: 0.3
                  weight_dropout: 0.4
                  state_update_dropout: 0.5
                """, "test.yaml");
        assertEquals(new DropoutConfig(0.2, 0.3, 0.4, 0.5), c.options().dropout());
        assertEquals(0.1, c.model.dropout, "the inter-layer dropout stays the model's");
        assertEquals("0.4", c.settings().get("model.weight_dropout"));
        assertEquals("0.5", c.settings().get("model.state_update_dropout"));
        assertEquals(DropoutConfig.NONE, TrainConfig.defaults().options().dropout(), "off by default");
    }

    @Test
    void aProbabilityOutsideZeroToOneIsAnErrorNamingKeyAndValue() {
        for (String key : new String[] {"input_dropout", "recurrent_dropout", "weight_dropout",
                "state_update_dropout"}) {
            CliException e = assertThrows(CliException.class,
                    () -> TrainConfig.parse("model:\n  " + key + ": 1.0\n", "t.yaml"));
            assertTrue(e.getMessage().contains("model." + key) && e.getMessage().contains("1.0"), e.getMessage());
        }
    }
}
