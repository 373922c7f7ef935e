package dev.lstmflink.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.core.model.Activation;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.nn.DropoutConfig;
import dev.lstmflink.train.CellOptions;
import dev.lstmflink.train.optim.Constraint;
import dev.lstmflink.train.optim.Penalties;
import dev.lstmflink.train.optim.Regularizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The dropout and the Keras regularizer/constraint keys of {@code config/train.yaml}; the rest of the file is covered
 * by {@link TrainCliTest}.
 */
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
            ConfigException e = assertThrows(ConfigException.class,
                    () -> TrainConfig.parse("model:\n  " + key + ": 1.0\n", "t.yaml"));
            assertTrue(e.getMessage().contains("model." + key) && e.getMessage().contains("1.0"), e.getMessage());
        }
    }

    @Test
    void regularizersAndConstraintsReachTheTrainingOptions() throws Exception {
        TrainConfig c = TrainConfig.parse("""
                model:
                  kernel_regularizer: {l1: 0.001, l2: 1.0e-4}
                  recurrent_regularizer: l2
                  bias_regularizer: {l1: 0.5}
                  kernel_constraint: {max_norm: {max_value: 3.0, axis: 0}}
                  recurrent_constraint: {unit_norm: {axis: [0, 1]}}
                  bias_constraint: non_neg
                """, "test.yaml");
        Penalties p = c.options().penalties();
        assertEquals(new Regularizer(0.001, 1e-4), p.kernelRegularizer());
        assertEquals(Regularizer.l2(0.01), p.recurrentRegularizer(), "Keras' default factor by name");
        assertEquals(Regularizer.l1(0.5), p.biasRegularizer(), "a factor left out is 0");
        assertEquals(new Constraint.MaxNorm(3.0, 0), p.kernelConstraint());
        assertEquals(new Constraint.UnitNorm(new int[] {0, 1}), p.recurrentConstraint());
        assertEquals(new Constraint.NonNeg(), p.biasConstraint());
        assertEquals("{max_norm: {max_value: 3.0, axis: 0}}", c.settings().get("model.kernel_constraint"));
        assertEquals(Penalties.NONE, TrainConfig.defaults().options().penalties(), "none by default");

        TrainConfig d = TrainConfig.parse("""
                model:
                  kernel_constraint: max_norm
                  recurrent_constraint: {unit_norm: {}}
                  bias_constraint: {max_norm: {axis: -1}}
                """, "test.yaml");
        assertEquals(new Constraint.MaxNorm(2.0, 0), d.penalties().kernelConstraint(), "Keras' defaults");
        assertEquals(new Constraint.UnitNorm(0), d.penalties().recurrentConstraint());
        assertEquals(new Constraint.MaxNorm(2.0, -1), d.penalties().biasConstraint());
    }

    @Test
    void badRegularizersAndConstraintsAreErrorsNamingKeyAndValue() {
        String[][] cases = {
            {"kernel_regularizer: {l1: -0.1}", "model.kernel_regularizer.l1", "-0.1"},
            {"kernel_regularizer: {l1: abc}", "model.kernel_regularizer.l1", "abc"},
            {"recurrent_regularizer: l3", "model.recurrent_regularizer", "l3"},
            {"bias_regularizer: {l1: 0.1, l3: 0.2}", "model.bias_regularizer.l3", "l1 or l2"},
            {"bias_regularizer: [0.1]", "model.bias_regularizer", "[0.1]"},
            {"kernel_constraint: {max_norm: {max_value: 0}}", "model.kernel_constraint.max_norm.max_value", "0"},
            {"kernel_constraint: {max_norm: 3.0}", "model.kernel_constraint.max_norm", "3.0"},
            {"kernel_constraint: {max_norm: {axis: 2}}", "model.kernel_constraint.max_norm.axis", "2"},
            {"bias_constraint: {unit_norm: {axis: 1}}", "model.bias_constraint.unit_norm.axis", "1"},
            {"recurrent_constraint: {unit_norm: {axes: 0}}", "model.recurrent_constraint.unit_norm.axes", "axis"},
            {"recurrent_constraint: min_max_norm", "model.recurrent_constraint", "min_max_norm"},
            {"bias_constraint: {non_neg: {axis: 0}}", "model.bias_constraint.non_neg.axis", "no arguments"},
        };
        for (String[] c : cases) {
            ConfigException e = assertThrows(ConfigException.class, () -> TrainConfig.parse("model:\n  " + c[0] + "\n",
                    "t.yaml"), c[0]);
            assertTrue(e.getMessage().startsWith("t.yaml: ") && e.getMessage().contains("'" + c[1] + "'")
                    && e.getMessage().contains(c[2]), c[0] + " -> " + e.getMessage());
        }
    }

    @Test
    void embeddingKeysGiveTheEmbeddingAndIdColumns() throws Exception {
        TrainConfig c = TrainConfig.parse("""
                data:
                  id_columns: [machine_state, zone]
                model:
                  embedding: {num_embeddings: 8, embedding_dim: 3, padding_idx: -1, max_norm: 2.5}
                """, "test.yaml");
        assertEquals(dev.lstmflink.core.model.EmbeddingConfig.of(8, 3, 7, 2.5, 2.0, 2), c.embeddingConfig());
        assertEquals(java.util.List.of("machine_state", "zone"), c.idColumns().names());
        assertEquals(8, c.idColumns().numEmbeddings());
        assertEquals(null, TrainConfig.defaults().embeddingConfig(), "none by default");
        String[][] bad = {
            {"data:\n  id_columns: [s]\n", "data.id_columns", "[s]"},
            {"model:\n  embedding: {num_embeddings: 4, embedding_dim: 2}\n", "data.id_columns", "[]"},
            {"data:\n  id_columns: [s]\nmodel:\n  embedding: {num_embeddings: 0, embedding_dim: 2}\n",
                "model.embedding.num_embeddings", "0"},
            {"data:\n  id_columns: [s]\nmodel:\n  embedding: {num_embeddings: 4}\n",
                "model.embedding.embedding_dim", "null"},
            {"data:\n  id_columns: [s]\nmodel:\n  embedding: {num_embeddings: 4, embedding_dim: 2, padding_idx: 4}\n",
                "model.embedding.padding_idx", "4"},
            {"data:\n  id_columns: [s]\nmodel:\n  embedding: {num_embeddings: 4, embedding_dim: 2, max_norm: -1}\n",
                "model.embedding.max_norm", "-1"},
            {"data:\n  id_columns: [s, S]\nmodel:\n  embedding: {num_embeddings: 4, embedding_dim: 2}\n",
                "data.id_columns", "[s, S]"},
        };
        for (String[] b : bad) {
            ConfigException e = assertThrows(ConfigException.class, () -> TrainConfig.parse(b[0], "t.yaml"), b[0]);
            assertTrue(e.getMessage().contains("'" + b[1] + "'") && e.getMessage().contains(b[2]),
                    b[0] + " -> " + e.getMessage());
        }
    }

    @Test
    void cellKeysGiveTheLstmConfigAndUnitForgetBias() throws Exception {
        TrainConfig c = TrainConfig.parse("""
                model:
                  hidden_size: 8
                  layers: 2
                  bias: false
                  proj_size: 3
                  activation: relu
                  recurrent_activation: hard_sigmoid
                  unit_forget_bias: true
                """, "test.yaml");
        CellOptions cell = c.cellOptions();
        assertEquals(new CellOptions(false, 3, Activation.RELU, Activation.HARD_SIGMOID), cell);
        LstmConfig cfg = cell.config(5, 8, 2, 0.0);
        assertEquals(new LstmConfig(5, 8, 2, false, false, 0.0, false, 3).withActivation(Activation.RELU)
                .withRecurrentActivation(Activation.HARD_SIGMOID), cfg);
        assertTrue(c.options().unitForgetBias(), "unit_forget_bias given");
        assertEquals("relu", c.settings().get("model.activation"));
        assertEquals("3", c.settings().get("model.proj_size"));

        TrainConfig d = TrainConfig.defaults();
        assertEquals(CellOptions.DEFAULT, d.cellOptions(), "nn.LSTM's cell by default");
        assertEquals(false, d.options().unitForgetBias(), "pytorch init: no unit forget bias");
        assertEquals(true, TrainConfig.parse("model:\n  init: keras\n", "t.yaml").options().unitForgetBias(),
                "keras init: Keras' default unit_forget_bias=True");
        assertEquals(false, TrainConfig.parse("model:\n  init: keras\n  unit_forget_bias: false\n", "t.yaml")
                .options().unitForgetBias(), "an explicit false wins over the scheme's default");
    }

    @Test
    void badCellKeysAreErrorsNamingKeyAndValue() {
        String[][] cases = {
            {"model:\n  activation: swish\n", "model.activation", "swish"},
            {"model:\n  recurrent_activation: softmax\n", "model.recurrent_activation", "softmax"},
            {"model:\n  hidden_size: 4\n  proj_size: 4\n", "model.proj_size", "4"},
            {"model:\n  proj_size: -1\n", "model.proj_size", "-1"},
            {"model:\n  bias: maybe\n", "model.bias", "maybe"},
        };
        for (String[] c : cases) {
            ConfigException e = assertThrows(ConfigException.class, () -> TrainConfig.parse(c[0], "t.yaml"), c[0]);
            assertTrue(e.getMessage().contains(c[1]) && e.getMessage().contains(c[2]), e.getMessage());
        }
    }

    @Test
    void shippedConfigFileDocumentsEveryKey() throws Exception {
        String text = Files.readString(Path.of("config/train.yaml"));
        for (String key : TrainConfig.KEYS) {
            String leaf = key.substring(key.lastIndexOf('.') + 1);
            Matcher m = Pattern.compile("(?m)^(\\s*#.*\\n)+\\s*" + Pattern.quote(leaf) + ":").matcher(text);
            assertTrue(m.find(), "config/train.yaml: key '" + key + "' is missing or has no comment above it");
        }
    }
}
