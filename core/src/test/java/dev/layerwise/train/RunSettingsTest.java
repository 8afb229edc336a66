package dev.layerwise.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.io.FileFormatException;
import dev.layerwise.io.Json;
import dev.layerwise.tensor.DType;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The run settings a checkpoint holds: read from and written to the JSON layout of earlier model files. */
class RunSettingsTest {
    /** As {@code layerwise train --model simple-convnet --iterations 200 --save} wrote them before the record. */
    static final String WRITTEN_BEFORE = "{\"model\":\"simple-convnet\",\"optimizer\":\"adam\",\"optimizer_params\":"
            + "{\"lr\":0.001,\"beta1\":0.9,\"beta2\":0.999},\"lr_schedule\":\"constant\",\"schedule_steps\":200,"
            + "\"batch_size\":100,\"train_size\":null,\"eval_sample\":1000,\"sampling\":\"replacement\",\"seed\":7,"
            + "\"dtype\":\"float32\",\"iterations\":200}";

    @Test
    void readsAndWritesTheLayoutOfEarlierFilesByteForByte() throws Exception {
        RunSettings s = RunSettings.fromMap((Map<?, ?>) Json.parse(WRITTEN_BEFORE, "test"));
        assertEquals(new RunSettings("simple-convnet", "adam", Map.of("lr", 0.001, "beta1", 0.9, "beta2", 0.999),
                "constant", 200, 100, null, 1000, Trainer.Sampling.WITH_REPLACEMENT, 7, DType.FLOAT32, 200), s);
        assertEquals(WRITTEN_BEFORE, Json.write(s.toMap()));
    }

    @Test
    void anUnknownOptimizerOrAMissingFieldIsAFormatError() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>(RunSettings.fromMap(
                (Map<?, ?>) Json.parse(WRITTEN_BEFORE, "test")).toMap());
        m.put("optimizer", "adamw");
        FileFormatException unknown = assertThrows(FileFormatException.class, () -> RunSettings.fromMap(m));
        assertTrue(unknown.getMessage().contains("optimizer settings are missing or unknown"), unknown.getMessage());
        m.put("optimizer", "adam");
        m.remove("batch_size");
        FileFormatException missing = assertThrows(FileFormatException.class, () -> RunSettings.fromMap(m));
        assertTrue(missing.getMessage().startsWith("bad run settings"), missing.getMessage());
    }
}
